"""The chunk codec: every value and time decodes to exactly what was stored."""

from __future__ import annotations

import math
import struct

from hypothesis import given
from hypothesis import strategies as st

from alertctl.store.history import chunk

ticks = st.lists(st.integers(min_value=0, max_value=10**12), unique=True).map(sorted)


def _bits(values: list[float]) -> list[bytes]:
    """Compared by bits, so -0.0 against 0.0 and NaN payloads count as differences."""
    return [struct.pack("<d", value) for value in values]


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True)))
def test_any_floats_round_trip_bit_for_bit(values: list[float]) -> None:
    assert _bits(chunk.decode_values(chunk.encode_values(values))) == _bits(values)


@given(st.lists(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False).map(float)))
def test_decimal_values_round_trip_bit_for_bit(values: list[float]) -> None:
    assert _bits(chunk.decode_values(chunk.encode_values(values))) == _bits(values)


@given(ticks)
def test_times_round_trip(times: list[int]) -> None:
    assert chunk.decode_times(chunk.encode_times(times)) == times


@given(st.lists(st.tuples(st.integers(0, 10**10), st.floats(), st.floats(), st.floats(), st.integers(0, 10**6))))
def test_rollup_buckets_round_trip(buckets: list[chunk.Bucket]) -> None:
    decoded = chunk.decode_buckets(chunk.encode_buckets(buckets))
    assert [(b[0], b[4]) for b in decoded] == [(b[0], b[4]) for b in buckets]
    assert [_bits(list(b[1:4])) for b in decoded] == [_bits(list(b[1:4])) for b in buckets]


def test_percentages_use_one_decimal_and_bytes_none() -> None:
    assert chunk.decimal_scale([12.5, 3.0, 99.9]) == 1
    assert chunk.decimal_scale([8_000_000_000.0, 7_999_999_488.0]) == 0
    assert chunk.encode_values([12.5, 3.0])[0] == chunk.Encoding.DECIMAL | 1


def test_values_no_short_decimal_holds_fall_back_to_xor() -> None:
    values = [1 / 3, math.pi, -0.0, math.inf]
    blob = chunk.encode_values(values)
    assert blob[0] == chunk.Encoding.XOR
    assert _bits(chunk.decode_values(blob)) == _bits(values)


def test_a_steady_hour_of_percentages_costs_about_a_byte_a_point() -> None:
    """360 samples at 10s with a little jitter: the figure the design notes measured."""
    times = [17_000_000_000 + 100 * i + (i % 3) for i in range(360)]
    values = [round(20 + 5 * math.sin(i / 20) + (i % 7) / 10, 1) for i in range(360)]
    size = len(chunk.encode_times(times)) + len(chunk.encode_values(values))
    assert size / 360 < 2.0

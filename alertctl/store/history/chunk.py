"""One closed hour of one series as two small blobs: lossless, standard library only.

Times are ticks (tenths of a second since the epoch), stored as the first one and
then deltas. Values are stored the same way as integers when one decimal scale (at
most 6 digits) holds every value of the hour exactly, as psutil's percentages (one
decimal) and byte counts (integers) do; otherwise as the XOR of each value's bits
with the previous one's, as Gorilla does. Either way a decoded value is the very
float that was stored. Deltas are packed at the narrowest width that holds them
all (1, 2, 4 or 8 bytes, so the packing stays in C), then through raw deflate
(zlib without its 6-byte header and checksum: a blob is a few hundred bytes, and
SQLite checks its pages itself). Measured figures: docs/history.md.
"""

from __future__ import annotations

import math
import struct
import sys
import zlib
from array import array
from collections.abc import Sequence
from enum import IntEnum
from itertools import accumulate
from typing import Any

MAX_SCALE = 6
_LARGEST = 2**62
"""Scaled values stay below this, so that the difference of two of them fits in an int64."""
_WIDTHS = (("b", 2**7), ("h", 2**15), ("i", 2**31), ("q", 2**63))
_HEAD = struct.Struct("<qc")
"""A segment starts with its first integer and the array type code of its deltas."""

Bucket = tuple[int, float, float, float, int]
"""A rollup bucket: `(t0, min, max, sum, count)`, t0 in epoch seconds."""


class Encoding(IntEnum):
    """The first byte of a values blob (with the decimal scale in its low nibble)."""

    DECIMAL = 0x10
    XOR = 0x20


def encode_times(ticks: Sequence[int]) -> bytes:
    """Integers (ascending ticks, or any) as their first one and narrow deltas, deflated."""
    return _deflate(_segment(ticks))


def decode_times(blob: bytes) -> list[int]:
    body = _inflate(blob)
    return _unsegment(body, 0, None)[0]


def encode_values(values: Sequence[float]) -> bytes:
    """Decimal deltas at the smallest scale that is exact for every value, else XOR."""
    kind, body = _numbers(values)
    return bytes([kind]) + _deflate(body)


def decode_values(blob: bytes) -> list[float]:
    return _from_numbers(blob[0], _inflate(blob[1:]), 0, None)[0]


def encode_buckets(buckets: Sequence[Bucket]) -> bytes:
    """Rollup buckets as one blob: their count, starts and counts, then mins, maxes and sums."""
    columns = list(zip(*buckets, strict=True)) or [(), (), (), (), ()]
    ints = _segment(columns[0]) + _segment(columns[4])
    kinds, parts = zip(*(_numbers(column) for column in columns[1:4]), strict=True)
    return struct.pack("<H", len(buckets)) + bytes(kinds) + _deflate(ints + b"".join(parts))


def decode_buckets(blob: bytes) -> list[Bucket]:
    (n,) = struct.unpack_from("<H", blob)
    kinds, body = blob[2:5], _inflate(blob[5:])
    starts, at = _unsegment(body, 0, n)
    counts, at = _unsegment(body, at, n)
    columns = []
    for kind in kinds:
        column, at = _from_numbers(kind, body, at, n)
        columns.append(column)
    return list(zip(starts, columns[0], columns[1], columns[2], counts, strict=True))


def decimal_scale(values: Sequence[float]) -> int | None:
    """The fewest decimal digits that represent every value exactly; None if more than 6 would.

    Each candidate scale is checked on every value (a non-integer fails scale 0 at once);
    inf, nan, -0.0 and values too large to scale have no decimal form that decodes to themselves.
    """
    if not values:
        return 0
    try:
        if not math.isfinite(math.fsum(values)):
            return None
    except (OverflowError, ValueError):
        return None
    if 0.0 in values and any(math.copysign(1.0, value) < 0 for value in values if value == 0):
        return None
    largest = max(map(abs, values))
    for scale in range(MAX_SCALE + 1):
        factor = 10**scale
        if largest * factor >= _LARGEST:
            return None
        if all(round(value * factor) / factor == value for value in values):
            return scale
    return None


def _numbers(values: Sequence[float]) -> tuple[int, bytes]:
    """`(kind byte, body)`: decimal integers as a segment, or one XOR word per value."""
    scale = decimal_scale(values)
    if scale is None:
        return Encoding.XOR, _little(array("Q", _xor_chain(values))).tobytes()
    factor = 10**scale
    return Encoding.DECIMAL | scale, _segment([round(value * factor) for value in values])


def _from_numbers(kind: int, body: bytes, at: int, n: int | None) -> tuple[list[float], int]:
    if kind & 0xF0 == Encoding.XOR:
        end = len(body) if n is None else at + 8 * n
        bits = _from_little("Q", body[at:end])
        previous = 0
        for index, word in enumerate(bits):
            previous ^= word
            bits[index] = previous
        return array("d", bits.tobytes()).tolist(), end
    if kind & 0xF0 != Encoding.DECIMAL:
        raise ValueError(f"unknown history chunk encoding {kind:#x}")
    factor = 10 ** (kind & 0x0F)
    scaled, end = _unsegment(body, at, n)
    return [number / factor for number in scaled], end


def _segment(numbers: Sequence[int]) -> bytes:
    """The first integer, then the deltas at the narrowest width that holds all of them."""
    if not numbers:
        return b""
    deltas = [b - a for a, b in zip(numbers, numbers[1:])]
    widest = max(max(deltas), -min(deltas)) if deltas else 0
    code = next(code for code, limit in _WIDTHS if widest < limit)
    return _HEAD.pack(numbers[0], code.encode()) + _little(array(code, deltas)).tobytes()


def _unsegment(body: bytes, at: int, n: int | None) -> tuple[list[int], int]:
    """`n` integers from `body` at `at` (None: all that is left), and where the segment ends."""
    if n == 0 or at >= len(body):
        return [], at
    first, code = _HEAD.unpack_from(body, at)
    start = at + _HEAD.size
    width = array(code.decode()).itemsize
    end = len(body) if n is None else start + width * (n - 1)
    return list(accumulate(_from_little(code.decode(), body[start:end]), initial=first)), end


def _xor_chain(values: Sequence[float]) -> list[int]:
    bits = array("Q", array("d", values).tobytes())
    previous = 0
    out = []
    for word in bits:
        out.append(word ^ previous)
        previous = word
    return out


def _deflate(data: bytes) -> bytes:
    return zlib.compress(data, 9, wbits=-15)


def _inflate(blob: bytes) -> bytes:
    return zlib.decompress(blob, wbits=-15)


def _little(numbers: array[Any]) -> array[Any]:
    """Blobs are little-endian whatever the machine, so a database file can move."""
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers


def _from_little(code: str, body: bytes) -> array[Any]:
    return _little(array(code, body))

"""One closed hour of one series as two small blobs: lossless, standard library only.

Times are ticks (tenths of a second since the epoch), stored as deltas through zlib: a
steady interval compresses to almost nothing. Values are stored as decimal deltas
when one decimal scale (at most 6 digits) holds every value of the hour exactly, as
psutil's percentages (one decimal) and byte counts (integers) do; otherwise as the
XOR of each value's bits with the previous one's, as Gorilla does. Either way a
decoded value is the very float that was stored. Measured figures: ../shared/HISTORY.md.
"""

from __future__ import annotations

import math
import sys
import zlib
from array import array
from collections.abc import Sequence
from enum import IntEnum

MAX_SCALE = 6
_LARGEST = 2**62
"""Scaled values stay below this, so that the difference of two of them fits in an int64."""


class Encoding(IntEnum):
    """The first byte of a values blob (with the decimal scale in its low nibble)."""

    DECIMAL = 0x10
    XOR = 0x20


def encode_times(ticks: Sequence[int]) -> bytes:
    """Ascending ticks as zlib'd int64 deltas (the first delta is from 0)."""
    return zlib.compress(_little(array("q", _deltas(ticks))).tobytes())


def decode_times(blob: bytes) -> list[int]:
    return _running_sum(_from_little("q", zlib.decompress(blob)))


def encode_values(values: Sequence[float]) -> bytes:
    """Decimal deltas at the smallest scale that is exact for every value, else XOR."""
    scale = decimal_scale(values)
    if scale is None:
        return bytes([Encoding.XOR]) + zlib.compress(_little(array("Q", _xor_chain(values))).tobytes())
    factor = 10**scale
    scaled = [round(value * factor) for value in values]
    body = _little(array("q", _deltas(scaled))).tobytes()
    return bytes([Encoding.DECIMAL | scale]) + zlib.compress(body)


def decode_values(blob: bytes) -> list[float]:
    kind, body = blob[0] & 0xF0, zlib.decompress(blob[1:])
    if kind == Encoding.XOR:
        bits = _from_little("Q", body)
        previous = 0
        for index, word in enumerate(bits):
            previous ^= word
            bits[index] = previous
        return array("d", bits.tobytes()).tolist()
    if kind != Encoding.DECIMAL:
        raise ValueError(f"unknown history chunk encoding {blob[0]:#x}")
    factor = 10 ** (blob[0] & 0x0F)
    return [scaled / factor for scaled in _running_sum(_from_little("q", body))]


def decimal_scale(values: Sequence[float]) -> int | None:
    """The fewest decimal digits that represent every value exactly; None if more than 6 would."""
    for scale in range(MAX_SCALE + 1):
        if all(_exact_at(value, 10**scale) for value in values):
            return scale
    return None


def _exact_at(value: float, factor: int) -> bool:
    if not math.isfinite(value) or (value == 0 and math.copysign(1.0, value) < 0):
        return False  # inf, nan and -0.0 have no decimal spelling that decodes to themselves
    product = value * factor
    if not abs(product) < _LARGEST:
        return False
    return round(product) / factor == value


def _deltas(numbers: Sequence[int]) -> list[int]:
    previous = 0
    out = []
    for number in numbers:
        out.append(number - previous)
        previous = number
    return out


def _running_sum(deltas: array) -> list[int]:
    total = 0
    out = []
    for delta in deltas:
        total += delta
        out.append(total)
    return out


def _xor_chain(values: Sequence[float]) -> list[int]:
    bits = array("Q", array("d", values).tobytes())
    previous = 0
    out = []
    for word in bits:
        out.append(word ^ previous)
        previous = word
    return out


def _little(numbers: array) -> array:
    """Blobs are little-endian whatever the machine, so a database file can move."""
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers


def _from_little(code: str, body: bytes) -> array:
    return _little(array(code, body))

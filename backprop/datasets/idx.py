"""IDX files (MNIST's format): a big-endian header, then unsigned bytes, checked thoroughly.

The header is ``00 00 08 <ndim>`` and ``ndim`` big-endian uint32 sizes; the data must be
exactly their product. A gzipped file is inflated first, to at most the bound the limits
allow, through :func:`backprop.untrusted.gunzip`.
"""

from __future__ import annotations

import math
import struct

import numpy as np

from ..limits import Limits
from ..untrusted import gunzip
from .core import Array

_IMAGE = (28, 28)


def _idx_bound(limits: Limits) -> int:
    """Largest IDX file (decompressed) we accept: a header plus max_samples images."""
    return 16 + limits.max_samples * _IMAGE[0] * _IMAGE[1]


def _parse_idx(data: bytes, name: str, ndim: int, limits: Limits) -> Array:
    """An IDX array of unsigned bytes with ``ndim`` dimensions, checked thoroughly."""
    data = gunzip(data, name, _idx_bound(limits), ValueError)
    if len(data) < 4:
        raise ValueError(f"{name}: truncated, only {len(data)} bytes (no IDX header)")
    if data[0] != 0 or data[1] != 0:
        raise ValueError(
            f"{name}: wrong magic number 0x{data[:4].hex()} (expected 0x000008{ndim:02x});"
            " not an IDX file"
        )
    if data[2] != 0x08:
        raise ValueError(f"{name}: IDX data type code 0x{data[2]:02x} is not 0x08 (unsigned byte)")
    if data[3] != ndim:
        kind = "images" if ndim == 3 else "labels"
        raise ValueError(
            f"{name}: wrong magic number 0x{data[:4].hex()}: {data[3]} dimensions, "
            f"expected {ndim} for {kind} (0x000008{ndim:02x})"
        )
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{name}: truncated IDX header ({len(data)} of {header} bytes)")
    dims = struct.unpack(f">{ndim}I", data[4:header])
    if dims[0] > limits.max_samples:
        raise ValueError(f"{name}: {dims[0]} items is over the limit of {limits.max_samples}")
    if ndim == 3 and tuple(dims[1:]) != _IMAGE:
        raise ValueError(f"{name}: images are {dims[1]}x{dims[2]}, expected 28x28")
    expected = math.prod(dims)
    body = len(data) - header
    if body < expected:
        raise ValueError(
            f"{name}: truncated, header promises {expected} data bytes but only {body} follow"
        )
    if body > expected:
        raise ValueError(f"{name}: {body - expected} unexpected bytes after the data")
    return np.frombuffer(data, dtype=np.uint8, count=expected, offset=header).reshape(dims)

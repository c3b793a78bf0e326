"""Builders of hostile files (tiny uploads that claim huge sizes) and a cost probe.

Used by the engine tests of each reader and by the app's bad-input corpus.
"""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
from collections.abc import Callable

import numpy as np


def npy_bytes(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def npy_header(shape: tuple[int, ...], descr: str = "|u1", body: bytes = bytes(64)) -> bytes:
    """A ``.npy`` member whose header claims ``shape`` but which holds only ``body``."""
    header = repr({"descr": descr, "fortran_order": False, "shape": shape}).encode()
    header += b" " * (63 - (len(header) + 10) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + body


def with_members(npz: bytes, members: dict[str, bytes | np.ndarray]) -> bytes:
    """The archive ``npz`` with more members (arrays are saved as ``.npy``)."""
    buf = io.BytesIO(npz)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as zf:
        for name, value in members.items():
            zf.writestr(name, npy_bytes(value) if isinstance(value, np.ndarray) else value)
    return buf.getvalue()


def npz_of(members: dict[str, bytes | np.ndarray]) -> bytes:
    """A fresh archive of ``members`` (arrays saved as ``.npy``, bytes written as they are)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED):
        pass
    return with_members(buf.getvalue(), members)


def nested(depth: int) -> str:
    """JSON lists nested ``depth`` deep."""
    return "[" * depth + "]" * depth


def many_lists(n: int) -> str:
    """A JSON list of ``n`` one-element lists: tiny text, many Python objects."""
    return "[" + ",".join(["[0]"] * n) + "]"


def peak_bytes(fn: Callable[[], object]) -> tuple[BaseException | None, int]:
    """``(the exception fn raised or None, peak bytes it allocated)``; numpy arrays count."""
    tracemalloc.start()
    try:
        fn()
        raised = None
    except Exception as e:
        raised = e
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return raised, peak

"""Frames for the live board: what changes between two drawings of the same figures.

A view is a dict spec ``{"data": [...], "layout": {...}}`` (the ``viz.*_spec`` builders).
Its *skeleton* is the spec without its numbers: trace types, names, strings, colours.
While the skeleton stays the same, the browser only needs the numbers that changed, so a
:class:`FrameEncoder` turns a sequence of specs into one *chunk*: the skeletons the
browser does not have yet (``bases``, as spec JSON) and, per frame and view, a list of
``[path, value]`` updates, where ``path`` is a key path into the spec such as
``["data", 3, "marker", "color"]`` and ``value`` a number or a reference into the binary
part of the chunk. An array that kept its head and changed only at its end (a cost curve:
it grows, and its last point moves while it is thinned) is sent as its new tail, with the
length of the head the browser keeps.

Large ``z`` grids (decision boundaries, neuron maps, weight matrices) are sent as one
byte per cell between their minimum and maximum (``u1``), the rest as float32: while
playing, drawing at 30 frames/s matters more than the fourth digit of a hover. A chunk
sent while paused uses float32 everywhere (``exact=True``).

Wire format (:func:`pack`): ``b"BPF1"``, a little-endian uint32 header length, the
header as UTF-8 JSON, zero padding to a multiple of 8, then the arrays, each 8-aligned.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
from dataclasses import dataclass, field

import numpy as np

from ._common import spec_json

Array = np.ndarray
MAGIC = b"BPF1"
QUANTISE_AT = 256  # a z array with at least this many cells goes as one byte a cell
_NUMBER_KEYS = frozenset(("cmin", "cmax", "zmin", "zmax", "zmid", "cmid"))
_SCALARS = (str, int, float, bool, type(None))
_OPAQUE_KEYS = frozenset(("template",))  # the same in every spec: not walked, not compared


@dataclass
class _Blobs:
    """The binary part of a chunk: 8-aligned arrays and their references."""

    parts: list[bytes] = field(default_factory=list)
    size: int = 0

    def add(self, arr: Array, exact: bool, op: str = "set", keep: int = 0) -> list:
        """``[offset, count, type, op]`` (+ ``lo, hi`` for ``u1``, ``keep`` for op 1): type 0
        is float32, 1 one byte a value between ``lo`` and ``hi`` (255: NaN); op 0 sets, 1
        keeps the first ``keep`` values the browser has and appends these."""
        arr = np.asarray(arr)
        flat = np.ascontiguousarray(arr, dtype=np.float32).ravel()
        ref: list = [self.size, int(flat.size), 0, 0 if op == "set" else 1]
        if op != "set":
            ref.append(int(keep))
        if not exact and op == "set" and arr.ndim > 1 and flat.size >= QUANTISE_AT:
            fin = flat[np.isfinite(flat)]
            lo, hi = (float(fin.min()), float(fin.max())) if fin.size else (0.0, 0.0)
            span = hi - lo if hi > lo else 1.0
            with np.errstate(invalid="ignore"):
                q = np.rint((np.nan_to_num(flat, nan=lo) - lo) * (254.0 / span))
            raw = np.clip(q, 0, 254).astype(np.uint8)
            raw[~np.isfinite(flat)] = 255  # 255: not a number (a gap)
            ref[2:] = [1, ref[3], _short(lo), _short(lo + span)]
        else:
            raw = flat
        data = raw.tobytes()
        pad = (-len(data)) % 8
        self.parts.append(data + b"\0" * pad)
        self.size += len(data) + pad
        return ref


def _short(x: float) -> float:
    """``x`` to float32's 7 significant digits (what the browser can use of it)."""
    return float(f"{x:.7g}")


def _walk(obj: object, path: list, out: list) -> object:
    """The skeleton of ``obj``; numbers and arrays go to ``out`` as ``(path, value)``."""
    if isinstance(obj, dict):
        skel = {}
        for k, v in obj.items():
            if isinstance(v, np.ndarray) or (
                k in _NUMBER_KEYS and isinstance(v, (int, float)) and not isinstance(v, bool)
            ):
                out.append((path + [k], v))
                skel[k] = None
            elif k in _OPAQUE_KEYS:
                skel[k] = "..."
            elif isinstance(v, _SCALARS):  # a string, a flag, a number of the skeleton
                skel[k] = v
            else:
                skel[k] = _walk(v, path + [k], out)
        return skel
    if isinstance(obj, (list, tuple)):
        if all(isinstance(v, _SCALARS) for v in obj):  # e.g. hover texts: part of the skeleton
            return obj
        return [_walk(v, path + [i], out) for i, v in enumerate(obj)]
    return obj


def split(spec: dict) -> tuple[str, list[tuple[list, object]]]:
    """``(skeleton id, [(path, value), ...])`` of a spec: its numbers taken out."""
    leaves: list = []
    skel = _walk(spec, [], leaves)
    text = json.dumps(skel, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest(), leaves


def _same(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()
    return a == b or (a != a and b != b)  # NaN == NaN here


def _kept(old: object, new: object) -> int:
    """How many leading values of ``old`` the 1-D array ``new`` starts with, when sending
    only the rest saves more than half of it (else 0: send all of ``new``)."""
    if not (isinstance(old, np.ndarray) and isinstance(new, np.ndarray)):
        return 0
    if old.ndim != 1 or new.ndim != 1 or old.dtype != new.dtype or not old.size:
        return 0
    m = min(old.size, new.size)
    if 2 * (new.size - m) >= new.size:
        return 0
    raw = f"u{old.dtype.itemsize}" if old.dtype.itemsize in (1, 2, 4, 8) else None
    if raw is None:
        return 0
    a = np.ascontiguousarray(old[:m]).view(raw)  # bit patterns: NaN equals NaN
    b = np.ascontiguousarray(new[:m]).view(raw)
    diff = np.flatnonzero(a != b)
    k = int(diff[0]) if diff.size else m
    return k if 2 * (new.size - k) < new.size else 0


@dataclass
class FrameEncoder:
    """Remembers what the browser has (skeleton and numbers per view) to send only changes.

    ``commit()`` after a chunk was handed to the browser; ``reset()`` when the browser may
    have lost track (a new page, a resync request): the next chunk then sends everything.
    """

    sent: dict[str, tuple[str, dict]] = field(default_factory=dict)  # view -> (sid, values)
    _pending: dict[str, tuple[str, dict]] | None = None

    def reset(self) -> None:
        self.sent, self._pending = {}, None

    def state(self, pending: bool = False) -> dict[str, tuple[str, dict]]:
        """A copy of what the browser has, for :meth:`adopt` (``pending``: once it has the
        chunk encoded last, not yet committed)."""
        have = self._pending if pending and self._pending is not None else self.sent
        return {k: (sid, dict(vals)) for k, (sid, vals) in have.items()}

    def adopt(self, state: dict[str, tuple[str, dict]]) -> None:
        """Go on from ``state`` (another encoder's :meth:`state`: the browser has it)."""
        self.sent = {k: (sid, dict(vals)) for k, (sid, vals) in state.items()}
        self._pending = None

    def encode(
        self,
        frames: list[dict],
        views_of: list[dict[str, dict]],
        *,
        exact: bool,
        seq: int,
        header: dict | None = None,
    ) -> bytes:
        """One chunk: ``frames[i]`` (JSON-able extras such as the step) drawn with the specs
        ``views_of[i]`` (view name -> spec); ``header`` is sent along (JSON-able). The
        header's ``full`` is true when the browser must drop what it has."""
        full = not self.sent
        state = self.state()
        blobs, bases, out_frames = _Blobs(), {}, []
        paths: dict[tuple, int] = {}  # (path, shape) -> index into the chunk's path table
        table: list = []

        def pid(path: list, v: object) -> int:
            key = (*path, getattr(v, "shape", None))
            if key not in paths:
                paths[key] = len(table)
                shape = list(v.shape) if isinstance(v, np.ndarray) and v.ndim > 1 else None
                table.append([path, shape] if shape else [path])
            return paths[key]

        for extra, views in zip(frames, views_of):
            updates: dict[str, list] = {}
            for name, spec in views.items():
                sid, leaves = split(spec)
                have = state.get(name)
                if have is None or have[0] != sid:  # the browser draws this spec anew
                    bases.setdefault(sid, spec)
                    state[name] = (sid, {tuple(p): v for p, v in leaves})
                    if bases[sid] is spec:
                        updates[name] = [["base", sid]]
                        continue
                    have = (sid, {})  # the same skeleton twice in one chunk: base, then all
                    state[name] = have
                    updates[name] = [["base", sid]]
                ups = updates.setdefault(name, [])
                vals = state[name][1]
                for path, v in leaves:
                    key = tuple(path)
                    old = vals.get(key)
                    if key in vals and _same(old, v):
                        continue
                    if isinstance(v, np.ndarray):
                        k = _kept(old, v)
                        ref = blobs.add(v[k:], exact, "extend", k) if k else blobs.add(v, exact)
                        ups.append([pid(path, v), ref])
                    else:
                        ups.append([pid(path, v), float(v)])
                    vals[key] = v
            out_frames.append({**extra, "views": updates})
        self._pending = state
        return pack(
            {**(header or {}), "seq": seq, "full": full, "paths": table, "frames": out_frames},
            {sid: spec_json(spec) for sid, spec in bases.items()},
            blobs,
        )

    def commit(self) -> None:
        if self._pending is not None:
            self.sent, self._pending = self._pending, None


def header_only(header: dict) -> bytes:
    """A payload with no frame: only ``header`` (its ``frames`` and ``paths`` empty)."""
    return pack({**header, "frames": [], "paths": []}, {}, _Blobs())


def pack(header: dict, bases: dict[str, str], blobs: _Blobs) -> bytes:
    """``MAGIC``, header length, header JSON (with the base specs' JSON spliced in), pad,
    then the arrays."""
    text = json.dumps(header, separators=(",", ":"), allow_nan=False)
    if bases:
        inner = ",".join(f"{json.dumps(k)}:{v}" for k, v in bases.items())
        text = text[:-1] + ',"bases":{' + inner + "}}"
    raw = text.encode("utf-8")
    pad = (-(8 + len(raw))) % 8
    return MAGIC + struct.pack("<I", len(raw)) + raw + b" " * pad + b"".join(blobs.parts)


def unpack(payload: bytes) -> tuple[dict, bytes]:
    """``(header, binary part)`` of a chunk (the browser's decoder, for tests)."""
    if payload[:4] != MAGIC:
        raise ValueError("not a frame chunk")
    (n,) = struct.unpack("<I", payload[4:8])
    header = json.loads(payload[8 : 8 + n].decode("utf-8"))
    start = 8 + n + (-(8 + n)) % 8
    return header, payload[start:]


def value(ref: list, binary: bytes, shape: list | None = None) -> Array:
    """The array a reference stands for, decoded as the browser decodes it."""
    o, n, kind = ref[0], ref[1], ref[2]
    if kind == 1:
        raw = np.frombuffer(binary, np.uint8, n, o).astype(np.float32)
        arr = np.float32(ref[4]) + raw * np.float32((ref[5] - ref[4]) / 254.0)
        arr[raw == 255] = np.nan
    else:
        arr = np.frombuffer(binary, np.float32, n, o)
    return arr.reshape(shape) if shape else arr


_DTYPES = {"f4": np.float32, "f8": np.float64, "i1": np.int8, "u1": np.uint8, "i2": np.int16,
           "u2": np.uint16, "i4": np.int32, "u4": np.uint32}  # fmt: skip


def decoded(obj: object) -> object:
    """A base spec as sent with Plotly's typed arrays ``{dtype, bdata, shape}`` decoded
    into numpy arrays (what the browser's ``clone`` does)."""
    if isinstance(obj, dict):
        if isinstance(obj.get("bdata"), str) and obj.get("dtype") in _DTYPES:
            arr = np.frombuffer(base64.b64decode(obj["bdata"]), _DTYPES[obj["dtype"]])
            shape = obj.get("shape")
            if shape:
                arr = arr.reshape([int(s) for s in str(shape).split(",")])
            return arr
        return {k: decoded(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [decoded(v) for v in obj]
    return obj

"""Reading files a visitor sends: every count, shape and size is checked before it costs.

The one module that reads untrusted input, for the network, test-case, gradients, MNIST
and CSV files; the loaders parse what these functions hand them and open nothing else:

- :func:`read_capped`: the bytes (or text) of a source, reading at most the upload limit.
- :func:`read_path` / :func:`read_upload`: the bytes of a local file / of bytes or an
  uploaded file object, refused by its size before reading when the size is known, and
  never reading more than the limit + 1 byte; the message names the file and the limit.
- :func:`digest`: the SHA-256 of an upload, read in chunks up to a cap (position kept).
- :func:`name_of`: a safe display name for a path or an upload (its last component).
- :func:`gunzip`: gzip data decompressed to at most a bound (other data as it is).
- :func:`decode_utf8`: UTF-8 text (a BOM is dropped), or an error naming the bad byte.
- :func:`decode_text`: an uploaded table's UTF-8 text, refusing NUL (binary or UTF-16),
  with its line ends made ``\n`` (``\r\n`` and an old spreadsheet export's lone ``\r``).
- :func:`parse_json`: ``json.loads`` after a cheap pre-scan: the number of containers and
  of items (counted from brackets and commas) and the nesting depth must be within a
  :class:`JsonBudget`, so parsing costs at most what the limits could ever need, and no
  caller walking the result can hit Python's recursion limit.
- :func:`load_npz`: the arrays of an ``.npz`` archive, read with ``allow_pickle=False``
  after checking the zip directory (member count) and every ``.npy`` header (no object
  dtypes; declared shape x itemsize within the member's declared size, which is within
  the upload limit), so a header claiming 2**40 elements is refused, not allocated.
- :func:`count_layers`: how many ``<prefix>_0 .. <prefix>_{k-1}`` keys, in time linear in
  the number of keys (a key ``weights_10000000`` is a gap, not a range to build).

Each function takes ``error``, the calling reader's own ``ValueError`` subclass, and
raises only that, with a message, for anything wrong with the file.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import math
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from .limits import Limits

Array = np.ndarray
Error = type[ValueError]
Source = str | bytes | bytearray | memoryview | IO[bytes] | IO[str] | os.PathLike

MAX_JSON_DEPTH = 32  # our files nest 4 deep (doc, weights, layer, row); meta a few more
DTYPE_KINDS = "biufcU"  # booleans, numbers and text (readers refuse what they cannot use)
_EOCD = struct.Struct("<4s4H2LH")  # zip end-of-central-directory record
_DIR_BYTES_PER_MEMBER = 1024  # a central-directory entry: 46 bytes + name + extras
DIGEST_CHUNK = 2**20  # bytes hashed at a time


# ------------------------------------------------------------------------ bytes and text
def read_capped(data: Source, max_bytes: int, error: Error) -> bytes | str:
    """The contents of ``data`` (text, bytes, an open file or a path), at most
    ``max_bytes`` (only ``max_bytes + 1`` are ever read); empty is an error."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw: bytes | str = bytes(data[: max_bytes + 1])
    elif isinstance(data, str):
        raw = data
    elif isinstance(data, os.PathLike):
        try:
            with open(data, "rb") as f:
                raw = f.read(max_bytes + 1)
        except OSError as e:
            raise error(f"cannot read the file: {e.strerror or e}") from None
    elif hasattr(data, "read"):
        try:
            raw = data.read(max_bytes + 1)
        except UnicodeDecodeError as e:
            raise error(f"the file is not UTF-8 text: {e.reason}") from None
        if not isinstance(raw, (bytes, str)):
            raise TypeError(f"read() returned {type(raw).__name__}, expected bytes or str")
    else:
        raise TypeError(
            "expected JSON text, bytes, an open file or a path (os.PathLike),"
            f" got {type(data).__name__}"
        )
    size = len(raw)  # a character is 1 to 4 bytes in UTF-8: encode only when in doubt
    if isinstance(raw, str) and 4 * size > max_bytes:
        size = len(raw.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise error(f"the file is larger than the upload limit of {max_bytes / 2**20:g} MB")
    if not raw:
        raise error("the file is empty")
    return raw


def decode_utf8(raw: bytes | str, error: Error, what: str = "the file", hint: str = "") -> str:
    """``raw`` as text (a leading BOM removed), or ``error`` naming the first bad byte."""
    if isinstance(raw, str):
        return raw.removeprefix("\ufeff")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise error(
            f"{what} is not UTF-8 text (bad byte 0x{raw[e.start]:02x} at position {e.start}){hint}"
        ) from None


# ----------------------------------------------------------------- files and uploads
def name_of(file: object, default: str) -> str:
    """The last component of ``file``'s path or ``.name`` (never a folder), else ``default``."""
    if isinstance(file, (str, os.PathLike)):
        return Path(file).name or default
    name = getattr(file, "name", None)
    return Path(name).name if isinstance(name, str) and name else default


def read_path(
    path: Path, name: str, max_bytes: int, *, error: Error, limit_is_upload: bool = False
) -> bytes:
    """The bytes of the local file ``path``, refused by its size if over ``max_bytes``."""
    try:
        if not path.is_file():
            raise error(f"no such file: {str(path)!r}")
        size = path.stat().st_size
        if size > max_bytes:
            raise error(_too_big(name, size, max_bytes, limit_is_upload))
        return path.read_bytes()
    except OSError as e:
        raise error(f"cannot read {str(path)!r}: {e}") from None


def read_upload(
    src: Any, name: str, max_bytes: int, *, error: Error, limit_is_upload: bool = False
) -> bytes | str:
    """Contents of bytes or a file-like, refusing more than ``max_bytes`` (checked early:
    by its ``size`` or seek position when it has one; at most ``max_bytes + 1`` read)."""
    if isinstance(src, (bytes, bytearray, memoryview)):
        data = bytes(src)
        if len(data) > max_bytes:
            raise error(_too_big(name, len(data), max_bytes, limit_is_upload))
        return data
    if not hasattr(src, "read"):
        raise error(f"{name}: expected a path, bytes or a file-like object, got {type(src)}")
    size = getattr(src, "size", None)
    if not isinstance(size, int):
        size = None
        try:
            if src.seekable():
                pos = src.tell()
                size = src.seek(0, io.SEEK_END) - pos
                src.seek(pos)
        except (AttributeError, OSError, ValueError):
            size = None
    if size is not None and size > max_bytes:
        raise error(_too_big(name, size, max_bytes, limit_is_upload))
    data = src.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise error(_too_big(name, None, max_bytes, limit_is_upload))
    return bytes(data) if isinstance(data, (bytearray, memoryview)) else data


def digest(src: Any, max_bytes: int) -> str | None:
    """SHA-256 of bytes or a seekable binary file (read in chunks, position kept); None if
    it is not one of those or holds more than ``max_bytes`` (the loader then refuses it)."""
    h = hashlib.sha256()
    if isinstance(src, (bytes, bytearray, memoryview)):
        if len(src) > max_bytes:
            return None
        h.update(src)
        return h.hexdigest()
    try:
        pos = src.tell()
    except (AttributeError, OSError, ValueError):
        return None
    try:
        src.seek(0)
        total = 0
        while chunk := src.read(DIGEST_CHUNK):
            if not isinstance(chunk, bytes) or total + len(chunk) > max_bytes:
                return None
            total += len(chunk)
            h.update(chunk)
    except (AttributeError, OSError, ValueError):
        return None
    finally:
        with contextlib.suppress(OSError, ValueError):
            src.seek(pos)
    return h.hexdigest()


def _too_big(name: str, size: int | None, max_bytes: int, upload: bool) -> str:
    got = "" if size is None else f" ({size / 2**20:.1f} MB)"
    limit = f"{max_bytes / 2**20:g} MB"
    if size is not None and float(f"{size / 2**20:.1f}") <= max_bytes / 2**20:
        got, limit = f" ({size:,} bytes)", f"{limit} ({max_bytes:,} bytes)"  # 1.0 MB > 1 MB
    if upload:
        limit += " (limits.max_upload_mb)"
    return f"{name}: file too big{got}; the limit is {limit}"


def gunzip(data: bytes, name: str, bound: int, error: Error) -> bytes:
    """``data`` decompressed if it starts with the gzip magic 1f 8b (at most ``bound`` bytes:
    only ``bound + 1`` are ever inflated); other data as it is."""
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
            out = gz.read(bound + 1)
    except (OSError, EOFError, zlib.error) as e:
        raise error(f"{name}: not a valid gzip file ({e})") from None
    if len(out) > bound:
        raise error(f"{name}: decompresses to more than {bound} bytes, over the limit")
    return out


def decode_text(raw: bytes | str, name: str, error: Error) -> str:
    r"""An uploaded CSV's text: UTF-8 (from bytes, a BOM dropped); a NUL means binary or UTF-16.
    Line ends become ``\n`` (:func:`unix_lines`), so a file saved with ``\r`` alone (an old
    Mac spreadsheet's export) reads as the same table as its ``\n`` version."""
    if isinstance(raw, str):
        if "\x00" in raw:
            raise error(f"{name}: contains NUL characters; it looks binary, not a CSV")
        return unix_lines(raw)
    if b"\x00" in raw:
        raise error(
            f"{name}: contains NUL bytes; it looks like a binary file (or UTF-16 text), "
            "not a UTF-8 CSV"
        )
    try:
        return unix_lines(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        raise error(
            f"{name}: not UTF-8 text (undecodable byte 0x{raw[e.start]:02x} at position "
            f"{e.start}); save it as CSV UTF-8"
        ) from None


def unix_lines(text: str) -> str:
    r"""``text`` with ``\r\n`` and lone ``\r`` line ends as ``\n``: never longer than
    ``text``, which is within the upload limit already (:func:`read_capped`). A text without
    ``\r`` is returned as it is; one with them costs one copy (two with both kinds)."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


# ---------------------------------------------------------------------------------- JSON
@dataclass(frozen=True)
class JsonBudget:
    """The most a JSON file of ours can hold: items (numbers, strings, ...), containers
    (lists and objects) and nesting depth."""

    items: int
    containers: int
    depth: int = MAX_JSON_DEPTH

    @classmethod
    def of(cls, limits: Limits, batch: bool = False) -> JsonBudget:
        """Enough for any network (and, with ``batch``, a batch ``X``, ``Y``) the limits
        allow, in the book's or the transposed layout; slack for config, RNG state, meta."""
        widest = max(limits.max_inputs, limits.max_neurons, limits.max_outputs)
        rows = 4 * (limits.max_layers + 1) * widest  # weights and biases, maybe transposed
        items = limits.max_parameters
        if batch:
            rows += limits.max_inputs + limits.max_outputs
            items += (limits.max_inputs + limits.max_outputs) * limits.max_batch_size
        return cls(items=items + rows + 10_000, containers=rows + 1_000)  # a row: 1 more


_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"')  # possessive: no backtracking
_OTHERS = bytes(c for c in range(256) if c not in b"[]{}")  # deleted to find the brackets


def parse_json(text: str, budget: JsonBudget, error: Error, what: str = "the file") -> object:
    """``json.loads(text)`` if its size fits ``budget`` (checked first, in C-speed scans:
    brackets and commas, strings included, over-count; never under-count)."""
    containers = text.count("[") + text.count("{")
    if containers > budget.containers:
        raise error(
            f"{what} holds about {containers:,} JSON lists and objects, more than any file of"
            f" this program within the limits ({budget.containers:,})"
        )
    items = text.count(",") + containers + 1
    if items > budget.items:
        raise error(
            f"{what} holds about {items:,} JSON values, more than any file of this program"
            f" within the limits ({budget.items:,})"
        )
    if containers > budget.depth and _depth(text) > budget.depth:
        raise error(f"{what} is nested more than {budget.depth} levels deep")
    try:
        return json.loads(text)
    except RecursionError:
        raise error(f"{what} is nested more than {budget.depth} levels deep") from None
    except ValueError as e:  # JSONDecodeError, or an integer with too many digits
        raise error(f"{what} is not valid JSON: {e}") from None


def _depth(text: str) -> int:
    """The deepest nesting of brackets outside strings (their count is already capped)."""
    brackets = _STRING.sub("", text).encode("utf-8", "surrogatepass").translate(None, _OTHERS)
    if not brackets:
        return 0
    b = np.frombuffer(brackets, dtype=np.uint8)
    steps = np.where((b == ord("[")) | (b == ord("{")), 1, -1)
    return int(np.cumsum(steps).max())


# ----------------------------------------------------------------------------------- npz
Check = Callable[[str, tuple[int, ...], np.dtype], None]


def load_npz(
    raw: bytes,
    *,
    max_bytes: int,
    max_members: int,
    error: Error,
    check: Check | None = None,
    bound: str = "the upload limit",
) -> dict[str, Array]:
    """The ``.npy`` members of the archive ``raw`` by key (name without ``.npy``).

    Refused before anything is inflated or allocated: more than ``max_members`` members,
    declared sizes summing over ``max_bytes`` (``bound`` names that limit), object
    (pickled) or unusual dtypes, a header promising more data than its member holds, and
    whatever ``check(key, shape, dtype)`` refuses (it raises ``error``). Other members
    are skipped.
    """
    if not raw.startswith(b"PK"):
        raise error("not an .npz file (a zip archive starts with 'PK')")
    _check_directory(raw, max_members, error)
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            infos = zf.infolist()
            declared = sum(info.file_size for info in infos)
            if declared > max_bytes:
                raise error(
                    f"the .npz file unpacks to {declared:,} bytes, over {bound} of"
                    f" {max_bytes / 2**20:g} MB"
                )
            members = {i.filename: i for i in infos if i.filename.endswith(".npy")}
            for name, info in members.items():
                shape, dtype = _npy_header(zf, info, error)
                if check is not None:
                    check(name.removesuffix(".npy"), shape, dtype)
                if math.prod(shape) * dtype.itemsize > info.file_size:
                    raise error(
                        f"{name.removesuffix('.npy')} is truncated: its header promises more"
                        " data than it has"
                    )
            out = {}
            for name, info in members.items():
                with zf.open(info) as fp:
                    out[name.removesuffix(".npy")] = np.lib.format.read_array(
                        fp, allow_pickle=False
                    )
            return out
    except error:
        raise
    except Exception as e:  # zipfile, zlib, struct, numpy: all mean a broken archive
        raise error(f"the .npz file is damaged or truncated: {e}") from None


def _check_directory(raw: bytes, max_members: int, error: Error) -> None:
    """Refuse an archive whose directory lists more than ``max_members`` members before
    :mod:`zipfile` builds an object for each of them."""
    at = raw.rfind(b"PK\x05\x06", max(0, len(raw) - _EOCD.size - 0xFFFF))
    if at < 0 or len(raw) - at < _EOCD.size:
        raise error("the .npz file is damaged or truncated: no zip directory at its end")
    if raw[max(0, at - 20) : at].startswith(b"PK\x06\x07"):  # zip64: sizes past 4 GB
        raise error("the .npz file uses zip64 records, which no file of this kind needs")
    _, _, _, _, count, dir_size, _, _ = _EOCD.unpack_from(raw, at)
    if count > max_members or dir_size > max_members * _DIR_BYTES_PER_MEMBER:
        raise error(
            f"the .npz file has {count:,} members ({dir_size:,} bytes of directory); a file"
            f" of this kind has at most {max_members}"
        )


def _npy_header(zf: zipfile.ZipFile, info: zipfile.ZipInfo, error: Error) -> tuple:
    """``(shape, dtype)`` of a ``.npy`` member, refusing pickles and unusual dtypes."""
    label = info.filename.removesuffix(".npy")
    fmt = np.lib.format
    with zf.open(info) as fp:
        version = fmt.read_magic(fp)
        if version not in ((1, 0), (2, 0)):
            raise error(f"{label} uses an unsupported .npy version {version}")
        read = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
        shape, _, dtype = read(fp)
    if dtype.hasobject:
        raise error(f"{label} holds Python objects (pickled data); such files are never loaded")
    if dtype.kind not in DTYPE_KINDS:
        raise error(f"{label} has dtype {dtype}; only numbers and text are read")
    return shape, dtype


# -------------------------------------------------------------------------------- layers
def count_layers(keys: Iterable[str], prefix: str, error: Error) -> int:
    """How many ``<prefix>_0 .. <prefix>_{k-1}`` keys; a gap in the numbering is an error.

    Linear in the number of keys: an index past the count (``weights_10000000``) is a
    gap, found without building a range up to it.
    """
    found: dict[float, str] = {}  # index -> the key's digits
    for key in keys:
        head, _, tail = key.rpartition("_")
        if head == prefix and tail.isascii() and tail.isdigit():
            found[int(tail) if len(tail) < 10 else math.inf] = tail
    k = len(found)
    if any(i >= k for i in found):
        missing = next(i for i in range(k + 1) if i not in found)
        last = found[max(found)]
        raise error(f"the .npz file has no '{prefix}_{missing}' entry (but has '{prefix}_{last}')")
    return k

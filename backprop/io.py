"""Save and load a :class:`Network` as JSON text or as a compressed ``.npz`` archive.

Both formats hold the same things: a format tag (``"backprop-explorer-network"``) and a
version (``1``), the network's ``config()`` (sizes, activation, output activation, cost,
init, seed), its weights and biases, the state of its random generator (so a resumed run
draws the same shuffles) and ``meta``, a JSON-serialisable dict of the caller's own
(a trainer config, a step count, ...).

- JSON: one object ``{"format", "version", "config", "rng_state", "meta", "weights",
  "biases"}``; ``weights[l]`` is a list of rows. Floats are written with ``repr``, so
  float64 values (``-0.0`` and subnormals included) come back bit for bit.
- npz: 0-d arrays ``format`` (str) and ``version`` (int); ``config``, ``rng_state`` and
  ``meta`` as JSON text in 0-d unicode arrays; ``weights_<l>`` and ``biases_<l>`` as
  float64 arrays. It is always read with ``allow_pickle=False``: nothing is unpickled.

Reading rebuilds the network through ``Network(...)``, so names and sizes are checked by
the engine and its :class:`Limits`, then checks each weight and bias (count, exact shape,
real numbers, all finite) before assigning it. Any problem with the *contents* of a file
(not UTF-8, not JSON, a truncated zip, a pickle, a missing key, a wrong shape, NaN, an
unknown name, another format, a newer version, over ``max_upload_mb``, more members,
values or nesting than any network within the limits) raises :class:`NetworkFileError`,
a ``ValueError`` whose message says what is wrong. Files are read through
:mod:`backprop.untrusted`, which checks counts and sizes before anything is allocated.

Entry points: :func:`to_json` / :func:`from_json`, :func:`to_npz` / :func:`from_npz`,
:func:`save` / :func:`load` (format from the suffix), and :func:`read_network`, which
sniffs the format (an npz is a zip and starts with ``b"PK"``) and also returns ``meta``.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import IO

import numpy as np

from .limits import Limits, default_limits
from .network import Network
from .untrusted import JsonBudget, count_layers, decode_utf8, load_npz, parse_json, read_capped

Array = np.ndarray

FORMAT = "backprop-explorer-network"
VERSION = 1
SUFFIXES = (".json", ".npz")
NPZ_HEADER_KEYS = 5  # format, version, config, rng_state, meta
CONFIG_KEYS = ("sizes", "activation", "output_activation", "cost", "init", "seed")

Source = str | bytes | bytearray | memoryview | IO[bytes] | IO[str] | os.PathLike


class NetworkFileError(ValueError):
    """A network file that cannot be loaded: corrupt, truncated, mismatched or too big."""


# ---------------------------------------------------------------------------- writing
def to_json(net: Network, meta: dict | None = None) -> str:
    """The network (and ``meta``) as JSON text; :func:`from_json` reads it back exactly."""
    header = _header(net, meta)
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "config": header["config"],
        "rng_state": header["rng_state"],
        "meta": header["meta"],
        "weights": [w.tolist() for w in net.weights],
        "biases": [b.tolist() for b in net.biases],
    }
    return _dumps(doc, "the network")


def to_npz(net: Network, meta: dict | None = None) -> bytes:
    """The network (and ``meta``) as the bytes of a compressed ``.npz`` archive."""
    header = _header(net, meta)
    arrays: dict[str, Array] = {
        "format": np.array(FORMAT),
        "version": np.array(VERSION, dtype=np.int64),
        "config": np.array(_dumps(header["config"], "the config")),
        "rng_state": np.array(_dumps(header["rng_state"], "the RNG state")),
        "meta": np.array(_dumps(header["meta"], "meta")),
    }
    for l, (w, b) in enumerate(zip(net.weights, net.biases)):
        arrays[f"weights_{l}"] = np.ascontiguousarray(w, dtype=np.float64)
        arrays[f"biases_{l}"] = np.ascontiguousarray(b, dtype=np.float64)
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def save(net: Network, path: str | os.PathLike, meta: dict | None = None) -> None:
    """Write the network to ``path``; the suffix (``.json`` or ``.npz``) picks the format."""
    path = Path(path)
    suffix = _suffix(path)
    data = to_json(net, meta).encode("utf-8") if suffix == ".json" else to_npz(net, meta)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # a crash mid-write never leaves half a file under `path`


def _header(net: Network, meta: dict | None) -> dict:
    if not isinstance(net, Network):
        raise TypeError(f"expected a Network, got {type(net).__name__}")
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ValueError(f"meta must be a dict (or None), got {type(meta).__name__}")
    _check_params(net.sizes, net.weights, net.biases, ValueError)
    return {"config": net.config(), "rng_state": net.rng.bit_generator.state, "meta": meta}


def _dumps(obj: object, what: str) -> str:
    try:
        return json.dumps(obj, default=_json_default)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{what} cannot be written as JSON: {e}") from None


def _json_default(obj: object) -> object:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"{type(obj).__name__} {obj!r} is not JSON serialisable")


# ---------------------------------------------------------------------------- reading
def read_network(data: Source, *, limits: Limits | None = None) -> tuple[Network, dict]:
    """``(network, meta)`` from JSON or npz, whichever ``data`` holds.

    ``data`` is JSON text (``str``), the file's bytes, an open file (binary or text) or a
    path (``os.PathLike``; a plain ``str`` is JSON text, not a path). The format is
    sniffed: an npz is a zip archive and starts with ``b"PK"``; anything else is read as
    JSON. ``meta`` is the dict given when saving (``{}`` if none). The generator state is
    restored when the file holds a valid one; if it is absent or invalid, the generator is
    as right after ``Network(**config)`` (seeded, or fresh entropy for ``seed=None``).
    """
    limits = limits or default_limits()
    raw = read_source(data, limits)
    if isinstance(raw, bytes) and raw.startswith(b"PK"):
        return _from_npz_bytes(raw, limits)
    return _from_json_text(raw, limits)


def from_json(data: Source, *, limits: Limits | None = None) -> Network:
    """The network in JSON ``data`` (text, bytes, an open file or a path)."""
    limits = limits or default_limits()
    raw = read_source(data, limits)
    if isinstance(raw, bytes) and raw.startswith(b"PK"):
        raise NetworkFileError(
            "this is a zip archive (an .npz file?), not JSON; use from_npz or read_network"
        )
    return _from_json_text(raw, limits)[0]


def from_npz(data: bytes | IO[bytes] | os.PathLike, *, limits: Limits | None = None) -> Network:
    """The network in an ``.npz`` archive (its bytes, an open binary file or a path)."""
    limits = limits or default_limits()
    raw = read_source(data, limits)
    if isinstance(raw, str):
        raise NetworkFileError(
            "an .npz file must be given as bytes or a file opened in binary mode"
        )
    return _from_npz_bytes(raw, limits)[0]


def load(path: str | os.PathLike, *, limits: Limits | None = None) -> Network:
    """The network saved at ``path``; the suffix (``.json`` or ``.npz``) picks the format.

    For ``meta`` as well, use ``read_network(Path(path))``.
    """
    path = Path(path)
    if _suffix(path) == ".json":
        return from_json(path, limits=limits)
    return from_npz(path, limits=limits)


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(
            f"unknown file type {path.suffix or '(no suffix)'!r} for {path.name!r};"
            f" valid choices: {', '.join(SUFFIXES)}"
        )
    return suffix


def read_source(data: Source, limits: Limits) -> bytes | str:
    """The contents of ``data``, reading at most ``max_upload_mb`` MB + 1 byte."""
    return read_capped(data, limits.max_upload_mb * 2**20, NetworkFileError)


def _from_json_text(raw: bytes | str, limits: Limits) -> tuple[Network, dict]:
    text = decode_utf8(raw, NetworkFileError, hint="; is it an .npz or some other file?")
    try:
        doc = parse_json(text, JsonBudget.of(limits), NetworkFileError)
    except NetworkFileError as e:
        hint = ""
        if isinstance(raw, str) and len(raw) < 1024 and not raw.lstrip().startswith("{"):
            hint = " (to read a file, pass a pathlib.Path or an open file, not its name)"
        raise NetworkFileError(f"{e}{hint}") from None
    if not isinstance(doc, dict):
        raise NetworkFileError(
            f"expected a JSON object with a network, got a JSON {type(doc).__name__}"
        )
    _check_tag(doc.get("format", _MISSING), doc.get("version", _MISSING))
    for key in ("config", "weights", "biases"):
        if key not in doc:
            raise NetworkFileError(f"the file has no {key!r} entry")
    weights, biases = doc["weights"], doc["biases"]
    for name, value in (("weights", weights), ("biases", biases)):
        if not isinstance(value, list):
            raise NetworkFileError(
                f"{name} must be a list with one array per layer, got {type(value).__name__}"
            )
    return _build(
        doc["config"],
        [_json_array(f"weights[{l}]", w) for l, w in enumerate(weights)],
        [_json_array(f"biases[{l}]", b) for l, b in enumerate(biases)],
        doc.get("rng_state"),
        doc.get("meta"),
        limits,
    )


def _json_array(name: str, value: object) -> Array:
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError, RecursionError):
        arr = None
    if arr is None or arr.dtype.kind not in "fiu":
        raise NetworkFileError(f"{name} is not a rectangular array of numbers")
    return arr


_MISSING = object()


def _check_tag(tag: object, version: object) -> None:
    if tag is _MISSING:
        raise NetworkFileError(f"the file has no format tag; expected {FORMAT!r}")
    if tag != FORMAT:
        raise NetworkFileError(
            f"not a network file of this program: format tag {tag!r}, expected {FORMAT!r}"
        )
    if version is _MISSING:
        raise NetworkFileError("the file has no format version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise NetworkFileError(f"format version must be a whole number, got {version!r}")
    if version > VERSION:
        raise NetworkFileError(
            f"the file has format version {version}, newer than this program reads"
            f" (version {VERSION}); update the program to load it"
        )
    if version < 1:
        raise NetworkFileError(f"unknown format version {version}; this program reads {VERSION}")


def _from_npz_bytes(raw: bytes, limits: Limits) -> tuple[Network, dict]:
    arrays = load_npz(
        raw,
        max_bytes=limits.max_upload_mb * 2**20,
        max_members=NPZ_HEADER_KEYS + 2 * (limits.max_layers + 1),
        error=NetworkFileError,
    )
    return _build(*_npz_parts(arrays, limits), limits)


def _npz_parts(
    arrays: dict[str, Array], limits: Limits
) -> tuple[object, list, list, object, object]:
    """``(config, weights, biases, rng_state, meta)`` from the arrays of an npz archive."""

    def array(key: str) -> Array:
        if key not in arrays:
            raise NetworkFileError(f"the .npz file has no {key!r} entry")
        return arrays[key]

    def text(key: str) -> str:
        arr = array(key)
        if arr.shape != () or arr.dtype.kind != "U":
            raise NetworkFileError(f"{key!r} must be a single string, got {_describe(arr)}")
        return str(arr[()])

    def json_entry(key: str) -> object:
        if key not in arrays:
            return None
        return parse_json(text(key), JsonBudget.of(limits), NetworkFileError, repr(key))

    tag = text("format") if "format" in arrays else _MISSING
    version: object = _MISSING
    if tag == FORMAT and "version" in arrays:
        v = arrays["version"]
        version = int(v[()]) if v.shape == () and v.dtype.kind in "iu" else repr(v.tolist())
    _check_tag(tag, version)
    if "config" not in arrays:
        raise NetworkFileError("the file has no 'config' entry")
    config = json_entry("config")
    n_w = count_layers(arrays, "weights", NetworkFileError)
    n_b = count_layers(arrays, "biases", NetworkFileError)
    weights = [array(f"weights_{l}") for l in range(n_w)]
    biases = [array(f"biases_{l}") for l in range(n_b)]
    return config, weights, biases, json_entry("rng_state"), json_entry("meta")


def _describe(arr: Array) -> str:
    return f"an array of dtype {arr.dtype} and shape {arr.shape}"


# --------------------------------------------------------------------------- building
def _build(
    config: object,
    weights: list[Array],
    biases: list[Array],
    rng_state: object,
    meta: object,
    limits: Limits,
) -> tuple[Network, dict]:
    """Network(**config) checked by the engine, then the checked parameters and RNG state."""
    if not isinstance(config, dict):
        raise NetworkFileError(f"config must be a JSON object, got {type(config).__name__}")
    for key in CONFIG_KEYS:
        if key not in config:
            raise NetworkFileError(
                f"config has no {key!r} entry; it needs {', '.join(CONFIG_KEYS)}"
            )
    sizes, seed = config["sizes"], config["seed"]
    if not isinstance(sizes, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) for n in sizes
    ):
        raise NetworkFileError(f"config sizes must be a list of whole numbers, got {sizes!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise NetworkFileError(f"config seed must be a whole number or null, got {seed!r}")
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise NetworkFileError(f"meta must be a JSON object, got {type(meta).__name__}")
    try:
        net = Network(
            sizes,
            activation=config["activation"],
            output_activation=config["output_activation"],
            cost=config["cost"],
            init=config["init"],
            seed=seed,
            limits=limits,
        )
    except ValueError as e:
        raise NetworkFileError(f"the network in the file is not valid: {e}") from None
    net.weights, net.biases = _check_params(net.sizes, weights, biases, NetworkFileError)
    _restore_rng(net, rng_state)
    return net, meta


def _check_params(
    sizes: list[int], weights: list, biases: list, error: type[ValueError]
) -> tuple[list[Array], list[Array]]:
    """Float64 copies of ``weights`` and ``biases``, or ``error`` naming the bad layer."""
    L = len(sizes) - 1
    for name, arrays in (("weights", weights), ("biases", biases)):
        if len(arrays) != L:
            raise error(f"sizes {sizes} need {L} {name} arrays (one per layer), got {len(arrays)}")
    out_w, out_b = [], []
    for l in range(L):
        for name, arrays, need, out in (
            ("weights", weights, (sizes[l + 1], sizes[l]), out_w),
            ("biases", biases, (sizes[l + 1], 1), out_b),
        ):
            arr = np.asarray(arrays[l])
            if arr.dtype.kind not in "fiu":
                raise error(f"{name}[{l}] must hold real numbers, got dtype {arr.dtype}")
            if arr.shape != need:
                raise error(f"{name}[{l}] has shape {arr.shape} but sizes {sizes} need {need}")
            arr = np.array(arr, dtype=np.float64, order="C")  # a fresh, owned copy
            if not np.all(np.isfinite(arr)):
                raise error(f"{name}[{l}] contains NaN or infinite values")
            out.append(arr)
    return out_w, out_b


def _restore_rng(net: Network, state: object) -> None:
    """Set the generator's state if ``state`` is a valid one for it; otherwise keep the seed's."""
    if not isinstance(state, dict):
        return
    if state.get("bit_generator") != type(net.rng.bit_generator).__name__:
        return
    if not _ints_in_range(state, limit=2**128):
        return
    old = net.rng.bit_generator.state
    try:
        net.rng.bit_generator.state = state
    except (TypeError, ValueError, KeyError, OverflowError):
        net.rng.bit_generator.state = old


def _ints_in_range(obj: object, limit: int) -> bool:
    """True if every number nested in ``obj`` is an int in ``[0, limit)`` (no floats, bools)."""
    if isinstance(obj, dict):
        return all(_ints_in_range(v, limit) for v in obj.values())
    if isinstance(obj, list):
        return all(_ints_in_range(v, limit) for v in obj)
    if isinstance(obj, (bool, float)):
        return False
    if isinstance(obj, int):
        return 0 <= obj < limit
    return isinstance(obj, str)

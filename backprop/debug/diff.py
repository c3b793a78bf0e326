"""Gradient diff: "is my backprop right?" against the engine, layer by layer.

:func:`export_case` writes a test case (network choices, sizes, weights, biases and a
batch ``X``, ``Y``, samples as columns) as ``.npz`` or JSON; :data:`RECIPE` shows how to
compute ``nabla_b`` and ``nabla_w`` for it with one's own code and save them, and
:func:`torch_recipe` how to with PyTorch (whose names, see :func:`state_dict_keys`, and
1-D biases the reader accepts as they are).
:func:`read_case` and :func:`read_gradients` read such files back, and :func:`compare`
puts the uploaded gradients next to the engine's, naming the first layer (counting back
from the output, as backprop does) and the equation where they part.

Files are read with ``allow_pickle=False``, after checking every ``.npy`` header: object
(pickled) arrays and truncated members are refused without being loaded. Any problem
with a file raises :class:`CaseFileError`, a ``ValueError`` whose message says what is
wrong (size, format, missing entry, wrong count, wrong shape, NaN, ...).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..gradtable import ParamCheck, gradient_table
from ..limits import Limits, default_limits
from ..network import Network
from ..trainer import _check_batch
from ..untrusted import JsonBudget, count_layers, decode_utf8, load_npz, parse_json, read_capped
from .check import Diagnosis, diagnose

Array = np.ndarray

FORMAT = "backprop-explorer-gradient-case"
VERSION = 1
FORMATS = ("npz", "json")
ATOL, RTOL = 1e-6, 1e-4  # |yours - engine| <= ATOL + RTOL |engine|, entrywise
CHOICES = ("activation", "output_activation", "cost")
NPZ_HEADER_KEYS = 4 + len(CHOICES)  # format, version, sizes, X, Y and the choices

RECIPE = """\
import numpy as np
case = np.load("gradient-case.npz")                 # arrays only: allow_pickle=False
L = len(case["sizes"]) - 1                           # number of weight layers
W = [case[f"weights_{l}"] for l in range(L)]         # (sizes[l+1], sizes[l])
B = [case[f"biases_{l}"] for l in range(L)]          # (sizes[l+1], 1)
X, Y = case["X"], case["Y"]                          # samples are columns: (n_in, m), (n_out, m)
act, out, cost = (str(case[k]) for k in ("activation", "output_activation", "cost"))
nabla_b, nabla_w = my_backprop(W, B, X, Y, act, out, cost)  # yours: gradient of the MEAN cost
grads = {f"nabla_b_{l}": nabla_b[l] for l in range(L)}      # (sizes[l+1], 1)
grads |= {f"nabla_w_{l}": nabla_w[l] for l in range(L)}     # (sizes[l+1], sizes[l])
np.savez("my-gradients.npz", **grads)   # or JSON: {"nabla_b": [...], "nabla_w": [...]}
"""

#: The per-sample cost C_x of each cost in PyTorch, for ``a`` and ``y`` of shape (m, n_out).
TORCH_COST = {
    "quadratic": "0.5 * ((a - y) ** 2).sum(dim=1)",
    "cross_entropy": "-(y * torch.log(a) + (1 - y) * torch.log(1 - a)).sum(dim=1)",
    "log_likelihood": "-(y * torch.log(a)).sum(dim=1)",
}
TORCH_ACTIVATION = {
    "sigmoid": "torch.nn.Sigmoid()",
    "tanh": "torch.nn.Tanh()",
    "relu": "torch.nn.ReLU()",
    "leaky_relu": "torch.nn.LeakyReLU(0.01)",
    "linear": "torch.nn.Identity()",
    "softmax": "torch.nn.Softmax(dim=1)",
}
TORCH_RECIPE = """\
import numpy as np, torch
case = np.load("gradient-case.npz")
sizes, layers = [int(n) for n in case["sizes"]], []
for l in range(len(sizes) - 1):                      # Linear layers at 0, 2, 4, ...
    lin = torch.nn.Linear(sizes[l], sizes[l + 1])
    with torch.no_grad():                            # weight is (out, in), as the book's
        lin.weight.copy_(torch.from_numpy(case[f"weights_{{l}}"]))
        lin.bias.copy_(torch.from_numpy(case[f"biases_{{l}}"]).reshape(-1))
    layers += [lin, {hidden} if l < len(sizes) - 2 else {output}]
model = torch.nn.Sequential(*layers)
x, y = (torch.from_numpy(case[k].T).float() for k in ("X", "Y"))  # torch: samples are rows
a = model(x)
C = ({cost}).mean()  # the MEAN over the batch of C_x
C.backward()
np.savez("my-gradients.npz", **{{k: p.grad.numpy() for k, p in model.named_parameters()}})
"""


class CaseFileError(ValueError):
    """A test-case or gradients file that cannot be used; the message says why."""


@dataclass(frozen=True, eq=False)
class Case:
    """A network (choices, weights, biases) and a batch ``X`` ``(n_in, m)``, ``Y``."""

    sizes: tuple[int, ...]
    activation: str
    output_activation: str
    cost: str
    weights: tuple[Array, ...]
    biases: tuple[Array, ...]
    X: Array
    Y: Array

    @classmethod
    def of(cls, net: Network, X: Array, Y: Array) -> Case:
        X, Y = net.check_xy(X, Y)
        return cls(
            tuple(net.sizes),
            net.activation,
            net.output_activation,
            net.cost_name,
            tuple(w.copy() for w in net.weights),
            tuple(b.copy() for b in net.biases),
            X.copy(),
            Y.copy(),
        )

    def network(self, limits: Limits | None = None) -> Network:
        """A network with these choices and parameters (ValueError if they do not fit)."""
        net = Network(
            list(self.sizes), self.activation, self.output_activation, self.cost, limits=limits
        )
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):  # file keys count from 0
            if w.shape != net.weights[i].shape or b.shape != net.biases[i].shape:
                raise ValueError(f"weights_{i} or biases_{i} do not fit sizes {list(self.sizes)}")
        net.weights = [np.array(w, dtype=np.float64) for w in self.weights]
        net.biases = [np.array(b, dtype=np.float64) for b in self.biases]
        return net

    def gradients(self) -> tuple[list[Array], list[Array]]:
        """The engine's ``(nabla_b, nabla_w)`` for this case."""
        return self.network().backprop(self.X, self.Y)


# ------------------------------------------------------------------------------ writing
def torch_recipe(case: Case) -> str:
    """:data:`TORCH_RECIPE` for ``case``: its activations and its cost written out."""
    if case.cost not in TORCH_COST:
        raise ValueError(f"unknown cost {case.cost!r}; valid choices: {', '.join(TORCH_COST)}")
    for name in (case.activation, case.output_activation):
        if name not in TORCH_ACTIVATION:
            raise ValueError(f"unknown activation {name!r}")
    return TORCH_RECIPE.format(
        hidden=TORCH_ACTIVATION[case.activation],
        output=TORCH_ACTIVATION[case.output_activation],
        cost=TORCH_COST[case.cost],
    )


def export_case(net: Network, X: Array, Y: Array, fmt: str = "npz") -> bytes:
    """The test case ``net``, ``X``, ``Y`` as the bytes of an ``.npz`` or a JSON file."""
    case = Case.of(net, X, Y)
    if fmt == "json":
        doc = {
            "format": FORMAT,
            "version": VERSION,
            "note": "samples are columns; weights[l] is (sizes[l+1], sizes[l]); biases[l] is"
            " (sizes[l+1], 1); compute the gradient of the mean cost over the m columns",
            "sizes": list(case.sizes),
            **{k: getattr(case, k) for k in ("activation", "output_activation", "cost")},
            "weights": [w.tolist() for w in case.weights],
            "biases": [b.tolist() for b in case.biases],
            "X": case.X.tolist(),
            "Y": case.Y.tolist(),
        }
        return json.dumps(doc).encode("utf-8")
    _check_fmt(fmt)
    arrays = {
        "format": np.array(FORMAT),
        "version": np.array(VERSION, dtype=np.int64),
        "sizes": np.array(case.sizes, dtype=np.int64),
        **{k: np.array(getattr(case, k)) for k in CHOICES},
        "X": case.X,
        "Y": case.Y,
    }
    for i, (w, b) in enumerate(zip(case.weights, case.biases)):
        arrays[f"weights_{i}"], arrays[f"biases_{i}"] = w, b
    return _savez(arrays)


def gradients_file(nabla_b: list[Array], nabla_w: list[Array], fmt: str = "npz") -> bytes:
    """Gradients as an answer file: npz keys ``nabla_b_<l>``, ``nabla_w_<l>``, or JSON lists."""
    if fmt == "json":
        doc = {"nabla_b": [np.asarray(b).tolist() for b in nabla_b],
               "nabla_w": [np.asarray(w).tolist() for w in nabla_w]}  # fmt: skip
        return json.dumps(doc).encode("utf-8")
    _check_fmt(fmt)
    arrays = {f"nabla_b_{i}": np.asarray(b) for i, b in enumerate(nabla_b)}
    arrays.update({f"nabla_w_{i}": np.asarray(w) for i, w in enumerate(nabla_w)})
    return _savez(arrays)


def _check_fmt(fmt: object) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; valid choices: {', '.join(FORMATS)}")


def _savez(arrays: dict[str, Array]) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


# ------------------------------------------------------------------------------ reading
def read_case(data: object, *, limits: Limits | None = None) -> Case:
    """The :class:`Case` in an ``.npz`` or JSON file (bytes, text or an open file)."""
    limits = limits or default_limits()
    doc = {k: _plain(v) for k, v in _load(data, limits, "test case").items()}
    if doc.get("format") != FORMAT:
        raise CaseFileError(
            f"not a gradient test case of this program: format tag {doc.get('format')!r},"
            f" expected {FORMAT!r}"
        )
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= VERSION:
        raise CaseFileError(f"unknown test case version {version!r}; this program reads {VERSION}")
    for key in ("sizes", *CHOICES, "X", "Y"):
        if key not in doc:
            raise CaseFileError(f"the test case has no {key!r} entry")
    sizes = _array("sizes", doc["sizes"])
    if sizes.ndim != 1 or sizes.dtype.kind not in "iu":
        raise CaseFileError(f"sizes must be a list of whole numbers, got {doc['sizes']!r}")
    sizes = [int(n) for n in sizes]
    choices = {}
    for key in CHOICES:
        value = doc[key]
        if not isinstance(value, str):
            raise CaseFileError(f"{key} must be a name, got {value!r}")
        choices[key] = value
    try:
        net = Network(sizes, choices["activation"], choices["output_activation"],
                      choices["cost"], limits=limits)  # fmt: skip
    except ValueError as e:
        raise CaseFileError(f"the network in the test case is not valid: {e}") from None
    L = net.n_layers
    weights = _layers(doc, "weights", L)
    biases = _layers(doc, "biases", L)
    for i in range(L):
        _check_shape(f"weights_{i}", weights[i], net.weights[i].shape, i)
        _check_shape(f"biases_{i}", biases[i], net.biases[i].shape, i)
    X, Y = _array("X", doc["X"]), _array("Y", doc["Y"])
    for name, arr in (("X", X), ("Y", Y)):
        _check_numbers(name, arr)
    if X.ndim == 2 and X.shape[1] > 0:  # one backprop of the batch: a step's work at most
        try:
            _check_batch(X.shape[1], net, X.shape[1])
        except ValueError as e:
            raise CaseFileError(f"the batch in the test case is over the limits: {e}") from None
    try:
        X, Y = net.check_xy(X, Y)
    except ValueError as e:
        raise CaseFileError(f"the batch in the test case does not fit the network: {e}") from None
    return Case(tuple(sizes), *(choices[k] for k in CHOICES), tuple(weights), tuple(biases), X, Y)


def read_gradients(
    data: object, sizes: list[int] | tuple[int, ...], *, limits: Limits | None = None
) -> tuple[list[Array], list[Array]]:
    """``(nabla_b, nabla_w)`` from a gradients file (npz keys ``nabla_b_<l>`` and
    ``nabla_w_<l>``, JSON ``{"nabla_b": [...], "nabla_w": [...]}``, or PyTorch names, see
    :func:`state_dict_keys`), checked against a network with layer ``sizes``: one array per
    layer each, in the book's shapes (a bias may be 1-D, ``(n,)``), finite.
    """
    limits = limits or default_limits()
    doc = _load(data, limits, "gradients")
    L = len(sizes) - 1
    found = {kind: _layers(doc, kind, L) for kind in ("nabla_b", "nabla_w")}
    out = {}
    for kind, arrays in found.items():
        for i, (name, arr) in enumerate(zip(_names(doc, kind, L), arrays)):  # l = i + 1
            need = (sizes[i + 1], 1) if kind == "nabla_b" else (sizes[i + 1], sizes[i])
            if kind == "nabla_b" and arr.shape == need[:1]:
                arrays[i] = arr = arr.reshape(need)  # a 1-D bias, as PyTorch's: (n,)
            _check_shape(name, arr, need, i)
        out[kind] = [np.array(a, dtype=np.float64) for a in arrays]
    return out["nabla_b"], out["nabla_w"]


def _load(data: object, limits: Limits, what: str) -> dict[str, object]:
    """The entries of an npz (arrays) or a JSON object (lists), by key."""
    try:
        raw = read_capped(data, limits.max_upload_mb * 2**20, CaseFileError)  # type: ignore[arg-type]
    except (CaseFileError, TypeError) as e:  # too big, empty, or not bytes/text/a file
        raise CaseFileError(f"cannot read the {what} file: {e}") from None
    if isinstance(raw, bytes) and raw.startswith(b"PK"):
        return _load_npz(raw, limits, what)
    text = decode_utf8(raw, CaseFileError, f"the {what} file", "; it is neither an .npz archive"
                       " nor UTF-8 JSON text")  # fmt: skip
    budget = JsonBudget.of(limits, batch=what == "test case")
    doc = parse_json(text, budget, CaseFileError, f"the {what} file")
    if not isinstance(doc, dict):
        raise CaseFileError(f"the {what} file must hold a JSON object, got {type(doc).__name__}")
    return doc


def _load_npz(raw: bytes, limits: Limits, what: str) -> dict[str, object]:
    def check(key: str, shape: tuple[int, ...], dtype: np.dtype) -> None:
        if key in ("X", "Y") and len(shape) == 2 and shape[1] > limits.max_batch_size:
            raise CaseFileError(_batch_too_big(shape[1], limits))

    try:
        out: dict[str, object] = dict(
            load_npz(
                raw,
                max_bytes=limits.max_upload_mb * 2**20,
                max_members=NPZ_HEADER_KEYS + 4 * (limits.max_layers + 1),
                error=CaseFileError,
                check=check,
            )
        )
        _npz_layer_keys(out)
    except CaseFileError as e:
        raise CaseFileError(f"the {what} file is refused: {e}") from None
    return out


def _batch_too_big(m: int, limits: Limits) -> str:
    return (
        f"its batch has {m:,} samples (columns), over the limit of {limits.max_batch_size:,}"
        " (limits.max_batch_size)"
    )


def _npz_layer_keys(out: dict[str, object]) -> None:
    """Collect ``<prefix>_<l>`` entries into lists ``out[prefix]`` (a gap is an error)."""
    for prefix in ("weights", "biases", "nabla_b", "nabla_w"):
        k = count_layers(list(out), prefix, CaseFileError)
        if k:
            out[prefix] = [out.pop(f"{prefix}_{i}") for i in range(k)]


TORCH_PARAM = {"nabla_w": "weight", "nabla_b": "bias"}  # gradients under PyTorch's names
_TORCH_NAME = re.compile(r"(?P<module>.+)\.(?P<param>weight|bias)(?:\.grad)?")
_INDEX = re.compile(r"[0-9]{1,9}")


def state_dict_keys(names: Iterable[str]) -> dict[str, tuple[str, int]]:
    """``{name: (param, layer)}`` for the PyTorch names among ``names``: ``<module>.weight``
    and ``<module>.bias`` (``.grad`` may follow), ``param`` ``"weight"`` or ``"bias"``,
    ``layer`` 0..L-1 (the file index: layer ``layer + 1`` in the app).

    Modules are ordered by their index when every name ends in one (``nn.Sequential``: 0, 2,
    4, ..., or ``net.0``, ``net.2``), else as they first appear (``fc1``, ``fc2``, ``out``).
    Other names are left out. CaseFileError for a parameter named twice.
    """
    found: dict[str, tuple[str, str]] = {}
    seen: dict[tuple[str, str], str] = {}
    for name in names:
        m = _TORCH_NAME.fullmatch(name)
        if m is None:
            continue
        slot = (m["module"], m["param"])
        if slot in seen:
            raise CaseFileError(f"{seen[slot]} and {name} are the same parameter: keep one")
        seen[slot], found[name] = name, slot
    modules = list(dict.fromkeys(module for module, _ in found.values()))
    if all(_INDEX.fullmatch(module.rpartition(".")[2]) for module in modules):
        modules.sort(key=lambda module: (module.rpartition(".")[0], int(module.rpartition(".")[2])))
    layer = {module: i for i, module in enumerate(modules)}  # list index i = l - 1
    return {name: (param, layer[module]) for name, (module, param) in found.items()}


def _torch_names(doc: dict[str, object], kind: str) -> list[str]:
    """The PyTorch names holding ``kind`` (``nabla_w``, ``nabla_b``) in layer order, if any
    (and no layer lacks it: a module with a weight needs its bias, and the other way)."""
    if kind in doc or kind not in TORCH_PARAM:
        return []
    keys = state_dict_keys(doc)
    mine = {i: name for name, (param, i) in keys.items() if param == TORCH_PARAM[kind]}
    for name, (_, i) in keys.items():
        if mine and i not in mine:
            module = _TORCH_NAME.fullmatch(name)["module"]  # type: ignore[index]
            raise CaseFileError(
                f"{name} has no matching {module}.{TORCH_PARAM[kind]}: every layer needs both"
            )
    return [mine[i] for i in range(len(mine))]


def _names(doc: dict[str, object], kind: str, L: int) -> list[str]:
    """What the file calls the ``L`` arrays of ``kind``, for messages."""
    return _torch_names(doc, kind) or [f"{kind}_{i}" for i in range(L)]


def _layers(doc: dict[str, object], kind: str, L: int) -> list[Array]:
    if torch_names := _torch_names(doc, kind):
        doc = {**doc, kind: [doc[name] for name in torch_names]}
    if kind not in doc:
        torch = f", or PyTorch's 0.{TORCH_PARAM[kind]}, 2.{TORCH_PARAM[kind]}, ..." if (
            kind in TORCH_PARAM) else ""  # fmt: skip
        raise CaseFileError(
            f"the file has no {kind} arrays: expected {kind}_0 .. {kind}_{L - 1} (npz) or a"
            f" {kind!r} list (JSON){torch}"
        )
    arrays = doc[kind]
    if not isinstance(arrays, list):
        raise CaseFileError(f"{kind} must be a list with one array per layer")
    if len(arrays) != L:
        raise CaseFileError(
            f"the network has {L} layers of weights, so {kind} needs {L} arrays, got {len(arrays)}"
        )
    out = []
    for name, a in zip(torch_names or [f"{kind}_{i}" for i in range(L)], arrays):
        arr = _array(name, a)
        _check_numbers(name, arr)
        out.append(arr)
    return out


def _plain(value: object) -> object:
    """A 0-d array from an npz (a name, a version) as the Python value it holds."""
    if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "iuUb":
        return value.item()
    return value


def _array(name: str, value: object) -> Array:
    if isinstance(value, np.ndarray):
        return value
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError, RecursionError):
        raise CaseFileError(f"{name} is not a rectangular array of numbers") from None
    return arr


def _check_numbers(name: str, arr: Array) -> None:
    if arr.dtype.kind not in "fiu":
        raise CaseFileError(
            f"{name} must hold real numbers (no text, null or true/false), got {_dtype(arr)}"
        )
    if not np.all(np.isfinite(arr)):
        raise CaseFileError(f"{name} contains NaN or infinite values")


def _dtype(arr: Array) -> str:
    return "text or mixed values" if arr.dtype.kind in "OUS" else f"dtype {arr.dtype}"


def _check_shape(name: str, arr: Array, need: tuple[int, ...], i: int) -> None:
    """Refuse ``arr`` unless it has the shape ``need`` of layer ``l = i + 1``."""
    if arr.shape == need:
        return
    hint = ""
    if arr.shape == need[::-1]:
        hint = " (it looks transposed)"
    elif arr.ndim == 1 and need[1] == 1 and arr.shape == (need[0],):
        hint = " (biases and their gradients are column vectors: reshape(-1, 1))"
    raise CaseFileError(
        f"{name} (layer {i + 1}) has shape {arr.shape}, but the book's shape for this network"
        f" is {need}{hint}"
    )


# ---------------------------------------------------------------------------- comparing
@dataclass(frozen=True, eq=False)
class DiffResult:
    """Uploaded gradients against the engine's: a per-layer table and the first difference."""

    table: pd.DataFrame
    params: tuple[ParamCheck, ...]  # analytic = yours, numeric = the engine's
    diagnosis: Diagnosis | None
    atol: float
    rtol: float

    @property
    def passed(self) -> bool:
        return self.diagnosis is None

    @property
    def focus(self) -> tuple[int, str]:
        """``(layer, param)`` to show first: the first layer that differs and its parameter
        that differs (``"w"`` if both do); the output layer's ``"w"`` when all match."""
        if self.diagnosis is None:
            return max(p.layer for p in self.params), "w"
        layer = self.diagnosis.layer
        bad = {p.param for p in self.params
               if p.layer == layer and not p.passed(self.atol, self.rtol)}  # fmt: skip
        return layer, "b" if bad == {"b"} else "w"

    def difference(self, layer: int, param: str) -> Array:
        """``yours - engine`` for layer ``layer`` (1..L), ``param`` ``"w"`` or ``"b"``."""
        for p in self.params:
            if p.layer == layer and p.param == param:
                return (p.analytic - p.numeric).reshape(p.shape)
        raise ValueError(f"no layer {layer} {param!r} in this comparison")


def compare(
    reference: tuple[list[Array], list[Array]],
    yours: tuple[list[Array], list[Array]],
    *,
    atol: float = ATOL,
    rtol: float = RTOL,
    batch_size: int | None = None,
) -> DiffResult:
    """``yours`` ``(nabla_b, nabla_w)`` against ``reference`` (the engine's), layer by layer."""
    (rb, rw), (yb, yw) = reference, yours
    if len(yb) != len(rb) or len(yw) != len(rw):
        raise ValueError(f"expected {len(rw)} layers of gradients, got {len(yw)}")
    params = []
    for i in range(len(rw)):  # layer l = i + 1
        for kind, r, y in (("w", rw[i], yw[i]), ("b", rb[i], yb[i])):
            r, y = np.asarray(r, np.float64), np.asarray(y, np.float64)
            if r.shape != y.shape:
                raise ValueError(f"layer {i + 1} {kind}: shape {y.shape}, expected {r.shape}")
            params.append(ParamCheck.full(i + 1, kind, y, r))
    table = gradient_table(params, atol, rtol)
    return DiffResult(table, tuple(params), diagnose(table, params, batch_size), atol, rtol)

"""The independent reference the engine is checked against (tests, ``bench_epoch.py``).

Nothing here calls the engine's maths: activations, costs, the forward pass, finite
differences and the port of Nielsen's ``network.py`` (``SeedNetwork``, per-sample loops,
samples as column vectors ``(n, 1)``, ``weights[l]`` of shape ``(n_out, n_in)``) are written
out again from their definitions, so a bug in ``backprop/`` cannot hide by being used on both
sides of an assertion. Imports only NumPy.
"""

from __future__ import annotations

import numpy as np

LEAKY_SLOPE = 0.01  # the documented slope of leaky_relu for z < 0


# ----------------------------------------------------------------- activations
def ref_activation(name: str, z: np.ndarray) -> np.ndarray:
    """sigma(z) from its textbook definition; softmax works column by column."""
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.where(z > 0, z, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, z, LEAKY_SLOPE * z)
    if name == "linear":
        return np.array(z, dtype=np.float64, copy=True)
    if name == "softmax":
        out = np.empty_like(z)
        for k in range(z.shape[1]):
            e = np.exp(z[:, k] - np.max(z[:, k]))
            out[:, k] = e / np.sum(e)
        return out
    raise KeyError(name)


def ref_activation_prime(name: str, z: np.ndarray) -> np.ndarray:
    """sigma'(z) for the elementwise activations."""
    if name == "sigmoid":
        s = 1.0 / (1.0 + np.exp(-z))
        return s * (1.0 - s)
    if name == "tanh":
        return 1.0 / np.cosh(z) ** 2
    if name == "relu":
        return np.where(z > 0, 1.0, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, 1.0, LEAKY_SLOPE)
    if name == "linear":
        return np.ones_like(z)
    raise KeyError(name)


# ----------------------------------------------------------------------- costs
def ref_cost_per_column(name: str, a: np.ndarray, y: np.ndarray) -> np.ndarray:
    """C_x for each column x (shape ``(m,)``)."""
    if name == "quadratic":
        return 0.5 * np.sum((a - y) ** 2, axis=0)
    if name == "cross_entropy":
        return -np.sum(y * np.log(a) + (1.0 - y) * np.log(1.0 - a), axis=0)
    if name == "log_likelihood":
        return -np.sum(y * np.log(a), axis=0)
    raise KeyError(name)


def ref_cost(name: str, a: np.ndarray, y: np.ndarray) -> float:
    """The mean of C_x over the columns."""
    return float(np.mean(ref_cost_per_column(name, a, y)))


def ref_cost_grad(name: str, a: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dC_x/da per column."""
    if name == "quadratic":
        return a - y
    if name == "cross_entropy":
        return -y / a + (1.0 - y) / (1.0 - a)
    if name == "log_likelihood":
        return -y / a
    raise KeyError(name)


# ------------------------------------------------------------- forward / cost
def ref_forward(weights, biases, activations, X):
    """``(zs, acts)`` of a feed-forward pass, one column at a time."""
    m = X.shape[1]
    zs = [np.empty((w.shape[0], m)) for w in weights]
    acts = [np.array(X, dtype=np.float64)] + [np.empty((w.shape[0], m)) for w in weights]
    for k in range(m):
        a = acts[0][:, k : k + 1]
        for l, (w, b, act) in enumerate(zip(weights, biases, activations)):
            z = np.dot(w, a) + b
            a = ref_activation(act, z)
            zs[l][:, k : k + 1] = z
            acts[l + 1][:, k : k + 1] = a
    return zs, acts


def net_activations(net) -> list[str]:
    """Names of sigma for each weight layer, from the network's public configuration."""
    return [net.activation] * (len(net.sizes) - 2) + [net.output_activation]


def ref_net_cost(net, X, Y) -> float:
    _, acts = ref_forward(net.weights, net.biases, net_activations(net), X)
    return ref_cost(net.cost_name, acts[-1], Y)


def finite_difference_gradients(net, X, Y, eps: float = 1e-6):
    """Central differences of the mean cost for every weight and bias of ``net``.

    Uses the reference forward pass and cost above, not the engine's. Each parameter is
    restored exactly. Returns ``(nabla_b, nabla_w)`` like ``net.backprop``.
    """
    out_b, out_w = [], []
    for params, out in ((net.biases, out_b), (net.weights, out_w)):
        for p in params:
            g = np.zeros(p.shape)
            for idx in np.ndindex(p.shape):
                old = p[idx]
                p[idx] = old + eps
                plus = ref_net_cost(net, X, Y)
                p[idx] = old - eps
                minus = ref_net_cost(net, X, Y)
                p[idx] = old
                g[idx] = (plus - minus) / (2.0 * eps)
            out.append(g)
    return out_b, out_w


# ------------------------------------------------------- Nielsen's network.py
def sigmoid(z):
    """network.py's sigmoid."""
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    """network.py's sigmoid_prime."""
    return sigmoid(z) * (1 - sigmoid(z))


class SeedNetwork:
    """A faithful Python 3 port of Nielsen's ``network.py`` (per-sample loops).

    Only the constructor differs: it takes the weights and biases to start from, so it
    can be compared with an engine network initialised from the same seed.
    """

    def __init__(self, weights, biases):
        self.num_layers = len(weights) + 1
        self.sizes = [weights[0].shape[1]] + [w.shape[0] for w in weights]
        self.weights = [np.array(w, dtype=np.float64, copy=True) for w in weights]
        self.biases = [np.array(b, dtype=np.float64, copy=True) for b in biases]

    def feedforward(self, a):
        """Return the output of the network if ``a`` is input."""
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(np.dot(w, a) + b)
        return a

    def update_mini_batch(self, mini_batch, eta):
        """Gradient descent on a list of tuples ``(x, y)``."""
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        self.weights = [w - (eta / len(mini_batch)) * nw for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - (eta / len(mini_batch)) * nb for b, nb in zip(self.biases, nabla_b)]

    def update_mini_batch_l2(self, mini_batch, eta, lmbda, n):
        """network2.py's update_mini_batch (L2 weight decay), same backprop."""
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        self.weights = [
            (1 - eta * (lmbda / n)) * w - (eta / len(mini_batch)) * nw
            for w, nw in zip(self.weights, nabla_w)
        ]
        self.biases = [b - (eta / len(mini_batch)) * nb for b, nb in zip(self.biases, nabla_b)]

    def sgd_epoch(self, training_data, mini_batch_size, eta, rng):
        """One epoch of network.py's ``SGD``: shuffle, cut into mini-batches, update on each.

        The shuffle is ``rng.permutation`` (a NumPy ``Generator``) instead of
        ``random.shuffle``, so a run can be repeated and compared.
        """
        order = rng.permutation(len(training_data))
        training_data = [training_data[i] for i in order]
        n = len(training_data)
        mini_batches = [
            training_data[k : k + mini_batch_size] for k in range(0, n, mini_batch_size)
        ]
        for mini_batch in mini_batches:
            self.update_mini_batch(mini_batch, eta)

    def backprop(self, x, y):
        """``(nabla_b, nabla_w)``: the gradient of C_x for one column ``x``."""
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        # feedforward
        activation = x
        activations = [x]  # list to store all the activations, layer by layer
        zs = []  # list to store all the z vectors, layer by layer
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        # backward pass
        delta = self.cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for l in range(2, self.num_layers):
            z = zs[-l]
            sp = sigmoid_prime(z)
            delta = np.dot(self.weights[-l + 1].transpose(), delta) * sp
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
        return (nabla_b, nabla_w)

    def cost_derivative(self, output_activations, y):
        return output_activations - y


def columns(X, Y):
    """A mini-batch in the seed's format: a list of ``(x, y)`` column-vector pairs."""
    return [(X[:, k : k + 1], Y[:, k : k + 1]) for k in range(X.shape[1])]


def seed_batch_gradient(weights, biases, X, Y):
    """Mean over the columns of the seed's per-sample ``backprop`` (sigmoid, quadratic)."""
    seed = SeedNetwork(weights, biases)
    nb = [np.zeros(b.shape) for b in biases]
    nw = [np.zeros(w.shape) for w in weights]
    for x, y in columns(X, Y):
        db, dw = seed.backprop(x, y)
        nb = [a + b for a, b in zip(nb, db)]
        nw = [a + b for a, b in zip(nw, dw)]
    m = X.shape[1]
    return [b / m for b in nb], [w / m for w in nw]

"""Composite computations (losses, the chapter's two-layer net) against PyTorch, float64."""

import pytest

torch = pytest.importorskip(
    "torch", reason="the differential tests compare against PyTorch: pip install minigrad[torch]"
)

import numpy as np  # noqa: E402
from hypothesis import assume, given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.functional as F  # noqa: E402

from .helpers import DIFF, away_from_zero, compare, floats, seeds  # noqa: E402

TF = torch.nn.functional


@st.composite
def batches(draw, max_n=6, max_c=5):
    n, c = draw(st.integers(1, max_n)), draw(st.integers(2, max_c))
    x = draw(floats((n, c), -4.0, 4.0))
    t = np.array(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)), dtype=np.int64)
    return x, t


@DIFF
@given(batch=batches(), seed=seeds)
def test_softmax_cross_entropy_from_primitives(batch, seed):
    x, t = batch
    n = len(t)
    rows = np.arange(n)

    def mg_loss(z):
        return -F.log_softmax(z, axis=1)[rows, t].mean()

    def torch_loss(z):
        return -torch.log_softmax(z, dim=1)[torch.from_numpy(rows), torch.from_numpy(t)].mean()

    compare("composite softmax cross-entropy", mg_loss, torch_loss, [x], seed)
    # the fused op equals the composite
    compare("fused softmax cross-entropy", lambda z: F.softmax_cross_entropy(z, t),
            torch_loss, [x], seed)


@DIFF
@given(batch=batches(), seed=seeds)
def test_book_cross_entropy_error_composite(batch, seed):
    # the chapter's -sum(t * log(y + 1e-7)) / N on y = softmax(x), built from primitive ops
    x, t = batch
    n, c = x.shape
    onehot = np.eye(c)[t]

    def mg_loss(z):
        return -(onehot * (F.softmax(z, axis=1) + 1e-7).log()).sum() / n

    def torch_loss(z):
        return -(torch.from_numpy(onehot) * torch.log(torch.softmax(z, dim=1) + 1e-7)).sum() / n

    compare("book cross-entropy", mg_loss, torch_loss, [x], seed)


@DIFF
@given(data=st.data(), seed=seeds, activation=st.sampled_from(["sigmoid", "tanh"]),
       fused=st.booleans())
def test_two_layer_net_loss(data, seed, activation, fused):
    # TwoLayerNet: affine -> activation -> affine -> softmax cross-entropy;
    # gradients of x and every parameter, and Hessian-vector products.
    n, d, h, c = (data.draw(st.integers(lo, hi)) for lo, hi in ((1, 6), (1, 5), (1, 5), (2, 4)))
    x = data.draw(floats((n, d), -2.0, 2.0))
    W1, b1 = data.draw(floats((d, h), -1.0, 1.0)), data.draw(floats((h,), -1.0, 1.0))
    W2, b2 = data.draw(floats((h, c), -1.0, 1.0)), data.draw(floats((c,), -1.0, 1.0))
    t = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))

    def mg_loss(x, W1, b1, W2, b2):
        a1 = F.linear(x, W1, b1) if fused else x @ W1 + b1
        z1 = getattr(F, activation)(a1)
        a2 = F.linear(z1, W2, b2) if fused else z1 @ W2 + b2
        return F.softmax_cross_entropy(a2, t)

    def torch_loss(x, W1, b1, W2, b2):
        z1 = getattr(torch, activation)(x @ W1 + b1)
        return TF.cross_entropy(z1 @ W2 + b2, torch.from_numpy(t))

    compare(f"two-layer net ({activation}, fused={fused})", mg_loss, torch_loss,
            [x, W1, b1, W2, b2], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_relu_net_mean_squared_error(data, seed):
    n, d, h = (data.draw(st.integers(1, 5)) for _ in range(3))
    x = data.draw(floats((n, d)))
    W = data.draw(floats((d, h)))
    y = data.draw(floats((n, h)))
    assume(np.abs(x @ W).min() > 1e-6)  # away from relu's kink

    def mg_loss(x, W):
        return 0.5 * ((F.relu(x @ W) - y) ** 2).sum()

    def torch_loss(x, W):
        return 0.5 * ((torch.relu(x @ W) - torch.from_numpy(y)) ** 2).sum()

    compare("relu net squared error", mg_loss, torch_loss, [x, W], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_deep_chain_of_mixed_ops(data, seed):
    shape = (data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4)))
    # exponent b != 0: there PyTorch's pow masks a second derivative (see test_torch_ops)
    a, b = data.draw(floats(shape, 0.5, 2.0)), data.draw(away_from_zero(shape[1:], 0.1, 1.0))

    def mg_fn(a, b):
        y = (a * b).exp().sqrt() / (1 + a.sin() ** 2)
        y = (y.T @ y).tanh().sum(axis=0) + (a ** b).mean(axis=0)
        return F.softmax(y.reshape(1, -1), axis=1).max(axis=1).sum() + (a.log() * b).sum()

    def torch_fn(a, b):
        y = (a * b).exp().sqrt() / (1 + a.sin() ** 2)
        y = (y.T @ y).tanh().sum(dim=0) + (a ** b).mean(dim=0)
        return torch.softmax(y.reshape(1, -1), dim=1).amax(dim=1).sum() + (a.log() * b).sum()

    compare("deep chain", mg_fn, torch_fn, [a, b], seed)


def test_gradient_accumulation_over_steps_matches_torch():
    # two backward passes into the same leaves accumulate exactly as in PyTorch
    rng = np.random.default_rng(3)
    w0, x1, x2 = rng.standard_normal((3, 2)), rng.standard_normal((4, 3)), rng.standard_normal(
        (5, 3))
    w = mg.tensor(w0.copy(), requires_grad=True)
    tw = torch.tensor(w0.copy(), requires_grad=True)
    for x in (x1, x2):
        (x @ w).tanh().sum().backward()
        (torch.from_numpy(x) @ tw).tanh().sum().backward()
    np.testing.assert_allclose(w.grad.data, tw.grad.numpy(), rtol=1e-9, atol=1e-12)


@DIFF
@given(batch=batches(), seed=seeds, one_hot=st.booleans())
def test_cross_entropy_error(batch, seed, one_hot):
    # the chapter's loss on probabilities: -sum(log(y[arange(N), t] + 1e-7)) / N
    x, t = batch
    n, c = x.shape
    y = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    target = np.eye(c)[t] if one_hot else t
    rows, cols = torch.from_numpy(np.arange(n)), torch.from_numpy(t)

    def torch_loss(p):
        return -torch.log(p[rows, cols] + 1e-7).sum() / n

    compare("cross_entropy_error", lambda p: F.cross_entropy_error(p, target), torch_loss, [y],
            seed)

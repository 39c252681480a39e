"""The whole op library against PyTorch at the edges: empty and 0-d inputs, float32 kept."""

import pytest

torch = pytest.importorskip(
    "torch", reason="the differential tests compare against PyTorch: pip install minigrad[torch]"
)

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402

from .helpers import (  # noqa: E402
    compare,
)

# -- empty and 0-d inputs, float32 kept -------------------------------------------------------


EMPTY = {
    "where": (lambda t: mg.where(np.ones((0, 3), bool), t, 0.0),
              lambda t: torch.where(torch.ones((0, 3), dtype=torch.bool), t, 0.0)),
    "clip": (lambda t: t.clip(-1, 1), lambda t: t.clamp(-1, 1)),
    "maximum": (lambda t: mg.maximum(t, 0.5), lambda t: torch.maximum(t, torch.tensor(0.5,
                                                                                       dtype=t.dtype))),
    "gather": (lambda t: t.gather(1, np.zeros((0, 2), np.int64)),
               lambda t: t.gather(1, torch.zeros((0, 2), dtype=torch.int64))),
    "sort": (lambda t: mg.sort(t, 0), lambda t: torch.sort(t, 0)[0]),
    "flip": (lambda t: t.flip(0), lambda t: t.flip(0)),
    "roll": (lambda t: t.roll(1, 1), lambda t: t.roll(1, 1)),
    "tril": (lambda t: t.tril(), lambda t: t.tril()),
    "cumsum": (lambda t: t.cumsum(0), lambda t: t.cumsum(0)),
    "cumprod": (lambda t: t.cumprod(1), lambda t: t.cumprod(1)),
    "logsumexp": (lambda t: t.logsumexp(1), lambda t: torch.logsumexp(t, 1)),
    "prod": (lambda t: t.prod(1), lambda t: t.prod(1)),
    "norm": (lambda t: t.norm(axis=1), lambda t: torch.linalg.vector_norm(t, dim=1)),
    "cat": (lambda t: mg.cat([t, t], 0), lambda t: torch.cat([t, t], 0)),
    "stack": (lambda t: mg.stack([t, t], 1), lambda t: torch.stack([t, t], 1)),
    "repeat": (lambda t: t.repeat(2, 1), lambda t: t.repeat(2, 1)),
    "tile": (lambda t: mg.tile(t, (1, 2)), lambda t: torch.tile(t, (1, 2))),
    "permute": (lambda t: t.permute(1, 0), lambda t: t.permute(1, 0)),
    "diagonal": (lambda t: t.diagonal(), lambda t: t.diagonal()),
    "flatten": (lambda t: t.flatten(), lambda t: t.flatten()),
}


@pytest.mark.parametrize("op", sorted(EMPTY))
def test_empty_inputs_match_torch(op):
    ours, theirs = EMPTY[op]
    compare(f"{op} of an empty tensor", ours, theirs, [np.zeros((0, 3))], 0)


FLOAT32 = {
    "var": lambda t: t.var(0), "std": lambda t: t.std(1, ddof=1),
    "logsumexp": lambda t: t.logsumexp(1), "prod": lambda t: t.prod(0),
    "cumsum": lambda t: t.cumsum(1), "cumprod": lambda t: t.cumprod(0),
    "logcumsumexp": lambda t: t.logcumsumexp(1), "cummax": lambda t: t.cummax(0)[0],
    "norm": lambda t: t.norm(3, axis=1), "where": lambda t: mg.where(t.data > 0, t, 1.0),
    "clip": lambda t: t.clip(-0.5, 0.5), "maximum": lambda t: mg.maximum(t, 0.1),
    "gather": lambda t: t.gather(1, np.array([[0, 2], [1, 1]])), "sort": lambda t: mg.sort(t),
    "topk": lambda t: t.topk(2)[0], "cat": lambda t: mg.cat([t, t], 1),
    "tile": lambda t: mg.tile(t, 2), "roll": lambda t: t.roll(1), "tril": lambda t: t.tril(),
    "diag": lambda t: mg.diag(t[0]), "masked_select": lambda t: t.masked_select(t.data > 0),
}


@pytest.mark.parametrize("op", sorted(FLOAT32))
def test_float32_stays_float32(op):
    x = mg.tensor(np.array([[0.3, -1.2, 2.0], [1.5, 0.7, -0.4]], dtype=np.float32),
                  requires_grad=True)
    y = FLOAT32[op](x)
    assert y.dtype == np.float32, op
    (g,) = mg.grad(y.sum(), [x])
    assert g.dtype == np.float32, op


ZERO_D = {
    "gather": (lambda t: t.gather(0, np.array(0)), lambda t: t.gather(0, torch.tensor(0))),
    "topk": (lambda t: t.topk(1)[0], lambda t: t.topk(1)[0]),
    "sort": (lambda t: mg.sort(t), lambda t: torch.sort(t)[0]),
    "cummax": (lambda t: t.cummax(0)[0], lambda t: t.cummax(0)[0]),
    "logcumsumexp": (lambda t: t.logcumsumexp(-1), lambda t: t.logcumsumexp(-1)),
    "flip": (lambda t: t.flip(0), lambda t: t.flip(0)),
    "roll": (lambda t: t.roll(1), lambda t: t.roll(1)),
    "squeeze": (lambda t: t.squeeze(0), lambda t: t.squeeze(0)),
    "unsqueeze": (lambda t: t.unsqueeze(0), lambda t: t.unsqueeze(0)),
    "stack": (lambda t: mg.stack([t, t]), lambda t: torch.stack([t, t])),
    "where": (lambda t: mg.where(np.array(True), t, 0.0),
              lambda t: torch.where(torch.tensor(True), t, 0.0)),
    "clip": (lambda t: t.clip(0, 1), lambda t: t.clamp(0, 1)),
    "var": (lambda t: t.var(0) + t, lambda t: t.var(0, correction=0) + t),
    "norm": (lambda t: t.norm(axis=0), lambda t: torch.linalg.vector_norm(t, dim=0)),
    "expand": (lambda t: t.expand(3, 2), lambda t: t.expand(3, 2)),
    "repeat": (lambda t: t.repeat(3), lambda t: t.repeat(3)),
    "repeat_interleave": (lambda t: t.repeat_interleave(2), lambda t: t.repeat_interleave(2)),
    "masked_select": (lambda t: t.masked_select(np.array(True)),
                      lambda t: t.masked_select(torch.tensor(True))),
    "scatter_add": (lambda t: t.unsqueeze(0).scatter_add(0, np.array([0, 0]), mg.stack([t, t])),
                    lambda t: t.unsqueeze(0).scatter_add(0, torch.tensor([0, 0]),
                                                         torch.stack([t, t]))),
}


@pytest.mark.parametrize("op", sorted(ZERO_D))
def test_zero_d_inputs_match_torch(op):
    ours, theirs = ZERO_D[op]
    compare(f"{op} of a 0-d tensor", ours, theirs, [np.array(1.5)], 0)


F32_VS_TORCH = {
    "scaled_dot_product_attention": (
        lambda q, k, v: mg.functional.scaled_dot_product_attention(q, k, v),
        lambda q, k, v: torch.nn.functional.scaled_dot_product_attention(q, k, v)),
    "scaled_dot_product_attention causal": (
        lambda q, k, v: mg.functional.scaled_dot_product_attention(q, k, v, is_causal=True),
        lambda q, k, v: torch.nn.functional.scaled_dot_product_attention(q, k, v,
                                                                         is_causal=True)),
    "cross_entropy label_smoothing": (
        lambda q, k, v: mg.functional.cross_entropy(q.reshape(-1, 4), np.arange(6) % 4,
                                                    label_smoothing=0.2),
        lambda q, k, v: torch.nn.functional.cross_entropy(
            q.reshape(-1, 4), torch.arange(6) % 4, label_smoothing=0.2)),
    "cross_entropy label_smoothing, weights": (
        lambda q, k, v: mg.functional.cross_entropy(q.reshape(-1, 4), np.arange(6) % 4,
                                                    weight=np.ones(4), label_smoothing=0.2),
        lambda q, k, v: torch.nn.functional.cross_entropy(
            q.reshape(-1, 4), torch.arange(6) % 4, weight=torch.ones(4), label_smoothing=0.2)),
}


@pytest.mark.parametrize("op", sorted(F32_VS_TORCH))
def test_float32_results_and_gradients_are_float32_as_torch(op):
    ours, theirs = F32_VS_TORCH[op]
    arrays = [np.random.default_rng(i).standard_normal((2, 3, 4)).astype(np.float32)
              for i in range(3)]
    xs = [mg.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, ty = ours(*xs), theirs(*ts)
    assert y.dtype == np.float32 and ty.dtype == torch.float32, op
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-5, atol=1e-6)
    gs = mg.grad(y.sum(), xs, allow_unused=True)
    tgs = torch.autograd.grad(ty.sum(), ts, allow_unused=True)
    for g, tg in zip(gs, tgs):
        if tg is None:
            continue
        assert g.dtype == np.float32, op
        np.testing.assert_allclose(g.data, tg.numpy(), rtol=1e-4, atol=1e-6)

"""minigrad.ops.normalization: batch_norm and dropout against torch.nn.functional, gradchecks."""

import numpy as np
import pytest

import minigrad as mg
from minigrad.ops.normalization import (
    batch_norm,
    batch_norm_with_stats,
    dropout,
    dropout_with_mask,
    layer_norm,
)

torch = pytest.importorskip("torch", reason="PyTorch is the oracle: pip install .[torch]")
tF = torch.nn.functional

SHAPES = [(5, 3), (4, 3, 6), (3, 3, 4, 5)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_matches_torch(shape, training, affine):
    rng = np.random.default_rng(4)
    xa = rng.standard_normal(shape) * 3 + 1
    w, b = rng.standard_normal(3), rng.standard_normal(3)
    rm, rv = rng.standard_normal(3), rng.random(3) + 0.5
    trm, trv = torch.tensor(rm), torch.tensor(rv)
    tx = torch.tensor(xa, requires_grad=True)
    tw = torch.tensor(w, requires_grad=True) if affine else None
    tb = torch.tensor(b, requires_grad=True) if affine else None
    ty = tF.batch_norm(tx, trm, trv, tw, tb, training=training, momentum=0.3, eps=1e-4)
    x = mg.tensor(xa, requires_grad=True)
    mw = mg.tensor(w, requires_grad=True) if affine else None
    mb = mg.tensor(b, requires_grad=True) if affine else None
    y = batch_norm(x, rm, rv, mw, mb, training=training, momentum=0.3, eps=1e-4)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(rm, trm.numpy(), rtol=1e-12)  # updated in place, as torch does
    np.testing.assert_allclose(rv, trv.numpy(), rtol=1e-12)
    gy = rng.standard_normal(shape)
    ours = [x] + ([mw, mb] if affine else [])
    theirs = [tx] + ([tw, tb] if affine else [])
    for g, tg in zip(mg.grad(y, ours, grad_outputs=gy),
                     torch.autograd.grad(ty, theirs, torch.tensor(gy))):
        np.testing.assert_allclose(g.data, tg.numpy(), rtol=1e-9, atol=1e-12)


def test_batch_norm_running_stats_only_move_in_training():
    x = np.array([[1.0, 2.0], [3.0, 6.0]])
    rm, rv = np.zeros(2), np.ones(2)
    batch_norm(x, rm, rv, training=False)
    np.testing.assert_array_equal(rm, [0.0, 0.0])
    np.testing.assert_array_equal(rv, [1.0, 1.0])
    batch_norm(x, rm, rv, training=True, momentum=0.5)
    np.testing.assert_allclose(rm, [1.0, 2.0])
    np.testing.assert_allclose(rv, [0.5 + 0.5 * 2.0, 0.5 + 0.5 * 8.0])  # unbiased variance


@pytest.mark.parametrize("momentum", [None, "0.1", True])
def test_batch_norm_momentum_must_be_a_number(momentum):
    rm, rv = np.zeros(2), np.ones(2)
    with pytest.raises(TypeError, match="batch_norm: momentum must be a number"):
        batch_norm(np.ones((3, 2)), rm, rv, training=True, momentum=momentum)
    np.testing.assert_array_equal(rm, [0.0, 0.0])


@pytest.mark.parametrize("shape", SHAPES)
def test_gradcheck_batch_norm_float64(shape):
    rng = np.random.default_rng(1)
    x = mg.tensor(rng.standard_normal(shape), requires_grad=True)
    w = mg.tensor(rng.standard_normal(3), requires_grad=True)
    b = mg.tensor(rng.standard_normal(3), requires_grad=True)
    rm, rv = np.zeros(3), np.ones(3)
    assert mg.gradcheck(lambda a, ww, bb: batch_norm(a, None, None, ww, bb, training=True),
                        [x, w, b])
    assert mg.gradcheck(lambda a, ww, bb: batch_norm(a, rm, rv, ww, bb, training=False),
                        [x, w, b])
    assert mg.gradcheck(lambda a, ww, bb: batch_norm_with_stats(a, ww, bb, eps=1e-3)[0],
                        [x, w, b])


def test_batch_norm_with_stats_returns_biased_statistics():
    rng = np.random.default_rng(2)
    xa = rng.standard_normal((4, 2, 3))
    out, mu, var = batch_norm_with_stats(xa, eps=1e-5)
    np.testing.assert_allclose(mu, xa.mean(axis=(0, 2)), rtol=1e-12)
    np.testing.assert_allclose(var, xa.var(axis=(0, 2)), rtol=1e-12)
    np.testing.assert_allclose(out.data.mean(axis=(0, 2)), 0, atol=1e-12)
    assert mu.shape == var.shape == (2,)


def test_batch_norm_bad_input():
    with pytest.raises(ValueError, match=r"batch_norm: expected .* \(N, C, ...\) with C >= 1"):
        batch_norm(np.zeros(3), None, None, training=True)
    with pytest.raises(ValueError, match=r"got shape \(4, 0\)"):
        batch_norm_with_stats(np.zeros((4, 0)))
    with pytest.raises(ValueError, match="running_mean must be given in evaluation mode"):
        batch_norm(np.zeros((2, 3)), None, np.ones(3))
    with pytest.raises(ValueError, match=r"running_var has shape \(2,\), expected \(3,\)"):
        batch_norm(np.zeros((2, 3)), np.zeros(3), np.ones(2), training=True)
    with pytest.raises(ValueError, match="more than one value per channel"):
        batch_norm(np.zeros((1, 3)), np.zeros(3), np.ones(3), training=True)


def test_dropout_matches_torch_with_its_mask():
    torch.manual_seed(1)
    xa = np.random.default_rng(0).random((5, 6)) + 0.5
    tx = torch.tensor(xa, requires_grad=True)
    ty = tF.dropout(tx, p=0.4, training=True)
    mask = ty.detach().numpy() != 0
    x = mg.tensor(xa, requires_grad=True)
    y, used = dropout_with_mask(x, 0.4, mask=mask)
    assert used is not None and np.array_equal(used, mask)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12)
    (gx,) = mg.grad(y, [x], grad_outputs=np.ones(xa.shape))
    (tgx,) = torch.autograd.grad(ty, [tx], torch.ones(xa.shape, dtype=torch.float64))
    np.testing.assert_allclose(gx.data, tgx.numpy(), rtol=1e-12)
    assert dropout(x, 0.4, training=False) is x


def test_dropout_inverted_and_classic():
    x = np.ones((200, 50))
    y, mask = dropout_with_mask(x, 0.25, rng=np.random.default_rng(5))
    assert mask is not None
    np.testing.assert_array_equal(y.data, np.where(mask, 1 / 0.75, 0.0))
    assert abs(mask.mean() - 0.75) < 0.01
    # the same draws decide the classic (book) variant, which does not rescale
    yc, maskc = dropout_with_mask(x, 0.25, rng=np.random.default_rng(5), inverted=False)
    np.testing.assert_array_equal(maskc, mask)
    np.testing.assert_array_equal(yc.data, mask.astype(float))
    ye, none = dropout_with_mask(x, 0.25, training=False, inverted=False)
    assert none is None
    np.testing.assert_array_equal(ye.data, 0.75)
    # p == 0: inverted is the identity, the classic one still draws (and keeps nearly all)
    assert dropout_with_mask(x, 0.0)[1] is None
    assert dropout_with_mask(x, 0.0, rng=np.random.default_rng(0), inverted=False)[1].all()
    # p == 1 drops everything
    y1, m1 = dropout_with_mask(x, 1.0)
    assert not m1.any() and not y1.data.any()


def test_dropout_global_state_reproduces():
    np.random.seed(7)
    a = dropout(np.ones((3, 4)), 0.5).data
    np.random.seed(7)
    np.testing.assert_array_equal(dropout(np.ones((3, 4)), 0.5).data, a)


def test_gradcheck_dropout_float64():
    x = mg.tensor(np.random.default_rng(0).standard_normal((4, 5)), requires_grad=True)
    assert mg.gradcheck(lambda a: dropout(a, 0.3, rng=np.random.default_rng(3)), [x])
    assert mg.gradcheck(lambda a: dropout_with_mask(a, 0.3, rng=np.random.default_rng(3),
                                                    inverted=False)[0], [x])


def test_dropout_bad_input():
    with pytest.raises(ValueError, match=r"dropout: p must be a probability in \[0, 1\]"):
        dropout(np.ones(3), 1.5)
    with pytest.raises(ValueError, match=r"in \[0, 1\)"):
        dropout_with_mask(np.ones(3), 1.0, inverted=False)
    with pytest.raises(ValueError, match="mask must be a bool array"):
        dropout_with_mask(np.ones(3), 0.5, mask=np.ones(2, dtype=bool))
    with pytest.raises(TypeError, match="rng must be None, a numpy.random.Generator"):
        dropout(np.ones(3), 0.5, rng=3)


@pytest.mark.parametrize(("shape", "normalized"), [((4, 3), 3), ((2, 3, 4), (3, 4)), ((5,), (5,))])
def test_gradcheck_layer_norm_float64(shape, normalized):
    rng = np.random.default_rng(1)
    ns = (normalized,) if isinstance(normalized, int) else normalized
    x = mg.tensor(rng.standard_normal(shape), requires_grad=True)
    w = mg.tensor(rng.standard_normal(ns), requires_grad=True)
    b = mg.tensor(rng.standard_normal(ns), requires_grad=True)
    assert mg.gradcheck(lambda a, ww, bb: layer_norm(a, normalized, ww, bb), [x, w, b])
    assert mg.gradgradcheck(lambda a, ww: layer_norm(a, normalized, ww, eps=1e-3), [x, w])


def test_layer_norm_bad_input():
    with pytest.raises(ValueError, match=r"layer_norm: expected an input of shape \(\*, 3\)"):
        layer_norm(np.ones((2, 4)), 3)
    with pytest.raises(ValueError, match="layer_norm: weight must have shape"):
        layer_norm(np.ones((2, 3)), 3, np.ones(4))
    with pytest.raises(ValueError, match="normalized_shape must be a positive int"):
        layer_norm(np.ones((2, 3)), (0,))
    with pytest.raises(ValueError, match="layer_norm: expected an input"):
        layer_norm(np.ones(3), (2, 3))

"""BatchNorm1d/2d (train and eval) and Dropout (with torch's own mask) against torch.nn."""

import numpy as np
import pytest

torch = pytest.importorskip(
    "torch", reason="the differential tests compare against PyTorch: pip install minigrad[torch]"
)

import minigrad as mg  # noqa: E402
import minigrad.nn as nn  # noqa: E402
from minigrad.ops.normalization import dropout_with_mask  # noqa: E402


@pytest.mark.parametrize(("cls", "tcls", "shape"), [
    ("BatchNorm1d", "BatchNorm1d", (5, 3)),
    ("BatchNorm1d", "BatchNorm1d", (4, 3, 6)),
    ("BatchNorm2d", "BatchNorm2d", (3, 3, 4, 5)),
])
def test_batchnorm_train_and_eval_match_torch(cls, tcls, shape):
    rng = np.random.default_rng(3)
    ours = getattr(nn, cls)(3, momentum=0.2, eps=1e-4)
    theirs = getattr(torch.nn, tcls)(3, momentum=0.2, eps=1e-4).double()
    w, b = rng.standard_normal(3), rng.standard_normal(3)
    ours.weight.data[...] = w
    ours.bias.data[...] = b
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(w))
        theirs.bias.copy_(torch.tensor(b))
    for mode in ["train", "train", "eval"]:
        getattr(ours, mode)()
        getattr(theirs, mode)()
        xa = rng.standard_normal(shape) * 2 + 1
        gy = rng.standard_normal(shape)
        x = mg.tensor(xa, requires_grad=True)
        tx = torch.tensor(xa, requires_grad=True)
        y, ty = ours(x), theirs(tx)
        np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-9, atol=1e-12)
        gx, gw, gb = mg.grad(y, [x, ours.weight, ours.bias], grad_outputs=gy)
        tgx, tgw, tgb = torch.autograd.grad(ty, [tx, theirs.weight, theirs.bias],
                                            torch.tensor(gy))
        for g, tg, what in [(gx, tgx, "x"), (gw, tgw, "weight"), (gb, tgb, "bias")]:
            np.testing.assert_allclose(g.data, tg.numpy(), rtol=1e-9, atol=1e-12,
                                       err_msg=f"{cls} {mode} grad {what}")
        np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy(), rtol=1e-12)
        np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), rtol=1e-12)


def test_dropout_with_torchs_mask_matches():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    xa = rng.random((6, 7)) + 0.5  # nonzero, so torch's output reveals its mask
    tx = torch.tensor(xa, requires_grad=True)
    ty = torch.nn.functional.dropout(tx, p=0.3, training=True)
    mask = ty.detach().numpy() != 0
    d = nn.Dropout(0.3)
    x = mg.tensor(xa, requires_grad=True)
    y, _ = dropout_with_mask(x, 0.3, mask=mask)  # the same mask as torch drew
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12)
    gy = rng.standard_normal(xa.shape)
    (gx,) = mg.grad(y, [x], grad_outputs=gy)
    (tgx,) = torch.autograd.grad(ty, [tx], torch.tensor(gy))
    np.testing.assert_allclose(gx.data, tgx.numpy(), rtol=1e-12)
    d.eval()
    tev = torch.nn.functional.dropout(tx, p=0.3, training=False)
    np.testing.assert_array_equal(d(x).data, tev.detach().numpy())


@pytest.mark.parametrize("momentum", [None, 0.3])
@pytest.mark.parametrize(("cls", "shape"), [
    ("BatchNorm1d", (5, 3)), ("BatchNorm1d", (4, 3, 6)), ("BatchNorm2d", (3, 3, 4, 5)),
])
def test_batchnorm_running_stats_over_many_batches_match_torch(cls, shape, momentum):
    # momentum=None: torch's cumulative average, counted by num_batches_tracked
    rng = np.random.default_rng(5)
    ours = getattr(nn, cls)(3, momentum=momentum)
    theirs = getattr(torch.nn, cls)(3, momentum=momentum).double()
    for k, mode in enumerate(["train", "train", "eval", "train", "train", "train", "eval"]):
        getattr(ours, mode)()
        getattr(theirs, mode)()
        xa = rng.standard_normal(shape) * (k + 1) + k
        y, ty = ours(xa), theirs(torch.tensor(xa))
        np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy(), rtol=1e-12)
        np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), rtol=1e-12)
        assert int(ours.num_batches_tracked) == int(theirs.num_batches_tracked)
    sd, tsd = ours.state_dict(), theirs.state_dict()
    assert list(sd) == list(tsd)  # torch's names, in torch's order
    fresh = getattr(nn, cls)(3, momentum=momentum)
    fresh.load_state_dict({k: v.numpy() for k, v in tsd.items()})  # torch's state loads as is
    for k, v in fresh.state_dict().items():
        np.testing.assert_array_equal(v, tsd[k].numpy())

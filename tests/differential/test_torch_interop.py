"""Weights that move: minigrad.nn state dicts into the equivalent torch.nn model and back."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the oracle: pip install .[torch]")

import minigrad as mg  # noqa: E402
import minigrad.nn as nn  # noqa: E402
from minigrad.interop import (  # noqa: E402
    from_torch_state_dict,
    load_safetensors,
    save_safetensors,
    to_torch_state_dict,
)

TOL = 1e-12


def ours_cnn(seed):
    return nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1, weight_init_std="he", rng=seed), nn.BatchNorm2d(4),
        nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(4 * 3 * 3, 5, weight_init_std="he", rng=seed + 1))


def torch_cnn():
    t = torch.nn
    return t.Sequential(t.Conv2d(2, 4, 3, padding=1), t.BatchNorm2d(4), t.ReLU(),
                        t.MaxPool2d(2), t.Flatten(), t.Linear(4 * 3 * 3, 5)).double()


def trained_ours(seed=0):
    """A minigrad CNN whose BatchNorm has non-trivial weights and running statistics."""
    net = ours_cnn(seed)
    rng = np.random.default_rng(seed + 7)
    bn = net[1]
    bn.weight.data[...] = rng.uniform(0.5, 1.5, 4)
    bn.bias.data[...] = rng.standard_normal(4)
    with mg.no_grad():
        for _ in range(3):  # moves running_mean/var and num_batches_tracked
            net(rng.standard_normal((6, 2, 6, 6)) * 2 + 1)
    return net


def _outputs(ours, theirs, x):
    out = {}
    for mode in ("train", "eval"):
        getattr(ours, mode)()
        getattr(theirs, mode)()
        with mg.no_grad():
            a = ours(x).data
        with torch.no_grad():
            b = theirs(torch.from_numpy(x)).numpy()
        out[mode] = (a, b)
    return out


def _assert_same_state(ours, theirs):
    mine = ours.state_dict()
    other = theirs.state_dict()
    assert list(mine) == list(other) or sorted(mine) == sorted(other)
    for k, v in other.items():
        assert mine[k].shape == tuple(v.shape), k
        assert mine[k].dtype == v.numpy().dtype, k
        np.testing.assert_allclose(mine[k], v.numpy(), rtol=TOL, atol=TOL, err_msg=k)


def test_minigrad_cnn_weights_in_torch_give_the_same_outputs():
    ours, theirs = trained_ours(0), torch_cnn()
    sd = to_torch_state_dict(ours.state_dict())
    assert sorted(sd) == sorted(theirs.state_dict())
    assert sd["1.num_batches_tracked"].dtype == torch.int64 and sd["1.num_batches_tracked"] == 3
    assert sd["5.weight"].shape == (5, 36) and sd["0.weight"].dtype == torch.float64
    theirs.load_state_dict(sd)  # strict: the same keys, shapes and dtypes
    x = np.random.default_rng(1).standard_normal((4, 2, 6, 6))
    for mode, (a, b) in _outputs(ours, theirs, x).items():
        np.testing.assert_allclose(a, b, rtol=TOL, atol=TOL, err_msg=mode)
    # the training-mode pass moved both sides' running statistics the same way
    _assert_same_state(ours, theirs)


def test_torch_cnn_weights_in_minigrad_give_the_same_outputs():
    torch.manual_seed(0)
    theirs = torch_cnn()
    with torch.no_grad():
        theirs[1].weight.uniform_(0.5, 1.5)
        theirs[1].bias.normal_()
    theirs.train()
    with torch.no_grad():
        for _ in range(2):
            theirs(torch.randn(5, 2, 6, 6, dtype=torch.float64) * 3 - 1)
    ours = ours_cnn(5)
    ours.load_state_dict(from_torch_state_dict(theirs.state_dict()))
    _assert_same_state(ours, theirs)
    # CPU torch tensors are taken directly too
    other = ours_cnn(9)
    other.load_state_dict(theirs.state_dict())
    for k, v in ours.state_dict().items():
        np.testing.assert_array_equal(other.state_dict()[k], v)
    x = np.random.default_rng(2).standard_normal((3, 2, 6, 6))
    for mode, (a, b) in _outputs(ours, theirs, x).items():
        np.testing.assert_allclose(a, b, rtol=TOL, atol=TOL, err_msg=mode)


def test_conv_transpose_and_batchnorm1d_layouts_match_torch():
    ours = nn.Sequential(nn.ConvTranspose2d(4, 6, 3, stride=2, groups=2, rng=0),
                         nn.Flatten(), nn.Linear(6 * 5 * 5, 3, rng=1), nn.BatchNorm1d(3))
    t = torch.nn
    theirs = t.Sequential(t.ConvTranspose2d(4, 6, 3, stride=2, groups=2), t.Flatten(),
                          t.Linear(6 * 5 * 5, 3), t.BatchNorm1d(3)).double()
    with mg.no_grad():
        ours(np.random.default_rng(0).standard_normal((4, 4, 2, 2)))
    theirs.load_state_dict(to_torch_state_dict(ours))
    x = np.random.default_rng(3).standard_normal((5, 4, 2, 2))
    for mode, (a, b) in _outputs(ours, theirs, x).items():
        np.testing.assert_allclose(a, b, rtol=TOL, atol=TOL, err_msg=mode)


def test_nn_linear_computes_torchs_linear_with_the_same_weight():
    fc = nn.Linear(7, 4, weight_init_std=1.0, rng=3)
    x = mg.tensor(np.random.default_rng(4).standard_normal((2, 3, 7)), requires_grad=True)
    y = fc(x)
    tw = torch.tensor(fc.weight.data, requires_grad=True)
    tb = torch.tensor(fc.bias.data, requires_grad=True)
    tx = torch.tensor(x.data, requires_grad=True)
    ty = torch.nn.functional.linear(tx, tw, tb)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-13, atol=1e-13)
    gy = np.random.default_rng(5).standard_normal(y.shape)
    y.backward(gy)
    ty.backward(torch.tensor(gy))
    for ours, theirs in ((x, tx), (fc.weight, tw), (fc.bias, tb)):
        np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_float32_dtypes_are_kept_both_ways():
    net = nn.Sequential(nn.Linear(3, 2, rng=0, dtype=np.float32))
    sd = to_torch_state_dict(net)
    assert sd["0.weight"].dtype == torch.float32
    back = from_torch_state_dict(sd)
    assert back["0.weight"].dtype == np.float32
    np.testing.assert_array_equal(back["0.weight"], net[0].weight.data)


def test_bfloat16_is_refused_naming_the_key():
    with pytest.raises(TypeError, match=r"'w' has torch dtype torch\.bfloat16"):
        from_torch_state_dict({"w": torch.zeros(2, dtype=torch.bfloat16)})


def test_minigrad_to_safetensors_to_torch_and_back(tmp_path):
    safetensors_torch = pytest.importorskip("safetensors.torch",
                                            reason="safetensors is the interop extra")
    ours = trained_ours(3)
    path = tmp_path / "cnn.safetensors"
    save_safetensors(ours, path)
    theirs = torch_cnn()
    theirs.load_state_dict(safetensors_torch.load_file(str(path)))
    x = np.random.default_rng(4).standard_normal((2, 2, 6, 6))
    for mode, (a, b) in _outputs(ours, theirs, x).items():
        np.testing.assert_allclose(a, b, rtol=TOL, atol=TOL, err_msg=mode)
    # and torch -> safetensors -> minigrad
    back = tmp_path / "torch.safetensors"
    safetensors_torch.save_file(theirs.state_dict(), str(back))
    again = ours_cnn(11)
    again.load_state_dict(load_safetensors(back))
    _assert_same_state(again, theirs)

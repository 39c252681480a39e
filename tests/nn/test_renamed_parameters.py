"""PyTorch's parameter names in minigrad.nn, and the deprecated W/b names that still work."""

import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn


def test_linear_uses_pytorchs_names_and_layout():
    fc = nn.Linear(3, 2, weight_init_std=1.0, rng=0)
    assert [(n, p.shape) for n, p in fc.named_parameters()] == [("weight", (2, 3)),
                                                                 ("bias", (2,))]
    x = np.random.default_rng(1).standard_normal((4, 3))
    np.testing.assert_allclose(fc(x).data, x @ fc.weight.data.T + fc.bias.data, rtol=1e-14)
    y = fc(x)
    y.sum().backward()
    np.testing.assert_allclose(fc.weight.grad.data, np.ones((4, 2)).T @ x, rtol=1e-14)
    np.testing.assert_allclose(fc.bias.grad.data, np.full(2, 4.0))


def test_state_dict_keys_are_pytorchs_for_every_layer():
    net = nn.Sequential(nn.Linear(4, 3, rng=0), nn.BatchNorm1d(3), nn.Conv2d(1, 2, 3, rng=1),
                        nn.ConvTranspose2d(2, 4, 3, rng=2))
    assert list(net.state_dict()) == [
        "0.weight", "0.bias", "1.weight", "1.bias", "2.weight", "2.bias", "3.weight", "3.bias",
        "1.running_mean", "1.running_var", "1.num_batches_tracked"]
    assert net[3].weight.shape == (2, 4, 3, 3)  # ConvTranspose2d: (in, out/groups, KH, KW)


def test_linear_W_reads_a_read_only_view_of_weight_T_with_a_warning():
    fc = nn.Linear(3, 2, rng=0)
    with pytest.warns(DeprecationWarning, match=r"Linear\.W is deprecated.*Linear\.weight"):
        w = fc.W
    assert w.shape == (3, 2) and not w.requires_grad
    np.testing.assert_array_equal(w.data, fc.weight.data.T)
    with mg.no_grad():
        fc.weight += 1.0
    np.testing.assert_array_equal(w.data, fc.weight.data.T)  # a view: always current
    with pytest.raises(ValueError, match="read-only"), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        fc.W -= 1.0  # an in-place update through W would bypass weight's version counter
    np.testing.assert_array_equal(w.data, fc.weight.data.T)


def test_linear_W_assignment_copies_into_weight():
    fc = nn.Linear(3, 2, rng=0)
    weight, version = fc.weight, fc.weight.version
    new = np.arange(6.0).reshape(3, 2)
    with pytest.warns(DeprecationWarning, match=r"Linear\.W is deprecated \(assigned\)"):
        fc.W = new
    assert fc.weight is weight and fc.weight.version == version + 1
    np.testing.assert_array_equal(fc.weight.data, new.T)
    assert [n for n, _ in fc.named_parameters()] == ["weight", "bias"]
    with pytest.warns(DeprecationWarning), pytest.raises(ValueError, match="shape"):
        fc.W = np.zeros((2, 3))


def test_b_and_conv_W_are_the_new_parameters():
    fc = nn.Linear(3, 2, rng=0)
    with pytest.warns(DeprecationWarning, match=r"Linear\.b is deprecated.*Linear\.bias"):
        assert fc.b is fc.bias
    for conv in (nn.Conv2d(2, 4, 3, rng=0), nn.ConvTranspose2d(2, 4, 3, rng=0)):
        name = type(conv).__name__
        with pytest.warns(DeprecationWarning, match=rf"{name}\.W is deprecated.*{name}\.weight"):
            assert conv.W is conv.weight
        with pytest.warns(DeprecationWarning, match=rf"{name}\.b is deprecated"):
            assert conv.b is conv.bias
        shared = nn.Parameter(np.ones_like(conv.weight.data))
        with pytest.warns(DeprecationWarning):
            conv.W = shared
        assert conv.weight is shared and dict(conv.named_parameters())["weight"] is shared
        assert "W" not in dict(conv.named_parameters())
    with pytest.warns(DeprecationWarning):
        assert nn.Linear(2, 2, bias=False).b is None


def _old_state_dict(net):
    """The state dict the same network saved before the rename (Linear's W was weight.T)."""
    old = {}
    for k, v in net.state_dict().items():
        layer, _, name = k.rpartition(".")
        module = dict(net.named_modules())[layer]
        if name in ("weight", "bias") and isinstance(module, (nn.Linear, nn.Conv2d)):
            transposed = isinstance(module, nn.Linear) and name == "weight"
            old[f"{layer}.{'W' if name == 'weight' else 'b'}"] = v.T.copy() if transposed else v
        else:
            old[k] = v
    return old


def test_old_checkpoints_with_W_and_b_keys_load_with_a_warning(tmp_path):
    def make(seed):
        return nn.Sequential(nn.Conv2d(1, 2, 3, rng=seed), nn.Flatten(),
                             nn.Linear(8, 3, rng=seed + 1), nn.BatchNorm1d(3))

    src, dst = make(0), make(10)
    with mg.no_grad():
        for p in src.parameters():
            p += 0.25
    old = _old_state_dict(src)
    assert "2.W" in old and old["2.W"].shape == (8, 3) and "0.W" in old
    path = tmp_path / "old.npz"
    np.savez(path, **old)
    with np.load(path) as npz, pytest.warns(
            DeprecationWarning, match=r"old parameter names.*'2\.W' -> '2\.weight' transposed"):
        dst.load_state_dict(npz)
    for k, v in src.state_dict().items():
        np.testing.assert_array_equal(dst.state_dict()[k], v)
    x = np.random.default_rng(3).standard_normal((2, 1, 4, 4))
    np.testing.assert_array_equal(dst.eval()(x).data, src.eval()(x).data)


def test_old_keys_with_wrong_shapes_are_refused_by_their_new_names():
    fc = nn.Sequential(nn.Linear(3, 2, rng=0))
    with pytest.warns(DeprecationWarning), pytest.raises(nn.StateDictError,
                                                         match=r"'0\.weight': shape \(3, 3\)"):
        fc.load_state_dict({"0.W": np.zeros((3, 3)), "0.b": np.zeros(2)})


def test_new_keys_win_over_old_ones_and_raise_nothing():
    fc = nn.Linear(3, 2, rng=0)
    sd = fc.state_dict()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        fc.load_state_dict(sd)
    with pytest.raises(nn.StateDictError, match="unexpected key 'W'"):
        fc.load_state_dict({**sd, "W": np.zeros((3, 2))})

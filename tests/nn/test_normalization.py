"""nn.BatchNorm1d/2d and nn.Dropout: modes, running statistics, gradcheck, state dicts."""

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn


def test_batchnorm1d_train_updates_running_stats_eval_uses_them(rng):
    bn = nn.BatchNorm1d(3)
    x = rng.standard_normal((6, 3))
    out = bn(x).data
    np.testing.assert_allclose(out.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(bn.running_mean, 0.1 * x.mean(0))
    np.testing.assert_allclose(bn.running_var, 0.9 + 0.1 * x.var(0, ddof=1))
    bn.eval()
    rm, rv = bn.running_mean.copy(), bn.running_var.copy()
    np.testing.assert_allclose(bn(x).data, (x - rm) / np.sqrt(rv + 1e-5))
    np.testing.assert_array_equal(bn.running_mean, rm)


def test_batchnorm2d_is_per_channel(rng):
    bn = nn.BatchNorm2d(2)
    x = rng.standard_normal((3, 2, 4, 4)) * 5 + 2
    out = bn(x).data
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=(0, 2, 3)), 1, rtol=1e-5)
    assert [n for n, _ in bn.named_parameters()] == ["weight", "bias"]


def test_batchnorm_bad_input():
    with pytest.raises(ValueError, match="input has 3 channels"):
        nn.BatchNorm1d(2)(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="4-D input"):
        nn.BatchNorm2d(2)(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="more than one value per channel"):
        nn.BatchNorm1d(2)(np.zeros((1, 2)))


@pytest.mark.parametrize("shape", [(2, 3), (4, 3), (3, 3, 2)])
def test_gradcheck_batchnorm1d(shape, rng):
    bn = nn.BatchNorm1d(3)
    bn.weight.data[...] = rng.standard_normal(3)
    bn.bias.data[...] = rng.standard_normal(3)
    x = mg.tensor(rng.standard_normal(shape), requires_grad=True)
    mg.gradcheck(lambda a, w, b: bn(a), [x, bn.weight, bn.bias])


def test_gradcheck_batchnorm2d_and_eval(rng):
    bn = nn.BatchNorm2d(2)
    x = mg.tensor(rng.standard_normal((2, 2, 2, 3)), requires_grad=True)
    mg.gradcheck(lambda a, w, b: bn(a), [x, bn.weight, bn.bias])
    bn.eval()
    mg.gradcheck(lambda a, w, b: bn(a), [x, bn.weight, bn.bias])


def test_batchnorm_state_dict_has_running_stats(rng):
    net = nn.Sequential(nn.Linear(3, 4, rng=0), nn.BatchNorm1d(4))
    net(rng.standard_normal((5, 3)))
    sd = net.state_dict()
    assert {"1.running_mean", "1.running_var", "1.weight", "1.bias"} <= set(sd)
    other = nn.Sequential(nn.Linear(3, 4, rng=1), nn.BatchNorm1d(4))
    other.load_state_dict(sd)
    np.testing.assert_array_equal(other[1].running_var, net[1].running_var)
    with pytest.raises(nn.StateDictError, match="running_mean"):
        other.load_state_dict({**sd, "1.running_mean": np.zeros(5)})


def test_dropout_inverted_and_identity_in_eval(rng):
    d = nn.Dropout(0.25, rng=0)
    x = np.ones((50, 40))
    out = d(x).data
    kept = out != 0
    np.testing.assert_array_equal(kept, d.mask)
    np.testing.assert_allclose(out[kept], 1 / 0.75)
    assert abs(kept.mean() - 0.75) < 0.03
    d.eval()
    assert np.array_equal(d(x).data, x)
    assert not nn.Dropout(1.0)(x).data.any()
    with pytest.raises(ValueError, match="probability"):
        nn.Dropout(1.5)


def test_dropout_gradient_is_the_scaled_mask(rng):
    d = nn.Dropout(0.5, rng=1)
    x = mg.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    d(x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, d.mask * 2.0)


def test_module_train_eval_switches_children():
    net = nn.Sequential(nn.Linear(2, 2, rng=0), nn.BatchNorm1d(2), nn.Dropout(0.5))
    net.eval()
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_gradcheck_dropout_with_a_fixed_mask(rng):
    x = mg.tensor(rng.standard_normal((3, 5)), requires_grad=True)
    mg.gradcheck(lambda a: nn.Dropout(0.3, rng=4)(a), [x])  # a fresh generator: the same mask


# -- momentum=None: the cumulative average; num_batches_tracked ----------------------------------

@pytest.mark.parametrize("cls", [nn.BatchNorm1d, nn.BatchNorm2d])
def test_batchnorm_momentum_none_is_the_cumulative_average(cls, rng):
    bn = cls(2, momentum=None)
    shape = (4, 2) if cls is nn.BatchNorm1d else (3, 2, 2, 2)
    batches = [rng.standard_normal(shape) * (k + 1) + k for k in range(4)]
    axes = (0,) if cls is nn.BatchNorm1d else (0, 2, 3)
    n = np.prod([shape[a] for a in axes])
    for k, x in enumerate(batches, 1):
        bn(x)
        assert int(bn.num_batches_tracked) == k
        seen = batches[:k]  # the plain mean of the statistics (mean from 0, variance from 1)
        np.testing.assert_allclose(bn.running_mean, np.mean([b.mean(axes) for b in seen], 0),
                                   rtol=1e-13)
        np.testing.assert_allclose(bn.running_var,
                                   np.mean([b.var(axes) * n / (n - 1) for b in seen], 0),
                                   rtol=1e-13)
    bn.eval()
    bn(batches[0])  # evaluation counts nothing
    assert int(bn.num_batches_tracked) == 4 and bn.momentum is None
    assert "momentum=None" in repr(bn)


@pytest.mark.parametrize("cls", [nn.BatchNorm1d, nn.BatchNorm2d])
@pytest.mark.parametrize(("momentum", "error"), [
    (-0.1, ValueError), (1.5, ValueError), (float("nan"), ValueError), ("0.1", TypeError),
    ("cumulative", TypeError), (True, TypeError), ([0.1], TypeError),
])
def test_batchnorm_bad_momentum_names_the_layer_and_momentum(cls, momentum, error):
    with pytest.raises(error, match=rf"{cls.__name__}: momentum must be"):
        cls(3, momentum=momentum)


def test_batchnorm_state_dict_has_num_batches_tracked_and_older_ones_still_load(rng):
    net = nn.Sequential(nn.Linear(3, 4, rng=0), nn.BatchNorm1d(4, momentum=None))
    for _ in range(3):
        net(rng.standard_normal((5, 3)))
    sd = net.state_dict()
    assert sd["1.num_batches_tracked"].dtype == np.int64 and int(sd["1.num_batches_tracked"]) == 3
    other = nn.Sequential(nn.Linear(3, 4, rng=1), nn.BatchNorm1d(4, momentum=None))
    other.load_state_dict(sd)
    assert int(other[1].num_batches_tracked) == 3
    x = rng.standard_normal((5, 3))  # the next batch weighs 1/4 in both
    np.testing.assert_array_equal(other(x).data, net(x).data)
    np.testing.assert_array_equal(other[1].running_mean, net[1].running_mean)
    # a state dict saved before the count existed: loads, the count is left as it is
    older = {k: v for k, v in sd.items() if not k.endswith("num_batches_tracked")}
    other.load_state_dict(older)
    assert int(other[1].num_batches_tracked) == 4
    np.testing.assert_array_equal(other[1].running_mean, sd["1.running_mean"])
    with pytest.raises(nn.StateDictError, match="num_batches_tracked"):
        other.load_state_dict({**sd, "1.num_batches_tracked": np.array(2.0)})
    untracked = nn.BatchNorm1d(4, momentum=None, track_running_stats=False)
    assert "num_batches_tracked" not in untracked.state_dict()
    untracked(rng.standard_normal((5, 4)))  # batch statistics only; nothing to count

"""minigrad.nn.Module and Parameter: registration, names, scopes, state dicts."""

import gc
import weakref

import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F
from minigrad import nn
from minigrad.autograd import scope_stack


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 3, rng=0)
        self.act = nn.Sigmoid()
        self.fc2 = nn.Linear(3, 2, rng=1)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


def graph_functions(y):
    out, stack, seen = [], [y.creator], set()
    while stack:
        f = stack.pop()
        if f is None or f in seen:
            continue
        seen.add(f)
        out.append(f)
        stack.extend(x.creator for x in f.inputs or ())
    return out


def test_parameter_is_a_tensor_that_requires_grad():
    p = nn.Parameter(np.arange(6.0).reshape(2, 3))
    assert isinstance(p, mg.Tensor) and isinstance(p, nn.Parameter)
    assert p.requires_grad and p.is_leaf and p.grad is None
    y = (p * p).sum()
    assert type(y) is mg.Tensor
    y.backward()
    np.testing.assert_array_equal(p.grad.data, 2 * p.data)
    with pytest.raises(TypeError, match="floating-point"):
        nn.Parameter(np.arange(3))
    assert not hasattr(p, "__dict__")


def test_parameter_works_in_every_operand_position():
    w = nn.Parameter(np.array([[1.0, 2.0], [3.0, 4.0]]))
    x = np.array([[1.0, 1.0]])
    for y in (x @ w, w @ x.T, w + 1, 1 - w, 2 * w, w / 2, F.linear(x, w, nn.Parameter(np.ones(2))),
              w[0], w.T, F.sigmoid(w)):
        assert y.requires_grad
        y.sum().backward()
    assert w.grad is not None
    # Python scalars take a float32 parameter's dtype, as with a plain Tensor
    p32 = nn.Parameter(np.ones(2, dtype=np.float32))
    assert (p32 * 2.0).dtype == np.float32 and (1.0 - p32).dtype == np.float32


def test_named_parameters_and_param_names():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert [p.name for p in net.parameters()] == names
    assert net.fc1.weight is dict(net.named_parameters())["fc1.weight"]
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "act", "fc2"]
    assert [n for n, _ in net.named_children()] == ["fc1", "act", "fc2"]
    assert net.num_parameters() == 4 * 3 + 3 + 3 * 2 + 2


def test_names_follow_when_a_module_is_nested_later():
    class Outer(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = Net()
            self.head = nn.Linear(2, 2, rng=2)

        def forward(self, x):
            return self.head(self.body(x))

    m = Outer()
    assert [p.name for p in m.parameters()] == [
        "body.fc1.weight", "body.fc1.bias", "body.fc2.weight", "body.fc2.bias", "head.weight",
        "head.bias"]
    y = m(np.ones((1, 4)))
    scopes = {f.name + "@" + str(f.scope) for f in graph_functions(y)}
    assert scopes == {"Linear@head", "Linear@body.fc2", "Sigmoid@body.act", "Linear@body.fc1"}


def test_user_given_parameter_names_are_kept():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(np.zeros(2), name="my weight")
            self.v = nn.Parameter(np.zeros(2))

    m = M()
    assert m.w.name == "my weight" and m.v.name == "v"
    assert [n for n, _ in m.named_parameters()] == ["w", "v"]


def test_forward_ops_are_tagged_with_module_scope():
    net = Net()
    y = net(np.ones((2, 4)))
    fs = graph_functions(y)
    assert [(f.name, f.scope) for f in fs] == [
        ("Linear", "fc2"), ("Sigmoid", "act"), ("Linear", "fc1")]
    assert scope_stack == []
    # ops of the top module's own forward carry its class name
    class Top(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 2, rng=0)

        def forward(self, x):
            return F.relu(self.fc(x))

    z = Top()(np.ones((1, 4)))
    assert z.creator.scope == "Top" and z.creator.inputs[0].creator.scope == "fc"
    # ops outside any module are untagged
    assert F.softmax_cross_entropy(y, np.array([0, 1])).creator.scope is None


def test_scope_stack_is_restored_when_forward_raises():
    net = Net()
    with pytest.raises(ValueError, match="Linear"):
        net(np.ones((2, 5)))
    assert scope_stack == []


def test_zero_grad_train_eval_and_repr():
    net = Net()
    F.softmax_cross_entropy(net(np.ones((2, 4))), np.array([0, 1])).backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    assert net.training and net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    assert repr(net) == (
        "Net(\n  (fc1): Linear(in_features=4, out_features=3)\n  (act): Sigmoid()\n"
        "  (fc2): Linear(in_features=3, out_features=2)\n)")


def test_reassigning_and_deleting_attributes_updates_registries():
    net = Net()
    net.fc2 = nn.Linear(3, 5, rng=0)
    assert dict(net.named_parameters())["fc2.weight"].shape == (5, 3)
    del net.act
    assert [n for n, _ in net.named_children()] == ["fc1", "fc2"]
    net.fc1 = None
    assert [n for n, _ in net.named_parameters()] == ["fc2.weight", "fc2.bias"]


def test_setattr_before_init_is_a_clear_error():
    class Bad(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(np.zeros(1))

    with pytest.raises(AttributeError, match="super"):
        Bad()


def test_shared_parameter_is_listed_once():
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(2, 2, rng=0)
            self.b = nn.Linear(2, 2, rng=1)
            self.b.weight = self.a.weight

    m = Tied()
    assert [n for n, _ in m.named_parameters()] == ["a.weight", "a.bias", "b.bias"]


def test_state_dict_is_a_copy():
    net = Net()
    sd = net.state_dict()
    assert list(sd) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert all(type(v) is np.ndarray for v in sd.values())
    before = sd["fc1.weight"].copy()
    with mg.no_grad():
        net.fc1.weight -= 1.0
    np.testing.assert_array_equal(sd["fc1.weight"], before)


def test_load_state_dict_round_trip_and_npz(tmp_path):
    a, b = Net(), Net()
    with mg.no_grad():
        for p in a.parameters():
            p += 0.5
    version = b.fc1.weight.version
    b.load_state_dict(a.state_dict())
    for (n1, p1), (n2, p2) in zip(a.named_parameters(), b.named_parameters()):
        assert n1 == n2
        np.testing.assert_array_equal(p1.data, p2.data)
        assert p1 is not p2
    assert b.fc1.weight.version == version + 1
    path = tmp_path / "w.npz"
    np.savez(path, **a.state_dict())
    c = Net()
    with np.load(path) as npz:
        c.load_state_dict(npz)
    np.testing.assert_array_equal(c.fc2.weight.data, a.fc2.weight.data)
    # tensors work as values too
    c.load_state_dict({k: mg.tensor(v) for k, v in Net().state_dict().items()})
    np.testing.assert_array_equal(c.fc2.weight.data, Net().fc2.weight.data)


def test_load_state_dict_reports_all_problems_and_changes_nothing():
    net = Net()
    before = net.state_dict()
    bad = net.state_dict()
    del bad["fc1.bias"]
    bad["fc3.weight"] = np.zeros(2)
    bad["fc2.weight"] = np.zeros((3, 2))
    bad["fc2.bias"] = np.zeros(2, dtype=np.float32)
    bad["fc1.weight"] = bad["fc1.weight"] + 1
    with pytest.raises(nn.StateDictError) as info:
        net.load_state_dict(bad)
    msg = str(info.value)
    for needle in ("missing key 'fc1.bias'", "unexpected key 'fc3.weight'",
                   "'fc2.weight': shape (3, 2) in the state dict, (2, 3) in the module",
                   "'fc2.bias': dtype float32 in the state dict, float64 in the module",
                   "4 problems", "nothing was loaded"):
        assert needle in msg
    assert len(info.value.problems) == 4
    for k, v in net.state_dict().items():
        np.testing.assert_array_equal(v, before[k])


def test_load_state_dict_non_strict_ignores_missing_and_unexpected_only():
    net = Net()
    new = {"fc1.weight": np.full((3, 4), 2.0), "extra": np.zeros(1)}
    net.load_state_dict(new, strict=False)
    np.testing.assert_array_equal(net.fc1.weight.data, 2.0)
    with pytest.raises(nn.StateDictError, match="shape"):
        net.load_state_dict({"fc1.weight": np.zeros(3)}, strict=False)
    with pytest.raises(TypeError, match="mapping"):
        net.load_state_dict([1, 2])


def test_loading_releases_graphs_that_saved_the_old_values():
    net = Net()
    loss = F.softmax_cross_entropy(net(np.ones((2, 4))), np.array([0, 1]))
    net.load_state_dict(Net().state_dict())
    with pytest.raises(RuntimeError, match="modified by an in-place copy"):
        loss.backward()


def test_assign_checks_shape():
    p = nn.Parameter(np.zeros((2, 2)))
    nn.assign_(p, np.ones((2, 2)))
    np.testing.assert_array_equal(p.data, 1.0)
    with pytest.raises(ValueError, match=r"shape \(2,\) does not match"):
        nn.assign_(p, np.ones(2))


def test_graph_is_freed_after_in_place_update_of_module_parameters():
    net = Net()
    losses, refs = [], []
    for _ in range(5):
        loss = F.softmax_cross_entropy(net(np.ones((2, 4))), np.array([0, 1]))
        sig = loss.creator.inputs[0].creator.inputs[0].creator
        refs.append(weakref.ref(sig.inputs[0]))  # the hidden pre-activation Sigmoid saved
        losses.append(loss)
        with mg.no_grad():
            for p in net.parameters():
                p -= 0.1
    gc.collect()
    # the saved tensors are freed (the released op keeps only its edges)
    assert all(r() is None for r in refs)
    fc2 = losses[0].creator.edges[0].function
    assert fc2.name == "Linear" and fc2.inputs is None and fc2.edges[0].function is None


def test_buffers_are_state_but_not_parameters():
    class WithBuffer(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(np.zeros(2))
            self.register_buffer("stat", np.arange(3.0))
            self.register_buffer("later", None)

    m = WithBuffer()
    assert [n for n, _ in m.named_parameters()] == ["w"]
    assert sorted(m.state_dict()) == ["stat", "w"]
    m.stat = np.full(3, 7.0)  # assignment updates the buffer
    other = WithBuffer()
    other.load_state_dict({**m.state_dict(), "later": np.ones(2)})
    np.testing.assert_array_equal(other.stat, 7.0)
    np.testing.assert_array_equal(other.later, 1.0)  # an unset buffer takes the saved array
    with pytest.raises(TypeError, match="ndarray or None"):
        m.stat = [1, 2]
    with pytest.raises(nn.StateDictError, match="'stat': shape"):
        other.load_state_dict({"w": np.zeros(2), "stat": np.zeros(4), "later": np.ones(2)})

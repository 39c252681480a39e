"""The book's optimizers: exact rules, the item 6.7 path table, first steps, bad input."""

import numpy as np
import pytest

import minigrad as mg
from minigrad.book.optimizer import (
    BOOK_OPTIMIZERS,
    SGD,
    AdaGrad,
    Adam,
    Momentum,
    Nesterov,
    RMSprop,
)


def path(opt, n=30):
    """Item 6.7: record the point, take the gradient of x**2/20 + y**2 there, update."""
    params = {"x": np.array(-7.0), "y": np.array(2.0)}
    points = []
    for _ in range(n):
        points.append((float(params["x"]), float(params["y"])))
        opt.update(params, {"x": params["x"] / 10.0, "y": 2.0 * params["y"]})
    points.append((float(params["x"]), float(params["y"])))
    return points


# 2nd point, 3rd point, 30th point, after 30 updates (item 6.7's table)
TABLE = {
    "SGD": (SGD(lr=0.95), [(-6.335, -1.8), (-5.7332, 1.62), (-0.3872, -0.0942),
                           (-0.3504, 0.0848)]),
    "Momentum": (Momentum(lr=0.1), [(-6.93, 1.6), (-6.7977, 0.92), (0.8141, 0.2729),
                                    (0.8964, 0.0881)]),
    "AdaGrad": (AdaGrad(lr=1.5), [(-5.5, 0.5), (-4.5733, 0.1362), (-0.1362, 0.0),
                                  (-0.1202, 0.0)]),
    "Adam": (Adam(lr=0.3), [(-6.7, 1.7), (-6.4004, 1.4022), (0.0201, 0.322),
                            (0.136, 0.3182)]),
}


@pytest.mark.parametrize("name", list(TABLE))
def test_path_table_of_item_6_7(name):
    opt, expected = TABLE[name]
    pts = path(opt)
    got = [pts[1], pts[2], pts[29], pts[30]]
    for g, e in zip(got, expected):
        assert np.round(g, 4).tolist() == pytest.approx(list(e), abs=1e-9)


def test_nesterov_30th_point_japanese_order():
    assert np.round(path(Nesterov(lr=0.1))[29], 4).tolist() == [0.6193, 0.0074]


def test_defaults_are_the_books():
    assert SGD().lr == 0.01
    assert (Momentum().lr, Momentum().momentum) == (0.01, 0.9)
    assert (Nesterov().lr, Nesterov().momentum) == (0.01, 0.9)
    assert AdaGrad().lr == 0.01
    assert (RMSprop().lr, RMSprop().decay_rate) == (0.01, 0.99)
    assert (Adam().lr, Adam().beta1, Adam().beta2) == (0.001, 0.9, 0.999)
    assert sorted(BOOK_OPTIMIZERS) == ["adagrad", "adam", "momentum", "nesterov", "rmsprop",
                                       "sgd"]


def reference_step(name, w, g, state, lr, t):
    """The book's formulas written out once more, for arrays."""
    if name == "rmsprop":
        state["h"] = 0.99 * state.get("h", 0) + 0.01 * g * g
        return w - lr * g / (np.sqrt(state["h"]) + 1e-7)
    if name == "adam":
        state["m"] = state.get("m", 0) + 0.1 * (g - state.get("m", 0))
        state["v"] = state.get("v", 0) + 0.001 * (g ** 2 - state.get("v", 0))
        lr_t = lr * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        return w - lr_t * state["m"] / (np.sqrt(state["v"]) + 1e-7)
    raise AssertionError(name)


@pytest.mark.parametrize("name", ["rmsprop", "adam"])
def test_rules_on_random_arrays(name, rng):
    w = rng.standard_normal((3, 4))
    params = {"W": w.copy()}
    opt = BOOK_OPTIMIZERS[name](lr=0.05)
    state: dict = {}
    for t in range(1, 6):
        g = rng.standard_normal((3, 4))
        opt.update(params, {"W": g})
        w = reference_step(name, w, g, state, 0.05, t)
        np.testing.assert_allclose(params["W"], w, rtol=1e-12, atol=1e-15)


def test_updates_tensors_in_place_and_bumps_version():
    p = mg.nn.Parameter(np.array([1.0, 2.0]))
    before = p.version
    data = p.data
    SGD(lr=0.5).update({"p": p}, {"p": np.array([2.0, 2.0])})
    assert p.data is data
    np.testing.assert_array_equal(p.data, [0.0, 1.0])
    assert p.version > before


def test_bad_input_is_named():
    with pytest.raises(KeyError, match="grads has no entry"):
        SGD().update({"W": np.zeros(2)}, {})
    with pytest.raises(ValueError, match=r"params\['W'\] has shape \(2,\)"):
        SGD().update({"W": np.zeros(2)}, {"W": np.zeros(3)})
    with pytest.raises(TypeError, match="ndarray or a Tensor"):
        SGD().update({"W": [1.0, 2.0]}, {"W": np.zeros(2)})

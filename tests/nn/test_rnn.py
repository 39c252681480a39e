"""Recurrent layers and their cells: shapes, initialisation, gradients, dropout, bad input.

The comparison with PyTorch (values, states and every gradient) is in
tests/differential/test_torch_rnn.py; here nothing needs PyTorch.
"""

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn

LAYERS = {
    "RNN_TANH": lambda **kw: nn.RNN(2, 3, nonlinearity="tanh", **kw),
    "RNN_RELU": lambda **kw: nn.RNN(2, 3, nonlinearity="relu", **kw),
    "LSTM": lambda **kw: nn.LSTM(2, 3, **kw),
    "GRU": lambda **kw: nn.GRU(2, 3, **kw),
}


def _states(mode, shape, rng):
    h = mg.tensor(rng.standard_normal(shape), requires_grad=True)
    if mode == "LSTM":
        return [h, mg.tensor(rng.standard_normal(shape), requires_grad=True)]
    return [h]


def _outputs(mode, result):
    out, hn = result
    return [out, *hn] if mode == "LSTM" else [out, hn]


@pytest.mark.parametrize("mode", list(LAYERS))
@pytest.mark.parametrize("batch_first", [False, True])
def test_gradcheck_every_input_state_and_parameter(mode, batch_first):
    rng = np.random.default_rng(0)
    m = LAYERS[mode](num_layers=2, bidirectional=True, batch_first=batch_first, rng=1)
    shape = (2, 3, 2) if batch_first else (3, 2, 2)  # batch 2, 3 steps
    x = mg.tensor(rng.standard_normal(shape), requires_grad=True)
    states = _states(mode, (4, 2, 3), rng)

    def run(x, *rest):
        hx = tuple(rest[:2]) if mode == "LSTM" else rest[0]
        return _outputs(mode, m(x, hx))

    assert mg.gradcheck(run, [x, *states, *m.parameters()])


@pytest.mark.parametrize("mode", ["LSTM", "GRU"])
def test_gradgradcheck_small(mode):
    rng = np.random.default_rng(2)
    m = LAYERS[mode](rng=3)
    x = mg.tensor(rng.standard_normal((2, 1, 2)), requires_grad=True)
    assert mg.gradgradcheck(lambda x, *ps: m(x)[0], [x, *m.parameters()])


@pytest.mark.parametrize(("cls", "gates"), [(nn.RNNCell, 1), (nn.LSTMCell, 4), (nn.GRUCell, 3)])
def test_cells_gradcheck_and_shapes(cls, gates):
    rng = np.random.default_rng(0)
    cell = cls(2, 3, rng=0)
    assert [(n, p.shape) for n, p in cell.named_parameters()] == [
        ("weight_ih", (3 * gates, 2)), ("weight_hh", (3 * gates, 3)),
        ("bias_ih", (3 * gates,)), ("bias_hh", (3 * gates,))]
    x = mg.tensor(rng.standard_normal((4, 2)), requires_grad=True)
    states = [mg.tensor(rng.standard_normal((4, 3)), requires_grad=True)
              for _ in range(2 if gates == 4 else 1)]

    def run(x, *rest):
        out = cell(x, tuple(rest[:2]) if gates == 4 else rest[0])
        return list(out) if gates == 4 else out

    assert mg.gradcheck(run, [x, *states, *cell.parameters()])
    one = cell(np.ones(2))
    assert (one[0].shape if gates == 4 else one.shape) == (3,)


@pytest.mark.parametrize("mode", list(LAYERS))
def test_shapes_of_outputs_and_states(mode):
    m = LAYERS[mode](num_layers=3, bidirectional=True, batch_first=True, rng=0)
    out, hn = m(np.ones((5, 7, 2)))  # batch 5, 7 steps
    assert out.shape == (5, 7, 6)
    for h in (hn if mode == "LSTM" else (hn,)):
        assert h.shape == (6, 5, 3)  # the states are never batch-first
    out, hn = m(np.ones((7, 2)))  # unbatched
    assert out.shape == (7, 6)
    for h in (hn if mode == "LSTM" else (hn,)):
        assert h.shape == (6, 3)


def test_parameter_names_shapes_and_order_are_pytorchs():
    m = nn.GRU(5, 4, num_layers=2, bidirectional=True, rng=0)
    names = [(n, p.shape) for n, p in m.named_parameters()]
    expected = []
    for layer, size in [(0, 5), (1, 8)]:
        for sfx in ("", "_reverse"):
            expected += [(f"weight_ih_l{layer}{sfx}", (12, size)),
                         (f"weight_hh_l{layer}{sfx}", (12, 4)),
                         (f"bias_ih_l{layer}{sfx}", (12,)), (f"bias_hh_l{layer}{sfx}", (12,))]
    assert names == expected
    assert [p.shape for p in m.all_weights[3]] == [(12, 8), (12, 4), (12,), (12,)]
    assert [n for n, _ in nn.LSTM(5, 4, bias=False, rng=0).named_parameters()] == [
        "weight_ih_l0", "weight_hh_l0"]


def test_initialisation_is_uniform_in_parameter_order_from_the_rng():
    m = nn.LSTM(3, 4, num_layers=2, rng=np.random.default_rng(7))
    gen = np.random.default_rng(7)
    k = 1 / math.sqrt(4)
    for name, p in m.named_parameters():
        np.testing.assert_array_equal(p.data, gen.uniform(-k, k, p.shape), err_msg=name)
    # None: NumPy's global state, so np.random.seed reproduces it (as the book's layers)
    np.random.seed(3)
    a = nn.GRUCell(3, 4)
    np.random.seed(3)
    b = nn.GRUCell(3, 4)
    np.testing.assert_array_equal(a.weight_hh.data, b.weight_hh.data)
    assert np.all(np.abs(a.weight_hh.data) <= k) and a.weight_hh.data.std() > 0.2


def test_float32_parameters_give_float32_outputs():
    m = nn.LSTM(2, 3, rng=0, dtype=np.float32)
    assert all(p.dtype == np.float32 for p in m.parameters())
    out, (h, c) = m(np.ones((4, 1, 2), dtype=np.float32))
    assert out.dtype == h.dtype == c.dtype == np.float32
    out, _ = m(np.ones((4, 1, 2), dtype=np.int64))  # integer input takes the parameters' dtype
    assert out.dtype == np.float32


def test_dropout_between_layers_only_in_training():
    x = np.random.default_rng(0).standard_normal((5, 2, 2))
    m = nn.RNN(2, 3, num_layers=2, dropout=1.0, rng=0)
    top = nn.RNN(3, 3, rng=1)  # the second layer on its own
    top.load_state_dict({k.replace("_l1", "_l0"): v for k, v in m.state_dict().items()
                         if "_l1" in k})
    # training: everything the first layer gives is dropped, the last layer is not
    out, hn = m(x)
    expected, _ = top(np.zeros((5, 2, 3)))
    np.testing.assert_allclose(out.data, expected.data, rtol=1e-12)
    assert np.all(out.data != 0)
    # evaluation: no dropout, the same as a model without it
    m.eval()
    plain = nn.RNN(2, 3, num_layers=2, rng=0)
    np.testing.assert_array_equal(m(x)[0].data, plain(x)[0].data)
    m.train()
    half = nn.LSTM(2, 3, num_layers=2, dropout=0.5, rng=0)
    a, b = half(x)[0].data, half(x)[0].data
    assert not np.array_equal(a, b)  # a fresh mask each call


def test_dropout_with_one_layer_warns():
    with pytest.warns(UserWarning, match="num_layers=1 does nothing"):
        nn.GRU(2, 3, dropout=0.2, rng=0)


def test_initial_state_is_used_and_final_state_continues_the_sequence():
    rng = np.random.default_rng(0)
    m = nn.LSTM(2, 3, rng=0)
    x = rng.standard_normal((6, 1, 2))
    full, (h, c) = m(x)
    first, state = m(x[:4])
    rest, (h2, c2) = m(x[4:], state)
    np.testing.assert_allclose(np.concatenate([first.data, rest.data]), full.data, rtol=1e-12)
    np.testing.assert_allclose(h2.data, h.data, rtol=1e-12)
    np.testing.assert_allclose(c2.data, c.data, rtol=1e-12)


@pytest.mark.parametrize(("call", "error", "words"), [
    (lambda: nn.LSTM(2, 3, rng=0)(np.ones((2, 3, 4, 2))), ValueError,
     r"LSTM: expected a 3-D \(batched\) or 2-D \(unbatched\) input, got shape \(2, 3, 4, 2\)"),
    (lambda: nn.GRU(2, 3, rng=0)(np.ones((4, 1, 5))), ValueError,
     r"GRU: expected input with input_size=2 features in its last axis, got shape \(4, 1, 5\)"),
    (lambda: nn.RNN(2, 3, num_layers=2, rng=0)(np.ones((4, 5, 2)), np.zeros((1, 5, 3))),
     ValueError, r"RNN: expected h0 of shape \(2, 5, 3\) \(num_layers \* num_directions, "
                 r"batch, hidden_size\), got \(1, 5, 3\)"),
    (lambda: nn.LSTM(2, 3, rng=0)(np.ones((4, 5, 2)), (np.zeros((1, 5, 3)), np.zeros((1, 3)))),
     ValueError, r"LSTM: expected c0 of shape \(1, 5, 3\)"),
    (lambda: nn.LSTM(2, 3, rng=0)(np.ones((4, 5, 2)), np.zeros((1, 5, 3))), TypeError,
     r"LSTM: hx must be a pair \(h0, c0\)"),
    (lambda: nn.GRU(2, 3, rng=0)(np.ones((4, 2)), np.zeros((1, 5, 3))), ValueError,
     r"GRU: expected h0 of shape \(1, 3\)"),
    (lambda: nn.RNN(2, 3, rng=0)(np.ones((0, 5, 2))), ValueError, "no steps"),
    (lambda: nn.RNN(2, 3, nonlinearity="sigmoid"), ValueError, "unknown nonlinearity"),
    (lambda: nn.GRU(2, 3, dropout=1.5), ValueError, r"dropout must be a probability"),
    (lambda: nn.LSTM(0, 3), ValueError, "LSTM: input_size must be a positive integer"),
    (lambda: nn.LSTM(2, 3, proj_size=2), NotImplementedError, "proj_size"),
    (lambda: nn.LSTMCell(2, 3, rng=0)(np.ones((4, 3))), ValueError,
     r"LSTMCell: expected input of shape \(batch, 2\) or \(2,\), got \(4, 3\)"),
    (lambda: nn.GRUCell(2, 3, rng=0)(np.ones((4, 2)), np.ones((5, 3))), ValueError,
     r"GRUCell: expected hx of shape \(4, 3\) \(batch, hidden_size\), got \(5, 3\)"),
    (lambda: nn.LSTMCell(2, 3, rng=0)(np.ones(2), np.ones(3)), TypeError,
     r"LSTMCell: hx must be a pair \(h, c\)"),
])
def test_bad_input_names_the_module_and_the_shapes(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_repr_shows_pytorchs_settings():
    assert repr(nn.LSTM(4, 5, 2, batch_first=True, bidirectional=True, rng=0)) == \
        "LSTM(4, 5, num_layers=2, batch_first=True, bidirectional=True)"
    assert repr(nn.RNNCell(4, 5, nonlinearity="relu", rng=0)) == \
        "RNNCell(4, 5, nonlinearity='relu')"

"""Recurrent layers, Embedding, LayerNorm and gradient clipping against torch.nn in float64.

Each minigrad module's state dict is loaded into the PyTorch module (and back),
then outputs, final states and the gradients of the input, the initial states
and every parameter are compared to 1e-9.
"""

import itertools

import numpy as np
import pytest

torch = pytest.importorskip(
    "torch", reason="the differential tests compare against PyTorch: pip install minigrad[torch]"
)

import minigrad as mg  # noqa: E402
import minigrad.functional as F  # noqa: E402
import minigrad.nn as nn  # noqa: E402
from minigrad.nn import utils as nn_utils  # noqa: E402

from .helpers import compare  # noqa: E402

RTOL, ATOL = 1e-9, 1e-12

# (minigrad constructor, torch constructor, keyword arguments both take)
MODES = {
    "RNN_TANH": (nn.RNN, torch.nn.RNN, {"nonlinearity": "tanh"}),
    "RNN_RELU": (nn.RNN, torch.nn.RNN, {"nonlinearity": "relu"}),
    "LSTM": (nn.LSTM, torch.nn.LSTM, {}),
    "GRU": (nn.GRU, torch.nn.GRU, {}),
}
IN, HID, BATCH = 3, 4, 2


def _close(actual, expected, what):
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected), rtol=RTOL, atol=ATOL,
                               err_msg=what)


def _to_torch(sd):
    return {k: torch.tensor(v) for k, v in sd.items()}


def _pair(mode, layers=1, bidirectional=False, batch_first=False, bias=True, seed=0):
    ours_cls, theirs_cls, kw = MODES[mode]
    ours = ours_cls(IN, HID, num_layers=layers, bias=bias, batch_first=batch_first,
                    bidirectional=bidirectional, rng=seed, **kw)
    theirs = theirs_cls(IN, HID, num_layers=layers, bias=bias, batch_first=batch_first,
                        bidirectional=bidirectional, **kw).double()
    theirs.load_state_dict(_to_torch(ours.state_dict()), strict=True)
    return ours, theirs


def _run_both(ours, theirs, mode, xa, h0a, c0a, seed):
    """Forward both, backward a random upstream gradient, compare everything."""
    rng = np.random.default_rng(seed)
    lstm = mode == "LSTM"
    x, tx = mg.tensor(xa, requires_grad=True), torch.tensor(xa, requires_grad=True)
    states, tstates = [], []
    for a in (h0a, c0a):
        if a is not None:
            states.append(mg.tensor(a, requires_grad=True))
            tstates.append(torch.tensor(a, requires_grad=True))
    if not states:
        hx = thx = None
    elif lstm:
        hx, thx = tuple(states), tuple(tstates)
    else:
        hx, thx = states[0], tstates[0]
    out, hn = ours(x, hx)
    tout, thn = theirs(tx, thx)
    finals = list(hn) if lstm else [hn]
    tfinals = list(thn) if lstm else [thn]
    _close(out.data, tout.detach().numpy(), f"{mode}: output")
    for i, (f, tf) in enumerate(zip(finals, tfinals)):
        assert f.shape == tuple(tf.shape)
        _close(f.data, tf.detach().numpy(), f"{mode}: final state {i}")
    gys = [rng.standard_normal(t.shape) for t in [out, *finals]]
    loss = sum((t * g).sum() for t, g in zip([out, *finals], gys))
    tloss = sum((t * torch.tensor(g)).sum() for t, g in zip([tout, *tfinals], gys))
    names = [n for n, _ in ours.named_parameters()]
    inputs = [x, *states, *ours.parameters()]
    tparams = dict(theirs.named_parameters())
    tinputs = [tx, *tstates, *(tparams[n] for n in names)]
    grads = mg.grad(loss, inputs)
    tgrads = torch.autograd.grad(tloss, tinputs)
    labels = ["input"] + [f"state {i}" for i in range(len(states))] + names
    for g, tg, what in zip(grads, tgrads, labels):
        _close(g.data, tg.numpy(), f"{mode}: gradient of {what}")


CONFIGS = list(itertools.product(MODES, [1, 2], [False, True], [False, True], [False, True],
                                 [1, 5]))


@pytest.mark.parametrize(("mode", "layers", "bidirectional", "batch_first", "with_h0", "steps"),
                         CONFIGS)
def test_recurrent_layers_match_torch(mode, layers, bidirectional, batch_first, with_h0, steps):
    seed = CONFIGS.index((mode, layers, bidirectional, batch_first, with_h0, steps))
    rng = np.random.default_rng(seed)
    ours, theirs = _pair(mode, layers, bidirectional, batch_first, seed=seed)
    shape = (BATCH, steps, IN) if batch_first else (steps, BATCH, IN)
    xa = rng.standard_normal(shape)
    state = (layers * (2 if bidirectional else 1), BATCH, HID)
    h0a = rng.standard_normal(state) if with_h0 else None
    c0a = rng.standard_normal(state) if with_h0 and mode == "LSTM" else None
    _run_both(ours, theirs, mode, xa, h0a, c0a, seed)


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("bias", [False, True])
def test_unbatched_and_biasless_layers_match_torch(mode, bias):
    rng = np.random.default_rng(1)
    ours, theirs = _pair(mode, 2, True, bias=bias, seed=5)
    xa = rng.standard_normal((4, IN))
    h0a = rng.standard_normal((4, HID))
    c0a = rng.standard_normal((4, HID)) if mode == "LSTM" else None
    _run_both(ours, theirs, mode, xa, h0a, c0a, 2)
    _run_both(ours, theirs, mode, xa, None, None, 3)


@pytest.mark.parametrize("mode", list(MODES))
def test_state_dicts_move_both_ways(mode):
    ours_cls, theirs_cls, kw = MODES[mode]
    theirs = theirs_cls(IN, HID, num_layers=2, bidirectional=True, **kw).double()
    ours = ours_cls(IN, HID, num_layers=2, bidirectional=True, rng=0, **kw)
    tsd = theirs.state_dict()
    assert list(ours.state_dict()) == list(tsd)  # same names, same order
    ours.load_state_dict({k: v.numpy() for k, v in tsd.items()})
    xa = np.random.default_rng(0).standard_normal((5, BATCH, IN))
    out, _ = ours(xa)
    tout, _ = theirs(torch.tensor(xa))
    _close(out.data, tout.detach().numpy(), f"{mode}: output after loading torch's weights")
    back = theirs_cls(IN, HID, num_layers=2, bidirectional=True, **kw).double()
    back.load_state_dict(_to_torch(ours.state_dict()), strict=True)
    for k, v in back.state_dict().items():
        _close(v.numpy(), tsd[k].numpy(), k)


@pytest.mark.parametrize("mode", list(MODES))
def test_dropout_layers_match_torch_in_eval_mode_and_drop_in_training(mode):
    ours_cls, theirs_cls, kw = MODES[mode]
    ours = ours_cls(IN, HID, num_layers=2, dropout=0.5, rng=0, **kw)
    theirs = theirs_cls(IN, HID, num_layers=2, dropout=0.5, **kw).double()
    theirs.load_state_dict(_to_torch(ours.state_dict()), strict=True)
    xa = np.random.default_rng(0).standard_normal((5, BATCH, IN))
    ours.eval()
    theirs.eval()
    _run_both(ours, theirs, mode, xa, None, None, 0)
    evaluated = ours(xa)[0].data
    ours.train()
    assert not np.allclose(ours(xa)[0].data, evaluated)  # training draws masks


CELLS = {
    "RNNCell_tanh": (nn.RNNCell, torch.nn.RNNCell, {"nonlinearity": "tanh"}),
    "RNNCell_relu": (nn.RNNCell, torch.nn.RNNCell, {"nonlinearity": "relu"}),
    "LSTMCell": (nn.LSTMCell, torch.nn.LSTMCell, {}),
    "GRUCell": (nn.GRUCell, torch.nn.GRUCell, {}),
}


@pytest.mark.parametrize("name", list(CELLS))
@pytest.mark.parametrize("batched", [False, True])
@pytest.mark.parametrize("with_hx", [False, True])
@pytest.mark.parametrize("bias", [False, True])
def test_cells_match_torch(name, batched, with_hx, bias):
    ours_cls, theirs_cls, kw = CELLS[name]
    ours = ours_cls(IN, HID, bias=bias, rng=3, **kw)
    theirs = theirs_cls(IN, HID, bias=bias, **kw).double()
    theirs.load_state_dict(_to_torch(ours.state_dict()), strict=True)
    rng = np.random.default_rng(4)
    lead = (BATCH,) if batched else ()
    xa = rng.standard_normal(lead + (IN,))
    lstm = name == "LSTMCell"
    states = [rng.standard_normal(lead + (HID,)) for _ in range(2 if lstm else 1)] \
        if with_hx else []
    x, tx = mg.tensor(xa, requires_grad=True), torch.tensor(xa, requires_grad=True)
    hs = [mg.tensor(a, requires_grad=True) for a in states]
    ths = [torch.tensor(a, requires_grad=True) for a in states]
    hx = (tuple(hs) if lstm else hs[0]) if hs else None
    thx = (tuple(ths) if lstm else ths[0]) if ths else None
    # two steps, so the gradient goes through a state the cell made
    y1, ty1 = ours(x, hx), theirs(tx, thx)
    y2, ty2 = ours(x * 0.5, y1), theirs(tx * 0.5, ty1)
    outs = list(y2) if lstm else [y2]
    touts = list(ty2) if lstm else [ty2]
    for o, t in zip(outs, touts):
        _close(o.data, t.detach().numpy(), f"{name}: output")
    gys = [rng.standard_normal(o.shape) for o in outs]
    loss = sum((o * g).sum() for o, g in zip(outs, gys))
    tloss = sum((o * torch.tensor(g)).sum() for o, g in zip(touts, gys))
    names = [n for n, _ in ours.named_parameters()]
    tparams = dict(theirs.named_parameters())
    grads = mg.grad(loss, [x, *hs, *ours.parameters()])
    tgrads = torch.autograd.grad(tloss, [tx, *ths, *(tparams[n] for n in names)])
    for g, tg, what in zip(grads, tgrads, ["input"] + ["state"] * len(hs) + names):
        _close(g.data, tg.numpy(), f"{name}: gradient of {what}")


def test_embedding_matches_torch_with_padding_and_repeats():
    ours = nn.Embedding(7, 3, padding_idx=2, rng=0)
    theirs = torch.nn.Embedding(7, 3, padding_idx=2).double()
    theirs.load_state_dict(_to_torch(ours.state_dict()))
    idx = np.array([[1, 2, 1, 6], [2, 0, 1, 1]])
    y, ty = ours(idx), theirs(torch.tensor(idx))
    _close(y.data, ty.detach().numpy(), "Embedding output")
    gy = np.random.default_rng(0).standard_normal(y.shape)
    (g,) = mg.grad(y, [ours.weight], grad_outputs=gy)
    (tg,) = torch.autograd.grad(ty, [theirs.weight], torch.tensor(gy))
    _close(g.data, tg.numpy(), "Embedding weight gradient")
    assert np.all(g.data[2] == 0)


@pytest.mark.parametrize("padding_idx", [None, 0, -1])
def test_functional_embedding_first_and_second_derivatives(padding_idx):
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 5, size=(3, 4))
    w = rng.standard_normal((5, 2))
    # the weight is squared first so that second derivatives are not all zero
    compare("embedding", lambda t: F.embedding(idx, t * t, padding_idx=padding_idx),
            lambda t: torch.nn.functional.embedding(torch.tensor(idx), t * t,
                                                    padding_idx=padding_idx), [w], 0)


@pytest.mark.parametrize(("shape", "normalized"), [
    ((4, 5), (5,)), ((2, 3, 4), (3, 4)), ((6,), 6), ((2, 1, 3), (3,)),
])
def test_layer_norm_first_and_second_derivatives(shape, normalized):
    rng = np.random.default_rng(0)
    ns = (normalized,) if isinstance(normalized, int) else normalized
    arrays = [rng.standard_normal(shape) * 3 + 1, rng.standard_normal(ns),
              rng.standard_normal(ns)]
    compare("layer_norm", lambda x, w, b: F.layer_norm(x, normalized, w, b, eps=1e-3),
            lambda x, w, b: torch.nn.functional.layer_norm(x, ns, w, b, eps=1e-3), arrays, 1)
    compare("layer_norm without affine", lambda x: F.layer_norm(x, normalized),
            lambda x: torch.nn.functional.layer_norm(x, ns), arrays[:1], 2)


@pytest.mark.parametrize(("affine", "bias"), [(True, True), (True, False), (False, True)])
def test_layer_norm_module_matches_torch(affine, bias):
    ours = nn.LayerNorm((3, 4), eps=1e-4, elementwise_affine=affine, bias=bias)
    theirs = torch.nn.LayerNorm((3, 4), eps=1e-4, elementwise_affine=affine, bias=bias).double()
    rng = np.random.default_rng(2)
    sd = {k: rng.standard_normal(v.shape) for k, v in ours.state_dict().items()}
    ours.load_state_dict(sd)
    theirs.load_state_dict(_to_torch(sd), strict=True)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    xa = rng.standard_normal((2, 3, 4))
    x, tx = mg.tensor(xa, requires_grad=True), torch.tensor(xa, requires_grad=True)
    y, ty = ours(x), theirs(tx)
    _close(y.data, ty.detach().numpy(), "LayerNorm output")
    gy = rng.standard_normal(y.shape)
    grads = mg.grad(y, [x, *ours.parameters()], grad_outputs=gy)
    tgrads = torch.autograd.grad(ty, [tx, *theirs.parameters()], torch.tensor(gy))
    for g, tg in zip(grads, tgrads):
        _close(g.data, tg.numpy(), "LayerNorm gradient")


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    rng = np.random.default_rng(0)
    shapes_ = [(3, 4), (4,), (2, 2, 2)]
    grads = [rng.standard_normal(s) for s in shapes_]
    ps = [nn.Parameter(np.zeros(s)) for s in shapes_] + [nn.Parameter(np.zeros(2))]  # no grad
    tps = [torch.zeros(s, dtype=torch.float64, requires_grad=True) for s in shapes_]
    for p, tp, g in zip(ps, tps, grads):
        p.grad = mg.tensor(g.copy())
        tp.grad = torch.tensor(g.copy())
    total = nn_utils.clip_grad_norm_(ps, max_norm, norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(tps, max_norm, norm_type)
    _close(total.data, ttotal.numpy(), "total norm")
    for p, tp in zip(ps, tps):
        _close(p.grad.data, tp.grad.numpy(), "clipped gradient")
    assert ps[-1].grad is None


def test_clip_grad_value_matches_torch():
    rng = np.random.default_rng(0)
    g = rng.standard_normal((5, 6)) * 2
    p = nn.Parameter(np.zeros(g.shape))
    tp = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
    p.grad, tp.grad = mg.tensor(g.copy()), torch.tensor(g.copy())
    nn_utils.clip_grad_value_([p], 0.7)
    torch.nn.utils.clip_grad_value_([tp], 0.7)
    _close(p.grad.data, tp.grad.numpy(), "clipped values")


class _TiedLM(nn.Module):
    """An embedding and an output Linear that share one Parameter, as in PyTorch."""

    def __init__(self, vocab, dim):
        super().__init__()
        self.encoder = nn.Embedding(vocab, dim, rng=0)
        self.rnn = nn.LSTM(dim, dim, rng=1)
        self.decoder = nn.Linear(dim, vocab, rng=2)
        self.decoder.weight = self.encoder.weight

    def forward(self, ids):
        out, _ = self.rnn(self.encoder(ids))
        return self.decoder(out)


class _TorchTiedLM(torch.nn.Module):
    def __init__(self, vocab, dim):
        super().__init__()
        self.encoder = torch.nn.Embedding(vocab, dim)
        self.rnn = torch.nn.LSTM(dim, dim)
        self.decoder = torch.nn.Linear(dim, vocab)
        self.decoder.weight = self.encoder.weight

    def forward(self, ids):
        out, _ = self.rnn(self.encoder(ids))
        return self.decoder(out)


def test_tied_weights_move_between_libraries_and_train_as_one():
    ours, theirs = _TiedLM(6, 4), _TorchTiedLM(6, 4).double()
    sd = ours.state_dict()
    assert list(sd) == list(theirs.state_dict())  # both names of the tied weight, as torch
    theirs.load_state_dict(_to_torch(sd), strict=True)
    assert theirs.decoder.weight is theirs.encoder.weight
    ids = np.array([[1, 2], [3, 3], [5, 0]])
    y, ty = ours(ids), theirs(torch.tensor(ids))
    _close(y.data, ty.detach().numpy(), "tied model output")
    gy = np.random.default_rng(0).standard_normal(y.shape)
    (g,) = mg.grad(y, [ours.encoder.weight], grad_outputs=gy)
    (tg,) = torch.autograd.grad(ty, [theirs.encoder.weight], torch.tensor(gy))
    _close(g.data, tg.numpy(), "gradient of the tied weight (both uses)")
    # and back: torch's tied state dict loads into minigrad's tied model
    ours2 = _TiedLM(6, 4)
    ours2.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    assert ours2.decoder.weight is ours2.encoder.weight
    _close(ours2(ids).data, ty.detach().numpy(), "output after loading torch's tied weights")

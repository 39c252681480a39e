"""The fused LSTM step ``lstm_cell`` against PyTorch in float64: values, gradients and second
derivatives to 1e-9, both gate orders, with and without a bias, on Hypothesis shapes.

PyTorch's side is ``torch.nn.LSTMCell``'s arithmetic (gates ``i, f, g, o``) on the
pre-activations, written with its ops; for the book's order ``f, g, i, o`` the blocks are
moved into PyTorch's order first. With ``weight_ih`` the op projects its input itself
(``a = x @ weight_ih + h @ weight_hh (+ bias)``).
"""

import numpy as np
import pytest

torch = pytest.importorskip(
    "torch", reason="the differential tests compare against PyTorch: pip install minigrad[torch]"
)

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.functional as F  # noqa: E402

from .helpers import DIFF, assert_close, compare, floats, seeds  # noqa: E402


def _torch_cell(order, bias=True, weight_ih=False):
    def cell(x, h, c, w, *rest):
        rest = list(rest)
        b = rest.pop(0) if bias else None
        w_ih = rest.pop(0) if weight_ih else None
        n = c.shape[1]
        a = (x if w_ih is None else x @ w_ih) + h @ w
        if b is not None:
            a = a + b
        blocks = {k: a[:, j * n:(j + 1) * n] for j, k in enumerate(order)}
        i, f, g, o = (blocks[k] for k in "ifgo")
        c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        return torch.cat([torch.sigmoid(o) * torch.tanh(c_next), c_next], dim=1)
    return cell


def _mg_cell(order, weight_ih=False):
    def cell(*xs):
        if weight_ih:
            *xs, w_ih = xs
            h, c = F.lstm_cell(*xs, gate_order=order, weight_ih=w_ih)
        else:
            h, c = F.lstm_cell(*xs, gate_order=order)
        return mg.concatenate([h, c], axis=1)
    return cell


@DIFF
@given(data=st.data(), seed=seeds, order=st.sampled_from(["ifgo", "fgio"]),
       bias=st.booleans(), weight_ih=st.booleans())
def test_lstm_cell(data, seed, order, bias, weight_ih):
    n, hid = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    d = data.draw(st.integers(1, 4))
    shapes = [(n, d if weight_ih else 4 * hid), (n, hid), (n, hid), (hid, 4 * hid)]
    shapes += ([(4 * hid,)] if bias else []) + ([(d, 4 * hid)] if weight_ih else [])
    arrays = [data.draw(floats(s)) for s in shapes]
    compare(f"lstm_cell({order}, bias={bias}, weight_ih={weight_ih}) N={n} D={d} H={hid}",
            _mg_cell(order, weight_ih), _torch_cell(order, bias, weight_ih), arrays, seed)


def test_lstm_cell_is_torch_lstmcell_for_its_projection():
    """With ``x_proj = x @ W_ih.T + b_ih``, ``weight_hh = W_hh.T`` and ``bias = b_hh``:
    ``torch.nn.LSTMCell``'s own result and gradients."""
    rng = np.random.default_rng(0)
    cell = torch.nn.LSTMCell(3, 5).double()
    x, h0, c0 = rng.normal(size=(4, 3)), rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    tx, th, tc = (torch.tensor(a, requires_grad=True) for a in (x, h0, c0))
    th1, tc1 = cell(tx, (th, tc))
    gh, gc = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    tgrads = torch.autograd.grad([th1, tc1], [tx, th, tc, *cell.parameters()],
                                 [torch.tensor(gh), torch.tensor(gc)])
    w_ih, w_hh, b_ih, b_hh = (mg.tensor(p.detach().numpy().copy(), requires_grad=True)
                              for p in cell.parameters())
    mx, mh, mc = (mg.tensor(a, requires_grad=True) for a in (x, h0, c0))
    h1, c1 = F.lstm_cell(F.linear(mx, w_ih.T, b_ih), mh, mc, w_hh.T, b_hh)
    assert_close(h1.data, th1.detach().numpy(), "h'")
    assert_close(c1.data, tc1.detach().numpy(), "c'")
    grads = mg.grad([h1, c1], [mx, mh, mc, w_ih, w_hh, b_ih, b_hh], grad_outputs=[gh, gc])
    for name, g, tg in zip(["x", "h", "c", "w_ih", "w_hh", "b_ih", "b_hh"], grads, tgrads):
        assert_close(g.data, tg.numpy(), f"gradient of {name}")

"""Embedding: initialisation, lookup, padding_idx, from_pretrained, bad input, weight tying."""

import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F
from minigrad import nn


def test_init_is_standard_normal_from_the_rng_with_the_padding_row_zero():
    emb = nn.Embedding(6, 4, padding_idx=-2, rng=np.random.default_rng(0))
    expected = np.random.default_rng(0).standard_normal((6, 4))
    expected[4] = 0
    np.testing.assert_array_equal(emb.weight.data, expected)
    assert emb.padding_idx == 4
    assert [n for n, _ in emb.named_parameters()] == ["weight"]
    assert nn.Embedding(3, 2, rng=0, dtype=np.float32).weight.dtype == np.float32


def test_lookup_shape_and_gradient_of_repeats_and_padding():
    emb = nn.Embedding(5, 2, padding_idx=0, rng=0)
    ids = np.array([[3, 3, 0], [1, 3, 0]])
    y = emb(ids)
    assert y.shape == (2, 3, 2)
    np.testing.assert_array_equal(y.data, emb.weight.data[ids])
    (y * 2).sum().backward()
    np.testing.assert_array_equal(emb.weight.grad.data[:, 0], [0, 2, 0, 6, 0])
    assert emb(mg.tensor(np.array(4))).shape == (2,)  # a 0-d index, and a tensor of ids


def test_gradcheck_through_a_recurrent_layer():
    emb = nn.Embedding(5, 2, rng=0)
    rnn = nn.GRU(2, 3, rng=1)
    ids = np.array([[1, 4], [1, 0], [2, 2]])
    assert mg.gradcheck(lambda w, *ps: rnn(emb(ids))[0], [emb.weight, *rnn.parameters()])


def test_from_pretrained_copies_and_freezes():
    table = np.arange(6.0).reshape(3, 2)
    emb = nn.Embedding.from_pretrained(table)
    np.testing.assert_array_equal(emb(np.array([2, 0])).data, [[4.0, 5.0], [0.0, 1.0]])
    assert not emb.weight.requires_grad
    table[0, 0] = 99.0  # a copy
    assert emb.weight.data[0, 0] == 0.0
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad
    with pytest.raises(ValueError, match="must be 2-D"):
        nn.Embedding.from_pretrained(np.zeros(3))


@pytest.mark.parametrize(("call", "error", "words"), [
    (lambda: nn.Embedding(0, 2), ValueError, "Embedding: num_embeddings must be a positive"),
    (lambda: nn.Embedding(3, 2, padding_idx=3), ValueError, r"padding_idx must be an int in"),
    (lambda: nn.Embedding(3, 2, max_norm=1.0), NotImplementedError, "max_norm"),
    (lambda: nn.Embedding(3, 2, rng=0)(np.array([3])), IndexError,
     r"embedding: index 3 is out of range for a weight of 3 rows \(shape \(3, 2\)\)"),
    (lambda: nn.Embedding(3, 2, rng=0)(np.array([0.0])), TypeError, "integer indices"),
])
def test_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call()


class TiedLM(nn.Module):
    """A language model whose output layer is the embedding's weight (one Parameter, two uses)."""

    def __init__(self, vocab, dim):
        super().__init__()
        self.embedding = nn.Embedding(vocab, dim, rng=0)
        self.lstm = nn.LSTM(dim, dim, batch_first=True, rng=1)
        self.decoder = nn.Linear(dim, vocab, rng=2)
        self.decoder.weight = self.embedding.weight  # (vocab, dim) both: PyTorch's tie

    def forward(self, ids):
        out, _ = self.lstm(self.embedding(ids))
        return self.decoder(out)


def test_tied_weights_get_the_sum_of_both_gradients_and_one_update():
    model = TiedLM(7, 3)
    ids = np.array([[1, 2, 3], [4, 4, 0]])
    target = np.array([[2, 3, 4], [4, 0, 1]])
    assert len(model.parameters()) == 2 + 4  # weight, bias and the LSTM's four
    assert [n for n, _ in model.named_parameters()][-1] == "decoder.bias"
    assert list(model.state_dict())[-2:] == ["decoder.weight", "decoder.bias"]
    w = model.embedding.weight

    def loss_of(weight_in, weight_out):
        out, _ = model.lstm(F.embedding(ids, weight_in))
        logits = F.linear(out, weight_out.T, model.decoder.bias)
        return F.cross_entropy(logits.reshape(-1, 7), target.reshape(-1))

    a = mg.tensor(w.data.copy(), requires_grad=True)
    b = mg.tensor(w.data.copy(), requires_grad=True)
    ga, gb = mg.grad(loss_of(a, b), [a, b])
    loss = F.cross_entropy(model(ids).reshape(-1, 7), target.reshape(-1))
    (g,) = mg.grad(loss, [w])
    np.testing.assert_allclose(g.data, ga.data + gb.data, rtol=1e-12)
    opt = mg.optim.SGD(model, lr=0.5)
    before = w.data.copy()
    opt.zero_grad()
    F.cross_entropy(model(ids).reshape(-1, 7), target.reshape(-1)).backward()
    opt.step()
    np.testing.assert_allclose(w.data, before - 0.5 * g.data, rtol=1e-12)
    assert mg.gradcheck(lambda *ps: model(ids), model.parameters())

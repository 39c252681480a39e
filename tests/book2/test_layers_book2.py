"""The second book's layers, optimizers and utilities against the book's check values."""

from __future__ import annotations

import numpy as np
import pytest

from minigrad.book2.attention_layer import Attention, TimeAttention
from minigrad.book2.layers import Embedding, MatMul, SigmoidWithLoss, SoftmaxWithLoss
from minigrad.book2.negative_sampling_layer import EmbeddingDot, UnigramSampler
from minigrad.book2.optimizer import SGD, Adam, Nesterov
from minigrad.book2.time_layers import (
    LSTM,
    RNN,
    TimeBiLSTM,
    TimeDropout,
    TimeGRU,
    TimeLSTM,
    TimeRNN,
    TimeSoftmaxWithLoss,
)
from minigrad.book2.trainer import remove_duplicate
from minigrad.book2.util import (
    clip_grads,
    convert_one_hot,
    cos_similarity,
    create_co_matrix,
    create_contexts_target,
    ppmi,
    preprocess,
)


def test_matmul_writes_its_gradient_into_the_same_array():
    W = np.arange(6.0).reshape(3, 2)
    layer = MatMul(W)
    buf = layer.grads[0]
    x = np.array([[1.0, 2.0, 3.0]])
    layer.forward(x)
    dx = layer.backward(np.array([[1.0, -1.0]]))
    assert layer.grads[0] is buf
    np.testing.assert_allclose(buf, x.T @ np.array([[1.0, -1.0]]))
    np.testing.assert_allclose(dx, np.array([[1.0, -1.0]]) @ W.T)
    layer.forward(x)
    layer.backward(np.array([[1.0, -1.0]]))  # overwritten, not accumulated
    np.testing.assert_allclose(buf, x.T @ np.array([[1.0, -1.0]]))


def test_matmul_selects_a_row_for_a_one_hot_integer_input():
    W = np.random.default_rng(0).normal(size=(7, 3))
    layer = MatMul(W)
    np.testing.assert_allclose(layer.forward(np.array([[0, 0, 1, 0, 0, 0, 0]])), W[[2]])
    np.testing.assert_allclose(layer.backward(np.ones((1, 3))), W.sum(axis=1, keepdims=True).T)


def test_embedding_accumulates_repeated_ids():
    layer = Embedding(np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]))
    layer.forward(np.array([0, 2, 0]))
    assert layer.backward(np.ones((3, 2))) is None
    assert layer.grads[0].tolist() == [[2, 2], [0, 0], [1, 1]]


def test_embedding_dot():
    layer = EmbeddingDot(np.arange(8.0).reshape(4, 2))
    out = layer.forward(np.array([[1.0, 1.0], [2.0, 0.0]]), np.array([1, 3]))
    assert out.tolist() == [5, 12]
    dh = layer.backward(np.array([1.0, 1.0]))
    assert dh.tolist() == [[2, 3], [6, 7]]
    assert layer.grads[0].tolist() == [[0, 0], [1, 1], [0, 0], [2, 0]]


def test_softmax_with_loss_check_values_and_one_hot_labels():
    x = np.array([[0.3, 2.9, 4.0]])
    a, b = SoftmaxWithLoss(), SoftmaxWithLoss()
    assert a.forward(x, np.array([2])) == pytest.approx(0.305714, abs=1e-6)
    np.testing.assert_allclose(a.y, [[0.01821, 0.24519, 0.73660]], atol=1e-5)
    assert b.forward(x, np.array([[0, 0, 1]])) == a.forward(x, np.array([2]))
    np.testing.assert_allclose(a.backward(2.0), 2 * (a.y - [[0, 0, 1]]))
    np.testing.assert_allclose(b.backward(), a.y - [[0, 0, 1]])


def test_sigmoid_with_loss_check_values():
    layer = SigmoidWithLoss()
    assert layer.forward(np.array([0.0]), np.array([1])) == pytest.approx(0.6931470, abs=1e-6)
    assert layer.backward().tolist() == [-0.5]
    assert layer.forward(np.array([2.0, -1.0]), np.array([1, 0])) == pytest.approx(0.220095,
                                                                                   abs=1e-6)
    np.testing.assert_allclose(layer.backward(), [-0.059601, 0.134471], atol=1e-6)


def test_rnn_cell_check():
    cell = RNN(np.array([[0.5]]), np.array([[1.0]]), np.array([0.0]))
    h = cell.forward(np.array([[1.0]]), np.array([[1.0]]))
    assert h[0, 0] == pytest.approx(0.905148, abs=1e-6)
    dx, dh = cell.backward(np.array([[1.0]]))
    assert dx[0, 0] == pytest.approx(0.090353, abs=1e-6)
    assert dh[0, 0] == pytest.approx(0.180707, abs=1e-6)
    for g in cell.grads:
        assert g.ravel()[0] == pytest.approx(0.180707, abs=1e-6)


def test_lstm_cell_check_gate_order_f_g_i_o():
    cell = LSTM(np.array([[0.1, 0.2, 0.3, 0.4]]), np.array([[0.5, 0.6, 0.7, 0.8]]), np.zeros(4))
    one = np.ones((1, 1))
    h, c = cell.forward(one, one, one)
    assert c[0, 0] == pytest.approx(1.131106, abs=1e-6)
    assert h[0, 0] == pytest.approx(0.623579, abs=1e-6)
    dx, dh, dc = cell.backward(one, np.zeros((1, 1)))
    assert (dx[0, 0], dh[0, 0], dc[0, 0]) == pytest.approx((0.095489, 0.233887, 0.169520),
                                                           abs=1e-6)
    expected = [0.060068, 0.107306, 0.034278, 0.144343]
    np.testing.assert_allclose(cell.grads[0].ravel(), expected, atol=1e-6)
    np.testing.assert_allclose(cell.grads[2], expected, atol=1e-6)


@pytest.mark.parametrize("cls,gates", [(TimeRNN, 1), (TimeLSTM, 4), (TimeGRU, 3)])
def test_time_layer_gradients_match_finite_differences(cls, gates):
    rng = np.random.default_rng(0)
    D, H, N, T = 3, 2, 2, 4
    params = [rng.normal(size=(D, gates * H)), rng.normal(size=(H, gates * H)),
              rng.normal(size=gates * H)]
    layer = cls(*params, stateful=True)
    h0 = rng.normal(size=(N, H))
    xs = rng.normal(size=(N, T, D))
    w = rng.normal(size=(N, T, H))

    def f():
        layer.set_state(h0.copy())
        return float(np.sum(layer.forward(xs) * w))

    f()
    dxs = layer.backward(w)
    eps = 1e-6
    for arr, grad in [*zip(params, layer.grads), (xs, dxs), (h0, layer.dh)]:
        num = np.zeros_like(arr)
        for i in np.ndindex(arr.shape):
            old = arr[i]
            arr[i] = old + eps
            up = f()
            arr[i] = old - eps
            down = f()
            arr[i] = old
            num[i] = (up - down) / (2 * eps)
        np.testing.assert_allclose(grad, num, atol=1e-6)


def test_stateful_keeps_the_state_and_stateless_resets_it():
    rng = np.random.default_rng(1)
    p = [rng.normal(size=(2, 3)), rng.normal(size=(3, 3)), np.zeros(3)]
    xs = rng.normal(size=(1, 2, 2))
    stateful, stateless = TimeRNN(*p, stateful=True), TimeRNN(*p)
    first = stateful.forward(xs)
    assert np.array_equal(stateless.forward(xs), first)
    assert not np.allclose(stateful.forward(xs), first)
    assert np.array_equal(stateless.forward(xs), first)
    stateful.reset_state()
    assert np.array_equal(stateful.forward(xs), first)


def test_time_softmax_with_loss_masks_label_minus_one():
    xs = np.zeros((1, 3, 4))
    xs[0, 0, 1] = 2
    layer = TimeSoftmaxWithLoss()
    assert layer.forward(xs, np.array([[1, -1, 3]])) == pytest.approx(0.863524, abs=1e-6)
    np.testing.assert_allclose(layer.backward(), [[[0.048128, -0.144383, 0.048128, 0.048128],
                                                   [0, 0, 0, 0],
                                                   [0.125, 0.125, 0.125, -0.375]]], atol=1e-6)


def test_attention_check_and_time_attention_agrees():
    hs = np.array([[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]])
    h = np.array([[1.0, 0.0]])
    layer = Attention()
    c = layer.forward(hs, h)
    np.testing.assert_allclose(layer.attention_weight, [[0.422319, 0.155362, 0.422319]],
                               atol=1e-6)
    np.testing.assert_allclose(c, [[0.844638, 0.577681]], atol=1e-6)
    dhs, dh = layer.backward(np.array([[1.0, 1.0]]))
    np.testing.assert_allclose(dh, [[0.065612, 0.178353]], atol=1e-6)
    np.testing.assert_allclose(dhs[0], [[0.243966, 0.422319], [0.089750, 0.155362],
                                        [0.666284, 0.422319]], atol=1e-6)
    time_layer = TimeAttention()
    np.testing.assert_allclose(time_layer.forward(hs, h[:, None, :])[:, 0], c)
    denc, ddec = time_layer.backward(np.array([[[1.0, 1.0]]]))
    np.testing.assert_allclose(denc, dhs)
    np.testing.assert_allclose(ddec[:, 0], dh)


def test_adam_first_step_is_about_lr_times_sign():
    w = np.array([1.0, -2.0, 3.0])
    g = np.array([0.5, -4.0, 1e-3])
    Adam(lr=0.001).update([w], [g])
    np.testing.assert_allclose(w, [1.0, -2.0, 3.0] - 0.001 * g / (np.abs(g) + 3.162e-6),
                               rtol=1e-6)


def test_nesterov_uses_the_books_order():
    w, g = np.array([1.0]), np.array([2.0])
    opt = Nesterov(lr=0.1, momentum=0.9)
    opt.update([w], [g])
    v = -0.1 * 2.0
    assert w[0] == pytest.approx(1.0 + 0.81 * v - 1.9 * 0.1 * 2.0)
    SGD(lr=0.5).update([w], [g])
    assert w[0] == pytest.approx(1.0 + 0.81 * v - 1.9 * 0.1 * 2.0 - 1.0)


def test_remove_duplicate_merges_shared_and_transposed():
    A, b, C = np.ones((2, 3)), np.ones(3), np.arange(6.0).reshape(3, 2)
    params = [A, b, A, C, C.T]
    grads = [np.full((2, 3), 1.0), np.full(3, 1.0), np.full((2, 3), 2.0), np.full((3, 2), 1.0),
             np.full((2, 3), 5.0)]
    p, g = remove_duplicate(params, grads)
    assert [x is y for x, y in zip(p, [A, b, C])] == [True, True, True]
    assert [float(x.ravel()[0]) for x in g] == [3.0, 1.0, 6.0]
    assert len(params) == 5


def test_clip_grads_global_norm():
    grads = [np.full((2, 2), 3.0), np.full((2, 2), 4.0)]
    clip_grads(grads, 5.0)
    assert grads[0][0, 0] == pytest.approx(1.49999985, abs=1e-8)
    assert grads[1][0, 0] == pytest.approx(1.9999998, abs=1e-8)


def test_preprocess_co_matrix_similarity_ppmi_and_svd():
    corpus, word_to_id, id_to_word = preprocess("You say goodbye and I say hello.")
    assert corpus.tolist() == [0, 1, 2, 3, 4, 1, 5, 6]
    assert word_to_id == {"you": 0, "say": 1, "goodbye": 2, "and": 3, "i": 4, "hello": 5, ".": 6}
    C = create_co_matrix(corpus, 7)
    assert C.dtype == np.int32 and C.sum() == 14 and np.array_equal(C, C.T)
    assert C[1].tolist() == [1, 0, 1, 0, 1, 1, 0]
    assert C[6].tolist() == [0, 0, 0, 0, 0, 1, 0]
    assert cos_similarity(C[0], C[4]) == pytest.approx(0.7071067691154799, abs=1e-15)
    W = ppmi(C)
    assert W.dtype == np.float32
    assert round(float(W[0, 1]), 3) == 1.807
    assert round(float(W[1, 2]), 3) == 0.807
    assert round(float(W[5, 6]), 3) == 2.807
    assert W[0, 0] == 0
    S = np.linalg.svd(W, compute_uv=False)
    np.testing.assert_allclose(S, [3.168, 3.168, 2.703, 2.703, 1.514, 1.514, 0], atol=1e-3)


def test_contexts_target_and_one_hot():
    corpus, _, _ = preprocess("You say goodbye and I say hello.")
    contexts, target = create_contexts_target(corpus)
    assert contexts.tolist() == [[0, 2], [1, 3], [2, 4], [3, 1], [4, 5], [1, 6]]
    assert target.tolist() == [1, 2, 3, 4, 1, 5]
    assert create_contexts_target(corpus, 2)[0].shape == (4, 4)
    one_hot = convert_one_hot(contexts, 7)
    assert one_hot.shape == (6, 2, 7) and one_hot.dtype == np.int32
    assert one_hot[0, 1].tolist() == [0, 0, 1, 0, 0, 0, 0]


def test_unigram_sampler_distribution_and_exclusion():
    sampler = UnigramSampler(np.array([0, 1, 2, 3, 4, 1, 2, 3]), 0.75, 2)
    np.testing.assert_allclose(sampler.word_p, [0.1419, 0.2387, 0.2387, 0.2387, 0.1419],
                               atol=1e-4)
    np.random.seed(0)
    target = np.array([1, 3, 0] * 20)
    neg = sampler.get_negative_sample(target)
    assert neg.shape == (60, 2) and neg.dtype == np.int32
    assert not (neg == target[:, None]).any()
    assert (neg[:, 0] != neg[:, 1]).all()


def test_simple_time_softmax_with_loss_ignores_no_label():
    from minigrad.book2.time_layers import Simple_TimeSoftmaxWithLoss

    xs = np.random.default_rng(0).normal(size=(2, 3, 4))
    ts = np.array([[0, 1, 2], [3, 0, 1]])
    assert Simple_TimeSoftmaxWithLoss().forward(xs, ts) == pytest.approx(
        TimeSoftmaxWithLoss().forward(xs, ts))


def test_rnnlm_trainer_batches_follow_the_books_cursors():
    from minigrad.book2.trainer import RnnlmTrainer

    trainer = RnnlmTrainer(None, None)
    trainer.time_idx = 0
    xs = np.arange(1000)
    first, targets = trainer.get_batch(xs, xs + 1, batch_size=2, time_size=5)
    second, _ = trainer.get_batch(xs, xs + 1, batch_size=2, time_size=5)
    assert first.tolist() == [[0, 1, 2, 3, 4], [500, 501, 502, 503, 504]]
    assert second.tolist() == [[5, 6, 7, 8, 9], [505, 506, 507, 508, 509]]
    assert targets.dtype == np.int32 and targets[1, 0] == 501
    trainer.time_idx = 498
    assert trainer.get_batch(xs, xs, 2, 5)[0][1].tolist() == [998, 999, 0, 1, 2]


def test_eval_perplexity_reads_the_books_windows(capsys):
    from minigrad.book2.util import eval_perplexity

    seen = []

    class Model:
        def forward(self, xs, ts, train_flg=True):
            assert train_flg is False
            seen.append((xs.copy(), ts.copy()))
            return np.log(2.0)

    corpus = np.arange(701)
    assert eval_perplexity(Model(), corpus, batch_size=10, time_size=35) == pytest.approx(2.0)
    assert len(seen) == 2  # (701 - 1) // 350
    xs, ts = seen[1]
    assert xs[0, 0] == 35 and xs[1, 0] == 70 + 35 and np.array_equal(ts, xs + 1)
    assert "1 / 2" in capsys.readouterr().out


def test_time_dropout_is_inverted_and_identity_at_inference():
    np.random.seed(0)
    layer = TimeDropout(0.5)
    xs = np.ones((20, 10, 10), dtype=np.float32)
    out = layer.forward(xs)
    assert set(np.unique(out).tolist()) == {0.0, 2.0}
    assert out.mean() == pytest.approx(1.0, abs=0.1)
    np.testing.assert_array_equal(layer.backward(np.ones_like(xs)), out)
    layer.train_flg = False
    np.testing.assert_array_equal(layer.forward(xs), xs)


def test_time_bilstm_concatenates_both_directions():
    rng = np.random.default_rng(0)
    D, H = 3, 2
    p = [rng.normal(size=(D, 4 * H)), rng.normal(size=(H, 4 * H)), np.zeros(4 * H)]
    q = [rng.normal(size=(D, 4 * H)), rng.normal(size=(H, 4 * H)), np.zeros(4 * H)]
    layer = TimeBiLSTM(*p, *q)
    xs = rng.normal(size=(2, 5, D))
    out = layer.forward(xs)
    assert out.shape == (2, 5, 2 * H) and len(layer.params) == 6
    np.testing.assert_allclose(out[:, :, :H], TimeLSTM(*p).forward(xs))
    np.testing.assert_allclose(out[:, ::-1, H:], TimeLSTM(*q).forward(xs[:, ::-1]))
    assert layer.backward(np.ones_like(out)).shape == xs.shape


def test_most_similar_and_analogy_print_the_books_lines(capsys):
    from minigrad.book2.util import analogy, most_similar

    corpus, word_to_id, id_to_word = preprocess("You say goodbye and I say hello.")
    C = create_co_matrix(corpus, 7)
    most_similar("you", word_to_id, id_to_word, C, top=5)
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "[query] you"
    assert {line.split(":")[0].strip() for line in lines[1:4]} == {"goodbye", "i", "hello"}
    assert all(float(line.split(":")[1]) == pytest.approx(0.7071067, abs=1e-6)
               for line in lines[1:4])
    most_similar("cat", word_to_id, id_to_word, C)
    assert capsys.readouterr().out == "cat is not found\n"
    vecs = np.eye(7)
    analogy("you", "say", "i", word_to_id, id_to_word, vecs, top=2)
    out = capsys.readouterr().out
    assert "[analogy] you:say = i:?" in out and "say:" not in out


def test_unigram_power_lifts_rare_words():
    corpus = np.repeat([0, 1, 2], [70, 29, 1])
    p = UnigramSampler(corpus, 0.75, 1).word_p
    np.testing.assert_allclose(p, [0.642, 0.332, 0.027], atol=1e-3)


@pytest.mark.parametrize("module", ["layers", "time_layers", "functions", "optimizer", "trainer",
                                    "util", "base_model", "np"])
def test_star_imports_bring_np_as_the_books_modules_do(module):
    namespace: dict = {}
    exec(f"from minigrad.book2.{module} import *", namespace)
    assert namespace["np"] is np


def _attention_by_hand(hs, hs_dec, dout):
    """The book's attention written out in NumPy, step by step, in its order of arithmetic."""
    out, weights, d_enc = np.empty_like(hs_dec), [], 0
    d_dec = np.empty_like(hs_dec)
    for t in range(hs_dec.shape[1]):
        hr = hs_dec[:, t, None, :]
        s = (hs * hr).sum(axis=2)
        e = np.exp(s - s.max(axis=1, keepdims=True))
        a = e / e.sum(axis=1, keepdims=True)
        weights.append(a)
        out[:, t] = (hs * a[:, :, None]).sum(axis=1)
        dt = np.broadcast_to(dout[:, t, None, :], hs.shape)
        da = (dt * hs).sum(axis=2)
        ds = a * da
        ds = ds - a * ds.sum(axis=1, keepdims=True)
        dt2 = np.broadcast_to(ds[:, :, None], hs.shape)
        d_dec[:, t] = (dt2 * hs).sum(axis=1)
        d_enc = d_enc + (dt * a[:, :, None] + dt2 * hr)
    return out, weights, d_enc, d_dec


def test_time_attention_in_float32_equals_the_books_arithmetic_bit_for_bit():
    rng = np.random.default_rng(4)
    hs = rng.normal(size=(3, 6, 5)).astype(np.float32)
    hs_dec = rng.normal(size=(3, 4, 5)).astype(np.float32)
    dout = rng.normal(size=(3, 4, 5)).astype(np.float32)
    layer = TimeAttention()
    out = layer.forward(hs, hs_dec)
    d_enc, d_dec = layer.backward(dout)
    want = _attention_by_hand(hs, hs_dec, dout)
    np.testing.assert_array_equal(out, want[0])
    np.testing.assert_array_equal(np.array(layer.attention_weights), np.array(want[1]))
    np.testing.assert_array_equal(d_enc, want[2])
    np.testing.assert_array_equal(d_dec, want[3])
    assert d_enc.dtype == d_dec.dtype == np.float32


def test_time_attention_refuses_mismatched_states():
    with pytest.raises(ValueError, match=r"TimeAttention: expected encoder states \(N, T_enc, H\)"):
        TimeAttention().forward(np.zeros((2, 3, 4)), np.zeros((2, 3, 5)))

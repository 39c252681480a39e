"""minigrad.train: the chapter's training loop on small synthetic data."""

import json

import numpy as np
import pytest

import minigrad as mg
from minigrad.models import TwoLayerNet
from minigrad.train import History, Trainer, atomic_write_bytes, train


def blobs(n_train=250, n_test=120, d=10, classes=3, seed=0, one_hot=True):
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((classes, d)) * 3

    def make(n):
        labels = rng.integers(0, classes, n)
        x = centers[labels] + rng.standard_normal((n, d))
        return x, (np.eye(classes)[labels] if one_hot else labels.astype(np.uint8))

    return make(n_train), make(n_test)


def quiet(**kw):
    kw.setdefault("progress", False)
    kw.setdefault("log", lambda s: None)
    return kw


def test_learns_and_records_the_books_quantities(capsys):
    data = blobs()
    net = TwoLayerNet(10, 8, 3, weight_init_std=0.5, seed=0)
    h = train(net, data, iters=30, batch_size=50, lr=0.5, seed=0, progress=False)
    assert len(h.losses) == h.iterations == 30
    assert all(type(v) is float for v in h.losses)
    # iter_per_epoch = 250 / 50 = 5: evaluations after iterations 0, 5, 10, ...
    assert h.eval_iterations == [0, 5, 10, 15, 20, 25]
    assert h.epochs == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert len(h.train_acc) == len(h.test_acc) == 6
    assert h.test_acc[-1] > 0.9 and h.train_acc[-1] > 0.9
    assert np.mean(h.losses[-5:]) < np.mean(h.losses[:5])
    assert not h.stopped_early and h.stop_reason is None
    assert h.final_test_acc == net.accuracy(*data[1])
    assert h.seconds > 0
    assert h.config["iters"] == 30 and h.config["optimizer"] == "SGD"
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"train acc, test acc | {a}, {b}" for a, b in zip(h.train_acc, h.test_acc)]


def test_loop_equals_the_books_loop_bit_for_bit():
    data = blobs(one_hot=True)
    (x_train, t_train), (x_test, t_test) = data
    h = train(TwoLayerNet(10, 6, 3, seed=1), data, iters=12, batch_size=20, lr=0.3, seed=7,
              **quiet())
    # a chapter-5 style loop by hand (dict of gradients, in-place updates, accuracies at
    # every multiple of the float steps-per-epoch) with the same random draws
    network = TwoLayerNet(10, 6, 3, seed=1)
    gen = np.random.default_rng(7)
    n = x_train.shape[0]
    per_epoch = max(n / 20, 1)
    losses, train_accs, test_accs = [], [], []
    for step in range(12):
        picks = gen.choice(n, 20)
        grads = network.gradient(x_train[picks], t_train[picks])
        for key in ("W1", "b1", "W2", "b2"):
            network.params[key] -= 0.3 * grads[key]
        losses.append(float(network.loss(x_train[picks], t_train[picks])))
        if step % per_epoch == 0:
            train_accs.append(network.accuracy(x_train, t_train))
            test_accs.append(network.accuracy(x_test, t_test))
    assert h.losses == losses
    assert h.train_acc == train_accs and h.test_acc == test_accs


def test_seed_makes_runs_repeatable():
    data = blobs()

    def run(seed):
        return train(TwoLayerNet(10, 8, 3, seed=0), data, iters=15, batch_size=16, seed=seed,
                     **quiet()).losses

    assert run(3) == run(3)
    assert run(3) != run(4)
    gen = np.random.default_rng(3)
    assert train(TwoLayerNet(10, 8, 3, seed=0), data, iters=15, batch_size=16, seed=gen,
                 **quiet()).losses == run(3)


def test_seed_none_follows_numpys_global_state():
    data = blobs()

    def run():
        return train(TwoLayerNet(10, 8, 3), data, iters=15, batch_size=16, seed=None,
                     **quiet()).losses

    np.random.seed(7)
    first = run()
    np.random.seed(7)
    assert run() == first  # the book's np.random.seed reproduces the whole run
    np.random.seed(8)
    assert run() != first


def test_one_random_source_helper():
    import minigrad as mg
    from minigrad import _rng, nn

    assert nn.make_rng is _rng.make_rng  # still importable from minigrad.nn(.layers)
    np.random.seed(1)
    a = mg.randn(3)
    np.random.seed(1)
    np.testing.assert_array_equal(a.data, np.random.randn(3))


def test_epoch_boundaries_when_batch_does_not_divide_the_data():
    # 250 / 100 = 2.5 iterations per epoch: evaluate at the first iteration of each epoch
    h = train(TwoLayerNet(10, 4, 3, seed=0), blobs(), iters=11, batch_size=100, seed=0,
              **quiet())
    assert h.eval_iterations == [0, 3, 5, 8, 10]
    assert h.epochs == [0.0, 1.2, 2.0, 3.2, 4.0]


def test_batch_larger_than_the_data_gives_one_iteration_per_epoch():
    h = train(TwoLayerNet(10, 4, 3, seed=0), blobs(), iters=3, batch_size=1000, seed=0,
              **quiet())
    assert h.eval_iterations == [0, 1, 2] and h.epochs == [0.0, 1.0, 2.0]


def test_eval_every_and_labels():
    h = train(TwoLayerNet(10, 4, 3, seed=0), blobs(one_hot=False), iters=7, batch_size=10,
              eval_every=3, seed=0, **quiet())
    assert h.eval_iterations == [0, 3, 6]
    assert h.final_train_acc == h.train_acc[-1]


def test_final_accuracy_is_measured_after_the_last_iteration():
    data = blobs()
    net = TwoLayerNet(10, 8, 3, weight_init_std=0.5, seed=0)
    h = train(net, data, iters=7, batch_size=50, lr=0.5, seed=0, **quiet())
    assert h.eval_iterations[-1] == 5
    assert h.final_train_acc == net.accuracy(*data[0])
    assert h.final_test_acc == net.accuracy(*data[1])


def test_early_stopping():
    # a learning rate too small to change any prediction: test accuracy never improves
    h = train(TwoLayerNet(10, 4, 3, seed=0), blobs(), iters=100, batch_size=10, lr=1e-12,
              eval_every=2, early_stopping=3, seed=0, **quiet())
    assert h.stopped_early
    assert h.eval_iterations == [0, 2, 4, 6]
    assert h.iterations == 7 == len(h.losses)
    assert "has not improved for 3 evaluations" in h.stop_reason
    assert "at epoch 0" in h.stop_reason


def test_callback_sees_the_state_and_can_stop():
    seen = []

    def cb(state):
        seen.append((state.iteration, state.loss, len(state.history.losses)))
        assert state.optimizer.params[0] is state.model.params["W1"]
        if state.iteration == 4:
            state.stop = True
            state.stop_reason = "enough"

    h = train(TwoLayerNet(10, 4, 3, seed=0), blobs(), iters=50, batch_size=10, seed=0,
              callback=cb, **quiet())
    assert [s[0] for s in seen] == [1, 2, 3, 4]
    assert all(s[1] == h.losses[s[0] - 1] and s[2] == s[0] for s in seen)
    assert h.stopped_early and h.stop_reason == "enough" and h.iterations == 4


def test_keyboard_interrupt_ends_the_run_cleanly():
    def cb(state):
        if state.iteration == 3:
            raise KeyboardInterrupt

    h = train(TwoLayerNet(10, 4, 3, seed=0), blobs(), iters=50, batch_size=10, seed=0,
              callback=cb, **quiet())
    assert h.stopped_early and "interrupted" in h.stop_reason and h.iterations == 3
    assert h.final_test_acc is not None


def test_run_continues_from_the_state():
    data = blobs()
    full = train(TwoLayerNet(10, 8, 3, seed=0), data, iters=20, batch_size=16, seed=5, **quiet())

    def stop_at_8(state):
        state.stop = state.iteration == 8

    tr = Trainer(TwoLayerNet(10, 8, 3, seed=0), data, iters=20, batch_size=16, seed=5,
                 callback=stop_at_8, **quiet())
    first = tr.run()
    assert first.iterations == 8 and first.stopped_early
    tr.callback = None
    h = tr.run()
    assert h.iterations == 20 and not h.stopped_early
    assert h.losses == full.losses
    assert h.train_acc == full.train_acc and h.eval_iterations == full.eval_iterations


@pytest.mark.parametrize("opt", ["momentum", "adagrad", "adam"])
def test_other_optimizers_learn(opt):
    lr = {"momentum": 0.1, "adagrad": 0.1, "adam": 0.01}[opt]
    h = train(TwoLayerNet(10, 8, 3, seed=0), blobs(), iters=40, batch_size=25, lr=lr,
              optimizer=opt, seed=0, **quiet())
    assert h.final_test_acc > 0.9
    assert h.config["optimizer"].lower() == opt


def test_progress_bar_routes_lines_through_tqdm(capsys, monkeypatch):
    """On a terminal the bar is drawn on stderr and the per-epoch lines still reach stdout
    whole (through ``tqdm.write``); elsewhere there is no bar."""
    import io
    import sys

    pytest.importorskip("tqdm", reason="tqdm is the progress extra: pip install .[progress]")

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    h = train(TwoLayerNet(10, 4, 3, seed=0), blobs(), iters=6, batch_size=100, seed=0,
              progress=True)
    out = capsys.readouterr()
    assert out.out.count("train acc, test acc | ") == len(h.train_acc) == 3
    assert "/6 " in terminal.getvalue() and "\r" in terminal.getvalue()
    monkeypatch.undo()
    h = train(TwoLayerNet(10, 4, 3, seed=0), blobs(), iters=6, batch_size=100, seed=0,
              progress=True)
    out = capsys.readouterr()
    assert out.out.count("train acc, test acc | ") == 3 and "\r" not in out.out + out.err


def test_history_json_and_csv(tmp_path):
    h = train(TwoLayerNet(10, 4, 3, seed=0), blobs(), iters=6, batch_size=100, seed=0,
              **quiet())
    p = h.save_json(tmp_path / "sub" / "history.json")
    assert p.exists()
    back = History.load_json(p)
    assert back == h
    d = json.loads(p.read_text())
    assert set(d) >= {"losses", "train_acc", "test_acc", "epochs", "iterations",
                      "stopped_early", "seconds", "config"}
    rows = (tmp_path / "h.csv")
    h.save_csv(rows)
    lines = rows.read_text().splitlines()
    assert lines[0] == "iteration,loss,epoch,train_acc,test_acc"
    assert len(lines) == 7
    first = lines[1].split(",")
    assert first[0] == "0" and float(first[1]) == h.losses[0]
    assert float(first[3]) == h.train_acc[0] and float(first[4]) == h.test_acc[0]
    assert lines[2].endswith(",,,")
    assert [f.name for f in tmp_path.iterdir()] != [] and not list(tmp_path.glob(".*.tmp"))
    with pytest.raises(ValueError, match="unknown keys"):
        History.from_dict({"nope": 1})


def test_atomic_write_leaves_the_old_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "f.bin"
    atomic_write_bytes(target, b"old")
    import os

    def boom(*a):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert [f.name for f in tmp_path.iterdir()] == ["f.bin"]


def test_bad_arguments_are_rejected_before_training():
    data = blobs()
    net = TwoLayerNet(10, 4, 3, seed=0)
    with pytest.raises(ValueError, match="iters must be a positive integer"):
        train(net, data, iters=0)
    with pytest.raises(ValueError, match="batch_size"):
        train(net, data, batch_size=-1)
    with pytest.raises(ValueError, match="unknown optimizer"):
        train(net, data, optimizer="lbfgs")
    with pytest.raises(ValueError, match="x_train has 250 samples but t_train has 3"):
        train(net, ((data[0][0], data[0][1][:3]), data[1]))
    with pytest.raises(TypeError, match="data must be"):
        train(net, data[0][0])
    with pytest.raises(TypeError, match="no loss"):
        train(object(), data)
    with pytest.raises(TypeError, match="seed"):
        train(net, data, seed="x")
    assert all(p.version == 0 for p in net.parameters())


def test_no_graph_survives_the_loop():
    import gc
    import weakref

    refs = []

    def cb(state):
        loss = state.model.loss(np.zeros((1, 10)), np.array([0]))
        refs.append(weakref.ref(loss.creator))

    train(TwoLayerNet(10, 4, 3, seed=0), blobs(), iters=5, batch_size=10, seed=0,
          callback=cb, **quiet())
    gc.collect()
    assert all(r() is None for r in refs)
    assert mg.is_grad_enabled()


def test_without_tqdm_the_loop_prints_plainly(monkeypatch, capsys):
    import sys

    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # import fails
    h = train(TwoLayerNet(10, 4, 3, seed=0), blobs(), iters=3, batch_size=100, seed=0,
              progress=True)
    captured = capsys.readouterr()
    assert captured.out.count("train acc, test acc | ") == len(h.train_acc) == 1
    assert captured.err == ""

"""Run every chapter 5 and 6 example script in --quick mode and check the book's numbers."""

import re
import shutil

import numpy as np
import pytest
from conftest import MNIST_DIR, have_mnist
from examples_support import assert_pngs, floats, line_with, run_example

pytest.importorskip("matplotlib", reason="matplotlib is the plot extra: pip install .[plot]")

needs_mnist = pytest.mark.skipif(
    not have_mnist(), reason=f"MNIST files not found in {MNIST_DIR} (set MINIGRAD_DATA)")


def test_buy_apple(tmp_path, capsys, monkeypatch):
    out = run_example("ch05_buy_apple", ["--out", str(tmp_path)], capsys, monkeypatch)
    assert out.startswith("price: 220\ndApple: 2.2\ndApple_num: 110\ndTax: 200\n")
    assert "price 220.00000000000003, dApple_num 110.00000000000001" in out
    assert "MulLayer gives the same numbers: True" in out
    assert "dz/dx = 14, dz/dy = 14" in out
    assert "add node, upstream 1.3: ('1.3', '1.3')" in out
    assert "mul node, upstream 1.3: ('6.5', '13')" in out
    if shutil.which("dot"):
        svg = (tmp_path / "fig5-16_buy_apple.svg").read_text()
        assert svg.lstrip().startswith("<") and "apple_num" in svg and "grad 2.2" in svg
    else:
        dot = (tmp_path / "fig5-16_buy_apple.dot").read_text()
        assert "apple_num" in dot and "tax" in dot


def test_buy_apple_orange(tmp_path, capsys, monkeypatch):
    out = run_example("ch05_buy_apple_orange", ["--out", str(tmp_path)], capsys, monkeypatch)
    assert out.startswith("price: 715\ndApple: 2.2\ndApple_num: 110\n"
                          "dOrange: 3.3000000000000003\ndOrange_num: 165\ndTax: 650\n")
    table = {line.split()[0]: floats(line)[-2:] for line in out.splitlines()
             if line.split() and line.split()[0] in {
                 "payment", "all_price", "tax", "apple_price", "orange_price", "apple",
                 "apple_num", "orange", "orange_num"}}
    expected = {"payment": (715, 1), "all_price": (650, 1.1), "tax": (1.1, 650),
                "apple_price": (200, 1.1), "orange_price": (450, 1.1), "apple": (100, 2.2),
                "apple_num": (2, 110), "orange": (150, 3.3), "orange_num": (3, 165)}
    for key, (value, deriv) in expected.items():
        assert table[key] == pytest.approx([value, deriv], rel=1e-12), key
    assert "MulLayer/AddLayer give the same numbers: True" in out
    suffix = ".svg" if shutil.which("dot") else ".dot"
    assert "orange_num" in (tmp_path / f"fig5-17_buy_apple_orange{suffix}").read_text()


@pytest.mark.slow
@needs_mnist
def test_gradient_check(capsys, monkeypatch):
    out = run_example("ch05_gradient_check", ["--quick"], capsys, monkeypatch, data=True)
    diffs = {line.split(":")[0]: float(line.split(":")[1]) for line in out.splitlines()}
    assert set(diffs) == {"W1", "b1", "W2", "b2"}
    # the book's loss has 1e-7 inside the log, which backprop (the book's too) leaves out
    assert max(diffs.values()) < 1e-6


@pytest.mark.slow
@needs_mnist
def test_train_neuralnet(tmp_path, capsys, monkeypatch):
    out = run_example("ch05_train_neuralnet", ["--quick", "--out", str(tmp_path)], capsys,
                      monkeypatch, data=True)
    pairs = [floats(line) for line in out.splitlines() if re.fullmatch(r"[\d.]+ [\d.]+", line)]
    assert len(pairs) == 30  # iterations 0, 10, ..., 290 (1000 images, batch 100)
    assert pairs[0][0] < 0.3 and pairs[-1][0] > 0.8 and pairs[-1][1] > 0.7
    assert_pngs(tmp_path, ["ch05_train_accuracy.png"])


def test_optimizer_compare_naive(tmp_path, capsys, monkeypatch):
    out = run_example("ch06_optimizer_compare_naive", ["--quick", "--out", str(tmp_path)],
                      capsys, monkeypatch)
    table = {
        "SGD": [-6.335, -1.8, -5.7332, 1.62, -0.3872, -0.0942, -0.3504, 0.0848],
        "Momentum": [-6.93, 1.6, -6.7977, 0.92, 0.8141, 0.2729, 0.8964, 0.0881],
        "AdaGrad": [-5.5, 0.5, -4.5733, 0.1362, -0.1362, 0.0, -0.1202, 0.0],
        "Adam": [-6.7, 1.7, -6.4004, 1.4022, 0.0201, 0.322, 0.136, 0.3182],
    }
    for name, values in table.items():
        assert floats(line_with(out, name + " ")[0]) == values, name
    assert "Nesterov lr 0.1, 30th point: (0.6193, 0.0074)" in out
    assert_pngs(tmp_path, ["fig6-8_optimizer_compare.png", "fig6-3_sgd.png",
                           "fig6-5_momentum.png", "fig6-6_adagrad.png", "fig6-7_adam.png"])


@pytest.mark.slow
@needs_mnist
def test_optimizer_compare_mnist(tmp_path, capsys, monkeypatch):
    out = run_example("ch06_optimizer_compare_mnist", ["--quick", "--out", str(tmp_path)],
                      capsys, monkeypatch, data=True)
    assert "===========iteration:0===========" in out
    means = {k: floats(line_with(out, f"mean loss over the last 60 iterations, {k}:")[0])[-1]
             for k in ("SGD", "Momentum", "AdaGrad", "Adam")}
    assert means["SGD"] > max(means["Momentum"], means["AdaGrad"], means["Adam"])
    assert_pngs(tmp_path, ["fig6-9_optimizer_compare_mnist.png"])


@pytest.mark.slow
def test_activation_histograms(tmp_path, capsys, monkeypatch):
    out = run_example("ch06_weight_init_activation_histogram",
                      ["--out", str(tmp_path)], capsys, monkeypatch)
    indicative = {
        "sigmoid 1:": [0.46, 0.44, 0.43, 0.44, 0.44],
        "sigmoid 0.01:": [0.025, 0.012, 0.011, 0.013, 0.012],
        "sigmoid Xavier:": [0.21, 0.12, 0.11, 0.12, 0.12],
        "relu Xavier:": [0.58, 0.41, 0.30, 0.22, 0.18],
        "relu He:": [0.82, 0.82, 0.86, 0.88, 1.00],
    }
    for prefix, stds in indicative.items():
        got = floats(line_with(out, prefix)[0].split("per layer")[1])
        np.testing.assert_allclose(got, stds, rtol=0.25, err_msg=prefix)  # "about 20%"
    relu_small = floats(line_with(out, "relu 0.01:")[0].split("per layer")[1])
    assert relu_small[0] == pytest.approx(0.058, rel=0.2) and relu_small[-1] < 1e-4
    assert_pngs(tmp_path, ["fig6-10_sigmoid_std1.png", "fig6-11_sigmoid_std0.01.png",
                           "fig6-13_sigmoid_xavier.png", "fig6-14_relu_std0.01.png",
                           "fig6-14_relu_xavier.png", "fig6-14_relu_he.png"])


@pytest.mark.slow
@needs_mnist
def test_weight_init_compare(tmp_path, capsys, monkeypatch):
    out = run_example("ch06_weight_init_compare", ["--quick", "--out", str(tmp_path)],
                      capsys, monkeypatch, data=True)
    std001 = floats(line_with(out, "mean loss over the last 60 iterations, std=0.01:")[0])[-1]
    he = floats(line_with(out, "mean loss over the last 60 iterations, He:")[0])[-1]
    assert std001 == pytest.approx(np.log(10), abs=0.01)  # no learning at all
    assert he < std001
    assert_pngs(tmp_path, ["fig6-15_weight_init_compare.png"])


@pytest.mark.slow
@needs_mnist
def test_batch_norm_gradient_check(capsys, monkeypatch):
    out = run_example("ch06_batch_norm_gradient_check", ["--quick"], capsys, monkeypatch,
                      data=True)
    one, three = out.split("== batch of three images ==")
    d1 = {line.split(":")[0]: float(line.split(":")[1]) for line in one.splitlines()[1:]}
    for key in ("W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "W3"):
        assert d1[key] == 0.0, key
    assert d1["beta2"] > 1e-3  # the ReLU kink: backprop 0, central difference 0.5
    d3 = {line.split(":")[0]: float(line.split(":")[1]) for line in three.splitlines()[1:-1]}
    assert list(d3) == ["W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3",
                        "b3"]  # the book's order
    assert max(d3.values()) < 1e-6  # the book's loss: 1e-7 inside the log, not in backprop


@needs_mnist
def test_batch_norm_test(tmp_path, capsys, monkeypatch):
    out = run_example("ch06_batch_norm_test", ["--quick", "--out", str(tmp_path)], capsys,
                      monkeypatch, data=True)
    assert "============== 1/16 ==============" in out
    assert len(line_with(out, "epoch:")) == 4 * 5
    finals = [floats(line.split(":", 1)[1]) for line in line_with(out, "w=")]
    assert len(finals) == 4
    for without_bn, with_bn in finals[2:]:  # w = 0.0074 and 0.00063
        assert without_bn < 0.15 and with_bn > without_bn + 0.2
    assert_pngs(tmp_path, ["fig6-19_batch_norm_test.png", "fig6-18_batch_norm_single.png"])


@pytest.mark.slow
@needs_mnist
def test_overfit_weight_decay(tmp_path, capsys, monkeypatch):
    out = run_example("ch06_overfit_weight_decay", ["--quick", "--out", str(tmp_path)],
                      capsys, monkeypatch, data=True)
    assert len(line_with(out, "epoch:")) == 2 * 101
    assert line_with(out, "epoch:0, train acc:")
    (train0, test0), (train1, test1) = [
        floats(line.split("final train acc")[1])[:2] for line in line_with(out, "lambda ")]
    assert train0 - test0 > 0.15  # overfitting
    assert train1 < train0  # weight decay holds the training accuracy back
    assert_pngs(tmp_path, ["fig6-20_overfit.png", "fig6-21_weight_decay.png"])


@pytest.mark.slow
@needs_mnist
def test_overfit_dropout(tmp_path, capsys, monkeypatch):
    out = run_example("ch06_overfit_dropout", ["--quick", "--out", str(tmp_path)], capsys,
                      monkeypatch, data=True)
    epochs = line_with(out, "=== epoch:")
    assert len(epochs) == 2 * 101 and epochs[0].startswith("=== epoch:1, train acc:")
    assert out.count("=============== Final Test Accuracy ===============") == 2
    (train0, test0), (train1, test1) = [
        floats(line.split("final train acc")[1])[:2] for line in line_with(out, "use_dropout=")
        if "final" in line]
    assert train0 - test0 > 0.15
    assert train1 < train0 and train1 - test1 < train0 - test0
    assert_pngs(tmp_path, ["fig6-23_dropout.png"])


@pytest.mark.slow
@needs_mnist
def test_hyperparameter_optimization(tmp_path, capsys, monkeypatch):
    out = run_example("ch06_hyperparameter_optimization", ["--quick", "--out", str(tmp_path)],
                      capsys, monkeypatch, data=True)
    trials = line_with(out, "val acc:")
    assert len(trials) == 10
    best = line_with(out, "Best-")
    accs = [floats(line.split("val acc:")[1])[0] for line in best]
    assert len(best) == 10 and accs == sorted(accs, reverse=True)
    best_lr = floats(best[0].split("lr:")[1])[0]
    assert accs[0] > 0.25 and best_lr > 1e-3  # only the larger learning rates learn
    assert "=========== Hyper-Parameter Optimization Result ===========" in out
    assert_pngs(tmp_path, ["fig6-24_hyperparameter_optimization.png"])


def test_buy_apple_without_graphviz_writes_the_dot_source(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda *_: None)
    out = run_example("ch05_buy_apple", ["--out", str(tmp_path)], capsys, monkeypatch)
    assert "install Graphviz to render it" in out
    dot = (tmp_path / "fig5-16_buy_apple.dot").read_text()
    assert "apple_num" in dot and "grad 2.2" in dot
    assert not (tmp_path / "fig5-16_buy_apple.svg").exists()

"""Run every example script with small sizes and check the chapter's numbers."""

import runpy
import subprocess
import sys

import numpy as np
import pytest
from conftest import MNIST_DIR, have_mnist
from conftest import REPO as ROOT
from examples_support import EXAMPLES, assert_pngs, floats, line_with, run_example

pytest.importorskip("matplotlib", reason="matplotlib is the plot extra: pip install .[plot]")

MNIST = MNIST_DIR  # the suite's one MNIST location (conftest)

# Scripts this file covers, with the figures each one writes.
FIGURES = {
    "loss_functions": ["cross_entropy_neg_log.png"],
    "numerical_diff": ["fig4-5_tangent.png", "numerical_diff_error.png"],
    "gradient_surface": ["fig4-8_surface.png"],
    "gradient_field": ["fig4-9_gradient_field.png"],
    "gradient_descent": ["fig4-10_gradient_descent.png", "learning_rates.png"],
    "simple_net": [],
    "two_layer_net": ["fig4-11_loss.png", "fig4-12_accuracy.png"],
}

needs_mnist = pytest.mark.skipif(
    not have_mnist(),
    reason=f"MNIST files not found in {MNIST}",
)


# ---------------------------------------------------------------- the scripts

def test_loss_functions(tmp_path, capsys, monkeypatch):
    out = run_example("loss_functions", ["--quick", "--out", str(tmp_path)], capsys, monkeypatch)
    sse = [floats(line)[0] for line in line_with(out, "sum_squares_error")]
    cee = [floats(line)[0] for line in line_with(out, "cross_entropy_error")]
    assert sse == [0.0975, 0.5975]
    assert cee == [0.5108, 2.3026]
    assert "(0.510825457099338;" in out
    assert "(2.302584092994546;" in out
    assert floats(line_with(out, "one-hot targets")[0])[-1] == 1.4067
    assert floats(line_with(out, "labels [2, 2]")[0])[-1] == 1.4067
    assert "-1.6667" in out
    assert "mini-batch demo skipped" in out
    assert_pngs(tmp_path, FIGURES["loss_functions"])


@needs_mnist
def test_loss_functions_minibatch(tmp_path, capsys, monkeypatch):
    out = run_example("loss_functions",
                      ["--quick", "--out", str(tmp_path), "--data-dir", str(MNIST)],
                      capsys, monkeypatch)
    assert "x_train (60000, 784), t_train (60000, 10)" in out
    assert "x_batch (10, 784), t_batch (10, 10)" in out
    assert "cross_entropy_error(uniform 0.1, t_batch) = 2.3026" in out


def test_numerical_diff(tmp_path, capsys, monkeypatch):
    out = run_example("numerical_diff", ["--quick", "--out", str(tmp_path)], capsys, monkeypatch)
    # The book's values, digit for digit.
    assert "numerical_diff at x=5: 0.1999999999990898" in out
    assert "numerical_diff at x=10: 0.2999999999986347" in out
    assert "df/dx0 = 6.00000000000378" in out
    assert "df/dx1 = 7.999999999999119" in out
    assert "autodiff: df/dx0 = 6.0, df/dx1 = 8.0" in out
    assert "h=1e-50: numerical_diff at x=5 = 0.0" in out
    # The error rows: central < forward, autodiff exact.
    errors = [floats(line) for line in line_with(out, "error")]
    for central, forward, auto in errors:
        assert central < 1e-11 < 1e-7 < forward < 1e-5
        assert auto == 0.0
    assert_pngs(tmp_path, FIGURES["numerical_diff"])


def test_gradient_surface(tmp_path, capsys, monkeypatch):
    out = run_example("gradient_surface", ["--quick", "--out", str(tmp_path)], capsys,
                      monkeypatch)
    assert "f(3, 4) = 25, numerical gradient = [6.000000, 8.000000]" in out
    assert_pngs(tmp_path, FIGURES["gradient_surface"])


def test_gradient_field(tmp_path, capsys, monkeypatch):
    out = run_example("gradient_field", ["--quick", "--out", str(tmp_path)], capsys, monkeypatch)
    expected = {"(3, 4)": [6, 8], "(0, 2)": [0, 4], "(3, 0)": [6, 0]}
    for point, grad in expected.items():
        line = line_with(out, point + ":")[0]
        numeric = floats(line.split("numerical_gradient = ")[1].split("autodiff")[0])
        auto = floats(line.split("autodiff = ")[1].split("max")[0])
        assert numeric == grad
        assert auto == grad
        assert floats(line.split("max |diff| = ")[1])[0] < 1e-9
    assert floats(line_with(out, "grid of")[0])[-1] < 1e-9
    assert_pngs(tmp_path, FIGURES["gradient_field"])


def test_gradient_descent(tmp_path, capsys, monkeypatch):
    out = run_example("gradient_descent", ["--quick", "--out", str(tmp_path)], capsys,
                      monkeypatch)
    results = {}
    for line in line_with(out, "lr="):
        lr, rest = line.split("->")
        results[floats(lr)[0]] = floats(rest.split("(")[0])
    # The book: about (-6.1e-10, 8.1e-10); diverges; barely moves.
    np.testing.assert_allclose(results[0.1], [-6.11110793e-10, 8.14814391e-10], rtol=1e-6)
    assert np.abs(results[10.0]).max() > 1e12
    np.testing.assert_allclose(results[1e-10], [-2.99999994, 3.99999992], rtol=1e-8)
    assert_pngs(tmp_path, FIGURES["gradient_descent"])


def test_simple_net_book_values(tmp_path, capsys, monkeypatch):
    out = run_example("simple_net", ["--quick", "--out", str(tmp_path)], capsys, monkeypatch)
    p = floats(out.split("p = net.predict(x) = ")[1].splitlines()[0])
    np.testing.assert_allclose(p, [1.05414809, 0.63071653, 1.1328074], atol=1e-8)
    assert "np.argmax(p) = 2" in out
    loss = floats(line_with(out, "net.loss(x, t) =")[0])[-1]
    assert loss == pytest.approx(0.9280682857864075, abs=1e-12)
    exact = floats(line_with(out, "without the 1e-7")[0])[-1]
    assert exact == pytest.approx(0.92806853663411326, abs=1e-8)  # the book's printed loss

    def matrix_after(header):
        block = out.split(header)[1].split("]]")[0]
        return np.array(floats(block)).reshape(2, 3)

    numeric = matrix_after("dW (numerical_gradient) =")
    auto = matrix_after("dW (autodiff) =")
    book = matrix_after("the book's printed dW) =")
    np.testing.assert_allclose(numeric, auto, atol=1e-7)
    np.testing.assert_allclose(book, [[0.21924763, 0.14356247, -0.36281009],
                                      [0.32887144, 0.2153437, -0.54421514]], atol=1e-8)
    np.testing.assert_allclose(numeric, book, atol=2e-7)  # the 1e-7 inside the log
    assert floats(line_with(out, "max |numerical - autodiff|")[0])[-1] < 1e-8


def test_simple_net_random(tmp_path, capsys, monkeypatch):
    out = run_example("simple_net", ["--random", "--seed", "3", "--out", str(tmp_path)],
                      capsys, monkeypatch)
    assert floats(line_with(out, "max |numerical - autodiff|")[0])[-1] < 1e-8


@needs_mnist
def test_two_layer_net(tmp_path, capsys, monkeypatch):
    argv = ["--quick", "--iters", "30", "--train-size", "500", "--check-grad",
            "--data-dir", str(MNIST), "--out", str(tmp_path)]
    out = run_example("two_layer_net", argv, capsys, monkeypatch)
    epochs = line_with(out, "train acc, test acc | ")
    assert len(epochs) == 6  # iterations 0, 5, ..., 25: one epoch is 500 / 100
    for line in epochs:
        train_acc, test_acc = floats(line.split("|")[1])
        assert 0.0 <= train_acc <= 1.0 and 0.0 <= test_acc <= 1.0
    first, last = floats(line_with(out, "loss: first")[0])[:2]
    assert 2.2 < first < 2.4  # about -log(0.1) before training
    for line in line_with(out, "gradient check"):
        assert floats(line)[-1] < 1e-6
    assert_pngs(tmp_path, FIGURES["two_layer_net"])


@needs_mnist
def test_two_layer_net_learns(tmp_path, capsys, monkeypatch):
    # A larger learning rate than the book's 0.1 gets past the initial plateau quickly.
    argv = ["--iters", "200", "--lr", "1.0", "--train-size", "2000", "--data-dir", str(MNIST),
            "--out", str(tmp_path)]
    out = run_example("two_layer_net", argv, capsys, monkeypatch)
    values = floats(line_with(out, "loss: first")[0])
    first, mean_last = values[0], values[-1]
    assert mean_last < 1.0 < first
    train_acc, test_acc = floats(line_with(out, "final:")[0])
    assert train_acc > 0.8 and test_acc > 0.75


def test_two_layer_net_rejects_bad_arguments(capsys, monkeypatch):
    with pytest.raises(SystemExit):
        run_example("two_layer_net", ["--iters", "0"], capsys, monkeypatch)
    assert "--iters must be >= 1" in capsys.readouterr().err


# ---------------------------------------------------------------- as programs

def test_standalone_from_another_directory(tmp_path):
    """A script runs as a program from any directory and writes into --out."""
    res = subprocess.run(
        [sys.executable, str(EXAMPLES / "gradient_field.py"), "--quick", "--out",
         str(tmp_path / "figs")],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "numerical_gradient = [6. 8.]" in res.stdout
    assert_pngs(tmp_path / "figs", FIGURES["gradient_field"])


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_help_and_default_out(name):
    namespace = runpy.run_path(str(EXAMPLES / f"{name}.py"), run_name=f"example_{name}")
    assert namespace["DEFAULT_OUT"] == EXAMPLES / "out"
    with pytest.raises(SystemExit) as info:
        namespace["main"](["--help"])
    assert info.value.code == 0


def test_every_example_is_covered_and_documented():
    scripts = {p.stem for p in EXAMPLES.glob("*.py") if not p.stem.startswith("_")}
    assert set(FIGURES) <= scripts
    readme = (EXAMPLES / "README.md").read_text()
    for name, figures in FIGURES.items():
        assert f"python examples/{name}.py" in readme, name
        for figure in figures:
            assert figure in readme, figure


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="not a git checkout")
def test_output_directory_is_ignored():
    res = subprocess.run(["git", "check-ignore", "-q", "examples/out/fig.png"], cwd=ROOT)
    assert res.returncode == 0

"""check_layer and the layer exercises: right layers pass, each usual mistake is named."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from minigrad.book import layers as L
from minigrad.book.check_layer import check_layer
from minigrad.book.exercises import CASES, check_file, main

EXERCISES = Path(__file__).resolve().parents[2] / "exercises"
NAMES = sorted(p.name for p in EXERCISES.glob("*.py"))


def test_every_layer_has_a_starter_and_a_solution() -> None:
    assert len(NAMES) == len(CASES) == 7
    assert NAMES == sorted(p.name for p in (EXERCISES / "solutions").glob("*.py"))


@pytest.mark.parametrize("name", NAMES)
def test_every_solution_passes(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    reports = check_file(EXERCISES / "solutions" / name)
    assert len(reports) == 1 and reports[0].ok, str(reports[0])
    if name != "softmax_with_loss.py":  # the 1e-7 inside the log is not in the book's backward
        assert all(g.reference == "autodiff" for g in reports[0].gradients), str(reports[0])
    assert main([str(EXERCISES / "solutions" / name)]) == 0
    assert "all gradients right" in capsys.readouterr().out


@pytest.mark.parametrize("name", NAMES)
def test_every_starter_says_backward_is_not_written(name: str) -> None:
    (report,) = check_file(EXERCISES / name)
    assert not report.ok
    assert "not written yet" in str(report)
    assert main([str(EXERCISES / name)]) == 1


def test_bad_files_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "missing.py")]) == 2
    other = tmp_path / "other.py"
    other.write_text("class Something:\n    pass\n")
    assert main([str(other)]) == 2
    assert "defines none of the layers" in capsys.readouterr().err


def test_minigrads_own_book_layers_pass() -> None:
    rng = np.random.default_rng(1)
    W, b = rng.standard_normal((6, 3)), rng.standard_normal(3)
    assert check_layer(L.Affine(W, b), rng.standard_normal((4, 6))).ok
    assert check_layer(L.Sigmoid(), rng.standard_normal((3, 4))).ok


# -- the usual mistakes, each on a deliberately wrong layer --------------------------------

class Affine:
    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:
        self.W, self.b = W, b

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout: np.ndarray) -> np.ndarray:
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W.T


def affine(W_shape: tuple[int, int] = (6, 3), batch: int = 4) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(0)
    return (rng.standard_normal(W_shape), rng.standard_normal(W_shape[1]),
            rng.standard_normal((batch, W_shape[0])))


def only_failure(report, name):  # type: ignore[no-untyped-def]
    assert not report.ok
    (bad,) = report.failures
    assert bad.name == name
    return bad.message


def test_correct_affine_passes() -> None:
    W, b, x = affine()
    assert check_layer(Affine(W, b), x).ok


def test_db_not_summed_over_the_batch() -> None:
    class Wrong(Affine):
        def backward(self, dout):  # type: ignore[no-untyped-def]
            dx = super().backward(dout)
            self.db = dout
            return dx

    W, b, x = affine()
    message = only_failure(check_layer(Wrong(W, b), x), "db")
    assert "not summed over the batch" in message and "(4, 3)" in message


def test_transposed_product() -> None:
    class Wrong(Affine):
        def backward(self, dout):  # type: ignore[no-untyped-def]
            dx = super().backward(dout)
            self.dW = dout.T @ self.x
            return dx

    W, b, x = affine()
    assert "transposed" in only_failure(check_layer(Wrong(W, b), x), "dW")
    W, b, x = affine((3, 3))  # square: the shapes agree, the values do not
    message = only_failure(check_layer(Wrong(W, b), x), "dW")
    assert "transposed" in message and "square" in message


def test_cached_input_overwritten() -> None:
    class Relu:
        def forward(self, x):  # type: ignore[no-untyped-def]
            self.mask = x <= 0
            out = x  # not a copy: the next line writes into the caller's x
            out[self.mask] = 0
            return out

        def backward(self, dout):  # type: ignore[no-untyped-def]
            dout = dout.copy()
            dout[self.mask] = 0
            return dout

    x = np.random.default_rng(0).standard_normal((4, 5)) + 0.05
    report = check_layer(Relu(), x)
    assert not report.ok
    assert any("changed its input x in place" in p for p in report.problems)


def test_softmax_gradient_not_divided_by_the_batch_size() -> None:
    class SoftmaxWithLoss:
        def forward(self, x, t):  # type: ignore[no-untyped-def]
            e = np.exp(x - x.max(axis=1, keepdims=True))
            self.y, self.t = e / e.sum(axis=1, keepdims=True), t
            return -np.sum(t * np.log(self.y + 1e-7)) / x.shape[0]

        def backward(self, dout=1):  # type: ignore[no-untyped-def]
            return self.y - self.t

    rng = np.random.default_rng(0)
    t = np.eye(5)[[0, 3, 1, 4, 2, 2]]
    message = only_failure(check_layer(SoftmaxWithLoss(), rng.standard_normal((6, 5)), t), "dx")
    assert "6 times too large" in message and "batch size" in message


def test_sign_flipped_and_a_single_wrong_element_are_located() -> None:
    class Flipped(Affine):
        def backward(self, dout):  # type: ignore[no-untyped-def]
            return -super().backward(dout)

    class OneWrong(Affine):
        def backward(self, dout):  # type: ignore[no-untyped-def]
            dx = super().backward(dout)
            dx[2, 1] += 0.5
            return dx

    W, b, x = affine()
    assert "sign is flipped" in only_failure(check_layer(Flipped(W, b), x), "dx")
    report = check_layer(OneWrong(W, b), x)
    message = only_failure(report, "dx")
    assert report.failures[0].index == (2, 1)
    assert "dx[2, 1]" in message and "1 of 24 elements wrong" in message


def test_missing_gradients_are_named() -> None:
    class NoDx(Affine):
        def backward(self, dout):  # type: ignore[no-untyped-def]
            super().backward(dout)

    class NoDW(Affine):
        def backward(self, dout):  # type: ignore[no-untyped-def]
            self.db = dout.sum(axis=0)
            return dout @ self.W.T

    W, b, x = affine()
    assert "returned None" in only_failure(check_layer(NoDx(W, b), x), "dx")
    report = check_layer(NoDW(W, b), x)
    assert "no dW after backward" in only_failure(report, "dW")


def test_backward_that_changes_its_cache() -> None:
    class Sigmoid:
        def forward(self, x):  # type: ignore[no-untyped-def]
            self.out = 1 / (1 + np.exp(-x))
            return self.out

        def backward(self, dout):  # type: ignore[no-untyped-def]
            self.out *= 1 - self.out  # overwrites what forward cached
            return dout * self.out

    report = check_layer(Sigmoid(), np.random.default_rng(0).standard_normal((3, 4)))
    assert any("second backward" in p for p in report.problems)


def test_random_forward_is_reported() -> None:
    class Dropout:
        def forward(self, x):  # type: ignore[no-untyped-def]
            self.mask = np.random.rand(*x.shape) > 0.5
            return x * self.mask

        def backward(self, dout):  # type: ignore[no-untyped-def]
            return dout * self.mask

    report = check_layer(Dropout(), np.ones((3, 4)))
    assert not report.ok and "another output for the same input" in report.problems[0]


def test_raise_exception_and_bad_layers() -> None:
    class Wrong(Affine):
        def backward(self, dout):  # type: ignore[no-untyped-def]
            return 2 * super().backward(dout)

    W, b, x = affine()
    with pytest.raises(AssertionError, match="2 times the right gradient"):
        check_layer(Wrong(W, b), x, raise_exception=True)
    with pytest.raises(TypeError, match="has no backward"):
        check_layer(object.__new__(type("NoBackward", (), {"forward": lambda s, x: x})), x)


def test_the_callers_array_is_never_changed() -> None:
    W, b, x = affine()
    keep = x.copy()
    check_layer(Affine(W, b), x)
    assert np.array_equal(x, keep)

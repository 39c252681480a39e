"""The catalogue of ops and what each op declares about itself."""

import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import Function
from minigrad.ops import catalogue


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_metadata_is_written_only_where_it_says_something():
    builtin = [c for c in _all_subclasses(Function) if c.__module__.startswith("minigrad.")]
    assert len(builtin) >= 25
    restated = [(c.__qualname__, attr) for c in builtin for attr in ("elementwise", "broadcasting")
                if attr in vars(c) and vars(c)[attr] == getattr(c.__mro__[1], attr)]
    assert restated == []


def test_declared_metadata_is_seen_by_the_tools():
    assert mg.ops.elementwise.Add.elementwise and mg.ops.elementwise.Add.broadcasting is True
    assert mg.ops.linalg.Linear.broadcasting == (2,) and not mg.ops.linalg.Linear.elementwise
    assert not mg.ops.linalg.MatMul.elementwise and not mg.ops.linalg.MatMul.broadcasting


def test_an_op_cannot_be_declared_twice_under_one_name():
    def exp(x):
        """Another exp."""

    exp.__module__ = "minigrad.ops.elsewhere"
    with pytest.raises(ValueError, match="op 'exp' is declared twice"):
        catalogue.op("exp")(exp)
    assert mg.exp is mg.ops.elementwise.exp


def test_namespace_names_a_bad_choice():
    with pytest.raises(ValueError, match="which must be 'mg' or 'functional', got 'torch'"):
        catalogue.namespace("torch")


def test_reflected_operators_swap_their_arguments():
    x = mg.tensor([2.0, 3.0], requires_grad=True)
    np.testing.assert_allclose((2.0 ** x).data, [4.0, 8.0])
    np.testing.assert_allclose((7.0 % x).data, [1.0, 1.0])
    np.testing.assert_allclose((np.eye(2) @ x).data, [2.0, 3.0])
    assert mg.Tensor.__rpow__.__name__ == "reflected_pow"


def test_entries_describe_themselves():
    (entry,) = [e for e in catalogue.entries() if e.name == "divide"]
    assert entry.family == "elementwise" and "true_divide" in entry.numpy
    assert entry.names == ("divide", "true_divide", "div")
    assert entry.functional == ("div", "divide", "true_divide")
    assert entry.summary.startswith("Elementwise ``a / b``")

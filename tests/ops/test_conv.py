"""Convolution, pooling, padding, unfold/fold, im2col/col2im and interpolation.

First and second derivatives by finite differences on small sizes; the book's im2col
layout on the digest's worked example (item 7.2); col2im's count map (item 7.3).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import GRADCHECK

import minigrad as mg
import minigrad.functional as F


def leaf(shape, seed=0, scale=1.0):
    return mg.tensor(np.random.default_rng(seed).standard_normal(shape) * scale,
                     requires_grad=True)


def distinct(shape, seed=0):
    """Values with no ties, far apart (max pooling is smooth around them)."""
    n = int(np.prod(shape))
    return mg.tensor(np.random.default_rng(seed).permutation(n).reshape(shape) * 0.1 + 0.05,
                     requires_grad=True)


CASES = [
    # name, function, inputs
    ("conv2d", lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1, dilation=1),
     lambda: [leaf((2, 2, 5, 4)), leaf((3, 2, 3, 2), 1), leaf((3,), 2)]),
    ("conv2d dilated groups", lambda x, w: F.conv2d(x, w, stride=(1, 2), padding=(2, 1),
                                                    dilation=(2, 1), groups=2),
     lambda: [leaf((1, 4, 5, 5)), leaf((2, 2, 2, 3), 1)]),
    ("conv_transpose2d", lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1,
                                                            output_padding=1),
     lambda: [leaf((2, 3, 3, 2)), leaf((3, 2, 3, 3), 1), leaf((2,), 2)]),
    ("conv_transpose2d groups", lambda x, w: F.conv_transpose2d(x, w, stride=1, groups=2,
                                                                dilation=2),
     lambda: [leaf((1, 4, 3, 3)), leaf((4, 1, 2, 2), 1)]),
    ("max_pool2d", lambda x: F.max_pool2d(x, 3, 2, 1), lambda: [distinct((2, 2, 5, 5))]),
    ("avg_pool2d", lambda x: F.avg_pool2d(x, (2, 3), 1, (1, 1)), lambda: [leaf((1, 2, 4, 5))]),
    ("adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, (3, 2)),
     lambda: [leaf((1, 2, 5, 5))]),
    ("pad reflect", lambda x: F.pad(x, (1, 2, 2, 0), "reflect"), lambda: [leaf((1, 1, 3, 4))]),
    ("pad constant", lambda x: F.pad(x, (1, 0, 0, 2), value=1.5), lambda: [leaf((2, 3, 2))]),
    ("mg.pad edge", lambda x: mg.pad(x, ((1, 0), (2, 1)), "edge"), lambda: [leaf((2, 3))]),
    ("unfold", lambda x: F.unfold(x, (2, 3), 1, 1, 2), lambda: [leaf((1, 2, 4, 5))]),
    ("fold", lambda c: F.fold(c, (4, 5), (2, 3), 1, 1, 2), lambda: [leaf((1, 12, 9))]),
    ("im2col", lambda x: F.im2col(x, 3, 2, 2, 1), lambda: [leaf((2, 2, 4, 4))]),
    ("col2im", lambda c: F.col2im(c, (1, 2, 4, 4), 3, 2, 2, 1), lambda: [leaf((6, 12))]),
    ("interpolate bilinear", lambda x: F.interpolate(x, size=(5, 3), mode="bilinear"),
     lambda: [leaf((1, 2, 3, 4))]),
    ("interpolate nearest", lambda x: F.interpolate(x, scale_factor=2),
     lambda: [leaf((1, 1, 2, 3))]),
]


@pytest.mark.parametrize("name,fn,make", CASES, ids=[c[0] for c in CASES])
def test_gradcheck_and_gradgradcheck(name, fn, make):
    inputs = make()
    assert mg.gradcheck(fn, inputs)
    assert mg.gradgradcheck(fn, inputs)


def test_conv2d_third_order_through_weight_grad():
    """conv2d's double backward is again made of convolutions: a third derivative works."""
    x, w = leaf((1, 1, 4, 4)), leaf((1, 1, 2, 2), 1)
    (gx,) = mg.grad((F.conv2d(x, w) ** 2).sum(), [x], create_graph=True)
    (gw,) = mg.grad((gx ** 2).sum(), [w], create_graph=True)
    assert mg.gradcheck(lambda x, w: mg.grad((F.conv2d(x, w) ** 2).sum(), [x],
                                             create_graph=True)[0], [x, w])
    assert gw.requires_grad


def test_im2col_book_layout_worked_example():
    """Item 7.2: x = 0..17 as (1, 2, 3, 3), 2x2 filter."""
    x = np.arange(18.0).reshape(1, 2, 3, 3)
    col = F.im2col(x, 2, 2).data
    np.testing.assert_array_equal(col, [[0, 1, 3, 4, 9, 10, 12, 13], [1, 2, 4, 5, 10, 11, 13, 14],
                                        [3, 4, 6, 7, 12, 13, 15, 16],
                                        [4, 5, 7, 8, 13, 14, 16, 17]])
    padded = F.im2col(x, 2, 2, stride=1, pad=1).data
    assert padded.shape == (16, 8)
    np.testing.assert_array_equal(padded[0], [0, 0, 0, 0, 0, 0, 0, 9])
    assert F.im2col(np.zeros((1, 3, 7, 7)), 5, 5).shape == (9, 75)
    assert F.im2col(np.zeros((10, 3, 7, 7)), 5, 5).shape == (90, 75)


def test_col2im_count_map_and_adjointness():
    """Item 7.3: col2im of ones gives the overlap count; <im2col(x), c> = <x, col2im(c)>."""
    counts = F.col2im(np.ones((4, 8)), (1, 2, 3, 3), 2, 2).data
    for c in range(2):
        np.testing.assert_array_equal(counts[0, c], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 5, 6))
    c = rng.standard_normal(F.im2col(x, 3, 2, 2, 1).shape)
    lhs = (F.im2col(x, 3, 2, 2, 1).data * c).sum()
    rhs = (x * F.col2im(c, x.shape, 3, 2, 2, 1).data).sum()
    assert lhs == pytest.approx(rhs, rel=1e-12)


def test_unfold_is_im2col_transposed():
    x = np.random.default_rng(1).standard_normal((2, 3, 5, 4))
    a = F.unfold(x, (3, 2), padding=1, stride=2).data  # (N, C*K, L)
    b = F.im2col(x, 3, 2, stride=2, pad=1).data  # (N*L, C*K)
    np.testing.assert_array_equal(a.transpose(0, 2, 1).reshape(b.shape), b)


def test_conv2d_is_the_books_im2col_product():
    """Item 7.4: out = im2col(x) @ W.reshape(FN, -1).T + b, reshaped and transposed."""
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((3, 2, 6, 5)), rng.standard_normal((4, 2, 3, 3)), \
        rng.standard_normal(4)
    col = F.im2col(x, 3, 3, 1, 1).data
    ref = (col @ w.reshape(4, -1).T + b).reshape(3, 6, 5, 4).transpose(0, 3, 1, 2)
    np.testing.assert_allclose(F.conv2d(x, w, b, padding=1).data, ref, rtol=1e-13)


def test_max_pool2d_book_example_and_first_max_ties():
    """Item 7.5's example; an all-equal window sends its gradient to the top-left element."""
    x = mg.tensor(np.array([[1, 2, 0, 1], [0, 1, 2, 4], [3, 0, 1, 2], [2, 4, 0, 1.0]])
                  .reshape(1, 1, 4, 4), requires_grad=True)
    y = F.max_pool2d(x, 2, 2)
    np.testing.assert_array_equal(y.data[0, 0], [[2, 4], [4, 2]])
    y.backward(np.array([[10.0, 20], [30, 40]]).reshape(1, 1, 2, 2))
    expect = np.zeros((4, 4))
    expect[0, 1], expect[1, 3], expect[3, 1], expect[2, 3] = 10, 20, 30, 40
    np.testing.assert_array_equal(x.grad.data[0, 0], expect)
    ones = mg.tensor(np.ones((1, 1, 2, 2)), requires_grad=True)
    F.max_pool2d(ones, 2).backward(np.full((1, 1, 1, 1), 5.0))
    np.testing.assert_array_equal(ones.grad.data[0, 0], [[5, 0], [0, 0]])


def test_conv_output_size():
    assert F.conv_output_size(28, 5) == 24
    assert F.conv_output_size(14, 3, 1, 2) == 16
    assert F.conv_output_size(7, 3, 2) == 3


def test_float32_stays_float32():
    x = mg.tensor(np.ones((1, 1, 4, 4), np.float32))
    w = mg.tensor(np.ones((2, 1, 3, 3), np.float32))
    assert F.conv2d(x, w).dtype == np.float32
    assert F.max_pool2d(x, 2).dtype == np.float32
    assert F.avg_pool2d(x, 2).dtype == np.float32
    assert F.interpolate(x, scale_factor=2).dtype == np.float32


@pytest.mark.parametrize("call,match", [
    (lambda: F.conv2d(np.ones((1, 3, 4, 4)), np.ones((2, 2, 3, 3))), "channels"),
    (lambda: F.conv2d(np.ones((1, 1, 2, 2)), np.ones((2, 1, 3, 3))), "does not fit"),
    (lambda: F.conv2d(np.ones((1, 4, 4)), np.ones((2, 1, 3, 3))), "4-D"),
    (lambda: F.conv2d(np.ones((1, 1, 4, 4)), np.ones((2, 1, 3, 3)), np.ones(3)), "bias"),
    (lambda: F.conv2d(np.ones((1, 1, 4, 4)), np.ones((2, 1, 3, 3)), stride=0), "stride"),
    (lambda: F.conv2d(np.ones((1, 1, 4, 4)), np.ones((2, 1, 3, 3)), groups=0), "groups"),
    (lambda: F.max_pool2d(np.ones((1, 1, 4, 4)), 2, padding=2), "half the kernel"),
    (lambda: F.conv_transpose2d(np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3)),
                                output_padding=1), "output_padding"),
    (lambda: F.pad(np.ones((2, 3)), (3, 0), "reflect"), "at most"),
    (lambda: F.pad(np.ones((2, 3)), (1, 0, 1)), "even length"),
    (lambda: mg.pad(np.ones((2, 3)), 1, mode="mean"), "unknown mode"),
    (lambda: F.interpolate(np.ones((1, 1, 2, 2)), size=3, scale_factor=2), "exactly one"),
    (lambda: F.col2im(np.ones((4, 7)), (1, 2, 3, 3), 2, 2), "does not match"),
])
def test_bad_input_names_the_problem(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_conv2d_backward_twice_with_retained_graph():
    """The im2col matrix kept for the first backward is recomputed for a second one."""
    x, w = leaf((2, 2, 5, 5)), leaf((3, 2, 3, 3), 1)
    y = (F.conv2d(x, w, padding=1) ** 2).sum()
    y.backward(retain_graph=True)
    first = w.grad.data.copy()
    y.backward()
    np.testing.assert_allclose(w.grad.data, 2 * first, rtol=1e-12)


@st.composite
def conv_setups(draw):
    g = draw(st.integers(1, 2))
    cin, cout = g * draw(st.integers(1, 2)), g * draw(st.integers(1, 2))
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    s = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    p = (draw(st.integers(0, 1)), draw(st.integers(0, 1)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    h, w = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    assume(all((n + 2 * pp - dd * (kk - 1) - 1) // ss >= 0
               for n, kk, ss, pp, dd in ((h, k[0], s[0], p[0], d[0]),
                                         (w, k[1], s[1], p[1], d[1]))))
    return (1, cin, h, w), (cout, cin // g, *k), s, p, d, g, draw(st.integers(0, 2**16))


@GRADCHECK
@given(setup=conv_setups())
def test_conv2d_gradcheck_random_settings(setup):
    xs, ws, s, p, d, g, seed = setup
    x, w, b = leaf(xs, seed), leaf(ws, seed + 1), leaf(ws[:1], seed + 2)
    assert mg.gradcheck(lambda x, w, b: F.conv2d(x, w, b, s, p, d, g), [x, w, b])


@GRADCHECK
@given(setup=conv_setups())
def test_unfold_and_avg_pool_gradcheck_random_settings(setup):
    xs, ws, s, p, d, _, seed = setup
    k = ws[2:]
    x = leaf(xs, seed)
    assert mg.gradcheck(lambda x: F.unfold(x, k, d, p, s), [x])
    assume(p[0] <= k[0] // 2 and p[1] <= k[1] // 2)
    assert mg.gradcheck(lambda x: F.avg_pool2d(x, k, s, p), [x])


def test_max_pool2d_integer_input_pads_with_the_smallest_value():
    x = -np.arange(1, 17).reshape(1, 1, 4, 4)
    y = F.max_pool2d(x, 3, 1, 1).data[0, 0]
    assert y.dtype == x.dtype
    np.testing.assert_array_equal(y[0], [-1, -1, -2, -3])
    np.testing.assert_array_equal(y[3], [-9, -9, -10, -11])


def test_in_place_update_of_the_weight_frees_the_kept_window_matrix():
    # forward keeps its im2col matrix for the weight gradient; an optimizer step on the
    # weight (before any backward) must free it with the saved inputs
    x = mg.tensor(np.random.default_rng(0).standard_normal((2, 1, 5, 5)))
    w = mg.tensor(np.ones((3, 1, 3, 3)), requires_grad=True)
    y = F.conv2d(x, w)
    f = y.creator
    assert f._col is not None
    with mg.no_grad():
        w -= 0.1
    assert f.inputs is None and f._col is None
    with pytest.raises(RuntimeError, match="in-place"):
        y.sum().backward()


# -- zero-size kernels: one check for every conv, pool, unfold and fold op --------------------

_IMG = np.ones((1, 2, 5, 5))
_ONE_STEP = mg.ops.conv._ConvParams((1, 1), (0, 0), (1, 1), 1)


def _zero_kernel_calls(kh, kw):
    """Each op of the conv family (and the layers) with a kernel of kh x kw."""
    k = (kh, kw)
    return {
        "conv2d": lambda: F.conv2d(_IMG, np.ones((3, 2, kh, kw))),
        "conv_transpose2d": lambda: F.conv_transpose2d(_IMG, np.ones((2, 3, kh, kw))),
        "max_pool2d": lambda: F.max_pool2d(_IMG, k),
        "avg_pool2d": lambda: F.avg_pool2d(_IMG, k),
        "unfold": lambda: F.unfold(_IMG, k),
        "fold": lambda: F.fold(np.ones((1, 4, 9)), (4, 4), k),
        "im2col": lambda: F.im2col(_IMG, kh, kw),
        "col2im": lambda: F.col2im(np.ones((9, 4)), (1, 2, 4, 4), kh, kw),
        "nn.Conv2d": lambda: mg.nn.Conv2d(2, 3, k),
        "nn.ConvTranspose2d": lambda: mg.nn.ConvTranspose2d(2, 3, k),
        "nn.MaxPool2d": lambda: mg.nn.MaxPool2d(k)(mg.tensor(_IMG)),  # named max_pool2d
        "nn.AvgPool2d": lambda: mg.nn.AvgPool2d(k)(mg.tensor(_IMG)),  # named avg_pool2d
        "Conv2d op": lambda: mg.ops.conv.Conv2d(_ONE_STEP)(_IMG, np.ones((3, 2, kh, kw))),
        "Unfold op": lambda: mg.ops.conv.Unfold(k, (1, 1), (0, 0), (1, 1)),
        "MaxPool2d op": lambda: mg.ops.conv.MaxPool2d(k, (1, 1), (0, 0), (1, 1)),
    }


#: The conv family's ops that take no kernel, and why.
NO_KERNEL = {"conv_output_size": "arithmetic on sizes (a 0 filter is a formula's input)",
             "adaptive_avg_pool2d": "takes an output size; its windows follow from it"}


def test_every_conv_op_is_checked_for_a_zero_kernel():
    family = {e.name for e in mg.ops.catalogue.entries() if e.family == "conv"}
    assert family == (set(_zero_kernel_calls(1, 1)) & family) | set(NO_KERNEL)


_WEIGHT_KERNELS = {"conv2d", "conv_transpose2d", "Conv2d op"}  # the kernel is a weight's shape


@pytest.mark.parametrize(("name", "kernel"), [
    (name, kernel) for name in _zero_kernel_calls(0, 0)
    for kernel in [(0, 0), (0, 2), (2, 0)] + ([] if name in _WEIGHT_KERNELS else [(-1, 2)])])
def test_zero_size_kernel_is_refused_naming_the_op(name, kernel):
    where = {"nn.MaxPool2d": "max_pool2d", "nn.AvgPool2d": "avg_pool2d",
             "Conv2d op": "Conv2d: conv2d"}.get(name, name.removeprefix("nn.").removesuffix(" op"))
    with pytest.raises(ValueError, match=rf"{where}: the kernel size must be greater than zero, "
                                         rf"got {kernel[0]}x{kernel[1]}"):
        _zero_kernel_calls(*kernel)[name]()


@pytest.mark.parametrize(("pads", "mode", "expected"), [
    ((-1, 2), "constant", [2.0, 3.0, 4.0, 5.0, 9.0, 9.0]),
    ((2, -3), "constant", [9.0, 9.0, 1.0, 2.0]),
    ((-2, -2), "constant", [3.0]),
    ((-5, 0), "constant", []),
    ((-3, 2), "reflect", [4.0, 5.0, 4.0, 3.0]),       # pad, then crop
    ((-5, 1), "replicate", [5.0]),
    ((-1, 2), "circular", [2.0, 3.0, 4.0, 5.0, 2.0, 3.0]),  # crop, then wrap
    ((2, -1), "circular", [3.0, 4.0, 1.0, 2.0, 3.0, 4.0]),
])
def test_pad_negative_widths_crop(pads, mode, expected):
    x = mg.tensor(np.arange(1.0, 6.0), requires_grad=True)
    y = F.pad(x, pads, mode, **({"value": 9.0} if mode == "constant" else {}))
    np.testing.assert_array_equal(y.data, expected)
    assert mg.gradcheck(lambda a: F.pad(a, pads, mode) * mg.tensor(np.arange(y.size)), [x])


@pytest.mark.parametrize(("pads", "mode", "match"), [
    ((-6, 1), "constant", r"negative widths \(-6, 1\) of axis 0 crop 6 elements from its 5"),
    ((-5, 0), "reflect", r"widths \(-5, 0\) of axis 0 \(size 5\) leave 0 elements"),
    ((0, -6), "replicate", r"leave -1 elements; replicate padding keeps at least one"),
    ((-5, 1), "circular", "circular padding .* must be at most 0 for its size 0"),
    ((-1, 5), "circular", "circular padding .* must be at most 4 for its size 4"),
    ((1.5, 0), "constant", "must hold ints"),
])
def test_pad_refuses_widths_that_crop_too_much(pads, mode, match):
    with pytest.raises((ValueError, TypeError), match=match):
        F.pad(np.arange(1.0, 6.0), pads, mode)

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
        "max_unpool2d": lambda: F.max_unpool2d(np.ones((1, 2, 2, 2)), np.zeros((1, 2, 2, 2), int),
                                               k, 1, output_size=(2, 2)),
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
             **dict.fromkeys([f"adaptive_avg_pool{n}d" for n in (1, 2, 3)],
                             "takes an output size; its windows follow from it")}


def _nd_zero_kernel_calls(k):
    """The 1-D and 3-D ops (and layers) with a kernel ``k`` of one or three sides."""
    nd = len(k)
    x = np.ones((1, 2) + (5,) * nd)
    pooled = (np.ones((1, 2) + (2,) * nd), np.zeros((1, 2) + (2,) * nd, int))
    return {
        f"conv{nd}d": lambda: F.__dict__[f"conv{nd}d"](x, np.ones((3, 2) + k)),
        f"conv_transpose{nd}d": lambda: F.__dict__[f"conv_transpose{nd}d"](x, np.ones((2, 3) + k)),
        f"max_pool{nd}d": lambda: F.__dict__[f"max_pool{nd}d"](x, k),
        f"avg_pool{nd}d": lambda: F.__dict__[f"avg_pool{nd}d"](x, k),
        f"max_unpool{nd}d": lambda: F.__dict__[f"max_unpool{nd}d"](*pooled, k, 1,
                                                                   output_size=(2,) * nd),
        f"nn.Conv{nd}d": lambda: mg.nn.__dict__[f"Conv{nd}d"](2, 3, k),
        f"nn.ConvTranspose{nd}d": lambda: mg.nn.__dict__[f"ConvTranspose{nd}d"](2, 3, k),
    }


def test_every_conv_op_is_checked_for_a_zero_kernel():
    family = {e.name for e in mg.ops.catalogue.entries() if e.family == "conv"}
    checked = set(_zero_kernel_calls(1, 1)) | set(_nd_zero_kernel_calls((1,))) | set(
        _nd_zero_kernel_calls((1, 1, 1)))
    assert family == (checked & family) | set(NO_KERNEL)


@pytest.mark.parametrize("kernel", [(0,), (0, 2, 2), (2, 2, 0)], ids=str)
@pytest.mark.parametrize("name", ["conv", "conv_transpose", "max_pool", "avg_pool", "max_unpool",
                                  "nn.Conv", "nn.ConvTranspose"])
def test_zero_size_kernel_is_refused_in_1d_and_3d(name, kernel):
    nd = len(kernel)
    where = {"nn.Conv": "conv", "nn.ConvTranspose": "conv_transpose"}.get(name, name) + f"{nd}d"
    with pytest.raises(ValueError, match=rf"{where}: the kernel size must be greater than "
                                         rf"zero, got {'x'.join(map(str, kernel))}"):
        _nd_zero_kernel_calls(kernel)[f"{name}{nd}d"]()


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


# -- one, two and three spatial dimensions ---------------------------------------------------

def _sides(draw, n, low, high):
    return tuple(draw(st.integers(low, high)) for _ in range(n))


@st.composite
def nd_setups(draw):
    """A small problem of 1 to 3 spatial dimensions with random window settings."""
    nd = draw(st.integers(1, 3))
    k = _sides(draw, nd, 1, 2 if nd == 3 else 3)
    s, d = _sides(draw, nd, 1, 2), _sides(draw, nd, 1, 2)
    p = tuple(draw(st.integers(0, kk // 2)) for kk in k)
    sp = _sides(draw, nd, 2, 3 if nd == 3 else 5)
    assume(all(n + 2 * pp - dd * (kk - 1) - 1 >= 0 for n, pp, dd, kk in zip(sp, p, d, k)))
    return nd, sp, k, s, p, d, draw(st.booleans()), draw(st.integers(0, 2**16))


@GRADCHECK
@given(setup=nd_setups(), padding=st.sampled_from(["int", "same", "valid", "sides"]))
def test_conv_nd_gradcheck_and_gradgradcheck(setup, padding):
    nd, sp, k, s, _, d, bias, seed = setup
    pad = {"int": 1, "same": "same", "valid": "valid", "sides": (1, 0) * nd}[padding]
    if padding == "same":
        s = (1,) * nd
    total = {"int": 2, "same": None, "valid": 0, "sides": 1}[padding]
    if total is not None:
        assume(all(n + total - dd * (kk - 1) - 1 >= 0 for n, dd, kk in zip(sp, d, k)))
    g = 2 if seed % 2 else 1
    x, w = leaf((1, 2) + sp, seed), leaf((2, 2 // g) + k, seed + 1)
    conv = getattr(F, f"conv{nd}d")
    args = [x, w] + ([leaf((2,), seed + 2)] if bias else [])

    def fn(*a):
        return conv(*a, stride=s, padding=pad, dilation=d, groups=g)

    assert mg.gradcheck(fn, args)
    assert mg.gradgradcheck(fn, args)


@GRADCHECK
@given(setup=nd_setups())
def test_conv_transpose_nd_gradcheck_and_gradgradcheck(setup):
    nd, sp, k, s, p, d, bias, seed = setup
    op = tuple(max(ss, dd) - 1 for ss, dd in zip(s, d))  # the largest output_padding allowed
    x, w = leaf((1, 2) + sp, seed), leaf((2, 1) + k, seed + 1)
    tconv = getattr(F, f"conv_transpose{nd}d")
    args = [x, w] + ([leaf((1,), seed + 2)] if bias else [])

    def fn(*a):
        return tconv(*a, stride=s, padding=p, output_padding=op, dilation=d)

    assert mg.gradcheck(fn, args)
    assert mg.gradgradcheck(fn, args)


@GRADCHECK
@given(setup=nd_setups())
def test_pools_nd_gradcheck_and_gradgradcheck(setup):
    nd, sp, k, s, p, d, ceil, seed = setup
    x = distinct((1, 2) + sp, seed)
    mp, ap = getattr(F, f"max_pool{nd}d"), getattr(F, f"avg_pool{nd}d")
    for fn in (lambda a: mp(a, k, s, p, d, ceil_mode=ceil),
               lambda a: ap(a, k, s, p, ceil_mode=ceil, count_include_pad=not ceil),
               lambda a: getattr(F, f"adaptive_avg_pool{nd}d")(a, k)):
        assert mg.gradcheck(fn, [x])
        assert mg.gradgradcheck(fn, [x])
    if any(n < kk for n, kk in zip(sp, k)):
        return  # no window of the unpadded pooling below fits
    y, idx = mp(x, k, k, ceil_mode=False, return_indices=True)
    unpool = getattr(F, f"max_unpool{nd}d")
    y = leaf(y.shape, seed)
    assert mg.gradcheck(lambda a: unpool(a, idx, k, output_size=sp), [y])
    assert mg.gradgradcheck(lambda a: unpool(a, idx, k, output_size=sp), [y])


@GRADCHECK
@given(nd=st.integers(1, 3), seed=st.integers(0, 2**16), data=st.data())
def test_interpolate_nd_gradcheck_and_gradgradcheck(nd, seed, data):
    mode = data.draw(st.sampled_from(["nearest", "nearest-exact", "area",
                                      {1: "linear", 2: "bicubic", 3: "trilinear"}[nd]]))
    x = leaf((1, 1) + _sides(data.draw, nd, 1, 3), seed)
    size = _sides(data.draw, nd, 1, 4)
    ac = data.draw(st.booleans()) if mode in ("linear", "bicubic", "trilinear") else None
    assert mg.gradcheck(lambda a: F.interpolate(a, size, mode=mode, align_corners=ac), [x])
    assert mg.gradgradcheck(lambda a: F.interpolate(a, size, mode=mode, align_corners=ac), [x])


def test_avg_pool_ceil_mode_worked_example():
    """A 5-long row pooled by 2 with ceil_mode: the last window holds one element."""
    x = np.arange(5.0).reshape(1, 1, 5)
    np.testing.assert_array_equal(F.avg_pool1d(x, 2, ceil_mode=True).data[0, 0],
                                  [0.5, 2.5, 4.0])
    np.testing.assert_array_equal(F.max_pool1d(x, 2, ceil_mode=True).data[0, 0], [1, 3, 4])
    np.testing.assert_array_equal(F.max_pool1d(x, 2).data[0, 0], [1, 3])


def test_conv_same_padding_puts_the_odd_element_after():
    x = np.arange(4.0).reshape(1, 1, 4)
    y = F.conv1d(x, np.array([[[1.0, 10.0]]]), padding="same").data[0, 0]
    np.testing.assert_array_equal(y, [10.0, 21.0, 32.0, 3.0])  # zero padding after only


def test_float32_stays_float32_in_every_dimension():
    x1, x3 = np.ones((1, 2, 5), np.float32), np.ones((1, 2, 3, 4, 4), np.float32)
    assert F.conv1d(x1, np.ones((3, 2, 2), np.float32), padding="same").dtype == np.float32
    assert F.conv3d(x3, np.ones((3, 2, 2, 2, 2), np.float32)).dtype == np.float32
    assert F.avg_pool3d(x3, 2, ceil_mode=True).dtype == np.float32
    assert F.interpolate(x3, scale_factor=1.5, mode="trilinear").dtype == np.float32
    assert F.interpolate(x1, size=7, mode="linear").dtype == np.float32


@pytest.mark.parametrize("call,match", [
    (lambda: F.conv1d(np.ones((1, 2, 5, 5)), np.ones((3, 2, 2))),
     r"conv1d: input must be 3-D \(N, C, L\), got shape \(1, 2, 5, 5\)"),
    (lambda: F.conv3d(np.ones((1, 2, 3, 3, 3)), np.ones((3, 2, 2, 2))),
     r"conv3d: weight must be 5-D \(N, C, D, H, W\), got shape \(3, 2, 2, 2\)"),
    (lambda: F.conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), stride=2, padding="same"),
     r"conv2d: padding='same' needs stride 1 \(as in PyTorch\), got stride \(2, 2\)"),
    (lambda: F.conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), padding="full"),
     r"conv2d: padding must be an int, a tuple of ints, 'same' or 'valid', got 'full'"),
    (lambda: F.conv3d(np.ones((1, 1, 3, 3, 3)), np.ones((1, 1, 1, 1, 1)), padding=(1, 1)),
     r"conv3d: padding must be an int, a tuple of 3 ints \(one per dimension\), 6 ints"),
    (lambda: F.conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), padding=(1, -1, 0, 0)),
     r"conv2d: padding must be >= 0, got \(1, -1, 0, 0\)"),
    (lambda: F.conv1d(np.ones((1, 1, 2)), np.ones((1, 1, 3))),
     r"conv1d: a kernel of 3 \(dilation \(1,\)\) does not fit the input of spatial size 2"),
    (lambda: F.conv_transpose2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), stride=2,
                                dilation=3, output_padding=(3, 0)),
     r"conv_transpose2d: output_padding \(3, 0\) must be smaller than the stride \(2, 2\) "
     r"or the dilation \(3, 3\)"),
    (lambda: F.max_pool3d(np.ones((1, 1, 4, 4, 4)), 2, padding=(0, 2, 0)),
     r"max_pool3d: padding \(0, 2, 0\) must be at most half the kernel size \(2, 2, 2\)"),
    (lambda: F.avg_pool1d(np.ones((1, 1, 4)), (2, 2)),
     r"avg_pool1d: kernel_size must be an int or a tuple of 1 ints, got \(2, 2\)"),
    (lambda: F.avg_pool2d(np.ones((1, 1, 4, 4)), 2, divisor_override=0),
     r"avg_pool2d: divisor_override must be a positive int, got 0"),
    (lambda: F.max_unpool2d(np.ones((1, 1, 2, 2)), np.zeros((1, 1, 2, 3), int), 2),
     r"max_unpool2d: indices must be integers of the input's shape \(1, 1, 2, 2\)"),
    (lambda: F.max_unpool1d(np.ones((1, 1, 2)), np.array([[[0, 9]]]), 2),
     r"max_unpool1d: indices must lie in \[0, 4\) for the output size \(4,\), got values in "
     r"\[0, 9\]"),
    (lambda: F.max_unpool1d(np.ones((1, 1, 2)), np.array([[[0, 1]]]), 2, output_size=(9,)),
     r"max_unpool1d: output_size \(9,\) must be within a stride \(2,\) of \(4,\)"),
    (lambda: F.interpolate(np.ones((1, 1, 3)), size=4, mode="bilinear"),
     r"interpolate: mode 'bilinear' takes 4-D input, got shape \(1, 1, 3\)"),
    (lambda: F.interpolate(np.ones((1, 1, 3)), size=4, mode="cubic"),
     r"interpolate: mode must be one of \['nearest', .*\], got 'cubic'"),
    (lambda: F.interpolate(np.ones((1, 1, 3)), size=4, align_corners=True),
     r"interpolate: align_corners only applies to the modes \['linear', 'bilinear', "
     r"'bicubic', 'trilinear'\], not 'nearest'"),
    (lambda: F.interpolate(np.ones((1, 3)), size=4), r"interpolate: input must be 3-D"),
    (lambda: F.interpolate(np.ones((1, 1, 3)), size=4, recompute_scale_factor=True),
     r"interpolate: recompute_scale_factor applies to scale_factor, not to an explicit size"),
    (lambda: F.interpolate(np.ones((1, 1, 3, 3)), scale_factor=(2.0,)),
     r"interpolate: scale_factor must be a positive number or 2 of them, got \(2.0,\)"),
])
def test_nd_bad_input_names_the_op_and_the_option(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_nn_layers_of_every_dimension_use_pytorchs_parameter_names():
    model = mg.nn.Sequential(mg.nn.Conv1d(2, 4, 3, padding="same", rng=0), mg.nn.MaxPool1d(2),
                             mg.nn.AvgPool1d(2, ceil_mode=True),
                             mg.nn.ConvTranspose1d(4, 1, 2, stride=2, rng=1),
                             mg.nn.Upsample(size=9, mode="linear"))
    assert list(model.state_dict()) == ["0.weight", "0.bias", "3.weight", "3.bias"]
    assert model[0].weight.shape == (4, 2, 3) and model[3].weight.shape == (4, 1, 2)
    assert model(np.ones((2, 2, 8))).shape == (2, 1, 9)
    pool, unpool = mg.nn.MaxPool3d(2, return_indices=True), mg.nn.MaxUnpool3d(2)
    x = mg.tensor(np.random.default_rng(0).permutation(np.arange(64.0)).reshape(1, 1, 4, 4, 4))
    y = unpool(*pool(x))
    np.testing.assert_array_equal(y.data != 0, x.data >= np.repeat(np.repeat(np.repeat(
        F.max_pool3d(x, 2).data, 2, 2), 2, 3), 2, 4))
    assert mg.nn.Conv3d(2, 4, (1, 2, 3), rng=0).weight.shape == (4, 2, 1, 2, 3)
    assert mg.nn.AvgPool3d(2)(np.ones((1, 1, 4, 4, 4))).shape == (1, 1, 2, 2, 2)


# ---------------------------------------------------------------------------
# Max pooling of windows that tile the input (stride == kernel, no padding or
# dilation) takes a fast path: slices compared elementwise instead of copied
# windows, and a strided write instead of the scatter. It must agree exactly
# with the general path.

@st.composite
def tiled_pools(draw):
    """Tiling windows of 1 to 3 dimensions over inputs with leftover rows, ties, any layout."""
    from minigrad.ops.conv import _pool_sizes
    nd = draw(st.integers(1, 3))
    k = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    sp = tuple(kk * draw(st.integers(1, 3)) + draw(st.integers(0, kk - 1)) for kk in k)
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    dtype = draw(st.sampled_from([np.float64, np.float32, np.int64]))
    values = draw(st.sampled_from(["ties", "distinct", "signed zeros"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    # channel-major memory, as a convolution's output is laid out; non-negative floats
    # (ties) are compared through their bit patterns, the others as floats
    if values == "ties":
        base = rng.integers(0, 3, (c, n) + sp)
    elif values == "distinct":
        base = rng.permutation(n * c * int(np.prod(sp))).reshape((c, n) + sp) - 7
    else:
        base = rng.choice([-0.0, 0.0, 1.0], (c, n) + sp)
        dtype = np.float64 if dtype == np.int64 else dtype
    x = base.astype(dtype).transpose(1, 0, *range(2, 2 + nd))
    if draw(st.booleans()):
        x = np.ascontiguousarray(x)
    out, pads = _pool_sizes(sp, k, k, (0,) * nd, (1,) * nd, False, "test")
    return x, k, out, pads


@given(case=tiled_pools())
def test_tiled_max_pool_is_the_general_path_exactly(case):
    from minigrad.ops.conv import MaxPoolScatter, _strided_max, _tiled_max
    x, k, out, pads = case
    nd = len(k)
    found = _tiled_max(x, k, out)
    assert found is not None
    y, windows = found
    y_ref, flat_ref = _strided_max(x, k, k, (0,) * nd, (1,) * nd, out, pads)
    assert y.dtype == x.dtype
    np.testing.assert_array_equal(y, y_ref)
    np.testing.assert_array_equal(np.signbit(y), np.signbit(y_ref))  # the first of 0.0, -0.0
    np.testing.assert_array_equal(windows.indices(), flat_ref)
    gy = np.random.default_rng(1).standard_normal(y.shape).astype(
        x.dtype if x.dtype.kind == "f" else np.float64)
    gx = windows.scatter(gy)
    assert gx.dtype == gy.dtype
    np.testing.assert_array_equal(gx, MaxPoolScatter(flat_ref, x.shape).forward(gy))
    # the gradient is laid out in memory as the input is (the next op reads it along rows)
    assert np.argsort([-s for s in gx.strides], kind="stable").tolist() == \
        np.argsort([-s for s in x.strides], kind="stable").tolist()


def test_tiled_max_pool_is_the_op_and_its_indices():
    """max_pool2d(x, 2) takes the tiled path; its result and indices are the general path's."""
    from minigrad.ops.conv import _strided_max
    x = np.random.default_rng(0).integers(0, 3, (3, 2, 5, 7)).astype(float).transpose(1, 0, 2, 3)
    f = mg.ops.conv.MaxPoolNd((2, 2), (2, 2), (0, 0), (1, 1))
    y = f.forward(x)
    assert f._windows is not None and f._indices is None  # the tiled path, indices not yet made
    y_ref, flat = _strided_max(x, (2, 2), (2, 2), (0, 0), (1, 1), (2, 3), ((0, 0), (0, 0)))
    np.testing.assert_array_equal(y, y_ref)
    np.testing.assert_array_equal(f.indices, flat)
    _, idx = F.max_pool2d(x, 2, return_indices=True)
    np.testing.assert_array_equal(idx, flat)


def test_tiled_max_pool_with_nan_finds_the_first_nan():
    """A NaN anywhere in a window is its maximum, at its first NaN (argmax's rule)."""
    x = np.arange(32.0).reshape(1, 2, 4, 4)
    x[0, 0, 1, 1] = x[0, 0, 0, 1] = np.nan  # window (0, 0): NaNs at positions 1 and 3
    x[0, 1, 3, 2] = np.nan
    x = mg.tensor(x, requires_grad=True)
    y, idx = F.max_pool2d(x, 2, return_indices=True)
    assert np.isnan(y.data[0, 0, 0, 0]) and np.isnan(y.data[0, 1, 1, 1])
    assert idx[0, 0, 0, 0] == 1 and idx[0, 1, 1, 1] == 14
    assert idx[0, 0, 1, 1] == 15  # the other windows as before
    (g,) = mg.grad(y.sum(), [x])
    assert g.data[0, 0, 0, 1] == 1 and g.data[0, 0, 1, 1] == 0
    # non-negative inputs (compared as bit patterns) and NaNs of either sign
    for nan in (np.nan, np.copysign(np.nan, -1.0)):
        for dtype in (np.float64, np.float32):
            x = np.arange(16.0, dtype=dtype).reshape(1, 1, 4, 4)
            x[0, 0, 0, 1] = x[0, 0, 3, 3] = nan
            y, idx = F.max_pool2d(x, 2, return_indices=True)
            assert np.isnan(y.data[0, 0, 0, 0]) and idx[0, 0, 0, 0] == 1
            assert np.isnan(y.data[0, 0, 1, 1]) and idx[0, 0, 1, 1] == 15
            assert y.data[0, 0, 0, 1] == 7 and idx[0, 0, 0, 1] == 7


@pytest.mark.parametrize("shape,k", [((2, 3, 4, 6), 2), ((1, 2, 5, 7), 2), ((1, 2, 7, 6), (3, 2)),
                                     ((1, 1, 4, 6, 3), (2, 3, 1)), ((2, 2, 7), 3)], ids=str)
def test_tiled_max_pool_gradcheck_and_gradgradcheck(shape, k):
    x = distinct(shape, 3)
    pool = getattr(F, f"max_pool{len(shape) - 2}d")
    assert mg.gradcheck(lambda a: pool(a, k), [x])
    assert mg.gradgradcheck(lambda a: pool(a, k), [x])
    # channel-major memory, as after a convolution
    xt = mg.tensor(np.ascontiguousarray(np.swapaxes(x.data, 0, 1)), requires_grad=True)
    assert mg.gradcheck(lambda a: pool(a.transpose(1, 0, *range(2, a.ndim)), k), [xt])


def test_conv_relu_pool_step_stays_float32():
    """The SimpleConvNet path in float32: every value and gradient stays float32."""
    rng = np.random.default_rng(0)
    x = mg.tensor(rng.standard_normal((4, 1, 12, 12)).astype(np.float32))
    w = mg.tensor(rng.standard_normal((3, 1, 5, 5)).astype(np.float32), requires_grad=True)
    b = mg.tensor(np.zeros(3, np.float32), requires_grad=True)
    h = F.max_pool2d(F.relu(F.conv2d(x, w, b)), 2)
    assert h.dtype == np.float32
    gw, gb = mg.grad(h.sum(), [w, b])
    assert gw.dtype == np.float32 and gb.dtype == np.float32


def test_tiled_max_pool_with_a_large_window():
    """A window of more than 127 elements (wider position types) gives the general result."""
    from minigrad.ops.conv import MaxPoolScatter, _strided_max, _tiled_max
    x = np.random.default_rng(2).integers(0, 5, (2, 1, 25, 23)).astype(float)
    k = (12, 11)
    y, windows = _tiled_max(x, k, (2, 2))
    y_ref, flat = _strided_max(x, k, k, (0, 0), (1, 1), (2, 2), ((0, 0), (0, 0)))
    np.testing.assert_array_equal(y, y_ref)
    np.testing.assert_array_equal(windows.indices(), flat)
    gy = np.arange(8.0).reshape(2, 1, 2, 2) + 1
    np.testing.assert_array_equal(windows.scatter(gy), MaxPoolScatter(flat, x.shape).forward(gy))

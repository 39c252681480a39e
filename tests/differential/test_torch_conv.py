"""Convolution, pooling, padding, unfold/fold and interpolation against PyTorch, float64.

Values, gradients and second derivatives (Hessian-vector products) to 1e-9, on random
shapes, strides, paddings, dilations and groups, odd sizes and overlapping pools.
"""

import pytest

torch = pytest.importorskip(
    "torch", reason="the differential tests compare against PyTorch: pip install minigrad[torch]"
)

import numpy as np  # noqa: E402
from hypothesis import assume, given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.functional as F  # noqa: E402

from .helpers import DIFF, compare, distinct, seeds  # noqa: E402

TF = torch.nn.functional


def _out(n, k, s, p, d):
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


@st.composite
def conv_cases(draw):
    groups = draw(st.integers(1, 3))
    cin = groups * draw(st.integers(1, 2))
    cout = groups * draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    p = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    assume(_out(h, kh, s[0], p[0], d[0]) >= 1 and _out(w, kw, s[1], p[1], d[1]) >= 1)
    n = draw(st.integers(1, 2))
    bias = draw(st.booleans())
    return (n, cin, h, w), (cout, cin // groups, kh, kw), s, p, d, groups, bias


@DIFF
@given(case=conv_cases(), seed=seeds)
def test_conv2d(case, seed):
    xs, ws, s, p, d, g, bias = case
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(xs), rng.standard_normal(ws)]
    if bias:
        arrays.append(rng.standard_normal(ws[0]))
    compare(f"conv2d s={s} p={p} d={d} g={g}",
            lambda *a: F.conv2d(*a, stride=s, padding=p, dilation=d, groups=g),
            lambda *a: TF.conv2d(*a, stride=s, padding=p, dilation=d, groups=g),
            arrays, seed)


@DIFF
@given(case=conv_cases(), seed=seeds)
def test_conv_transpose2d(case, seed):
    xs, ws, s, p, d, g, bias = case
    rng = np.random.default_rng(seed)
    op = (int(rng.integers(0, s[0])), int(rng.integers(0, s[1])))
    cin = ws[0]  # the transposed convolution maps the conv's output channels back
    wshape = (cin, xs[1] // g, ws[2], ws[3])  # (Cin, Cout/g, KH, KW)
    xshape = (xs[0], cin, xs[2], xs[3])
    outs = [(xshape[2 + i] - 1) * s[i] - 2 * p[i] + d[i] * (wshape[2 + i] - 1) + op[i] + 1
            for i in range(2)]
    assume(min(outs) >= 1)
    arrays = [rng.standard_normal(xshape), rng.standard_normal(wshape)]
    if bias:
        arrays.append(rng.standard_normal(wshape[1] * g))
    compare(f"conv_transpose2d s={s} p={p} d={d} g={g} op={op}",
            lambda *a: F.conv_transpose2d(*a, stride=s, padding=p, output_padding=op, groups=g,
                                          dilation=d),
            lambda *a: TF.conv_transpose2d(*a, stride=s, padding=p, output_padding=op, groups=g,
                                           dilation=d),
            arrays, seed)


def _windows_touch_input(n, k, s, p, d):
    pos = np.arange(_out(n, k, s, p, d))[:, None] * s + np.arange(k) * d - p
    return bool(((pos >= 0) & (pos < n)).any(axis=1).all())


@st.composite
def pool_cases(draw, dilation=True):
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    p = (draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilation else (1, 1)
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    assume(_out(h, kh, s[0], p[0], d[0]) >= 1 and _out(w, kw, s[1], p[1], d[1]) >= 1)
    assume(_windows_touch_input(h, kh, s[0], p[0], d[0]))
    assume(_windows_touch_input(w, kw, s[1], p[1], d[1]))
    return (draw(st.integers(1, 2)), draw(st.integers(1, 3)), h, w), (kh, kw), s, p, d


@DIFF
@given(case=pool_cases(), seed=seeds, data=st.data())
def test_max_pool2d_distinct(case, seed, data):
    shape, k, s, p, d = case
    x = data.draw(distinct(shape))
    compare(f"max_pool2d k={k} s={s} p={p} d={d}",
            lambda a: F.max_pool2d(a, k, s, p, d), lambda a: TF.max_pool2d(a, k, s, p, d),
            [x], seed)


@DIFF
@given(case=pool_cases(), seed=seeds, data=st.data())
def test_max_pool2d_ties_follow_torch(case, seed, data):
    """Many equal values (small integers): PyTorch's first-maximum rule, overlaps included."""
    shape, k, s, p, d = case
    x = np.array(data.draw(st.lists(st.integers(0, 2), min_size=int(np.prod(shape)),
                                    max_size=int(np.prod(shape)))), dtype=np.float64)
    x = x.reshape(shape)
    compare(f"max_pool2d ties k={k} s={s} p={p} d={d}",
            lambda a: F.max_pool2d(a, k, s, p, d), lambda a: TF.max_pool2d(a, k, s, p, d),
            [x], seed)
    _, idx = F.max_pool2d(mg.tensor(x), k, s, p, d, return_indices=True)
    _, tidx = TF.max_pool2d(torch.tensor(x), k, s, p, d, return_indices=True)
    np.testing.assert_array_equal(idx, tidx.numpy())


@DIFF
@given(case=pool_cases(dilation=False), seed=seeds, include=st.booleans())
def test_avg_pool2d(case, seed, include):
    shape, k, s, p, _ = case
    x = np.random.default_rng(seed).standard_normal(shape)
    compare(f"avg_pool2d k={k} s={s} p={p} include_pad={include}",
            lambda a: F.avg_pool2d(a, k, s, p, count_include_pad=include),
            lambda a: TF.avg_pool2d(a, k, s, p, count_include_pad=include), [x], seed)


@DIFF
@given(h=st.integers(1, 9), w=st.integers(1, 9), oh=st.integers(1, 5), ow=st.integers(1, 5),
       seed=seeds)
def test_adaptive_avg_pool2d(h, w, oh, ow, seed):
    x = np.random.default_rng(seed).standard_normal((2, 2, h, w))
    compare(f"adaptive_avg_pool2d {h}x{w} -> {oh}x{ow}",
            lambda a: F.adaptive_avg_pool2d(a, (oh, ow)),
            lambda a: TF.adaptive_avg_pool2d(a, (oh, ow)), [x], seed)


@DIFF
@given(h=st.integers(1, 6), w=st.integers(1, 6), mode=st.sampled_from(["constant", "reflect",
                                                                         "replicate",
                                                                         "circular"]),
       data=st.data(), seed=seeds)
def test_pad(h, w, mode, data, seed):
    limit_h = h - 1 if mode == "reflect" else (h if mode == "circular" else 3)
    limit_w = w - 1 if mode == "reflect" else (w if mode == "circular" else 3)
    pads = (data.draw(st.integers(0, min(limit_w, 3))), data.draw(st.integers(0, min(limit_w, 3))),
            data.draw(st.integers(0, min(limit_h, 3))), data.draw(st.integers(0, min(limit_h, 3))))
    x = np.random.default_rng(seed).standard_normal((2, 2, h, w))
    value = 0.5 if mode == "constant" else 0.0
    kw = {"value": value} if mode == "constant" else {}
    compare(f"pad {pads} {mode}", lambda a: F.pad(a, pads, mode, value),
            lambda a: TF.pad(a, pads, mode, **kw), [x], seed)


@DIFF
@given(case=pool_cases(), seed=seeds)
def test_unfold_fold(case, seed):
    shape, k, s, p, d = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    compare(f"unfold k={k} s={s} p={p} d={d}", lambda a: F.unfold(a, k, d, p, s),
            lambda a: TF.unfold(a, k, d, p, s), [x], seed)
    oh, ow = _out(shape[2], k[0], s[0], p[0], d[0]), _out(shape[3], k[1], s[1], p[1], d[1])
    col = rng.standard_normal((shape[0], shape[1] * k[0] * k[1], oh * ow))
    hw = shape[2:]
    compare(f"fold k={k} s={s} p={p} d={d}", lambda a: F.fold(a, hw, k, d, p, s),
            lambda a: TF.fold(a, hw, k, d, p, s), [col], seed)


@DIFF
@given(h=st.integers(1, 6), w=st.integers(1, 6), oh=st.integers(1, 9), ow=st.integers(1, 9),
       mode=st.sampled_from(["nearest", "bilinear"]), align=st.booleans(), seed=seeds)
def test_interpolate_size(h, w, oh, ow, mode, align, seed):
    x = np.random.default_rng(seed).standard_normal((1, 2, h, w))
    ac = align if mode == "bilinear" else None
    compare(f"interpolate {mode} {h}x{w} -> {oh}x{ow} align={ac}",
            lambda a: F.interpolate(a, size=(oh, ow), mode=mode, align_corners=ac),
            lambda a: TF.interpolate(a, size=(oh, ow), mode=mode, align_corners=ac), [x], seed)


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
@pytest.mark.parametrize("sf", [2, 0.5, 1.5, 3])
def test_interpolate_scale_factor(mode, sf):
    x = np.random.default_rng(0).standard_normal((1, 1, 5, 4))
    compare(f"interpolate {mode} x{sf}",
            lambda a: F.interpolate(a, scale_factor=sf, mode=mode),
            lambda a: TF.interpolate(a, scale_factor=sf, mode=mode), [x], 0)


def test_np_pad_matches_numpy_modes():
    x = np.arange(12.0).reshape(3, 4)
    for mode in ("constant", "reflect", "symmetric", "edge", "wrap"):
        for pw in (1, (2, 1), ((1, 2), (0, 3))):
            np.testing.assert_array_equal(mg.pad(x, pw, mode=mode).data, np.pad(x, pw, mode=mode))
    # gradients add up over the copies: reflect (2, 1) of a length-3 vector
    v = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    mg.pad(v, (2, 1), mode="reflect").sum().backward()
    np.testing.assert_array_equal(v.grad.data, [1.0, 3.0, 2.0])


ZERO_KERNEL = {
    "conv2d": (lambda x, k: F.conv2d(x, np.ones((3, 2, *k))),
               lambda x, k: TF.conv2d(x, torch.ones((3, 2, *k), dtype=x.dtype))),
    "conv_transpose2d": (lambda x, k: F.conv_transpose2d(x, np.ones((2, 3, *k))),
                         lambda x, k: TF.conv_transpose2d(x, torch.ones((2, 3, *k),
                                                                        dtype=x.dtype))),
    "max_pool2d": (lambda x, k: F.max_pool2d(x, k, stride=1),
                   lambda x, k: TF.max_pool2d(x, k, stride=1)),
    "avg_pool2d": (lambda x, k: F.avg_pool2d(x, k, stride=1),
                   lambda x, k: TF.avg_pool2d(x, k, stride=1)),
    "unfold": (lambda x, k: F.unfold(x, k), lambda x, k: TF.unfold(x, k)),
    "fold": (lambda x, k: F.fold(np.ones((1, 4, 9)), (4, 4), k),
             lambda x, k: TF.fold(torch.ones((1, 4, 9), dtype=x.dtype), (4, 4), k)),
}


@pytest.mark.parametrize("kernel", [(0, 0), (0, 2), (2, 0)], ids=str)
@pytest.mark.parametrize("op", sorted(ZERO_KERNEL))
def test_zero_size_kernel_is_refused_as_by_torch(op, kernel):
    ours, theirs = ZERO_KERNEL[op]
    x = np.ones((1, 2, 5, 5))
    with pytest.raises(RuntimeError):
        theirs(torch.from_numpy(x), kernel)
    with pytest.raises(ValueError, match=f"{op}: the kernel size must be greater than zero"):
        ours(mg.tensor(x), kernel)


def _negative_pad_cases():
    """Widths with negatives (crops) on 1-, 2- and 3-D inputs, every mode, as PyTorch takes them."""
    one = [(-1, 2), (2, -1), (-3, 2), (-2, 3), (-4, 1), (3, -1), (-2, -2), (-1, -1)]
    for mode in ("constant", "reflect", "replicate", "circular"):
        for pads in one:
            if mode == "circular" and pads[0] + pads[1] + 5 < 1:
                continue
            yield pytest.param((1, 2, 5), pads, mode, id=f"{mode}-{pads}")
        for pads in [(-1, 2, 0, -1), (1, -2, -2, 1), (-2, -2, 2, 1)]:
            yield pytest.param((1, 2, 4, 5), pads, mode, id=f"{mode}-{pads}")
    for pads in [(-1, 0), (0, -3), (-2, 1, 1, -1, -1, 0)]:
        yield pytest.param((3, 4, 5), pads, "constant", id=f"constant-3d-{pads}")


@pytest.mark.parametrize(("shape", "pads", "mode"), list(_negative_pad_cases()))
def test_pad_with_negative_widths_crops_as_torch(shape, pads, mode):
    x = np.random.default_rng(0).standard_normal(shape)
    kw = {"value": 0.5} if mode == "constant" else {}
    compare(f"pad {pads} {mode}", lambda a: F.pad(a, pads, mode, **kw),
            lambda a: TF.pad(a, pads, mode, **kw), [x], 0)


@pytest.mark.parametrize(("pads", "mode"), [
    ((-6, 0), "constant"), ((-6, 1), "constant"), ((-5, 0), "reflect"), ((-6, 1), "reflect"),
    ((-5, 0), "replicate"), ((0, -5), "replicate"), ((-1, 5), "reflect"), ((-6, 0), "circular"),
])
def test_pad_with_too_negative_widths_is_refused_as_by_torch(pads, mode):
    x = np.ones((1, 2, 5))
    with pytest.raises(RuntimeError):
        TF.pad(torch.from_numpy(x), pads, mode)
    with pytest.raises(ValueError, match=r"pad: .*\(-?\d+, -?\d+\)"):
        F.pad(x, pads, mode)

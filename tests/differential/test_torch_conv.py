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

from .helpers import DIFF, assert_close, compare, distinct, seeds  # noqa: E402

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
@given(k=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       extra=st.tuples(st.integers(0, 2), st.integers(0, 2)), ties=st.booleans(), seed=seeds)
def test_max_pool2d_tiling_windows(k, extra, ties, seed):
    """stride == kernel (the fast path), channel-major input as after a convolution, to 1e-12."""
    rng = np.random.default_rng(seed)
    shape = (3, 2, 2 * k[0] + min(extra[0], k[0] - 1), 3 * k[1] + min(extra[1], k[1] - 1))
    x = (rng.integers(0, 3, shape).astype(np.float64) if ties
         else rng.permutation(int(np.prod(shape))).reshape(shape) * 0.1)
    compare(f"max_pool2d tiling k={k} shape={shape}",
            lambda a: F.max_pool2d(a.transpose(1, 0, 2, 3), k),
            lambda a: TF.max_pool2d(a.permute(1, 0, 2, 3), k), [x], seed, rtol=1e-12, atol=1e-12)
    _, idx = F.max_pool2d(mg.tensor(x).transpose(1, 0, 2, 3), k, return_indices=True)
    _, tidx = TF.max_pool2d(torch.tensor(x).permute(1, 0, 2, 3), k, return_indices=True)
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


@pytest.mark.parametrize("mode", ["reflect", "replicate"])
@pytest.mark.parametrize("pads", [(0, 0, 0, -5), (3, -5, 1, -5), (0, 0, -2, -3), (-5, 0, 0, 0),
                                  (0, 0, 0, 0, 0, -5), (-5, 0, 0, 0, 0, 0)])
def test_pad_reflect_replicate_crop_to_empty_on_2d_and_3d_as_torch(pads, mode):
    # PyTorch's 2-D and 3-D kernels crop an axis to nothing; its 1-D kernels refuse (below)
    shape = (1, 1, 5, 5) if len(pads) == 4 else (1, 1, 5, 5, 5)
    x = np.random.default_rng(1).standard_normal(shape)
    if len(pads) == 4:
        compare(f"pad {pads} {mode}", lambda a: F.pad(a, pads, mode),
                lambda a: TF.pad(a, pads, mode), [x], 0)
    else:  # PyTorch's 3-D backward leaves an empty result's gradient uninitialised
        assert_close(F.pad(x, pads, mode).data, TF.pad(torch.from_numpy(x), pads, mode).numpy(),
                     f"pad {pads} {mode}")
    with pytest.raises(ValueError, match=r"leave -1 elements; .* keeps none or more"):
        F.pad(x, (0,) * (len(pads) - 1) + (-6,), mode)


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


# -- one, two and three spatial dimensions, every padding form, ceil_mode, output_padding ------

NDS = [1, 2, 3]


def _sides(draw, nd, low, high):
    return tuple(draw(st.integers(low, high)) for _ in range(nd))


@st.composite
def nd_conv_cases(draw, nd):
    """A convolution of ``nd`` spatial dimensions; the padding an int, a tuple, "same",
    "valid" or per-side widths (PyTorch gets those through F.pad)."""
    groups = draw(st.integers(1, 2))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    k = _sides(draw, nd, 1, 3)
    d = _sides(draw, nd, 1, 2)
    kind = draw(st.sampled_from(["int", "tuple", "same", "valid", "sides"]))
    s = (1,) * nd if kind == "same" else _sides(draw, nd, 1, 3)
    padding = {"int": draw(st.integers(0, 2)), "tuple": _sides(draw, nd, 0, 2), "same": "same",
               "valid": "valid", "sides": _sides(draw, 2 * nd, 0, 2)}[kind]
    sp = _sides(draw, nd, 1, 6 if nd < 3 else 4)
    ext = [sum(padding[2 * (nd - 1 - i):2 * (nd - i)]) if kind == "sides" else 0
           for i in range(nd)]
    per_dim = (padding,) * nd if kind == "int" else padding if kind == "tuple" else (0,) * nd
    if kind == "same":
        assume(all(n >= 1 for n in sp))
    else:
        assume(all((n + 2 * p + e - dd * (kk - 1) - 1) // ss + 1 >= 1
                   for n, p, e, dd, kk, ss in zip(sp, per_dim, ext, d, k, s)))
    return ((draw(st.integers(1, 2)), cin) + sp, (cout, cin // groups) + k, s, padding, kind, d,
            groups, draw(st.booleans()))


@pytest.mark.parametrize("nd", NDS)
@pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")  # PyTorch's own note
@DIFF
@given(data=st.data(), seed=seeds)
def test_conv_nd_every_padding(nd, data, seed):
    xs, ws, s, padding, kind, d, g, bias = data.draw(nd_conv_cases(nd))
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(xs), rng.standard_normal(ws)]
    if bias:
        arrays.append(rng.standard_normal(ws[0]))
    ours, theirs = getattr(F, f"conv{nd}d"), getattr(TF, f"conv{nd}d")
    if kind == "sides":
        def torch_fn(x, *wb):
            return theirs(TF.pad(x, padding), *wb, stride=s, dilation=d, groups=g)
    else:
        def torch_fn(x, *wb):
            return theirs(x, *wb, stride=s, padding=padding, dilation=d, groups=g)
    compare(f"conv{nd}d s={s} padding={padding!r} d={d} g={g}",
            lambda *a: ours(*a, stride=s, padding=padding, dilation=d, groups=g), torch_fn,
            arrays, seed)


@pytest.mark.parametrize("nd", NDS)
@DIFF
@given(data=st.data(), seed=seeds)
def test_conv_transpose_nd_with_output_padding_up_to_the_limit(nd, data, seed):
    g = data.draw(st.integers(1, 2))
    cin, coutg = g * data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2))
    k, s, d = _sides(data.draw, nd, 1, 3), _sides(data.draw, nd, 1, 3), _sides(data.draw, nd, 1, 3)
    p = _sides(data.draw, nd, 0, 2)
    op = tuple(data.draw(st.integers(0, max(ss, dd) - 1)) for ss, dd in zip(s, d))
    sp = _sides(data.draw, nd, 1, 4 if nd < 3 else 3)
    assume(all((n - 1) * ss - 2 * pp + dd * (kk - 1) + o + 1 >= 1
               for n, ss, pp, dd, kk, o in zip(sp, s, p, d, k, op)))
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal((data.draw(st.integers(1, 2)), cin) + sp),
              rng.standard_normal((cin, coutg) + k)]
    if data.draw(st.booleans()):
        arrays.append(rng.standard_normal(coutg * g))
    kw = {"stride": s, "padding": p, "output_padding": op, "groups": g, "dilation": d}
    compare(f"conv_transpose{nd}d {kw}", lambda *a: getattr(F, f"conv_transpose{nd}d")(*a, **kw),
            lambda *a: getattr(TF, f"conv_transpose{nd}d")(*a, **kw), arrays, seed)


@st.composite
def nd_pool_cases(draw, nd, dilation=True):
    k = _sides(draw, nd, 1, 3)
    s = _sides(draw, nd, 1, 3)
    p = tuple(draw(st.integers(0, kk // 2)) for kk in k)
    d = _sides(draw, nd, 1, 2) if dilation else (1,) * nd
    sp = _sides(draw, nd, 1, 7 if nd < 3 else 4)
    assume(all(_out(n, kk, ss, pp, dd) >= 1 and _windows_touch_input(n, kk, ss, pp, dd)
               for n, kk, ss, pp, dd in zip(sp, k, s, p, d)))
    return (draw(st.integers(1, 2)), draw(st.integers(1, 2))) + sp, k, s, p, d, draw(st.booleans())


@pytest.mark.parametrize("nd", NDS)
@DIFF
@given(data=st.data(), seed=seeds)
def test_max_pool_nd_with_ceil_mode(nd, data, seed):
    shape, k, s, p, d, ceil = data.draw(nd_pool_cases(nd))
    x = data.draw(distinct(shape))
    ours, theirs = getattr(F, f"max_pool{nd}d"), getattr(TF, f"max_pool{nd}d")
    compare(f"max_pool{nd}d k={k} s={s} p={p} d={d} ceil={ceil}",
            lambda a: ours(a, k, s, p, d, ceil_mode=ceil),
            lambda a: theirs(a, k, s, p, d, ceil_mode=ceil), [x], seed)
    _, idx = ours(mg.tensor(x), k, s, p, d, ceil_mode=ceil, return_indices=True)
    _, tidx = theirs(torch.tensor(x), k, s, p, d, ceil_mode=ceil, return_indices=True)
    np.testing.assert_array_equal(idx, tidx.numpy())


@pytest.mark.parametrize("nd", NDS)
@DIFF
@given(data=st.data(), seed=seeds, include=st.booleans())
def test_avg_pool_nd_with_ceil_mode(nd, data, seed, include):
    shape, k, s, p, _, ceil = data.draw(nd_pool_cases(nd, dilation=False))
    if nd == 3:  # PyTorch's avg_pool3d refuses an input smaller than the kernel, padded or not
        assume(all(n >= kk for n, kk in zip(shape[2:], k)))
    kw = {"ceil_mode": ceil, "count_include_pad": include}
    if nd > 1 and data.draw(st.booleans()):
        kw["divisor_override"] = data.draw(st.integers(1, 5))
    x = np.random.default_rng(seed).standard_normal(shape)
    compare(f"avg_pool{nd}d k={k} s={s} p={p} {kw}",
            lambda a: getattr(F, f"avg_pool{nd}d")(a, k, s, p, **kw),
            lambda a: getattr(TF, f"avg_pool{nd}d")(a, k, s, p, **kw), [x], seed)


@pytest.mark.parametrize("nd", NDS)
@DIFF
@given(data=st.data(), seed=seeds)
def test_max_unpool_nd(nd, data, seed):
    shape, k, _, p, _, ceil = data.draw(nd_pool_cases(nd, dilation=False))
    s = tuple(kk + data.draw(st.integers(0, 1)) for kk in k)  # windows that do not overlap
    assume(all(_out(n, kk, ss, pp, 1) >= 1 for n, kk, ss, pp in zip(shape[2:], k, s, p)))
    x = data.draw(distinct(shape))
    y, idx = getattr(F, f"max_pool{nd}d")(x, k, s, p, return_indices=True)
    default = tuple((o - 1) * ss - 2 * pp + kk for o, ss, pp, kk in zip(y.shape[2:], s, p, k))
    size = None if default == shape[2:] and data.draw(st.booleans()) else shape[2:]
    compare(f"max_unpool{nd}d k={k} s={s} p={p} size={size}",
            lambda a: getattr(F, f"max_unpool{nd}d")(a, idx, k, s, p, size),
            lambda a: getattr(TF, f"max_unpool{nd}d")(a, torch.tensor(idx), k, s, p, size),
            [y.data], seed)


@pytest.mark.parametrize("nd", NDS)
@DIFF
@given(data=st.data(), seed=seeds)
def test_adaptive_avg_pool_nd(nd, data, seed):
    sp, out = _sides(data.draw, nd, 1, 7), _sides(data.draw, nd, 1, 4)
    x = np.random.default_rng(seed).standard_normal((2, 2) + sp)
    compare(f"adaptive_avg_pool{nd}d {sp} -> {out}",
            lambda a: getattr(F, f"adaptive_avg_pool{nd}d")(a, out),
            lambda a: getattr(TF, f"adaptive_avg_pool{nd}d")(a, out), [x], seed)


INTERP_MODES = [(1, "nearest"), (2, "nearest"), (3, "nearest"), (1, "nearest-exact"),
                (2, "nearest-exact"), (3, "nearest-exact"), (1, "linear"), (2, "bilinear"),
                (3, "trilinear"), (2, "bicubic"), (1, "area"), (2, "area"), (3, "area")]


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact"])
@DIFF
@given(data=st.data(), nd=st.integers(1, 3))
def test_interpolate_nearest_keeps_an_integer_dtype_as_torch(mode, nd, data):
    sp, size = _sides(data.draw, nd, 1, 6), _sides(data.draw, nd, 1, 8)
    x = np.random.default_rng(nd).integers(0, 256, (2, 3) + sp).astype(np.uint8)
    y = F.interpolate(mg.tensor(x), size=size, mode=mode)
    t = TF.interpolate(torch.from_numpy(x), size=size, mode=mode).numpy()
    assert y.dtype == t.dtype == np.uint8
    np.testing.assert_array_equal(y.data, t)
    # wider integers (PyTorch's kernels take only uint8 there): the same picks, the same dtype
    y64 = F.interpolate(mg.tensor(x.astype(np.int64)), size=size, mode=mode)
    assert y64.dtype == np.int64
    np.testing.assert_array_equal(y64.data, t)


@pytest.mark.parametrize(("nd", "mode"), INTERP_MODES)
@DIFF
@given(data=st.data(), seed=seeds)
def test_interpolate_nd(nd, mode, data, seed):
    sp = _sides(data.draw, nd, 1, 5)
    kw = {}
    if mode in ("linear", "bilinear", "bicubic", "trilinear"):
        kw["align_corners"] = data.draw(st.sampled_from([None, False, True]))
    if data.draw(st.booleans()):
        kw["size"] = _sides(data.draw, nd, 1, 7)
    else:
        sf = tuple(data.draw(st.sampled_from([0.5, 0.7, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0]))
                   for _ in range(nd))
        assume(all(int(n * f) >= 1 for n, f in zip(sp, sf)))
        kw["scale_factor"] = sf if nd > 1 and data.draw(st.booleans()) else sf[0]
        if isinstance(kw["scale_factor"], float):
            assume(all(int(n * sf[0]) >= 1 for n in sp))
        kw["recompute_scale_factor"] = data.draw(st.sampled_from([None, False, True]))
        if mode == "nearest" and nd != 2 and not kw["recompute_scale_factor"]:
            # PyTorch's 1-D and 3-D nearest kernels sample with the given scale, but their
            # backward copies (equal sizes) or halves the index (doubled sizes) as the 2-D
            # kernel does: its gradient is then not that of its forward
            f = kw["scale_factor"]
            out = [int(n * v) for n, v in zip(sp, f if isinstance(f, tuple) else (f,) * nd)]
            assume(not any(o in (n, 2 * n) for o, n in zip(out, sp)))
        if mode == "bicubic" and not kw["recompute_scale_factor"]:
            # the same for PyTorch's bicubic backward, which copies when the sizes are equal
            f = kw["scale_factor"]
            out = [int(n * v) for n, v in zip(sp, f if isinstance(f, tuple) else (f,) * nd)]
            assume(out != list(sp))
    x = np.random.default_rng(seed).standard_normal((2, 2) + sp)
    compare(f"interpolate {mode} {sp} {kw}", lambda a: F.interpolate(a, mode=mode, **kw),
            lambda a: TF.interpolate(a, mode=mode, **kw), [x], seed)


@pytest.mark.parametrize("nd", NDS)
def test_nn_layers_of_every_dimension_load_into_torch(nd):
    """The 1-D and 3-D layers' state_dict keys and layouts are PyTorch's: same outputs."""
    tnn = torch.nn
    ours = mg.nn.Sequential(
        getattr(mg.nn, f"Conv{nd}d")(2, 4, 3, padding="same", rng=0),
        getattr(mg.nn, f"MaxPool{nd}d")(2, ceil_mode=True),
        getattr(mg.nn, f"ConvTranspose{nd}d")(4, 3, 2, stride=2, output_padding=1, dilation=2,
                                             rng=1),
        getattr(mg.nn, f"AvgPool{nd}d")(2, padding=1, count_include_pad=False))
    theirs = tnn.Sequential(
        getattr(tnn, f"Conv{nd}d")(2, 4, 3, padding="same"),
        getattr(tnn, f"MaxPool{nd}d")(2, ceil_mode=True),
        getattr(tnn, f"ConvTranspose{nd}d")(4, 3, 2, stride=2, output_padding=1, dilation=2),
        getattr(tnn, f"AvgPool{nd}d")(2, padding=1, count_include_pad=False)).double()
    rng = np.random.default_rng(nd)
    state = {k: rng.standard_normal(v.shape) for k, v in ours.state_dict().items()}
    ours.load_state_dict(state)
    theirs.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    x = rng.standard_normal((2, 2) + (5,) * nd)
    np.testing.assert_allclose(ours(x).data, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-12, atol=1e-12)

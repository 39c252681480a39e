"""Linear algebra against PyTorch: matmul, linear, einsum, outer, dot, tensordot, attention.

Values, gradients and second derivatives in float64 (see ``helpers.compare``).
"""

import pytest

torch = pytest.importorskip(
    "torch", reason="the differential tests compare against PyTorch: pip install minigrad[torch]"
)

import numpy as np  # noqa: E402
import torch.nn.functional as TF  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.functional as F  # noqa: E402

from .helpers import (  # noqa: E402
    DIFF,
    compare,
    floats,
    seeds,
    shapes,
)

# -- matrix products ------------------------------------------------------------------------------

@st.composite
def matmul_shapes(draw):
    n, k, m = (draw(st.integers(1, 4)) for _ in range(3))
    kind = draw(st.sampled_from(["2d", "vec@mat", "mat@vec", "vec@vec", "batched",
                                 "batched-broadcast", "batched@vec", "vec@batched"]))
    if kind == "2d":
        return (n, k), (k, m)
    if kind == "vec@mat":
        return (k,), (k, m)
    if kind == "mat@vec":
        return (n, k), (k,)
    if kind == "vec@vec":
        return (k,), (k,)
    batch = draw(shapes(1, 2, 1, 3))
    if kind == "batched":
        return batch + (n, k), batch + (k, m)
    if kind == "batched@vec":
        return batch + (n, k), (k,)
    if kind == "vec@batched":
        return (k,), batch + (k, m)
    # broadcast the batch dimensions against each other
    sa, sb = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2,
                                                    max_side=3)).input_shapes
    return sa + (n, k), sb + (k, m)


@DIFF
@given(data=st.data(), seed=seeds)
def test_matmul(data, seed):
    sa, sb = data.draw(matmul_shapes())
    a, b = data.draw(floats(sa)), data.draw(floats(sb))
    compare(f"matmul {sa} @ {sb}", lambda x, y: x @ y, lambda x, y: x @ y, [a, b], seed)
    compare("F.matmul", F.matmul, torch.matmul, [a, b], seed)


@DIFF
@given(data=st.data(), seed=seeds, bias=st.booleans(), lead=shapes(1, 2, 1, 3))
def test_linear(data, seed, bias, lead):
    k, m = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    x, W = data.draw(floats(lead + (k,))), data.draw(floats((k, m)))
    if bias:
        b = data.draw(floats((m,)))
        compare("linear", F.linear, lambda x, W, b: x @ W + b, [x, W, b], seed)
    else:
        compare("linear (no bias)", F.linear, lambda x, W: x @ W, [x, W], seed)


# -- linear algebra -------------------------------------------------------------------------------

EINSUM = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("...ij,...jk->...ik", [(2, 1, 2, 3), (4, 3, 2)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]),
    ("iij,j->ij", [(2, 2, 3), (3,)]),
    ("ijk->", [(2, 3, 2)]),
    ("i,i", [(3,), (3,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij->ji", [(2, 3)]),
    ("ij,k->", [(2, 3), (2,)]),
    ("ijj,kj->ik", [(2, 3, 3), (2, 3)]),
    ("...i,...i", [(3,), (2, 3)]),
    ("bhqd,bhkd->bhqk", [(1, 2, 3, 4), (1, 2, 5, 4)]),
    ("i,ij,j->", [(2,), (2, 3), (3,)]),
    (",ij->ij", [(), (2, 3)]),
    ("ij,ij->", [(0, 3), (0, 3)]),
]


@pytest.mark.parametrize("spec,shapes_", EINSUM, ids=[e[0] or "scalar" for e in EINSUM])
@pytest.mark.parametrize("seed", [0, 1])
def test_einsum(spec, shapes_, seed):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) for s in shapes_]
    compare(f"einsum {spec}", lambda *xs: mg.einsum(spec, *xs),
            lambda *xs: torch.einsum(spec, *xs), arrays, seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_outer_dot_tensordot(data, seed):
    n, m, k = (data.draw(st.integers(1, 4)) for _ in range(3))
    a, b = data.draw(floats((n,))), data.draw(floats((m,)))
    compare("outer", mg.outer, torch.outer, [a, b], seed)
    c = data.draw(floats((n,)))
    compare("dot 1-D", mg.dot, torch.dot, [a, c], seed)
    x, y = data.draw(floats((k, n))), data.draw(floats((n, m)))
    compare("dot 2-D", mg.dot, torch.matmul, [x, y], seed)
    compare("dot 2-D @ 1-D", mg.dot, torch.matmul, [x, a], seed)
    t = data.draw(floats((2, k, n)))
    compare("tensordot 2", lambda p, q: mg.tensordot(p, q, 2),
            lambda p, q: torch.tensordot(p, q, 2), [t, data.draw(floats((k, n, m)))], seed)
    compare("tensordot axes", lambda p, q: mg.tensordot(p, q, ([2, 0], [0, 2])),
            lambda p, q: torch.tensordot(p, q, ([2, 0], [0, 2])),
            [t, data.draw(floats((n, m, 2)))], seed)


@DIFF
@given(data=st.data(), seed=seeds,
       mask=st.sampled_from(["none", "bool", "float", "causal", "bool-dead"]),
       scale=st.sampled_from([None, 0.3]))
def test_scaled_dot_product_attention(data, seed, mask, scale):
    batch = data.draw(shapes(0, 2, 1, 2))
    n_q, n_k, e, ev = (data.draw(st.integers(1, 4)) for _ in range(4))
    q = data.draw(floats(batch + (n_q, e), -2, 2))
    k = data.draw(floats(batch + (n_k, e), -2, 2))
    v = data.draw(floats(batch + (n_k, ev), -2, 2))
    m = None
    if mask in ("bool", "bool-dead"):
        m = data.draw(st.lists(st.booleans(), min_size=n_q * n_k, max_size=n_q * n_k))
        m = np.array(m).reshape(n_q, n_k)
        m[:, 0] |= mask == "bool"  # every query sees one key, or (bool-dead) perhaps none
    elif mask == "float":
        m = data.draw(floats((n_q, n_k)))
    tm = None if m is None else torch.from_numpy(m)
    causal = mask == "causal"

    def torch_sdpa(a, b, c):
        # the math kernel: the fused CPU kernels have no second derivative
        from torch.nn.attention import SDPBackend, sdpa_kernel

        with sdpa_kernel(SDPBackend.MATH):
            return TF.scaled_dot_product_attention(a, b, c, attn_mask=tm, is_causal=causal,
                                                   scale=scale)

    compare("sdpa",
            lambda a, b, c: F.scaled_dot_product_attention(a, b, c, attn_mask=m,
                                                           is_causal=causal, scale=scale),
            torch_sdpa, [q, k, v], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_scaled_dot_product_attention_float_mask_gradient(data, seed):
    n_q, n_k, e = (data.draw(st.integers(1, 4)) for _ in range(3))
    q, k, v = (data.draw(floats(s, -2, 2)) for s in ((n_q, e), (n_k, e), (n_k, 2)))
    m = data.draw(floats((n_q, n_k)))

    def torch_sdpa(a, b, c, d):
        from torch.nn.attention import SDPBackend, sdpa_kernel

        with sdpa_kernel(SDPBackend.MATH):
            return TF.scaled_dot_product_attention(a, b, c, attn_mask=d)

    compare("sdpa float mask", lambda a, b, c, d: F.scaled_dot_product_attention(
        a, b, c, attn_mask=d), torch_sdpa, [q, k, v, m], seed)


@DIFF
@given(data=st.data(), seed=seeds, causal=st.booleans())
def test_scaled_dot_product_attention_grouped_query(data, seed, causal):
    batch = data.draw(shapes(0, 1, 1, 2))
    hkv, group = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    n_q, n_k, e, ev = (data.draw(st.integers(1, 3)) for _ in range(4))
    q = data.draw(floats(batch + (hkv * group, n_q, e), -2, 2))
    k = data.draw(floats(batch + (hkv, n_k, e), -2, 2))
    v = data.draw(floats(batch + (hkv, n_k, ev), -2, 2))

    def torch_sdpa(a, b, c):
        from torch.nn.attention import SDPBackend, sdpa_kernel

        with sdpa_kernel(SDPBackend.MATH):
            return TF.scaled_dot_product_attention(a, b, c, is_causal=causal, enable_gqa=True)

    compare("sdpa enable_gqa",
            lambda a, b, c: F.scaled_dot_product_attention(a, b, c, is_causal=causal,
                                                           enable_gqa=True),
            torch_sdpa, [q, k, v], seed)

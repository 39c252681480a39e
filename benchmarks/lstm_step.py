"""One training step of the chapter 6 LSTM language model: minigrad, the book's NumPy, PyTorch.

Measures, in one process, alternating step by step on the same batches, one training step
of ``train_rnnlm.py`` at the book's sizes (vocabulary 10,000, word vectors 100, hidden 100,
batch 20, 35 time steps): forward, backward, gradient clipping to a global norm of 0.25 and
an SGD update with learning rate 20, of

1. :class:`minigrad.book2.rnnlm.Rnnlm` (``forward``, ``backward``, then
   :func:`minigrad.book2.util.clip_grads` and :class:`minigrad.book2.optimizer.SGD`);
2. a hand-written NumPy ``Rnnlm`` as the book writes it (``tests/book2_rnnlm_reference.py``:
   a cache per step and a hand-written backward), with the same initial parameters;
3. PyTorch (CPU; ``nn.Embedding``, ``nn.LSTM``, ``nn.Linear``, cross-entropy,
   ``clip_grad_norm_``, ``torch.optim.SGD``; the state carried over between steps,
   detached), if installed,

in float32 (the book's dtype) and in float64. Every figure is the median of ``--repeats``
steps (wall and CPU time), printed with its ratio to the book's NumPy and the median of the
ratios of steps run side by side (steadier on a busy machine), with the BLAS library and
its thread count (one thread by default: the variables are set before NumPy is imported).
The last losses are printed too: the models ran the same steps from the same parameters,
so they agree (to rounding).

Usage::

    python benchmarks/lstm_step.py                      # float32 and float64, 20 repeats
    python benchmarks/lstm_step.py --dtypes float32 --repeats 10 --no-torch
    python benchmarks/lstm_step.py --profile float32    # cProfile of minigrad's step
    python benchmarks/lstm_step.py --layers float32     # each layer's forward and backward
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _threads_from_argv() -> str:
    for i, a in enumerate(sys.argv):
        if a == "--threads" and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if a.startswith("--threads="):
            return a.split("=", 1)[1]
    return "1"


# one BLAS thread unless told otherwise; must be set before NumPy loads its BLAS
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = _threads_from_argv()

import cProfile  # noqa: E402
import pstats  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

import book2_rnnlm_reference as ref  # noqa: E402
from _common import blas_threads  # noqa: E402

from minigrad.book2.optimizer import SGD  # noqa: E402
from minigrad.book2.rnnlm import Rnnlm  # noqa: E402
from minigrad.book2.util import clip_grads  # noqa: E402

VOCAB, WORDVEC, HIDDEN, BATCH, TIME = 10000, 100, 100, 20, 35
LR, MAX_GRAD = 20.0, 0.25


def blas_library() -> str:
    """NumPy's BLAS library by name (from its build configuration)."""
    try:
        info = np.show_config(mode="dicts")["Build Dependencies"]["blas"]  # type: ignore[index]
        return f"{info.get('name')} {info.get('version', '')}".strip()
    except Exception:  # noqa: BLE001 - older NumPy: no dict mode
        return "unknown"


def batches(seed: int = 0, n: int = 8) -> list[tuple[np.ndarray, np.ndarray]]:
    """``n`` mini-batches of word ids ``(BATCH, TIME)``, int32 as the book's trainer makes them."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        ids = rng.integers(0, VOCAB, (BATCH, TIME + 1)).astype(np.int32)
        out.append((ids[:, :-1], ids[:, 1:]))
    return out


def _cast_layers(model: object, dtype: np.dtype) -> None:
    """Give every layer of a book-style model parameters (and gradients) of ``dtype``."""
    params, grads = [], []
    for layer in model.layers:  # type: ignore[attr-defined]
        layer.params[:] = [p.astype(dtype) for p in layer.params]
        layer.grads[:] = [np.zeros_like(p) for p in layer.params]
        params += layer.params
        grads += layer.grads
    model.params, model.grads = params, grads  # type: ignore[attr-defined]


def make_pair(dtype: str) -> tuple[Rnnlm, ref.Rnnlm]:
    """minigrad's ``Rnnlm`` and the NumPy one, in ``dtype``, with equal initial parameters."""
    np.random.seed(0)
    book = ref.Rnnlm(VOCAB, WORDVEC, HIDDEN)
    mine = Rnnlm(VOCAB, WORDVEC, HIDDEN)
    for model in (book, mine):
        _cast_layers(model, np.dtype(dtype))
    for p, q in zip(mine.params, book.params):
        p[...] = q
    return mine, book


def stepper(model: object, optimizer: object, data: list[tuple[np.ndarray, np.ndarray]],
            losses: list[float]) -> Callable[[], None]:
    """A closure running one step of ``train_rnnlm.py`` on the next batch."""
    state = {"i": 0}

    def step() -> None:
        xs, ts = data[state["i"]]
        state["i"] = (state["i"] + 1) % len(data)
        losses.append(float(model.forward(xs, ts)))  # type: ignore[attr-defined]
        model.backward()  # type: ignore[attr-defined]
        clip_grads(model.grads, MAX_GRAD)  # type: ignore[attr-defined]
        optimizer.update(model.params, model.grads)  # type: ignore[attr-defined]

    return step


def torch_stepper(book: ref.Rnnlm, dtype: str, data: list[tuple[np.ndarray, np.ndarray]],
                  losses: list[float]) -> Callable[[], None]:
    """The same model in PyTorch (weights from ``book``, gates reordered), one step a call."""
    import torch
    from torch import nn

    tdtype = getattr(torch, dtype)

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(VOCAB, WORDVEC)
            self.lstm = nn.LSTM(WORDVEC, HIDDEN, batch_first=True)
            self.out = nn.Linear(HIDDEN, VOCAB)

        def forward(self, xs: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None
                    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
            hs, state = self.lstm(self.embed(xs), state)
            return self.out(hs), state

    net = Net().to(tdtype)
    emb, wx, wh, b, aw, ab = (np.asarray(p, dtype=dtype) for p in book.params)
    perm = np.r_[2 * HIDDEN:3 * HIDDEN, 0:HIDDEN, HIDDEN:2 * HIDDEN, 3 * HIDDEN:4 * HIDDEN]
    with torch.no_grad():  # the book's [f, g, i, o] as PyTorch's [i, f, g, o]
        net.embed.weight.copy_(torch.from_numpy(emb))
        net.lstm.weight_ih_l0.copy_(torch.from_numpy(wx[:, perm].T.copy()))
        net.lstm.weight_hh_l0.copy_(torch.from_numpy(wh[:, perm].T.copy()))
        net.lstm.bias_ih_l0.copy_(torch.from_numpy(b[perm]))
        net.lstm.bias_hh_l0.zero_()
        net.out.weight.copy_(torch.from_numpy(aw.T.copy()))
        net.out.bias.copy_(torch.from_numpy(ab))
    net.lstm.bias_hh_l0.requires_grad_(False)  # one bias, as the book's: not clipped or updated
    opt = torch.optim.SGD(net.parameters(), lr=LR)
    tdata = [(torch.from_numpy(x.astype(np.int64)), torch.from_numpy(t.astype(np.int64)))
             for x, t in data]
    state: dict[str, object] = {"i": 0, "hc": None}

    def step() -> None:
        xs, ts = tdata[state["i"]]  # type: ignore[index]
        state["i"] = (state["i"] + 1) % len(tdata)  # type: ignore[operator]
        opt.zero_grad()
        scores, (h, c) = net(xs, state["hc"])
        loss = nn.functional.cross_entropy(scores.reshape(-1, VOCAB), ts.reshape(-1))
        loss.backward()
        nn.utils.clip_grad_norm_(net.parameters(), MAX_GRAD)
        opt.step()
        state["hc"] = (h.detach(), c.detach())
        losses.append(loss.item())

    return step


def bench(dtype: str, repeats: int, use_torch: bool) -> None:
    data = batches()
    mine, book = make_pair(dtype)
    losses: dict[str, list[float]] = {"minigrad": [], "numpy (book)": []}
    fns = {"minigrad": stepper(mine, SGD(LR), data, losses["minigrad"]),
           "numpy (book)": stepper(book, ref.SGD(LR), data, losses["numpy (book)"])}
    if use_torch:
        try:
            import torch

            torch.set_num_threads(1)
            losses["torch"] = []
            fns["torch"] = torch_stepper(book, dtype, data, losses["torch"])
        except ImportError:
            print("(PyTorch not installed: no torch figures)")
    for fn in fns.values():  # warm-up
        fn()
    wall, cpu = interleaved_samples(fns, repeats)
    base = "numpy (book)"
    print(f"\nRnnlm training step, {dtype} (V {VOCAB}, D {WORDVEC}, H {HIDDEN}, batch {BATCH}, "
          f"T {TIME}; clip {MAX_GRAD}, SGD lr {LR}), {repeats} interleaved steps each:")
    print(f"  {'':14s} {'wall median':>11s} {'ratio':>6s} {'step ratio':>10s} "
          f"{'CPU median':>10s} {'ratio':>6s}")
    for k in fns:
        step_ratio = statistics.median(a / b for a, b in zip(wall[k], wall[base]))
        w, c = statistics.median(wall[k]), statistics.median(cpu[k])
        wb, cb = statistics.median(wall[base]), statistics.median(cpu[base])
        print(f"  {k:14s} {w * 1000:8.1f} ms {w / wb:6.2f} {step_ratio:10.2f} "
              f"{c * 1000:7.1f} ms {c / cb:6.2f}")
    print("  (ratio: to the book's NumPy; step ratio: the median of the ratios of steps run "
          "side by side)")
    print("  last loss: " + ", ".join(f"{k} {v[-1]:.6f}" for k, v in losses.items()))


def interleaved_samples(fns: dict[str, Callable[[], None]], repeats: int
                        ) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Run each function ``repeats`` times, alternating; their wall and CPU times (s)."""
    wall: dict[str, list[float]] = {k: [] for k in fns}
    cpu: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            c0, t0 = time.process_time(), time.perf_counter()
            fn()
            wall[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
    return wall, cpu


def _layer_calls(model: object, xs: np.ndarray, ts: np.ndarray,
                 optimizer: object) -> list[Callable[[object], object]]:
    """One step of ``model`` as calls, each taking what the one before returned."""
    emb, lstm, affine = model.layers  # type: ignore[attr-defined]
    loss = model.loss_layer  # type: ignore[attr-defined]

    def update(_: object) -> None:
        clip_grads(model.grads, MAX_GRAD)  # type: ignore[attr-defined]
        optimizer.update(model.params, model.grads)  # type: ignore[attr-defined]

    return [lambda _: emb.forward(xs), lstm.forward, affine.forward,
            lambda y: loss.forward(y, ts), lambda _: loss.backward(),
            affine.backward, lstm.backward, emb.backward, update]


LAYER_PARTS = ["embedding forward", "LSTM forward", "affine forward", "loss forward",
               "loss backward", "affine backward", "LSTM backward", "embedding backward",
               "clip + SGD"]


def layers(dtype: str, repeats: int) -> None:
    """Median time of each layer's forward and backward, minigrad and the NumPy model."""
    mine, book = make_pair(dtype)
    data = batches()
    samples: dict[tuple[str, str], list[float]] = {}
    models = {"minigrad": (mine, SGD(LR)), "numpy (book)": (book, ref.SGD(LR))}
    for r in range(repeats + 1):  # the first round is a warm-up
        xs, ts = data[r % len(data)]
        for name, (model, optimizer) in models.items():
            value: object = None
            for part, call in zip(LAYER_PARTS, _layer_calls(model, xs, ts, optimizer)):
                t0 = time.perf_counter()
                value = call(value)
                if r:
                    samples.setdefault((name, part), []).append(time.perf_counter() - t0)
    print(f"\nRnnlm step by layer, {dtype}, median of {repeats} (ms):")
    print(f"  {'':20s} {'minigrad':>9s} {'numpy':>9s}")
    for part in LAYER_PARTS:
        m = statistics.median(samples[("minigrad", part)]) * 1000
        b = statistics.median(samples[("numpy (book)", part)]) * 1000
        print(f"  {part:20s} {m:9.2f} {b:9.2f}")


def profile(dtype: str, repeats: int) -> None:
    mine, _ = make_pair(dtype)
    step = stepper(mine, SGD(LR), batches(), [])
    step()
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(repeats):
        step()
    prof.disable()
    pstats.Stats(prof).sort_stats("tottime").print_stats(30)


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--dtypes", default="float32,float64")
    ap.add_argument("--threads", default="1", help="BLAS threads (set before NumPy loads)")
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--profile", choices=["float32", "float64"])
    ap.add_argument("--layers", choices=["float32", "float64"],
                    help="time each layer's forward and backward instead")
    args = ap.parse_args()
    print(f"BLAS: {blas_library()}; {blas_threads()}")
    if args.layers:
        layers(args.layers, args.repeats)
        return
    if args.profile:
        profile(args.profile, args.repeats)
        return
    for dtype in args.dtypes.split(","):
        bench(dtype, args.repeats, not args.no_torch)


if __name__ == "__main__":
    main()

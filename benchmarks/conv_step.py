"""One training step of the chapter 7-8 networks: minigrad against the book's NumPy algorithm.

Measures, in one process, alternating step by step on the same batches (batch 100, MNIST
shape), with one BLAS thread unless ``OPENBLAS_NUM_THREADS`` (``OMP_NUM_THREADS``,
``MKL_NUM_THREADS``) says otherwise, and ``torch.set_num_threads(1)``:

0. Each dtype against PyTorch: the ``SimpleConvNet`` (and ``DeepConvNet``) step of
   :mod:`minigrad.book` with parameters *and* inputs in float64, then in float32, and
   PyTorch's same architecture in both dtypes; medians, the median of the per-round
   ratios minigrad / PyTorch per dtype, float32 / float64 for each library, and whether
   minigrad's float64 step is at or under PyTorch's and its float32 step at or under
   1.2x PyTorch's. The parameters' and gradients' dtypes are checked after the steps.
1. ``SimpleConvNet`` and ``DeepConvNet`` steps (float32 inputs and float64 parameters,
   as in the book) (``network.gradient`` then the book's
   ``Adam.update``) of :mod:`minigrad.book` and of NumPy code that performs the book's
   operations one for one, im2col and hand-written backward passes included
   (``tests/book_conv_reference.py``); medians and the ratio minigrad / NumPy. PyTorch
   (CPU, float32 and float64, ``torch.optim.Adam``) on the same architecture, if installed.
2. ``conv2d`` forward + backward alone over a sweep of sizes: ``minigrad.functional.conv2d``
   against the book's ``Convolution.forward``/``backward`` (and PyTorch).
3. ``--rss-steps N``: the peak resident memory (``ru_maxrss``) of N DeepConvNet steps,
   minigrad and the book's code each in its own subprocess.

Every figure is printed with the BLAS library and its thread count.

Usage::

    python benchmarks/conv_step.py                   # dtypes, steps and sweep, 20 repeats
    python benchmarks/conv_step.py --repeats 5 --skip-sweep
    python benchmarks/conv_step.py --models simple --skip-steps --skip-sweep  # dtypes only
    python benchmarks/conv_step.py --profile simple  # cProfile of minigrad's step
    python benchmarks/conv_step.py --profile simple --dtype float32
    python benchmarks/conv_step.py --rss-steps 200 --skip-steps --skip-sweep
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import statistics
import subprocess
import sys
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one BLAS thread, set before NumPy loads its BLAS

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

import book_conv_reference as ref  # noqa: E402
from _common import blas_threads, interleaved, interleaved_samples  # noqa: E402

import minigrad as mg  # noqa: E402
from minigrad.book.deep_convnet import DeepConvNet  # noqa: E402
from minigrad.book.optimizer import Adam  # noqa: E402
from minigrad.book.simple_convnet import SimpleConvNet  # noqa: E402

BATCH = 100


def _batches(seed: int = 0, n: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.random((n, 1, 28, 28)).astype(np.float32), rng.integers(0, 10, n)


def make_pair(model: str) -> tuple[object, object]:
    """The minigrad network and the book's NumPy one, with equal initial parameters."""
    if model == "simple":
        np.random.seed(0)
        book = ref.SimpleConvNet()
        mine = SimpleConvNet(seed=0)
    else:
        np.random.seed(0)
        book = ref.DeepConvNet()
        mine = DeepConvNet(seed=0)
    for k, v in book.params.items():
        mg.nn.assign_(mine.params[k], v)
    return mine, book


def minigrad_net(model: str, dtype: str) -> object:
    """minigrad.book's network with every parameter in ``dtype`` (seed 0)."""
    net = SimpleConvNet(seed=0) if model == "simple" else DeepConvNet(seed=0)
    for p in net.params.values():  # type: ignore[attr-defined]
        p.data = p.data.astype(dtype)
    return net


def stepper(net: object, opt: object, x: np.ndarray, t: np.ndarray):
    """A closure running one training step on the next batch of (x, t)."""
    state = {"i": 0}

    def step() -> None:
        i = state["i"]
        state["i"] = (i + 1) % (len(x) // BATCH)
        xb, tb = x[i * BATCH:(i + 1) * BATCH], t[i * BATCH:(i + 1) * BATCH]
        grads = net.gradient(xb, tb)  # type: ignore[attr-defined]
        opt.update(net.params, grads)  # type: ignore[attr-defined]

    return step


def torch_net(model: str, dtype: object):
    import torch
    from torch import nn

    if model == "simple":
        net = nn.Sequential(nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                            nn.Linear(4320, 100), nn.ReLU(), nn.Linear(100, 10))
    else:
        def block(cin: int, cout: int, pad: int) -> list[nn.Module]:
            return [nn.Conv2d(cin, cout, 3, padding=pad), nn.ReLU()]
        net = nn.Sequential(*block(1, 16, 1), *block(16, 16, 1), nn.MaxPool2d(2),
                            *block(16, 32, 1), *block(32, 32, 2), nn.MaxPool2d(2),
                            *block(32, 64, 1), *block(64, 64, 1), nn.MaxPool2d(2),
                            nn.Flatten(), nn.Linear(1024, 50), nn.ReLU(), nn.Dropout(0.5),
                            nn.Linear(50, 10), nn.Dropout(0.5))
    return net.to(dtype), torch


def torch_stepper(model: str, dtype_name: str, x: np.ndarray, t: np.ndarray):
    import torch

    dtype = getattr(torch, dtype_name)
    net, _ = torch_net(model, dtype)
    opt = torch.optim.Adam(net.parameters(), lr=0.001)
    tx = torch.from_numpy(x).to(dtype)
    tt = torch.from_numpy(t)
    state = {"i": 0}

    def step() -> None:
        i = state["i"]
        state["i"] = (i + 1) % (len(x) // BATCH)
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(tx[i * BATCH:(i + 1) * BATCH]),
                                                 tt[i * BATCH:(i + 1) * BATCH])
        loss.backward()
        opt.step()

    return step


TARGETS = {"float64": 1.0, "float32": 1.2}  # minigrad / PyTorch, at most


def bench_dtypes(models: list[str], repeats: int) -> None:
    """minigrad and PyTorch, float64 and float32 (parameters and inputs), interleaved."""
    try:
        import torch
    except ImportError:
        print("(PyTorch not installed: no dtype comparison)")
        return
    torch.set_num_threads(1)
    x, t = _batches()
    for model in models:
        nets, fns = {}, {}
        for dt, short in (("float64", "f64"), ("float32", "f32")):
            xd = x.astype(dt)
            nets[dt] = minigrad_net(model, dt)
            fns[f"minigrad {short}"] = stepper(nets[dt], Adam(lr=0.001), xd, t)
            fns[f"torch {short}"] = torch_stepper(model, dt, xd, t)
        for fn in fns.values():  # warm-up
            fn()
        samples = interleaved_samples(fns, repeats)
        med = {k: statistics.median(v) for k, v in samples.items()}
        name = "SimpleConvNet" if model == "simple" else "DeepConvNet"
        print(f"\n{name} step (batch {BATCH}, Adam), parameters and inputs in each dtype, "
              f"median of {repeats} interleaved rounds; torch threads "
              f"{torch.get_num_threads()}:")
        print(f"  {'dtype':8s} {'minigrad':>10s} {'PyTorch':>10s} {'ratio':>7s} "
              f"{'per-round':>10s}  target")
        for dt, short in (("float64", "f64"), ("float32", "f32")):
            mine, theirs = samples[f"minigrad {short}"], samples[f"torch {short}"]
            ratio = med[f"minigrad {short}"] / med[f"torch {short}"]
            rounds = statistics.median(a / b for a, b in zip(mine, theirs))
            target = (f"<= {TARGETS[dt]:.1f}: {'met' if ratio <= TARGETS[dt] else 'NOT met'}"
                      if model == "simple" else "-")
            print(f"  {dt:8s} {med[f'minigrad {short}'] * 1000:8.1f}ms "
                  f"{med[f'torch {short}'] * 1000:8.1f}ms {ratio:7.2f} {rounds:10.2f}  {target}")
        print(f"  float32 / float64: minigrad {med['minigrad f32'] / med['minigrad f64']:.2f}, "
              f"PyTorch {med['torch f32'] / med['torch f64']:.2f}")
        for dt, net in nets.items():
            kinds = {str(p.dtype) for p in net.params.values()}  # type: ignore[attr-defined]
            kinds |= {str(g.dtype) for g in net.gradient(  # type: ignore[attr-defined]
                x[:BATCH].astype(dt), t[:BATCH]).values()}
            print(f"  minigrad {dt}: parameters and gradients {', '.join(sorted(kinds))}")


def bench_steps(models: list[str], repeats: int, use_torch: bool) -> None:
    x, t = _batches()
    for model in models:
        mine, book = make_pair(model)
        fns = {"minigrad": stepper(mine, Adam(lr=0.001), x, t),
               "numpy (book)": stepper(book, ref.Adam(lr=0.001), x, t)}
        if use_torch:
            try:
                import torch
                torch.set_num_threads(1)
                fns["torch f32"] = torch_stepper(model, "float32", x, t)
                fns["torch f64"] = torch_stepper(model, "float64", x, t)
            except ImportError:
                print("(PyTorch not installed: no torch figures)")
        for fn in fns.values():  # warm-up
            fn()
        med = interleaved(fns, repeats)
        base = med["numpy (book)"]
        name = "SimpleConvNet" if model == "simple" else "DeepConvNet"
        print(f"\n{name} training step (batch {BATCH}, Adam), median of {repeats}:")
        for k, v in med.items():
            print(f"  {k:14s} {v * 1000:8.1f} ms   x{v / base:5.2f} of the book's NumPy")


SWEEP = [  # (N, C, H, FN, K, stride, pad)
    (100, 1, 28, 30, 5, 1, 0),
    (100, 1, 28, 16, 3, 1, 1),
    (100, 16, 28, 16, 3, 1, 1),
    (100, 16, 14, 32, 3, 1, 1),
    (100, 32, 14, 32, 3, 1, 2),
    (100, 32, 8, 64, 3, 1, 1),
    (100, 64, 8, 64, 3, 1, 1),
    (32, 64, 16, 128, 3, 2, 1),
]


def bench_sweep(repeats: int, use_torch: bool) -> None:
    print(f"\nconv2d forward + backward (input and weight gradients), median of {repeats}:")
    print(f"  {'N,C,H,FN,K,S,P':22s} {'minigrad':>9s} {'numpy':>9s} {'ratio':>6s}"
          + (f" {'torch64':>9s}" if use_torch else ""))
    rng = np.random.default_rng(0)
    for case in SWEEP:
        _sweep_one(case, rng, repeats, use_torch)


def _sweep_one(case: tuple[int, ...], rng: np.random.Generator, repeats: int,
               use_torch: bool) -> None:
    import minigrad.functional as F

    n, c, h, fn, k, s, p = case
    x = rng.standard_normal((n, c, h, h))
    w = rng.standard_normal((fn, c, k, k)) * 0.1
    b = np.zeros(fn)
    oh = (h + 2 * p - k) // s + 1
    gy = rng.standard_normal((n, fn, oh, oh))
    xt = mg.tensor(x, requires_grad=True)
    wt, bt = mg.tensor(w, requires_grad=True), mg.tensor(b, requires_grad=True)

    def run_mg() -> None:
        y = F.conv2d(xt, wt, bt, stride=s, padding=p)
        mg.grad(y, [xt, wt, bt], grad_outputs=gy)

    layer = ref.Convolution(w, b, s, p)

    def run_np() -> None:
        layer.forward(x)
        layer.backward(gy)

    fns = {"mg": run_mg, "np": run_np}
    if use_torch:
        import torch
        tx = torch.tensor(x, requires_grad=True)
        tw, tb = torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)
        tgy = torch.from_numpy(gy)

        def run_torch() -> None:
            y = torch.nn.functional.conv2d(tx, tw, tb, s, p)
            torch.autograd.grad(y, [tx, tw, tb], tgy)

        fns["torch"] = run_torch
    for run in fns.values():
        run()
    med = interleaved(fns, repeats)
    label = ",".join(map(str, case))
    line = (f"  {label:22s} {med['mg'] * 1000:8.2f}ms {med['np'] * 1000:8.2f}ms "
            f"{med['mg'] / med['np']:6.2f}")
    if use_torch:
        line += f" {med['torch'] * 1000:8.2f}ms"
    print(line)


def rss_child(kind: str, steps: int) -> None:
    x, t = _batches(n=1000)
    mine, book = make_pair("deep")
    if kind == "minigrad":
        step = stepper(mine, Adam(lr=0.001), x, t)
    else:
        del mine
        step = stepper(book, ref.Adam(lr=0.001), x, t)
    for _ in range(steps):
        step()
    print(peak_rss_kib())


def peak_rss_kib() -> int:
    """This process's peak resident memory in KiB.

    ``VmHWM`` from /proc where available: ``ru_maxrss`` of a child started by a
    large parent can report the parent's peak (Linux copies it at fork).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def bench_rss(steps: int) -> None:
    print(f"\nPeak RSS of {steps} DeepConvNet steps (own subprocess each):")
    for kind in ("minigrad", "numpy"):
        out = subprocess.run([sys.executable, __file__, "--rss-child", kind, str(steps)],
                             capture_output=True, text=True, check=True)
        print(f"  {kind:9s} {int(out.stdout.split()[-1]) / 1024:8.1f} MiB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--models", default="simple,deep")
    ap.add_argument("--skip-dtypes", action="store_true",
                    help="skip the float64/float32 comparison with PyTorch")
    ap.add_argument("--skip-steps", action="store_true")
    ap.add_argument("--skip-sweep", action="store_true")
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--profile", choices=["simple", "deep"])
    ap.add_argument("--dtype", choices=["float64", "float32"], default=None,
                    help="--profile: parameters and inputs in this dtype (default: the "
                         "book's float64 parameters and float32 inputs)")
    ap.add_argument("--rss-steps", type=int, default=0)
    ap.add_argument("--rss-child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.rss_child:
        rss_child(args.rss_child[0], int(args.rss_child[1]))
        return
    print("BLAS:", blas_threads())
    if args.profile:
        x, t = _batches()
        if args.dtype is None:
            mine, _ = make_pair(args.profile)
        else:
            mine, x = minigrad_net(args.profile, args.dtype), x.astype(args.dtype)
        step = stepper(mine, Adam(lr=0.001), x, t)
        step()
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(args.repeats):
            step()
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        return
    if not args.skip_dtypes and not args.no_torch:
        bench_dtypes(args.models.split(","), args.repeats)
    if not args.skip_steps:
        bench_steps(args.models.split(","), args.repeats, not args.no_torch)
    if not args.skip_sweep:
        bench_sweep(args.repeats, not args.no_torch)
    if args.rss_steps:
        bench_rss(args.rss_steps)


if __name__ == "__main__":
    main()

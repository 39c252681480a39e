"""Training speed and memory of the autodiff TwoLayerNet against the book's hand-written NumPy.

Two measurements, each against the book's section 5.1 backprop (``dy = (y - t) / N`` ...)
run in the same process or under the same conditions:

1. One training step (gradient + SGD update, batch 100, float64, 784-50-10) of
   ``minigrad.models.TwoLayerNet`` (the book's ``network.gradient`` then
   ``network.params[key] -= lr * grad[key]``) and of the hand-written network,
   alternated step by step on the same batches; medians and their ratio.
   The same for the optimizer path (``loss.backward(); SGD.step()``).
2. The whole section 5.3 run (10,000 iterations by default, accuracy every
   epoch, the loss of every iteration kept in a list as the book does), each
   run in its own subprocess, alternating autodiff and hand-written, with the
   wall time and the peak resident memory (``ru_maxrss``) of each.

Every figure is printed with the BLAS library and its thread count.

Usage::

    python benchmarks/train_step.py                        # both parts, book settings
    python benchmarks/train_step.py --steps 500 --iters 2000 --full-repeats 1
    python benchmarks/train_step.py --threads 1 --profile   # one BLAS thread, cProfile
    python benchmarks/train_step.py --skip-full             # the step benchmark only

MNIST is read from ``--data-dir`` or ``$MINIGRAD_DATA`` (default ``../shared/data/mnist``
from the repository root); without it random data of MNIST's shape is used.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "benchmarks"))

import book_reference as ref  # noqa: E402
from _common import blas_threads  # noqa: E402

DEFAULT_DATA = Path(os.environ.get("MINIGRAD_DATA") or REPO / ".." / "shared" / "data" / "mnist")


# --- BLAS threads -------------------------------------------------------------------------

_limiter = None


def set_threads(n: int | None) -> None:
    global _limiter
    if n is None:
        return
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)  # for the subprocesses
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        print("warning: threadpoolctl is not installed; --threads only applies to subprocesses")
        return
    _limiter = threadpool_limits(n)


# --- the hand-written network (the book's section 5.1 algorithm) ----------------------------


class HandWrittenNet:
    """The book's two-layer network with its backward written by hand, on a ``params`` dict.

    The arithmetic is :mod:`book_reference`'s (the tests' NumPy reference, which performs
    the book's section 5.1 operations); this class gives it the book network's methods.
    """

    def __init__(self, params):
        self.params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}

    def predict(self, x):
        return ref.predict(self.params, x)

    def loss(self, x, t):
        return ref.loss(self.params, x, t)

    def accuracy(self, x, t):
        return ref.accuracy(self.params, x, t)

    def gradient(self, x, t):
        return ref.gradient(self.params, x, t)


# --- data -----------------------------------------------------------------------------------------

def load_data(data_dir: Path):
    try:
        from minigrad.datasets import load_mnist

        data = load_mnist(normalize=True, one_hot_label=True, data_dir=data_dir, download=False)
        return data, f"MNIST from {data_dir}"
    except Exception as e:  # noqa: BLE001 - fall back to random data of the same shape
        rng = np.random.default_rng(0)

        def split(n):
            return rng.random((n, 784)), np.eye(10)[rng.integers(0, 10, n)]

        return (split(60000), split(10000)), f"random data of MNIST's shape ({e})"


# --- 1. one step, interleaved -------------------------------------------------------------

def bench_step(data, steps: int, lr: float, profile: bool) -> None:
    import minigrad as mg
    from minigrad.models import TwoLayerNet

    (x_train, t_train), _ = data
    net = TwoLayerNet(784, 50, 10, seed=0)
    hand = HandWrittenNet({k: v.data for k, v in net.params.items()})
    opt_net = TwoLayerNet(784, 50, 10, seed=0)
    opt = mg.optim.SGD(opt_net.params, lr=lr)
    rng = np.random.default_rng(0)
    batches = [rng.choice(len(x_train), 100) for _ in range(64)]
    xs = [x_train[b] for b in batches]
    ts = [t_train[b] for b in batches]
    keys = ("W1", "b1", "W2", "b2")

    def step_autodiff(x, t):
        grad = net.gradient(x, t)
        for key in keys:
            net.params[key] -= lr * grad[key]

    def step_optimizer(x, t):
        loss = opt_net.loss(x, t)
        opt.zero_grad()
        loss.backward()
        opt.step()

    def step_hand(x, t):
        grad = hand.gradient(x, t)
        for key in keys:
            hand.params[key] -= lr * grad[key]

    fns = {"autodiff (gradient + params -= )": step_autodiff,
           "autodiff (backward + SGD.step)": step_optimizer,
           "hand-written NumPy": step_hand}
    times: dict[str, list[float]] = {k: [] for k in fns}
    cpu: dict[str, list[float]] = {k: [] for k in fns}
    pc, cc = time.perf_counter, time.process_time
    for i in range(steps + 50):  # the first 50 are warm-up
        x, t = xs[i % 64], ts[i % 64]
        order = list(fns.items())
        if i % 2:
            order.reverse()
        for name, fn in order:
            c0, t0 = cc(), pc()
            fn(x, t)
            dt, dc = pc() - t0, cc() - c0
            if i >= 50:
                times[name].append(dt)
                cpu[name].append(dc)

    worst = max(float(np.abs(net.params[k].data - hand.params[k]).max()) for k in keys)
    hand_med = statistics.median(times["hand-written NumPy"])
    print(f"\n== one training step (batch 100, 784-50-10, float64), {steps} interleaved steps; "
          f"{blas_threads()}")
    hand_cpu = statistics.median(cpu["hand-written NumPy"])
    print(f"{'wall time':36s} {'median':>10s} {'p10':>10s} {'p90':>10s} {'ratio':>7s}"
          f" | {'CPU time median':>15s} {'ratio':>7s}")
    for name, ts_ in times.items():
        q = np.percentile(ts_, [10, 50, 90]) * 1e6
        c = statistics.median(cpu[name])
        print(f"{name:36s} {q[1]:8.0f} us {q[0]:8.0f} us {q[2]:8.0f} us "
              f"{statistics.median(ts_) / hand_med:6.2f}x | {c * 1e6:12.0f} us "
              f"{c / hand_cpu:6.2f}x")
    per_pair = [a / b for a, b in zip(times["autodiff (gradient + params -= )"],
                                      times["hand-written NumPy"])]
    print(f"median of per-step wall-time ratios (autodiff / hand-written): "
          f"{statistics.median(per_pair):.3f}   [{blas_threads()}]")
    print(f"max |autodiff params - hand-written params| after {steps + 50} steps: {worst:.2e}")

    if profile:
        import cProfile
        import pstats

        print("\n== cProfile of 300 autodiff steps (gradient + params -=), by internal time")
        pr = cProfile.Profile()
        pr.enable()
        for i in range(300):
            step_autodiff(xs[i % 64], ts[i % 64])
        pr.disable()
        pstats.Stats(pr).sort_stats("tottime").print_stats(20)


# --- 2. the whole run, in subprocesses ---------------------------------------------------

def child(kind: str, iters: int, data_dir: Path, seed: int) -> None:
    """Run the book's section 5.3 loop once and print a JSON line of results."""
    (x_train, t_train), (x_test, t_test) = load_data(data_dir)[0]
    rss_data = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    from minigrad.models import TwoLayerNet

    network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10, seed=seed)
    if kind == "hand":
        network = HandWrittenNet({k: v.data for k, v in network.params.items()})
    np.random.seed(seed)
    train_size = x_train.shape[0]
    batch_size = 100
    learning_rate = 0.1
    train_loss_list, train_acc_list, test_acc_list = [], [], []
    iter_per_epoch = max(train_size / batch_size, 1)
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(iters):
        batch_mask = np.random.choice(train_size, batch_size)
        x_batch = x_train[batch_mask]
        t_batch = t_train[batch_mask]
        grad = network.gradient(x_batch, t_batch)
        for key in ("W1", "b1", "W2", "b2"):
            network.params[key] -= learning_rate * grad[key]
        loss = network.loss(x_batch, t_batch)
        train_loss_list.append(loss)  # a Tensor for the autodiff net, as the book's code does
        if i % iter_per_epoch == 0:
            train_acc_list.append(network.accuracy(x_train, t_train))
            test_acc_list.append(network.accuracy(x_test, t_test))
    seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({
        "kind": kind, "iters": iters, "seconds": seconds, "cpu_seconds": cpu_seconds,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_after_data_mb": rss_data / 1024,
        "train_acc": float(train_acc_list[-1]), "test_acc": float(test_acc_list[-1]),
        "final_loss": float(train_loss_list[-1]), "blas": blas_threads(),
    }))


def bench_full(iters: int, repeats: int, data_dir: Path) -> None:
    results: dict[str, list[dict]] = {"autodiff": [], "hand": []}
    for r in range(repeats):
        order = ["autodiff", "hand"] if r % 2 == 0 else ["hand", "autodiff"]
        for kind in order:
            cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind,
                   "--iters", str(iters), "--data-dir", str(data_dir)]
            out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
            res = json.loads(out.strip().splitlines()[-1])
            results[kind].append(res)
            print(f"  run {r + 1}/{repeats} {kind:8s}: {res['seconds']:7.1f} s (CPU "
                  f"{res['cpu_seconds']:.1f} s), peak RSS "
                  f"{res['maxrss_mb']:7.0f} MB (after loading data {res['rss_after_data_mb']:.0f}"
                  f" MB), train/test acc {res['train_acc']:.4f}/{res['test_acc']:.4f} "
                  f"[{res['blas']}]", flush=True)
    med = {k: statistics.median(r["seconds"] for r in v) for k, v in results.items()}
    cpu = {k: statistics.median(r["cpu_seconds"] for r in v) for k, v in results.items()}
    rss = {k: max(r["maxrss_mb"] for r in v) for k, v in results.items()}
    print(f"\n== whole run, {iters} iterations (section 5.3 loop, loss list kept), median of "
          f"{repeats}; {blas_threads()}")
    for k in ("autodiff", "hand"):
        print(f"{k:10s} {med[k]:8.1f} s wall  {cpu[k]:8.1f} s CPU   peak RSS {rss[k]:7.0f} MB")
    print(f"ratio autodiff / hand-written: wall {med['autodiff'] / med['hand']:.3f}, "
          f"CPU {cpu['autodiff'] / cpu['hand']:.3f}   [{blas_threads()}]")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=2000, help="interleaved steps (default 2000)")
    p.add_argument("--iters", type=int, default=10000, help="iterations of the whole run")
    p.add_argument("--full-repeats", type=int, default=3, help="whole runs of each kind")
    p.add_argument("--skip-full", action="store_true", help="only the step benchmark")
    p.add_argument("--skip-step", action="store_true", help="only the whole run")
    p.add_argument("--threads", type=int, default=None, help="limit BLAS threads")
    p.add_argument("--profile", action="store_true", help="cProfile the autodiff step")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--child", choices=["autodiff", "hand"], help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    set_threads(args.threads)
    if args.child:
        child(args.child, args.iters, args.data_dir, args.seed)
        return
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} CPUs; "
          f"{blas_threads()}")
    if not args.skip_step:
        data, what = load_data(args.data_dir)
        print(f"data: {what}")
        bench_step(data, args.steps, 0.1, args.profile)
        del data
    if not args.skip_full:
        print(f"\n== whole runs in subprocesses ({args.iters} iterations each) ...")
        bench_full(args.iters, args.full_repeats, args.data_dir)


if __name__ == "__main__":
    main()

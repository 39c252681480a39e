"""A training loop written the way chapters 4 and 5 write theirs, run on minigrad.

What a learner types after reading those chapters, and what these tests do with
minigrad's ``TwoLayerNet`` and ``load_mnist`` in place of the book's modules (the only
change): draw a mini-batch of indices from the global ``np.random`` generator, ask the
network for a dict of gradients, subtract ``learning rate * gradient`` from every entry
of ``network.params`` in place, keep every step's loss in a list, and measure both
accuracies once per epoch (whenever the step number is a multiple of the float
``train size / batch size``). The loop here is the tests' own; the checks are the
book's behaviour:

* the loss starts near ``ln 10 = 2.3`` and falls, and one epoch of 600 steps reaches
  more than 70 % accuracy on both sets;
* the gradients and the parameters follow a NumPy network whose backward pass is
  derived by hand (``tests/book_reference.py``) to 1e-10;
* a list of 10,000 kept losses does not keep 10,000 graphs (and their input batches)
  alive; the full 10,000-step run fits in 2.5 GB and ends above 93 % test accuracy.

MNIST comes from ``$MINIGRAD_DATA`` (by default ``../shared/data/mnist``).
"""

import gc
import json
import os
import subprocess
import sys
import textwrap
import tracemalloc
import weakref
from pathlib import Path

import numpy as np
import pytest
from book_reference import accuracy as hand_accuracy
from book_reference import gradient as hand_gradient
from book_reference import init_params as hand_init
from book_reference import loss as hand_loss
from conftest import MNIST_DIR, have_mnist  # the suite's one MNIST location

KEYS = ("W1", "b1", "W2", "b2")


def run_loop(network, train, steps, batch, lr, test=None, on_step=None):
    """Train ``network`` for ``steps`` steps the chapter-5 way; return losses and accuracies.

    ``train`` and ``test`` are ``(images, one_hot_labels)`` pairs. The batch indices come
    from ``np.random.choice`` (the global generator, as in the book). When ``test`` is
    given, both accuracies are measured at steps 0, E, 2E, ... with ``E`` the float number
    of steps per epoch, and printed with ``str`` as the book prints them.
    """
    images, labels = train
    n = images.shape[0]
    steps_per_epoch = max(n / batch, 1)
    kept_losses, train_accs, test_accs = [], [], []
    for step in range(steps):
        picks = np.random.choice(n, batch)
        xb, tb = images[picks], labels[picks]
        grads = network.gradient(xb, tb)
        for key in KEYS:
            network.params[key] -= lr * grads[key]  # in place, on the network's own entry
        current = network.loss(xb, tb)
        kept_losses.append(current)  # the loss object itself, as the book keeps it
        if on_step is not None:
            on_step(current)
        if test is not None and step % steps_per_epoch == 0:
            train_accs.append(network.accuracy(*train))
            test_accs.append(network.accuracy(*test))
            print(str(train_accs[-1]) + " " + str(test_accs[-1]))
    return kept_losses, train_accs, test_accs


def one_hot_mnist():
    from minigrad.datasets import load_mnist

    return load_mnist(normalize=True, one_hot_label=True)


# --- the mini-batch loop of section 4.5 -----------------------------------------------------

@pytest.mark.slow
def test_minibatch_loop_starts_near_ln10_and_learns(mnist_dir):
    from minigrad.models import TwoLayerNet

    np.random.seed(0)
    train, _ = one_hot_mnist()
    network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)
    kept, _, _ = run_loop(network, train, steps=200, batch=100, lr=0.1)

    losses = np.array([float(v) for v in kept])
    assert abs(losses[0] - np.log(10)) < 0.05  # ten classes, nearly uniform at the start
    assert losses[-20:].mean() < losses[:20].mean() - 0.05  # still on the early plateau
    # a kept loss no longer holds the graph below it
    assert kept[0].creator.inputs[0].creator.inputs is None


# --- once per epoch: both accuracies, printed and plotted ------------------------------------

@pytest.mark.slow
def test_one_epoch_reaches_70_percent_on_both_sets(mnist_dir, capsys):
    from minigrad.models import TwoLayerNet
    matplotlib = pytest.importorskip("matplotlib",
                                     reason="matplotlib is the plot extra: pip install .[plot]")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    np.random.seed(1)
    train, test = one_hot_mnist()
    network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)
    # 601 steps: the evaluations at step 0 and after the first epoch (step 600)
    _, train_accs, test_accs = run_loop(network, train, steps=601, batch=100, lr=0.1,
                                        test=test)

    # the accuracies plot as plain numbers, as in the book's figure 4-12
    steps = np.arange(len(train_accs))
    drawn = [plt.plot(steps, train_accs)[0], plt.plot(steps, test_accs)[0]]
    plt.close("all")
    np.testing.assert_array_equal(drawn[0].get_ydata(), train_accs)
    np.testing.assert_array_equal(drawn[1].get_ydata(), test_accs)

    assert len(train_accs) == len(test_accs) == 2
    assert train_accs[0] < 0.3 and test_accs[0] < 0.3
    assert train_accs[1] > 0.7 and test_accs[1] > 0.7
    assert abs(train_accs[1] - test_accs[1]) < 0.05
    # ``str`` of an accuracy is a bare number (not a Tensor's repr), equal to the value
    printed = [[float(w) for w in line.split()] for line in capsys.readouterr().out.splitlines()]
    assert printed == [[a, b] for a, b in zip(train_accs, test_accs)]


# --- autodiff against the hand-derived backward pass -----------------------------------------

def test_autodiff_net_follows_the_hand_derived_net_step_by_step(mnist_dir):
    from minigrad.datasets import load_mnist
    from minigrad.models import TwoLayerNet

    (images, labels), _ = load_mnist(normalize=True, one_hot_label=True, data_dir=mnist_dir,
                                     download=False)
    np.random.seed(3)
    reference = hand_init(784, 50, 10)
    np.random.seed(3)
    network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)
    for key in KEYS:  # the same seed, the same starting point
        np.testing.assert_array_equal(network.params[key].data, reference[key])
    rng = np.random.default_rng(0)
    worst_grad = worst_param = 0.0
    for _ in range(30):
        picks = rng.choice(images.shape[0], 100)
        xb, tb = images[picks], labels[picks]
        grads = network.gradient(xb, tb)
        expected = hand_gradient(reference, xb, tb)
        for key in KEYS:
            worst_grad = max(worst_grad, float(np.abs(grads[key] - expected[key]).max()))
            network.params[key] -= 0.1 * grads[key]
            reference[key] -= 0.1 * expected[key]
            worst_param = max(worst_param,
                              float(np.abs(network.params[key].data - reference[key]).max()))
        # minigrad's loss is exact; the book's adds 1e-7 in the log, ~1e-7 / p apart
        assert abs(float(network.loss(xb, tb)) - hand_loss(reference, xb, tb)) < 1e-5
    assert worst_grad <= 1e-10
    assert worst_param <= 1e-10
    assert network.accuracy(images[:2000], labels[:2000]) == hand_accuracy(
        reference, images[:2000], labels[:2000])


# --- a list of kept losses does not keep the graphs alive ------------------------------------

def test_kept_losses_do_not_keep_graphs_alive():
    from minigrad.models import TwoLayerNet

    gen = np.random.default_rng(0)
    images = gen.random((1000, 200))
    labels = np.eye(3)[gen.integers(0, 3, 1000)]
    network = TwoLayerNet(input_size=200, hidden_size=50, output_size=3, seed=0)
    np.random.seed(0)

    refs = []

    def watch(current):
        second = current.creator.inputs[0].creator
        act = second.inputs[0].creator
        first = act.inputs[0].creator
        # the hidden pre-activation and the input batch, which the ops saved
        refs.append((weakref.ref(act.inputs[0]), weakref.ref(first.inputs[0])))

    kept, _, _ = run_loop(network, (images, labels), steps=20, batch=50, lr=0.1,
                          on_step=watch)
    gc.collect()
    # every graph but the last is gone (the ops' structure stays)
    assert all(a() is None and b() is None for a, b in refs[:-1])
    # the last loss is still live: its graph waits for the next update
    assert refs[-1][0]() is not None

    tracemalloc.start()
    try:
        kept += run_loop(network, (images, labels), steps=10, batch=50, lr=0.1)[0]
        gc.collect()
        base, _ = tracemalloc.get_traced_memory()
        kept += run_loop(network, (images, labels), steps=200, batch=50, lr=0.1)[0]
        gc.collect()
        now, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    per_step = (now - base) / 200
    # a kept graph would cost > 100 kB a step (the 50x200 batch, two 50x50 hidden arrays);
    # what stays is the loss, its fused op and the (50, 3) logits and targets
    print(f"retained per step: {per_step:.0f} bytes")
    assert per_step < 8_000, per_step
    assert len(kept) == 230


# --- the full run, 10,000 steps, in a child process ------------------------------------------
# Its peak resident memory is read from the child. About a minute; marked slow (CI runs it).

REPO = Path(__file__).resolve().parents[1]
needs_mnist = pytest.mark.skipif(not have_mnist(), reason=f"MNIST not found in {MNIST_DIR}")

# The loop of ``run_loop`` at the chapter's size (10,000 steps of 100 images, lr 0.1),
# then a JSON line with the results and the peak resident memory.
FULL_RUN = textwrap.dedent("""
    import json, resource
    import numpy as np
    from minigrad.datasets import load_mnist
    from minigrad.models import TwoLayerNet

    np.random.seed(0)
    (images, labels), (test_images, test_labels) = load_mnist(normalize=True,
                                                              one_hot_label=True)
    network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)
    n = images.shape[0]
    steps_per_epoch = max(n / 100, 1)
    kept, test_accs = [], []
    for step in range(10000):
        picks = np.random.choice(n, 100)
        grads = network.gradient(images[picks], labels[picks])
        for key in ("W1", "b1", "W2", "b2"):
            network.params[key] -= 0.1 * grads[key]
        kept.append(network.loss(images[picks], labels[picks]))
        if step % steps_per_epoch == 0:
            network.accuracy(images, labels)
            test_accs.append(network.accuracy(test_images, test_labels))

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"test_acc": test_accs, "first_loss": float(kept[0].item()),
                      "last_loss": float(kept[-1].item()), "n_losses": len(kept),
                      "peak_bytes": peak}))
""")


def child_env():
    env = dict(os.environ, MINIGRAD_DATA=str(MNIST_DIR), PYTHONPATH=str(REPO))
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    return env


@pytest.mark.slow
@needs_mnist
def test_full_run_learns_and_stays_under_2_5_gb():
    out = subprocess.run([sys.executable, "-c", FULL_RUN], capture_output=True, text=True,
                         env=child_env(), cwd=REPO, timeout=1800, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["n_losses"] == 10000
    assert 2.0 < result["first_loss"] < 2.5 and result["last_loss"] < 0.6
    assert len(result["test_acc"]) == 17  # steps 0, 600, ..., 9600
    assert result["test_acc"][-1] >= 0.93
    assert result["peak_bytes"] < 2.5e9, f"peak RSS {result['peak_bytes'] / 1e9:.2f} GB"

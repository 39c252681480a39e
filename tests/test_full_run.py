"""The chapter's experiment at full size: 10,000 iterations with the book's settings.

Both runs happen in a child process so that their peak resident memory can be read.
They take about a minute each and are marked slow (CI runs them).
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import MNIST_DIR, have_mnist  # the suite's one MNIST location

REPO = Path(__file__).resolve().parents[1]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not have_mnist(), reason=f"MNIST not found in {MNIST_DIR}"),
]

# The book's section 5.3 loop, with only the imports changed, then its peak memory.
BOOK_LOOP = textwrap.dedent("""
    import json, resource
    import numpy as np
    from minigrad.datasets import load_mnist
    from minigrad.models import TwoLayerNet

    np.random.seed(0)
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)

    network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)

    iters_num = 10000
    train_size = x_train.shape[0]
    batch_size = 100
    learning_rate = 0.1

    train_loss_list = []
    train_acc_list = []
    test_acc_list = []

    iter_per_epoch = max(train_size / batch_size, 1)

    for i in range(iters_num):
        batch_mask = np.random.choice(train_size, batch_size)
        x_batch = x_train[batch_mask]
        t_batch = t_train[batch_mask]

        grad = network.gradient(x_batch, t_batch)

        for key in ('W1', 'b1', 'W2', 'b2'):
            network.params[key] -= learning_rate * grad[key]

        loss = network.loss(x_batch, t_batch)
        train_loss_list.append(loss)

        if i % iter_per_epoch == 0:
            train_acc = network.accuracy(x_train, t_train)
            test_acc = network.accuracy(x_test, t_test)
            train_acc_list.append(train_acc)
            test_acc_list.append(test_acc)
            print("train acc, test acc | " + str(train_acc) + ", " + str(test_acc))

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"train_acc": train_acc_list, "test_acc": test_acc_list,
                      "first_loss": float(train_loss_list[0].item()),
                      "last_loss": float(train_loss_list[-1].item()),
                      "n_losses": len(train_loss_list), "peak_bytes": peak}))
""")


def child_env():
    env = dict(os.environ, MINIGRAD_DATA=str(MNIST_DIR), PYTHONPATH=str(REPO))
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    return env


def test_book_loop_at_full_size_learns_and_stays_under_2_5_gb():
    out = subprocess.run([sys.executable, "-c", BOOK_LOOP], capture_output=True, text=True,
                         env=child_env(), cwd=REPO, timeout=1800, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["n_losses"] == 10000
    assert 2.0 < result["first_loss"] < 2.5 and result["last_loss"] < 0.6
    assert len(result["test_acc"]) == 17  # i = 0, 600, ..., 9600
    assert result["test_acc"][-1] >= 0.93
    assert result["peak_bytes"] < 2.5e9, f"peak RSS {result['peak_bytes'] / 1e9:.2f} GB"


def test_minigrad_train_with_the_book_settings(tmp_path):
    out_dir = tmp_path / "run"
    subprocess.run(
        [sys.executable, "-m", "minigrad", "train", "--seed", "0", "--no-progress",
         "--data-dir", str(MNIST_DIR), "--out", str(out_dir)],
        capture_output=True, text=True, env=child_env(), cwd=tmp_path, timeout=1800,
        check=True)
    history = json.loads((out_dir / "history.json").read_text())
    train_acc, test_acc = history["final_train_acc"], history["final_test_acc"]
    assert history["iterations"] == 10000
    assert test_acc >= 0.94
    assert abs(train_acc - test_acc) <= 0.015
    for name in ("history.csv", "loss.png", "accuracy.png", "weights.npz"):
        assert (out_dir / name).stat().st_size > 0

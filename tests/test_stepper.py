"""The backward stepper: frames of the engine's own steps, and an HTML player that works offline."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
from minigrad import viz
from minigrad.stepper import MAX_FUNCTIONS, step_backward

needs_dot = pytest.mark.skipif(not viz.dot_available(), reason="Graphviz's dot is not installed")


def shopping() -> tuple[mg.Tensor, ...]:
    """The book's first graph (chapter 5): 2 apples at 100 each, with a tax of 1.1."""
    apple = mg.tensor(100.0, requires_grad=True, name="apple")
    num = mg.tensor(2.0, requires_grad=True, name="apple_num")
    tax = mg.tensor(1.1, requires_grad=True, name="tax")
    return apple, num, tax, apple * num * tax


def test_shopping_steps_are_the_engines_and_give_the_books_gradients() -> None:
    apple, num, tax, price = shopping()
    steps = step_backward(price)
    assert len(steps) == 2 + 2  # the start, Mul (tax), Mul (apples), the end
    assert [f.function.name if f.function else None for f in steps.frames] == \
        [None, "Mul", "Mul", None]
    assert steps.grads["apple"] == pytest.approx(2.2)
    assert steps.grads["apple_num"] == pytest.approx(110.0)
    assert steps.grads["tax"] == pytest.approx(200.0)
    # nothing was accumulated into .grad, and the graph is still there
    assert apple.grad is None and num.grad is None and tax.grad is None
    price.backward()
    assert float(tax.grad.data) == pytest.approx(200.0)


def test_each_frame_highlights_the_running_function_and_labels_what_it_sends() -> None:
    *_, price = shopping()
    steps = step_backward(price)
    for frame in steps.frames[1:-1]:
        source = frame.graph.source
        assert re.search(r'op\d+ \[label=Mul color="#dc3545"', source), source
        assert source.count("dir=back") >= 2  # the gradient received and those sent
    second = steps.frames[2].graph.source
    # the inner Mul receives 1.1 (the tax) and sends 2.2 to apple and 110 to apple_num
    assert 'label="grad 1.1"' in second
    assert 'label="grad 2.2"' in second and 'label="grad 110"' in second
    assert "because every function that uses its output (Mul)" in steps.frames[2].caption
    assert "It made the output, so it comes first" in steps.frames[1].caption


def test_a_reused_tensor_shows_its_gradients_adding_up() -> None:
    x = mg.tensor(3.0, requires_grad=True, name="x")
    steps = step_backward(x * x + x)
    assert steps.grads["x"] == pytest.approx(7.0)
    assert "its gradients add up, 1 + 3 + 3 = 7" in steps.frames[2].caption
    assert "grad: 1 + 3 + 3 = 7" in steps.frames[-1].graph.source
    # before Mul ran, x had only the gradient from Add
    assert "grad: 1\\n" in steps.frames[1].graph.source or 'grad: 1"' in \
        steps.frames[1].graph.source


def test_a_two_layer_net_steps_through_every_function() -> None:
    from minigrad.models import TwoLayerNet

    net = TwoLayerNet(4, 3, 2, seed=0)
    x = np.random.default_rng(0).standard_normal((2, 4))
    t = np.array([0, 1])
    loss = net.loss(x, t)
    n = len(mg.autograd.walk(loss))
    steps = step_backward(loss)
    assert len(steps) == n + 2
    for p in net.params.values():
        assert p.grad is None
    loss.backward()
    for p in net.params.values():
        assert np.allclose(steps.grads[p.name], p.grad.data), p.name


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="no graph"):
        step_backward(mg.tensor(1.0))
    with pytest.raises(TypeError):
        step_backward(np.ones(2))  # type: ignore[arg-type]
    x = mg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(MAX_FUNCTIONS + 1):
        y = y * 1.0
    with pytest.raises(ValueError, match="small graphs"):
        step_backward(y)


@needs_dot
def test_html_player_is_self_contained(tmp_path: Path) -> None:
    *_, price = shopping()
    steps = step_backward(price)
    path = steps.save_html(tmp_path / "steps.html")
    text = path.read_text("utf-8")
    assert text.count('<figure class="mg-frame"') == len(steps)
    assert "<script src" not in text and "<link" not in text
    urls = set(re.findall(r"https?://[^\s\"'<>]+", text))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, urls
    files = steps.save_frames(tmp_path)
    assert [p.name for p in files] == [f"step_{i:03d}.svg" for i in range(len(steps))]
    with pytest.raises(ValueError, match="format"):
        steps.save_frames(tmp_path, format="gif")


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@needs_dot
@pytest.mark.skipif(_chromium() is None, reason="no headless browser (apt-get install chromium)")
def test_html_player_opens_offline_in_a_headless_browser(tmp_path: Path) -> None:
    *_, price = shopping()
    steps = step_backward(price)
    path = steps.save_html(tmp_path / "steps.html")
    for step in (0, 2):
        proc = subprocess.run(
            [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
             f"file://{path}#step={step}"],
            capture_output=True, text=True, timeout=120)
        dom = proc.stdout
        assert 'class="mg-steps"' in dom, proc.stderr[-2000:]
        # the script ran: the counter and the caption show the frame asked for
        assert f'data-step="{step}"' in dom
        assert f"{step + 1} / {len(steps)}" in dom
        caption = re.search(r'<p class="mg-caption">(.*?)</p>', dom, re.S)
        assert caption is not None
        assert caption.group(1).startswith(steps.frames[step].caption[:40].replace("&", "&amp;"))
        shown = re.findall(r'<figure class="mg-frame"[^>]*>', dom)
        assert sum("hidden" not in f for f in shown) == 1
        assert "<svg" in dom

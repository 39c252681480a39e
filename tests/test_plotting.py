import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("matplotlib", reason="matplotlib is the plot extra: pip install .[plot]")

from minigrad import plotting as P  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def is_png(path: Path) -> bool:
    data = Path(path).read_bytes()
    return data.startswith(PNG_SIGNATURE) and data.endswith(b"IEND\xaeB`\x82")


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in Path(directory).iterdir() if p.name.endswith(".tmp"))


def paraboloid(a, b):
    return a**2 + b**2


# ---------------------------------------------------------------- every helper writes a PNG

def test_loss_curve_png(tmp_path):
    losses = 2.3 * np.exp(-np.arange(300) / 80) + 0.05
    out = P.save_loss_curve(losses, tmp_path / "loss.png")
    assert out == tmp_path / "loss.png"
    assert isinstance(out, Path)
    assert is_png(out)
    assert leftovers(tmp_path) == []


def test_loss_curve_accepts_list_of_floats_and_str_path(tmp_path):
    out = P.save_loss_curve([2.3, 1.0, 0.5], str(tmp_path / "l.png"), smooth=0)
    assert is_png(out)


def test_loss_curve_with_nan_and_inf(tmp_path):
    out = P.save_loss_curve([2.3, 5.0, np.inf, np.nan, 1e30], tmp_path / "div.png")
    assert is_png(out)


def test_accuracy_curves_png(tmp_path):
    out = P.save_accuracy_curves([0.1, 0.8, 0.9, 0.93], [0.1, 0.79, 0.9, 0.92],
                                 tmp_path / "acc.png")
    assert is_png(out)


def test_curves_png(tmp_path):
    y = np.linspace(0.01, 1, 50)
    out = P.save_curves(y, {"-log(y)": -np.log(y), "flat": np.ones_like(y)},
                        tmp_path / "c.png", xlabel="y", ylabel="E", linestyles={"flat": "--"})
    assert is_png(out)


def test_tangent_png(tmp_path):
    out = P.save_tangent_plot(lambda x: 0.01 * x**2 + 0.1 * x, 5.0, tmp_path / "t.png")
    assert is_png(out)


def test_surface_png(tmp_path):
    out = P.save_surface(paraboloid, tmp_path / "s.png", num=12)
    assert is_png(out)


def test_gradient_field_png(tmp_path):
    x0, x1 = np.meshgrid(np.arange(-2, 2.5, 0.5), np.arange(-2, 2.5, 0.5))
    out = P.save_gradient_field(x0, x1, 2 * x0, 2 * x1, tmp_path / "q.png")
    assert is_png(out)


def test_descent_path_png(tmp_path):
    path = np.array([[-3.0, 4.0], [-2.4, 3.2], [-1.92, 2.56]])
    out = P.save_descent_path(path, tmp_path / "gd.png", f=paraboloid)
    assert is_png(out)
    out = P.save_descent_path({"lr=0.1": path, "lr=1e-10": path[:1]}, tmp_path / "gd2.png")
    assert is_png(out)


# ---------------------------------------------------------------- formats

def test_svg_parses_as_xml(tmp_path):
    out = P.save_accuracy_curves([0.2, 0.9], [0.2, 0.88], tmp_path / "acc.svg")
    root = ET.parse(out).getroot()
    assert root.tag.endswith("svg")
    text = out.read_text()
    assert "epochs" in text or "<path" in text


def test_pdf_and_uppercase_extension(tmp_path):
    out = P.save_loss_curve([1.0, 0.5], tmp_path / "loss.pdf")
    assert out.read_bytes().startswith(b"%PDF")
    out = P.save_loss_curve([1.0, 0.5], tmp_path / "LOSS.PNG")
    assert is_png(out)


def test_creates_parent_directories(tmp_path):
    out = P.save_loss_curve([1.0, 0.5], tmp_path / "a" / "b" / "loss.png")
    assert is_png(out)


def test_written_file_has_normal_permissions(tmp_path):
    out = P.save_loss_curve([1.0, 0.5], tmp_path / "loss.png")
    umask = os.umask(0o022)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize("name", ["fig.jpg", "fig", "fig.png.bak", "fig.txt"])
def test_unknown_extension(tmp_path, name):
    target = tmp_path / "new_dir" / name
    fig = P.new_figure()
    with pytest.raises(ValueError, match="unknown extension") as info:
        P.save_figure(fig, target)
    suffix = Path(name).suffix or "(no extension)"
    assert repr(suffix) in str(info.value)
    assert not (tmp_path / "new_dir").exists()
    with pytest.raises(ValueError, match="unknown extension"):
        P.save_loss_curve([1.0], target)
    with pytest.raises(ValueError, match="unknown extension"):
        P.save_accuracy_curves([1.0], [1.0], target)
    assert not (tmp_path / "new_dir").exists()


def test_format_keyword_rejected(tmp_path):
    with pytest.raises(ValueError, match="format"):
        P.save_figure(P.new_figure(), tmp_path / "a.png", format="svg")


def test_not_a_figure(tmp_path):
    with pytest.raises(TypeError, match="Figure"):
        P.save_figure(object(), tmp_path / "a.png")
    assert list(tmp_path.iterdir()) == []


def test_directory_target(tmp_path):
    (tmp_path / "d.png").mkdir()
    with pytest.raises(IsADirectoryError):
        P.save_figure(P.new_figure(), tmp_path / "d.png")
    assert leftovers(tmp_path) == []


# ---------------------------------------------------------------- atomicity

class Boom(RuntimeError):
    pass


def failing_figure(partial: bytes = b"\x89PNG partial"):
    fig = P.new_figure()

    def savefig(fh, **kwargs):
        fh.write(partial)
        raise Boom("render failed")

    fig.savefig = savefig
    return fig


def test_failed_write_leaves_nothing(tmp_path):
    target = tmp_path / "fig.png"
    with pytest.raises(Boom):
        P.save_figure(failing_figure(), target)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_old_file(tmp_path):
    target = P.save_loss_curve([2.0, 1.0], tmp_path / "fig.png")
    before = target.read_bytes()
    with pytest.raises(Boom):
        P.save_figure(failing_figure(), target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["fig.png"]


def test_keyboard_interrupt_cleans_up(tmp_path):
    fig = P.new_figure()

    def savefig(fh, **kwargs):
        fh.write(b"half")
        raise KeyboardInterrupt

    fig.savefig = savefig
    with pytest.raises(KeyboardInterrupt):
        P.save_figure(fig, tmp_path / "x.svg")
    assert list(tmp_path.iterdir()) == []


def test_failed_rename_cleans_up(tmp_path, monkeypatch):
    target = P.save_loss_curve([2.0, 1.0], tmp_path / "fig.png")
    before = target.read_bytes()

    def bad_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", bad_replace)
    with pytest.raises(OSError, match="disk full"):
        P.save_loss_curve([3.0, 1.0, 0.2], target)
    assert target.read_bytes() == before
    assert leftovers(tmp_path) == []


# ---------------------------------------------------------------- input validation

def test_loss_curve_rejects_bad_input(tmp_path):
    with pytest.raises(ValueError, match="empty"):
        P.save_loss_curve([], tmp_path / "l.png")
    with pytest.raises(ValueError, match="1-D"):
        P.save_loss_curve([[1.0, 2.0]], tmp_path / "l.png")
    with pytest.raises(ValueError, match="smooth"):
        P.save_loss_curve([1.0], tmp_path / "l.png", smooth=-1)
    assert list(tmp_path.iterdir()) == []


def test_accuracy_length_mismatch(tmp_path):
    with pytest.raises(ValueError, match="3 epochs.*2"):
        P.save_accuracy_curves([0.1, 0.2, 0.3], [0.1, 0.2], tmp_path / "a.png")
    assert list(tmp_path.iterdir()) == []


def test_curves_length_mismatch(tmp_path):
    with pytest.raises(ValueError, match="'b' has 2 points but x has 3"):
        P.save_curves([0, 1, 2], {"a": [1, 2, 3], "b": [1, 2]}, tmp_path / "c.png")
    with pytest.raises(ValueError, match="no curves"):
        P.save_curves([0, 1, 2], {}, tmp_path / "c.png")


def test_surface_requires_elementwise_function(tmp_path):
    with pytest.raises(ValueError, match="elementwise"):
        P.save_surface(lambda a, b: np.sum(a**2 + b**2), tmp_path / "s.png", num=5)
    assert leftovers(tmp_path) == []


def test_field_and_path_shapes(tmp_path):
    with pytest.raises(ValueError, match="share one shape"):
        P.save_gradient_field(np.zeros(3), np.zeros(3), np.zeros(4), np.zeros(3),
                              tmp_path / "q.png")
    with pytest.raises(ValueError, match=r"\(steps \+ 1, 2\)"):
        P.save_descent_path(np.zeros((4, 3)), tmp_path / "p.png")


def test_loss_curve_accepts_tensor(tmp_path):
    import minigrad as mg

    out = P.save_loss_curve(mg.tensor([2.0, 1.0, 0.5]), tmp_path / "t.png")
    assert is_png(out)


# ---------------------------------------------------------------- helpers and environment

@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=60),
    window=st.integers(1, 20),
)
def test_moving_average_matches_naive(values, window):
    arr = np.array(values)
    expected = [np.mean(arr[max(0, i + 1 - window): i + 1]) for i in range(arr.size)]
    np.testing.assert_allclose(P._moving_average(arr, window), expected, rtol=1e-9, atol=1e-6)


@settings(max_examples=8, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True, width=32), min_size=1,
                max_size=80))
def test_loss_curve_any_floats(tmp_path_factory, losses):
    out = P.save_loss_curve(losses, tmp_path_factory.mktemp("h") / "l.png")
    assert is_png(out)


def test_missing_matplotlib_message(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"pip install minigrad\[plot\]"):
        P.new_figure()


def test_headless_without_pyplot(tmp_path):
    code = (
        "import sys, minigrad.plotting as P\n"
        f"P.save_loss_curve([2.3, 1.0, 0.4], {str(tmp_path / 'x.png')!r})\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
        "import matplotlib; print(matplotlib.get_backend())\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND")}
    root = Path(__file__).resolve().parents[1]
    res = subprocess.run([sys.executable, "-c", code], cwd=root, env=env,
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert is_png(tmp_path / "x.png")


def test_importing_plotting_does_not_import_matplotlib():
    code = "import sys, minigrad.plotting\nprint('matplotlib' in sys.modules)\n"
    root = Path(__file__).resolve().parents[1]
    res = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "False"


def test_every_figure_function_uses_the_one_scaffold(tmp_path, monkeypatch):
    import inspect

    from minigrad import plotting

    savers = [f for name, f in vars(plotting).items()
              if name.startswith("save_") and name != "save_figure" and inspect.isfunction(f)]
    assert len(savers) >= 7
    for f in savers:
        src = inspect.getsource(f)
        assert "_axes(" in src and "_finish(" in src, f.__name__
        assert "new_figure(" not in src and "add_subplot(" not in src, f.__name__

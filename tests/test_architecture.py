"""The layers of minigrad: a core that imports nothing else, and no import circles.

The core is the Tensor (``tensor``), the engine (``autograd``: Function, walk and
backward), grad mode (``grad_mode``), the printing of tensors (``printing``) and the
random-source helper (``_rng``). Its two main modules need each other (a tensor's
``backward`` runs the engine, the engine makes tensors); nothing else may form a circle.

Every import counts, at the top of a module or inside a function, except those under
``if TYPE_CHECKING:`` (they are never run). The names a former home forwards with a
DeprecationWarning (``minigrad._moved``) are looked up by name, not imported.
"""

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "minigrad"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, name: str) -> set[str]:
    tree = ast.parse(path.read_text())
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    found = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
    return {m for m in found if m == "minigrad" or m.startswith("minigrad.")}


def import_graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        graph[name] = {m for m in _imports(path, name) if m in modules and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in graph:
        if v not in index:
            visit(v)
    return out


CORE = {"minigrad.tensor", "minigrad.autograd", "minigrad.grad_mode", "minigrad.printing",
        "minigrad._rng"}


def _graph() -> dict[str, set[str]]:
    graph = import_graph()
    # the package's __init__ imports its submodules, which import their siblings
    # through the package: drop the edges into a package's own __init__
    for name in graph:
        graph[name] = {m for m in graph[name] if not name.startswith(m + ".")}
    return graph


def test_the_core_imports_nothing_else():
    graph = _graph()
    assert {m: graph[m] - CORE for m in CORE if graph[m] - CORE} == {}


def test_no_import_circles_beyond_the_core():
    graph = _graph()
    assert [c for c in cycles(graph) if not set(c) <= CORE] == []
    assert cycles(graph) == [["minigrad.autograd", "minigrad.tensor"]]


def test_the_ops_import_the_core_and_each_other_only():
    graph = _graph()
    for name, deps in graph.items():
        if name.startswith("minigrad.ops"):
            outside = {m for m in deps if not m.startswith("minigrad.ops")} - CORE
            assert outside <= {"minigrad._moved"}, (name, outside)


def test_import_minigrad_loads_the_core_ops_nn_optim_and_functional_only():
    # (and viz, which gives tensors their picture in Jupyter; Graphviz loads when it draws)
    code = ("import sys, minigrad; print(' '.join(sorted(m for m in sys.modules "
            "if m.startswith(('minigrad', 'graphviz', 'matplotlib')))))")
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout.split())
    for tool in ("minigrad.book", "minigrad.debug", "minigrad.serialization",
                 "minigrad.plotting", "minigrad.cli", "minigrad.models", "graphviz",
                 "minigrad.datasets", "minigrad.train", "minigrad.anomaly", "minigrad.func",
                 "minigrad.data",
                 "matplotlib"):
        assert tool not in loaded, tool
    for needed in ("minigrad.functional", "minigrad.nn", "minigrad.optim", "minigrad.ops"):
        assert needed in loaded


def test_the_tools_load_on_first_use():
    code = ("import sys, minigrad as mg; assert 'minigrad.debug' not in sys.modules; "
            "f = mg.check_graph; assert 'minigrad.debug' in sys.modules; "
            "assert mg.save is __import__('minigrad.serialization').serialization.save; "
            "assert mg.models.__name__ == 'minigrad.models'; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr

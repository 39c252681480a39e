"""MkDocs hook: the op table of the documentation, derived from the catalogue of ops.

A page that holds the line ``<!-- op-table -->`` gets, in its place, one table per
family of :mod:`minigrad.ops` listing each op with the names it has in ``mg``, in
``minigrad.functional``, as a ``Tensor`` method, in NumPy and in PyTorch.
"""

from __future__ import annotations

from typing import Any

MARKER = "<!-- op-table -->"

FAMILIES = {
    "elementwise": "Elementwise math",
    "reduce": "Reductions",
    "shape": "Shape and views",
    "indexing": "Indexing and selection",
    "linalg": "Linear algebra",
    "conv": "Convolution and pooling",
    "padding": "Padding and resizing",
    "activation": "Activations",
    "normalization": "Normalization and dropout",
    "loss": "Losses",
    "attention": "Attention",
    "creation": "Creation",
}


def _names(names: Any) -> str:
    return ", ".join(f"`{n}`" for n in names) or "–"


def op_table() -> str:
    """Return the op tables, in Markdown."""
    import minigrad as mg
    from minigrad.ops import catalogue

    in_mg = catalogue.namespace("mg")
    out = []
    for family, title in FAMILIES.items():
        entries = [e for e in catalogue.entries() if e.family == family]
        out += [f"### {title} (`minigrad.ops.{family}`)", "",
                "| op | `mg` | `F` | `Tensor` | NumPy | PyTorch | what it does |",
                "| --- | --- | --- | --- | --- | --- | --- |"]
        for e in entries:
            mg_names = [n for n in e.names if in_mg.get(n) is e.function] if e.mg else []
            summary = e.summary.replace("|", "\\|")
            out.append(f"| `{e.name}` | {_names(mg_names)} | {_names(e.functional)} | "
                       f"{_names(e.methods)} | {_names(e.numpy)} | {_names(e.torch)} | "
                       f"{summary} |")
        out.append("")
    n = len(catalogue.entries())
    out.insert(0, f"{n} ops (minigrad {mg.__version__}).\n")
    return "\n".join(out)


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """Replace the marker with the op table."""
    if MARKER in markdown:
        markdown = markdown.replace(MARKER, op_table())
    return markdown

"""Function transforms: the gradient, Jacobian and Hessian of a Python function.

Each transform takes a function of tensors and differentiates it with the engine
(:func:`minigrad.autograd.grad`); nothing here has a gradient formula of its own.
The transforms follow PyTorch's two functional APIs, each where it has the name:

* ``grad(func, argnums=0, has_aux=False)``: ``torch.func.grad`` (returns a function);
* ``grad_and_value(func, argnums=0, has_aux=False)``: ``torch.func.grad_and_value``;
* ``vjp(func, *primals, has_aux=False)``: ``torch.func.vjp``, ``(output, vjp_fn)``;
* ``jvp(func, primals, tangents, has_aux=False)``: ``torch.func.jvp``,
  ``(output, jvp_out)``;
* ``jacobian(func, inputs, create_graph=False, strict=False)``:
  ``torch.autograd.functional.jacobian``;
* ``hessian(func, inputs, create_graph=False, strict=False)``:
  ``torch.autograd.functional.hessian``;
* ``hvp(func, inputs, v=None, create_graph=False, strict=False)``:
  ``torch.autograd.functional.hvp``.

(``torch.func.hessian(f)(x)`` is ``hessian(f, x)`` here, and ``torch.func.jacrev(f)(x)``
is ``jacobian(f, x)``.)

The arguments a transform differentiates with respect to are Tensors, or tuples, lists
and dicts of them (``grad`` and ``vjp`` give gradients of the same structure); a NumPy
array or a Python number there is taken as a float64 Tensor. Only floating-point values
can be differentiated.

Higher order: ``grad``, ``vjp`` and ``jvp`` compose (``grad(grad(f))``), because each
keeps the graph of its results whenever they depend on a tensor from outside the call
that requires grad (an argument, or a tensor the function closes over), as long as grad
mode is on. The ``torch.autograd.functional`` transforms take ``create_graph=True`` to
return differentiable results instead, as in PyTorch.

``jvp`` (the Jacobian-vector product, forward mode in PyTorch) is computed in reverse
mode with the double-vjp trick: ``J t`` is the gradient, with respect to ``u``, of
``u -> J^T u`` (linear in ``u``) against ``t``. It costs two backward passes.

Examples
--------
>>> import minigrad as mg
>>> from minigrad.func import grad, hessian
>>> f = lambda x: (x ** 3).sum()
>>> grad(f)(mg.tensor([1.0, 2.0]))
Tensor([ 3., 12.])
>>> grad(grad(lambda x: x ** 3))(mg.tensor(2.0))
Tensor(12.)
>>> hessian(f, mg.tensor([1.0, 2.0]))
Tensor([[ 6.,  0.],
        [ 0., 12.]])
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from minigrad.autograd import Function, walk
from minigrad.autograd import grad as _engine_grad
from minigrad.grad_mode import enable_grad, is_grad_enabled
from minigrad.ops.shape import reshape, stack
from minigrad.tensor import Tensor

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacobian", "hessian", "hvp"]

Argnums = int | tuple[int, ...]


# -- structures of tensors (tuples, lists and dicts of them) ---------------------------------


def _flatten(tree: Any) -> tuple[list[Any], Callable[[Sequence[Any]], Any]]:
    """The leaves of a nest of tuples, lists and dicts, and the function that rebuilds it."""
    if isinstance(tree, (tuple, list, dict)):
        keys = list(tree) if isinstance(tree, dict) else None
        children = list(tree.values()) if isinstance(tree, dict) else list(tree)
        parts = [_flatten(c) for c in children]
        leaves = [leaf for part in parts for leaf in part[0]]

        def rebuild(values: Sequence[Any]) -> Any:
            out, i = [], 0
            for sub, make in parts:
                out.append(make(values[i:i + len(sub)]))
                i += len(sub)
            if keys is not None:
                return type(tree)(zip(keys, out))
            if isinstance(tree, tuple) and hasattr(tree, "_fields"):  # a namedtuple
                return type(tree)(*out)
            return type(tree)(out)

        return leaves, rebuild
    return [tree], lambda values: values[0]


def _float_tensor(value: Any, where: str, what: str) -> Tensor:
    """``value`` as a floating-point Tensor (an array or a number becomes one), or an error."""
    if isinstance(value, Tensor):
        t = value
    elif isinstance(value, (np.ndarray, np.generic)) and not isinstance(value, np.bool_):
        t = Tensor(np.asarray(value))
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        t = Tensor(np.asarray(value, dtype=np.float64))
    else:
        raise TypeError(f"{where}: {what} must be a Tensor (or a NumPy array or a number), "
                        f"got {type(value).__name__}")
    if t.data.dtype.kind != "f":
        raise TypeError(f"{where}: {what} has dtype {t.data.dtype}; only floating-point "
                        "values can be differentiated")
    return t


def _output_tensors(out: Any, where: str) -> tuple[list[Tensor], Callable[[Sequence[Any]], Any]]:
    """The Tensors of a function's output (a Tensor or a nest of them)."""
    leaves, rebuild = _flatten(out)
    for leaf in leaves:
        if not isinstance(leaf, Tensor):
            raise TypeError(f"{where}: func must return a Tensor or a tuple, list or dict of "
                            f"Tensors, got {_describe(out)}")
    return leaves, rebuild


def _same_structure(a: Any, b: Any) -> bool:
    """Whether two nests have the same containers (their leaves may differ)."""
    if isinstance(b, (tuple, list, dict)):
        if type(a) is not type(b) or len(a) != len(b):
            return False
        if isinstance(b, dict):
            return list(a) == list(b) and all(_same_structure(a[k], b[k]) for k in b)
        return all(_same_structure(x, y) for x, y in zip(a, b))
    return not isinstance(a, (tuple, list, dict))


def _describe(value: Any) -> str:
    if isinstance(value, Tensor):
        return f"a Tensor of shape {value.shape}"
    if isinstance(value, (tuple, list, dict)):
        inner = ", ".join(_describe(v) for v in (value.values() if isinstance(value, dict)
                                                  else value))
        return f"a {type(value).__name__} ({inner})"
    return f"a {type(value).__name__}"


# -- the two things every transform does: track the inputs, differentiate --------------------


class _Track(Function):
    """The identity, recorded: the tensor a transform differentiates with respect to.

    It stands for an input that already requires grad, so that the transform's
    gradient counts the paths through this argument only, while the caller's graph
    still reaches the input through it.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x.view()

    def backward(self, gy: Tensor) -> Tensor:
        return gy


def _track(x: Tensor, keep_graph: bool) -> Tensor:
    """The tensor standing for input ``x`` inside a transform (it requires grad)."""
    if keep_graph and x.requires_grad:
        return _Track()(x)  # type: ignore[no-any-return]
    return Tensor(x.data, requires_grad=True)


def _reaches_outside(tensors: Sequence[Any], inside: set[int]) -> bool:
    """Whether the graph of any of ``tensors`` reaches a leaf (requiring grad) not in ``inside``.

    ``inside`` holds the ids of the leaves a transform made for its inputs: a result
    whose graph reaches no other leaf is not differentiable by anyone outside it.
    """
    roots = []
    for t in tensors:
        if isinstance(t, Tensor) and t.requires_grad:
            if t.creator is None:
                if id(t) not in inside:
                    return True
            else:
                roots.append(t)
    for f in walk(roots):
        for edge in f.edges:
            if edge.tensor is not None and id(edge.tensor) not in inside:
                return True
    return False


def _released(value: Any, keep: bool, inside: set[int]) -> Any:
    """``value`` (a Tensor, anything else as is) cut from the graph unless it reaches outside."""
    if not isinstance(value, Tensor) or not value.requires_grad:
        return value
    if keep and _reaches_outside([value], inside):
        return value
    return value.detach()


def _vjp(outs: Sequence[Tensor], wrt: Sequence[Tensor], cotangents: Sequence[Tensor],
         create_graph: bool) -> list[Tensor | None]:
    """``sum_i J_i^T cotangent_i`` for each tensor of ``wrt`` (None where nothing depends on it)."""
    live = [(o, c) for o, c in zip(outs, cotangents) if o.requires_grad]
    if not live:
        return [None] * len(wrt)
    return list(_engine_grad([o for o, _ in live], list(wrt), [c for _, c in live],
                             retain_graph=True, create_graph=create_graph))


def _zeros_like(x: Tensor) -> Tensor:
    return Tensor(np.zeros_like(x.data))


def _filled(gs: Sequence[Tensor | None], like: Sequence[Tensor]) -> list[Tensor]:
    return [_zeros_like(x) if g is None else g for g, x in zip(gs, like)]


def _split_aux(result: Any, has_aux: bool, where: str) -> tuple[Any, Any]:
    if not has_aux:
        return result, None
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        raise TypeError(f"{where}: with has_aux=True, func must return a pair (output, aux), "
                        f"got {_describe(result)}")
    return result[0], result[1]


def _check_func(func: Any, where: str) -> None:
    if not callable(func):
        raise TypeError(f"{where}: func must be callable, got {type(func).__name__}")


def _argnums(argnums: Any, nargs: int, where: str) -> tuple[int, ...]:
    """``argnums`` (its type checked by :func:`_check_argnums_type`) as argument positions."""
    nums = argnums if isinstance(argnums, tuple) else (argnums,)
    if nargs == 0:
        raise ValueError(f"{where}: func was called with no positional arguments; it needs "
                         "at least one to differentiate with respect to")
    out = []
    for a in nums:
        if not -nargs <= a < nargs:
            raise ValueError(f"{where}: argnums {argnums!r} asks for argument {a}, but func "
                             f"was called with {nargs} positional argument"
                             f"{'s' if nargs != 1 else ''}")
        out.append(int(a) % nargs)
    if len(set(out)) != len(out):
        raise ValueError(f"{where}: argnums must not repeat an argument, got {argnums!r}")
    return tuple(out)


def _check_argnums_type(argnums: Any, where: str) -> None:
    """Refuse an argnums of the wrong type when the transform is made (not first called)."""
    nums = argnums if isinstance(argnums, tuple) else (argnums,)
    if (isinstance(argnums, tuple) and not argnums) or any(
            not isinstance(a, (int, np.integer)) or isinstance(a, bool) for a in nums):
        raise TypeError(f"{where}: argnums must be an int or a non-empty tuple of ints, got "
                        f"{argnums!r}")


# -- torch.func: grad, grad_and_value, vjp, jvp ----------------------------------------------


def _grad_and_value(func: Callable[..., Any], argnums: Argnums, has_aux: bool,
                    args: tuple[Any, ...], kwargs: dict[str, Any],
                    where: str) -> tuple[Any, Any, Any]:
    keep = is_grad_enabled()
    nums = _argnums(argnums, len(args), where)
    call = list(args)
    inside: set[int] = set()
    tracked: list[list[Tensor]] = []
    rebuilds = []
    with enable_grad():
        for i in nums:
            leaves, rebuild = _flatten(args[i])
            ts = [_track(_float_tensor(leaf, where, f"argument {i}"), keep) for leaf in leaves]
            inside.update(id(t) for t in ts if t.creator is None)
            call[i] = rebuild(ts)
            tracked.append(ts)
            rebuilds.append(rebuild)
        out, aux = _split_aux(func(*call, **kwargs), has_aux, where)
        if not isinstance(out, Tensor):
            raise TypeError(f"{where}: func must return a Tensor (a scalar), got "
                            f"{_describe(out)}")
        if out.ndim != 0:
            raise RuntimeError(f"{where}: func must return a scalar (0-d) Tensor, got shape "
                               f"{out.shape}; for a non-scalar output use vjp or jacobian")
        flat = [t for ts in tracked for t in ts]
        create = keep and _reaches_outside([out], inside)
        gs = _filled(_vjp([out], flat, [Tensor(np.ones_like(out.data))], create), flat)
    gs = [_released(g, keep, inside) for g in gs]
    grads, i = [], 0
    for ts, rebuild in zip(tracked, rebuilds):
        grads.append(rebuild(gs[i:i + len(ts)]))
        i += len(ts)
    value = _released(out, keep, inside)
    if has_aux:
        leaves, rebuild_aux = _flatten(aux)
        aux = rebuild_aux([_released(a, keep, inside) for a in leaves])
    return (tuple(grads) if isinstance(argnums, tuple) else grads[0]), value, aux


def grad(func: Callable[..., Any], argnums: Argnums = 0,
         has_aux: bool = False) -> Callable[..., Any]:
    """Return the function that computes the gradient of ``func`` (``torch.func.grad``).

    Parameters
    ----------
    func : callable
        A function of one or more arguments returning a scalar (0-d) Tensor, or with
        ``has_aux`` a pair ``(scalar, aux)``.
    argnums : int or tuple of int, default 0
        The positional argument(s) to differentiate with respect to (negative counts
        from the end). Each is a Tensor or a tuple, list or dict of Tensors.
    has_aux : bool, default False
        ``func`` returns ``(output, aux)``; the new function returns ``(gradient, aux)``.

    Returns
    -------
    callable
        Called with ``func``'s arguments, it returns the gradient with respect to
        ``argnums`` (the argument's structure; a tuple of them for a tuple of argnums).

    Raises
    ------
    TypeError
        When called, if ``func`` returns no Tensor or a differentiated argument is not a
        floating-point Tensor; when made, for argnums that are not ints.
    RuntimeError
        If ``func`` returns a Tensor that is not 0-d.
    ValueError
        If argnums names an argument that was not passed, or one twice.

    Examples
    --------
    >>> import minigrad as mg
    >>> from minigrad.func import grad
    >>> f = lambda x, y: (x * y).sum()
    >>> grad(f, argnums=(0, 1))(mg.tensor([1.0, 2.0]), mg.tensor([3.0, 4.0]))
    (Tensor([3., 4.]), Tensor([1., 2.]))
    """
    _check_func(func, "grad")
    _check_argnums_type(argnums, "grad")

    @functools.wraps(func)
    def grad_of_func(*args: Any, **kwargs: Any) -> Any:
        g, _, aux = _grad_and_value(func, argnums, has_aux, args, kwargs, "grad")
        return (g, aux) if has_aux else g

    return grad_of_func


def grad_and_value(func: Callable[..., Any], argnums: Argnums = 0,
                   has_aux: bool = False) -> Callable[..., Any]:
    """Like :func:`grad`, but also return the value (``torch.func.grad_and_value``).

    The new function returns ``(gradient, value)``, or ``(gradient, (value, aux))``
    with ``has_aux``.

    Examples
    --------
    >>> import minigrad as mg
    >>> from minigrad.func import grad_and_value
    >>> grad_and_value(lambda x: (x ** 2).sum())(mg.tensor([1.0, 2.0]))
    (Tensor([2., 4.]), Tensor(5.))
    """
    _check_func(func, "grad_and_value")
    _check_argnums_type(argnums, "grad_and_value")

    @functools.wraps(func)
    def grad_and_value_of_func(*args: Any, **kwargs: Any) -> Any:
        g, value, aux = _grad_and_value(func, argnums, has_aux, args, kwargs,
                                        "grad_and_value")
        return (g, (value, aux)) if has_aux else (g, value)

    return grad_and_value_of_func


def _cotangents(values: Any, outs: Sequence[Tensor], rebuild: Callable[[Sequence[Any]], Any],
                where: str, what: str, like: str) -> list[Tensor]:
    """Check that ``values`` has the structure and shapes of ``outs``; return their Tensors."""
    leaves, _ = _flatten(values)
    if len(leaves) != len(outs) or not _same_structure(values, rebuild(outs)):
        raise ValueError(f"{where}: {what} must have the structure of {like} "
                         f"({_describe(rebuild(outs))}), got {_describe(values)}")
    out = []
    for k, (v, o) in enumerate(zip(leaves, outs)):
        t = _float_tensor(v, where, f"{what} {k}")
        if t.shape != o.shape:
            raise ValueError(f"{where}: {what} {k} has shape {t.shape} but {like} {k} has "
                             f"shape {o.shape}")
        out.append(t)
    return out


def vjp(func: Callable[..., Any], *primals: Any, has_aux: bool = False) -> tuple[Any, ...]:
    """Run ``func(*primals)`` and return its vector-Jacobian product function (``torch.func.vjp``).

    Parameters
    ----------
    func : callable
        A function of the primals returning a Tensor or a tuple, list or dict of them
        (with ``has_aux``, a pair ``(output, aux)``).
    *primals : Tensor or tuple, list or dict of Tensors
        The arguments, all differentiated.
    has_aux : bool, default False
        ``func`` returns ``(output, aux)``; ``aux`` is returned third.

    Returns
    -------
    output
        ``func(*primals)``.
    vjp_fn : callable
        ``vjp_fn(cotangents)``, with cotangents of the output's structure and shapes,
        returns a tuple with one entry per primal: ``J^T cotangents`` (zeros for a
        primal the output does not depend on). It may be called many times.
    aux
        Only with ``has_aux``.

    Examples
    --------
    >>> import minigrad as mg
    >>> from minigrad.func import vjp
    >>> out, vjp_fn = vjp(lambda x: x ** 2, mg.tensor([1.0, 2.0]))
    >>> vjp_fn(mg.tensor([1.0, 10.0]))
    (Tensor([ 2., 40.]),)
    """
    _check_func(func, "vjp")
    if not primals:
        raise ValueError("vjp: no primals given; call vjp(func, x, ...) with func's arguments")
    keep = is_grad_enabled()
    inside: set[int] = set()
    parts = []
    call = []
    with enable_grad():
        for i, p in enumerate(primals):
            leaves, rebuild = _flatten(p)
            ts = [_track(_float_tensor(leaf, "vjp", f"primal {i}"), keep) for leaf in leaves]
            inside.update(id(t) for t in ts if t.creator is None)
            parts.append((ts, rebuild))
            call.append(rebuild(ts))
        out, aux = _split_aux(func(*call), has_aux, "vjp")
        outs, rebuild_out = _output_tensors(out, "vjp")
    outside = keep and _reaches_outside(outs, inside)
    flat = [t for ts, _ in parts for t in ts]

    def vjp_fn(cotangents: Any) -> tuple[Any, ...]:
        """``J^T cotangents`` for each primal (the cotangents have the output's structure)."""
        cots = _cotangents(cotangents, outs, rebuild_out, "vjp_fn", "cotangent", "output")
        on = is_grad_enabled()
        create = on and (outside or any(c.requires_grad for c in cots))
        with enable_grad():
            gs = _filled(_vjp(outs, flat, cots, create), flat)
        gs = [_released(g, on, inside) for g in gs]
        result, i = [], 0
        for ts, rebuild in parts:
            result.append(rebuild(gs[i:i + len(ts)]))
            i += len(ts)
        return tuple(result)

    output = rebuild_out([_released(o, keep, inside) for o in outs])
    if has_aux:
        leaves, rebuild_aux = _flatten(aux)
        return output, vjp_fn, rebuild_aux([_released(a, keep, inside) for a in leaves])
    return output, vjp_fn


def jvp(func: Callable[..., Any], primals: tuple[Any, ...], tangents: tuple[Any, ...], *,
        has_aux: bool = False) -> tuple[Any, ...]:
    """Run ``func(*primals)`` and its Jacobian-vector product (``torch.func.jvp``).

    Computed in reverse mode with the double-vjp trick (two backward passes): ``J t``
    is the gradient with respect to ``u`` of ``<J^T u, t>``.

    Parameters
    ----------
    func : callable
        A function of the primals returning a Tensor or a tuple, list or dict of them
        (with ``has_aux``, a pair ``(output, aux)``).
    primals : tuple
        ``func``'s arguments (Tensors or tuples, lists or dicts of them).
    tangents : tuple
        The direction: the structure and shapes of ``primals``.
    has_aux : bool, default False
        ``func`` returns ``(output, aux)``; ``aux`` is returned third.

    Returns
    -------
    output
        ``func(*primals)``.
    jvp_out
        ``J tangents``, with the output's structure and shapes.
    aux
        Only with ``has_aux``.

    Raises
    ------
    TypeError
        If ``primals`` or ``tangents`` is not a tuple.
    ValueError
        If ``tangents`` does not have the structure and shapes of ``primals``.

    Examples
    --------
    >>> import minigrad as mg
    >>> from minigrad.func import jvp
    >>> jvp(lambda x: x ** 2, (mg.tensor([1.0, 2.0]),), (mg.tensor([1.0, 10.0]),))
    (Tensor([1., 4.]), Tensor([ 2., 40.]))
    """
    _check_func(func, "jvp")
    for name, value in (("primals", primals), ("tangents", tangents)):
        if not isinstance(value, tuple):
            raise TypeError(f"jvp: {name} must be a tuple (func is called as func(*primals)), "
                            f"got {type(value).__name__}")
    if not primals:
        raise ValueError("jvp: primals is empty; it holds func's arguments")
    keep = is_grad_enabled()
    leaves, rebuild = _flatten(primals)
    ts = [_float_tensor(leaf, "jvp", f"primal {k}") for k, leaf in enumerate(leaves)]
    tans = _cotangents(tangents, ts, rebuild, "jvp", "tangent", "primal")
    with enable_grad():
        tracked = [_track(t, keep) for t in ts]
        inside = {id(t) for t in tracked if t.creator is None}
        out, aux = _split_aux(func(*rebuild(tracked)), has_aux, "jvp")
        outs, rebuild_out = _output_tensors(out, "jvp")
        outside = keep and (_reaches_outside(outs, inside)
                            or any(t.requires_grad for t in tans))
        # J t = d/du <J^T u, t>: J^T u is linear in the stand-in cotangents u
        us = [Tensor(np.zeros_like(o.data), requires_grad=o.data.dtype.kind == "f")
              for o in outs]
        inside.update(id(u) for u in us)
        jtu = _vjp(outs, tracked, us, create_graph=True)
        live = [(g, t) for g, t in zip(jtu, tans) if g is not None and g.requires_grad]
        raw = _vjp([g for g, _ in live], us, [t for _, t in live], outside) if live else \
            [None] * len(us)
        jt = _filled(raw, us)
    output = rebuild_out([_released(o, keep, inside) for o in outs])
    jvp_out = rebuild_out([_released(g, keep, inside) for g in jt])
    if has_aux:
        aux_leaves, rebuild_aux = _flatten(aux)
        return output, jvp_out, rebuild_aux([_released(a, keep, inside) for a in aux_leaves])
    return output, jvp_out


# -- torch.autograd.functional: jacobian, hessian, hvp ---------------------------------------


def _inputs(inputs: Any, where: str) -> tuple[bool, list[Tensor]]:
    """Whether ``inputs`` is a tuple, and its Tensors (arrays and numbers converted)."""
    many = isinstance(inputs, tuple)
    xs = list(inputs) if many else [inputs]
    if many and not xs:
        raise ValueError(f"{where}: inputs is an empty tuple; it holds func's arguments")
    return many, [_float_tensor(x, where, f"input {k}" if many else "inputs")
                  for k, x in enumerate(xs)]


def _jacobian_rows(outs: Sequence[Tensor], tracked: Sequence[Tensor], create_graph: bool,
                   strict: bool, where: str) -> list[list[Tensor]]:
    """``J[i][j]``: the Jacobian of output ``i`` with respect to ``tracked[j]`` (reverse mode).

    One backward pass per output element, each with a one-hot cotangent.
    """
    jac = []
    for i, o in enumerate(outs):
        n = o.data.size
        rows: list[list[Tensor]] = [[] for _ in tracked]
        used = [False] * len(tracked)
        eye = np.eye(n, dtype=o.data.dtype if o.data.dtype.kind == "f" else np.float64)
        for k in range(n):
            gs = _vjp([o], tracked, [Tensor(eye[k].reshape(o.shape))], create_graph)
            for j, (g, x) in enumerate(zip(gs, tracked)):
                used[j] = used[j] or g is not None
                rows[j].append(_zeros_like(x) if g is None else g)
        if strict:
            for j, u in enumerate(used):
                if not u and n:
                    raise RuntimeError(f"{where}: output {i} of func does not depend on input "
                                       f"{j}; this is not allowed with strict=True")
        jac.append([reshape(stack(r), o.shape + x.shape) if n else
                    Tensor(np.zeros(o.shape + x.shape, dtype=x.data.dtype))
                    for r, x in zip(rows, tracked)])
    return jac


def _structured(jac: list[list[Tensor]], outs_many: bool, ins_many: bool,
                create_graph: bool) -> Any:
    rows = [[j if create_graph else j.detach() for j in row] for row in jac]
    per_out = [tuple(row) if ins_many else row[0] for row in rows]
    return tuple(per_out) if outs_many else per_out[0]


def jacobian(func: Callable[..., Any], inputs: Any, create_graph: bool = False,
             strict: bool = False) -> Any:
    """Return the Jacobian of ``func`` at ``inputs`` (``torch.autograd.functional.jacobian``).

    Computed in reverse mode: one backward pass per element of the output.

    Parameters
    ----------
    func : callable
        A function of the inputs returning a Tensor or a tuple of Tensors.
    inputs : Tensor or tuple of Tensor
        The point (a NumPy array or a number is taken as a float64 Tensor).
    create_graph : bool, default False
        Return a Jacobian that is itself differentiable (with respect to the inputs
        that require grad, and anything else ``func`` uses); otherwise it is detached.
    strict : bool, default False
        Raise if an output does not depend on an input (instead of returning zeros).

    Returns
    -------
    Tensor, or tuple (of tuples) of Tensor
        ``J`` of shape ``output.shape + input.shape``; a tuple over the inputs when
        ``inputs`` is a tuple, and a tuple over the outputs (of those) when ``func``
        returns a tuple.

    Examples
    --------
    >>> import minigrad as mg
    >>> from minigrad.func import jacobian
    >>> jacobian(lambda x: x ** 2, mg.tensor([1.0, 2.0]))
    Tensor([[2., 0.],
            [0., 4.]])
    """
    _check_func(func, "jacobian")
    ins_many, xs = _inputs(inputs, "jacobian")
    with enable_grad():
        tracked = [_track(x, create_graph) for x in xs]
        out = func(*tracked)
        outs_many = isinstance(out, tuple)
        outs = list(out) if outs_many else [out]
        for o in outs:
            if not isinstance(o, Tensor):
                raise TypeError(f"jacobian: func must return a Tensor or a tuple of Tensors, "
                                f"got {_describe(out)}")
        jac = _jacobian_rows(outs, tracked, create_graph, strict, "jacobian")
    return _structured(jac, outs_many, ins_many, create_graph)


def _scalar_output(out: Any, where: str) -> Tensor:
    if not isinstance(out, Tensor):
        raise TypeError(f"{where}: func must return a single Tensor, got {_describe(out)}")
    if out.data.size != 1:
        raise RuntimeError(f"{where}: func must return a Tensor with one element, got shape "
                           f"{out.shape}")
    return out


def hessian(func: Callable[..., Any], inputs: Any, create_graph: bool = False,
            strict: bool = False) -> Any:
    """Return the Hessian of a scalar ``func`` (``torch.autograd.functional.hessian``).

    The Jacobian of the gradient: one backward pass for the gradient (with its graph),
    then one per element of the inputs.

    Parameters
    ----------
    func : callable
        A function of the inputs returning a Tensor with one element.
    inputs : Tensor or tuple of Tensor
        The point (a NumPy array or a number is taken as a float64 Tensor).
    create_graph : bool, default False
        Return a differentiable Hessian; otherwise it is detached.
    strict : bool, default False
        Raise if a part of the gradient does not depend on an input.

    Returns
    -------
    Tensor, or tuple of tuples of Tensor
        ``H`` of shape ``input.shape + input.shape``; for a tuple of inputs,
        ``H[i][j]`` of shape ``inputs[i].shape + inputs[j].shape``.

    Examples
    --------
    >>> import minigrad as mg
    >>> from minigrad.func import hessian
    >>> hessian(lambda x, y: (x * x * y).sum(), (mg.tensor([1.0]), mg.tensor([3.0])))
    ((Tensor([[6.]]), Tensor([[2.]])), (Tensor([[2.]]), Tensor([[0.]])))
    """
    _check_func(func, "hessian")
    ins_many, xs = _inputs(inputs, "hessian")
    with enable_grad():
        tracked = [_track(x, create_graph) for x in xs]
        out = _scalar_output(func(*tracked), "hessian")
        gs = _filled(_vjp([out], tracked, [Tensor(np.ones_like(out.data))], True), tracked)
        jac = _jacobian_rows(gs, tracked, create_graph, strict, "hessian")
    return _structured(jac, ins_many, ins_many, create_graph)


def hvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """Return ``func(inputs)`` and ``H v`` (``torch.autograd.functional.hvp``).

    Two backward passes, whatever the size of the inputs: the gradient (with its graph),
    then the gradient of ``<gradient, v>`` (``v^T H``, which is ``H v``: a Hessian is
    symmetric).

    Parameters
    ----------
    func : callable
        A function of the inputs returning a Tensor with one element.
    inputs : Tensor or tuple of Tensor
        The point (a NumPy array or a number is taken as a float64 Tensor).
    v : Tensor or tuple of Tensor, optional
        The vector, with the structure and shapes of ``inputs``; may be left out only
        for a single input with one element.
    create_graph : bool, default False
        Return differentiable results; otherwise they are detached.
    strict : bool, default False
        Raise if the output, or a part of its gradient, does not depend on an input.

    Returns
    -------
    output : Tensor
        ``func(inputs)``.
    hvp : Tensor or tuple of Tensor
        ``H v``, with the structure of ``inputs``.

    Examples
    --------
    >>> import minigrad as mg
    >>> from minigrad.func import hvp
    >>> hvp(lambda x: (x ** 3).sum(), mg.tensor([1.0, 2.0]), mg.tensor([1.0, 1.0]))
    (Tensor(9.), Tensor([ 6., 12.]))
    """
    _check_func(func, "hvp")
    ins_many, xs = _inputs(inputs, "hvp")
    if v is None:
        if ins_many or xs[0].data.size != 1:
            raise ValueError("hvp: v can be left out only when inputs is a single Tensor with "
                             "one element")
        vs = [Tensor(np.ones_like(xs[0].data))]
    else:
        if isinstance(v, tuple) != ins_many or (ins_many and len(v) != len(xs)):
            raise ValueError(f"hvp: v must have the structure of inputs "
                             f"({_describe(inputs)}), got {_describe(v)}")
        vs = [_float_tensor(t, "hvp", f"v {k}" if ins_many else "v")
              for k, t in enumerate(v if ins_many else (v,))]
        for k, (t, x) in enumerate(zip(vs, xs)):
            if t.shape != x.shape:
                raise ValueError(f"hvp: v {k} has shape {t.shape} but input {k} has shape "
                                 f"{x.shape}")
    with enable_grad():
        tracked = [_track(x, create_graph) for x in xs]
        out = _scalar_output(func(*tracked), "hvp")
        gs = _vjp([out], tracked, [Tensor(np.ones_like(out.data))], True)
        if strict:
            for j, g in enumerate(gs):
                if g is None:
                    raise RuntimeError(f"hvp: the output of func does not depend on input {j}; "
                                       "this is not allowed with strict=True")
        live = [(g, t) for g, t in zip(gs, vs) if g is not None and g.requires_grad]
        hv_raw = _vjp([g for g, _ in live], tracked, [t for _, t in live], create_graph) \
            if live else [None] * len(tracked)
        if strict:
            for j, h in enumerate(hv_raw):
                if h is None:
                    raise RuntimeError(f"hvp: the gradient of func does not depend on input "
                                       f"{j}; this is not allowed with strict=True")
        hv = _filled(hv_raw, tracked)
    if not create_graph:
        out, hv = out.detach(), [h.detach() for h in hv]
    return out, (tuple(hv) if ins_many else hv[0])

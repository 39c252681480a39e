"""The :class:`Module` base class and :class:`Parameter`.

A module owns parameters (tensors that require grad) and child modules,
found automatically when they are assigned as attributes::

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(784, 50)   # a child module named "fc1"
            self.fc2 = nn.Linear(50, 10)

        def forward(self, x):
            return self.fc2(F.sigmoid(self.fc1(x)))

Each module learns its dotted name when it is registered (``"fc1"``,
``"body.0"``), and parameters take theirs as :attr:`Tensor.name`
(``"fc1.weight"``) unless they were named already, so graph pictures can label
them. Calling a module runs :meth:`Module.forward` inside
:func:`minigrad.autograd._scope`, which tags every op recorded there with
the module's dotted name (the top module uses its class name).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import numpy as np

from minigrad.autograd import scope_stack
from minigrad.tensor import Tensor, assign

__all__ = ["Module", "Parameter", "StateDictError", "assign_"]


class Parameter(Tensor):
    """A tensor that is a learnable parameter of a :class:`Module` (``requires_grad=True``).

    It behaves exactly like a :class:`~minigrad.Tensor` (results of operations
    on it are plain tensors); the subclass only lets modules recognise it.

    Parameters
    ----------
    data : array_like
        The initial values (an ndarray is used without copying). Must be
        floating point.
    dtype : numpy dtype, optional
        Convert the data to this dtype.
    name : str, optional
        A label; when omitted, the module it is assigned to names it after
        its dotted path (``"fc1.weight"``).

    Examples
    --------
    >>> import numpy as np
    >>> from minigrad import nn
    >>> w = nn.Parameter(np.zeros((2, 3)))
    >>> w.requires_grad, w.shape
    (True, (2, 3))
    """

    __slots__ = ()

    def __init__(self, data: Any, dtype: Any = None, name: str | None = None) -> None:
        super().__init__(data, requires_grad=True, dtype=dtype, name=name)


class StateDictError(ValueError):
    """A state dict does not fit the module; ``problems`` lists every mismatch by name."""

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


def assign_(param: Tensor, value: Any) -> Tensor:
    """Copy ``value`` into ``param`` in place, as an in-place update would.

    The version counter is bumped and graphs that saved the old values are
    released, exactly as for ``param -= ...``. Shapes must match exactly
    (no broadcasting) and the dtype must be the same kind.

    Parameters
    ----------
    param : Tensor
        The tensor to overwrite.
    value : array_like or Tensor
        The new values, of ``param``'s shape.

    Returns
    -------
    Tensor
        ``param``.
    """
    arr = np.asarray(value.data if isinstance(value, Tensor) else value)
    if arr.shape != param.shape:
        raise ValueError(
            f"assign_: value of shape {arr.shape} does not match the tensor"
            f"{' ' + repr(param.name) if param.name else ''} of shape {param.shape}"
        )
    # the core's in-place path: checks, version bump, graphs that saved the old value released
    assign(param, arr)
    return param


def _renamed_parameter(old: str, new: str, transposed: bool = False) -> property:
    """Return a deprecated attribute ``old`` that stands for the parameter ``new``.

    Reading or assigning the attribute warns :class:`DeprecationWarning`
    naming ``new``. Without ``transposed`` it is a plain alias: it returns
    the very Parameter ``new`` (in-place updates and gradients are those of
    ``new``) and assigning registers the value as ``new``.

    With ``transposed`` (``Linear.W``, the old ``(in_features, out_features)``
    layout of ``Linear.weight``) reading returns a read-only Tensor that is a
    view of ``new.T`` (always current, no gradient); in-place updates through
    it raise, since they would bypass the version counter of ``new``, and
    assigning copies ``value.T`` into ``new`` in place.

    The owning class should also list ``old`` in ``_renamed_state`` so that
    :meth:`Module.load_state_dict` maps old checkpoints.
    """

    def _warn(cls_name: str, how: str) -> None:
        extra = (f" (note: {new} is {old}.T, of shape (out_features, in_features); {old} is "
                 f"now a read-only view of {new}.T and assigning to it copies into {new})"
                 if transposed else "")
        warnings.warn(f"{cls_name}.{old} is deprecated ({how}); use {cls_name}.{new}{extra}",
                      DeprecationWarning, stacklevel=3)

    def fget(self: Module) -> Any:
        _warn(type(self).__name__, "read")
        p = getattr(self, new)
        if not transposed or p is None:
            return p
        view = p.data.T
        view.flags.writeable = False
        return Tensor(view, name=f"{p.name}.T" if p.name else None)

    def fset(self: Module, value: Any) -> None:
        _warn(type(self).__name__, "assigned")
        if not transposed:
            setattr(self, new, value)
            return
        p = getattr(self, new)
        if p is None:
            raise AttributeError(f"{type(self).__name__}.{old}: the layer has no {new}")
        arr = np.asarray(value.data if isinstance(value, Tensor) else value)
        if arr.ndim != 2:
            raise ValueError(f"{type(self).__name__}.{old}: expected a 2-D array of shape "
                             f"{p.shape[::-1]}, got shape {arr.shape}")
        assign_(p, arr.T)

    return property(fget, fset, doc=f"Deprecated: use ``{new}``"
                    f"{' (transposed)' if transposed else ''}.")


class Module:
    """Base class of layers and models.

    Subclasses call ``super().__init__()`` first, assign parameters and
    child modules as attributes, and implement :meth:`forward`. Calling the
    module (``m(x)``) runs ``forward`` with its ops tagged by the module's
    dotted name.

    Attributes
    ----------
    training : bool
        True after :meth:`train` (the default), False after :meth:`eval`.
    """

    #: Old parameter names a subclass still accepts in :meth:`load_state_dict`:
    #: ``{old: (new, transposed)}`` (e.g. Linear's ``{"W": ("weight", True)}``).
    _renamed_state: ClassVar[dict[str, tuple[str, bool]]] = {}

    _parameters: dict[str, Parameter]
    _modules: dict[str, Module]
    _path: str | None
    _scope_name: str
    _auto_named: set[str]
    training: bool

    def __init__(self) -> None:
        d = self.__dict__
        d["_parameters"] = {}
        d["_modules"] = {}
        d["_buffers"] = {}
        d["_path"] = None
        d["_scope_name"] = type(self).__name__
        d["_auto_named"] = set()
        d["training"] = True

    # -- registration -----------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        if "_parameters" not in d:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__() is called; call "
                f"super().__init__() first in {type(self).__name__}.__init__"
            )
        if isinstance(getattr(type(self), name, None), property):
            object.__setattr__(self, name, value)  # e.g. a deprecated alias: its setter decides
            return
        params, modules = d["_parameters"], d["_modules"]
        buffers = d.setdefault("_buffers", {})
        if name in buffers:
            if value is not None and not isinstance(value, np.ndarray):
                raise TypeError(f"buffer {name!r} of {type(self).__name__} must be an ndarray or "
                                f"None, got {type(value).__name__}")
            buffers[name] = value
            object.__setattr__(self, name, value)
            return
        params.pop(name, None)
        modules.pop(name, None)
        d["_auto_named"].discard(name)
        if isinstance(value, Parameter):
            params[name] = value
            if value.name is None:
                value.name = self._child_path(name)
                d["_auto_named"].add(name)
        elif isinstance(value, Module):
            if value is self:
                raise ValueError(f"a module cannot be its own child ({name!r})")
            modules[name] = value
            value._set_path(self._child_path(name))
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        d = self.__dict__
        d["_parameters"].pop(name, None)
        d["_modules"].pop(name, None)
        d["_auto_named"].discard(name)
        object.__delattr__(self, name)

    def _child_path(self, name: str) -> str:
        return name if self._path is None else f"{self._path}.{name}"

    def _set_path(self, path: str | None) -> None:
        """Give this module (and, recursively, its children and auto-named parameters) a path."""
        d = self.__dict__
        d["_path"] = path
        d["_scope_name"] = path if path is not None else type(self).__name__
        for pname in d["_auto_named"]:
            d["_parameters"][pname].name = self._child_path(pname)
        for cname, child in d["_modules"].items():
            child._set_path(self._child_path(cname))

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` under ``name`` (same as assigning the attribute)."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: {name!r} must be a Parameter, got "
                            f"{type(param).__name__}")
        setattr(self, name, param)

    def register_buffer(self, name: str, value: np.ndarray | None) -> None:
        """Register a non-trained array (e.g. BatchNorm's running mean) as state.

        Buffers are saved by :meth:`state_dict` and restored by
        :meth:`load_state_dict` like parameters, but optimizers never see
        them. A buffer may be ``None`` until first set (it is then left out of
        the state dict); later assignments to the attribute update it.
        """
        if value is not None and not isinstance(value, np.ndarray):
            raise TypeError(f"register_buffer: {name!r} must be an ndarray or None, got "
                            f"{type(value).__name__}")
        d = self.__dict__
        d["_parameters"].pop(name, None)
        d["_modules"].pop(name, None)
        d.setdefault("_buffers", {})[name] = value
        object.__setattr__(self, name, value)

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray]]:
        """Yield ``(dotted name, array)`` for every buffer that is set (``"bn1.running_mean"``)."""
        for mname, m in self.named_modules(prefix):
            for bname, b in m.__dict__.get("_buffers", {}).items():
                if b is not None:
                    yield (f"{mname}.{bname}" if mname else bname), b

    def add_module(self, name: str, module: Module) -> None:
        """Register ``module`` as a child called ``name`` (same as assigning the attribute)."""
        if not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be a Module, got {type(module).__name__}")
        setattr(self, name, module)

    # -- calling ------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run :meth:`forward` with the ops it records tagged with this module's name."""
        scope_stack.append(self._scope_name)
        try:
            return self.forward(*args, **kwargs)
        finally:
            scope_stack.pop()

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Compute the module's output; implemented by subclasses."""
        raise NotImplementedError(f"{type(self).__name__}.forward is not implemented")

    # -- traversal ------------------------------------------------------------------
    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """Yield ``(dotted name, module)`` for this module (name ``prefix``) and all below it."""
        yield prefix, self
        for name, child in self._modules.items():
            yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self) -> Iterator[Module]:
        """Yield this module and every module below it."""
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Yield ``(name, module)`` for the direct children."""
        yield from self._modules.items()

    def children(self) -> Iterator[Module]:
        """Yield the direct children."""
        yield from self._modules.values()

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """Yield ``(dotted name, parameter)`` pairs, e.g. ``("fc1.weight", weight)``, each once.

        Names are relative to this module, so they are the keys of :meth:`state_dict`.
        """
        seen: set[int] = set()
        for mname, m in self.named_modules(prefix):
            for pname, p in m._parameters.items():
                if id(p) in seen:
                    continue
                seen.add(id(p))
                yield (f"{mname}.{pname}" if mname else pname), p

    def parameters(self) -> list[Parameter]:
        """Return the list of parameters (each once), in registration order."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Forget the gradients of all parameters (``.grad`` becomes None)."""
        for p in self.parameters():
            p.grad = None

    def train(self, mode: bool = True) -> Module:
        """Set training mode on this module and all below it; returns self."""
        for m in self.modules():
            m.__dict__["training"] = bool(mode)
        return self

    def eval(self) -> Module:
        """Set evaluation mode (``train(False)``); returns self."""
        return self.train(False)

    def num_parameters(self) -> int:
        """Return the total number of scalar parameters."""
        return sum(p.size for p in self.parameters())

    # -- state ------------------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """Return a copy of every parameter's (and buffer's) values, keyed by dotted name.

        Returns
        -------
        dict of str to numpy.ndarray
            Fresh arrays (later training does not change them), ready for
            ``np.savez(path, **module.state_dict())``.
        """
        sd = {name: p.data.copy() for name, p in self.named_parameters()}
        sd.update((name, b.copy()) for name, b in self.named_buffers())
        return sd

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> None:
        """Copy values from ``state_dict`` into the parameters, in place.

        Every key, shape and dtype is checked first; if anything does not fit,
        :class:`StateDictError` lists all the problems by name and no
        parameter is changed.

        Parameters
        ----------
        state_dict : mapping of str to array_like or Tensor
            As returned by :meth:`state_dict` (an ``np.load`` of a saved
            ``.npz``, :func:`minigrad.load_safetensors` and a PyTorch model's
            ``state_dict()`` of CPU tensors work too). Keys under the old
            names of a layer's parameters (``Linear``'s ``W`` and ``b``) are
            mapped to the new ones, with a :class:`DeprecationWarning`.
        strict : bool
            Also reject missing and unexpected keys (shape and dtype mismatches
            are always rejected).

        Raises
        ------
        StateDictError
            If a key is missing or unexpected (when ``strict``), or a value has
            the wrong shape or dtype.
        """
        if not isinstance(state_dict, Mapping) and not hasattr(state_dict, "keys"):
            raise TypeError(f"load_state_dict: expected a mapping of names to arrays, got "
                            f"{type(state_dict).__name__}")
        state_dict = self._map_renamed_keys(state_dict)
        own: dict[str, Any] = dict(self.named_parameters())
        own.update(self.named_buffers())
        # buffers still unset (None) take whatever array the state dict holds
        unset = {(f"{mname}.{bname}" if mname else bname): (m, bname)
                 for mname, m in self.named_modules()
                 for bname, b in m.__dict__.get("_buffers", {}).items() if b is None}
        keys = list(state_dict.keys())
        problems: list[str] = []
        if strict:
            # buffers a module lists in _optional_buffers may be absent (older state dicts)
            optional = {f"{mname}.{bname}" if mname else bname
                        for mname, m in self.named_modules()
                        for bname in getattr(m, "_optional_buffers", ())}
            missing = [k for k in own if k not in state_dict and k not in optional]
            unexpected = [k for k in keys if k not in own and k not in unset]
            problems += [f"missing key {k!r}" for k in missing]
            problems += [f"unexpected key {k!r}" for k in unexpected]
        values: dict[str, np.ndarray] = {}
        for k in keys:
            if k not in own:
                continue
            v = state_dict[k]
            arr = v.data if isinstance(v, Tensor) else np.asarray(v)
            p = own[k]
            if arr.shape != p.shape:
                problems.append(f"{k!r}: shape {arr.shape} in the state dict, {p.shape} in the "
                                "module")
            elif arr.dtype != p.dtype:
                problems.append(f"{k!r}: dtype {arr.dtype} in the state dict, {p.dtype} in the "
                                "module")
            else:
                values[k] = arr
        if problems:
            raise StateDictError(
                f"load_state_dict: the state dict does not fit {type(self).__name__} "
                f"({len(problems)} problem{'s' if len(problems) > 1 else ''}; nothing was "
                "loaded):\n  " + "\n  ".join(problems),
                problems,
            )
        for k in keys:
            if k in unset:
                m, bname = unset[k]
                v = state_dict[k]
                setattr(m, bname, np.array(v.data if isinstance(v, Tensor) else v))
        for k, arr in values.items():
            target = own[k]
            if isinstance(target, Tensor):
                assign_(target, arr)
            else:
                target[...] = arr

    def _map_renamed_keys(self, state_dict: Mapping[str, Any]) -> Mapping[str, Any]:
        """Return ``state_dict`` with old parameter names mapped to the new (warning once)."""
        renames: dict[str, tuple[str, bool]] = {}
        for mname, m in self.named_modules():
            for old, (new, transposed) in type(m)._renamed_state.items():
                okey = f"{mname}.{old}" if mname else old
                nkey = f"{mname}.{new}" if mname else new
                if okey in state_dict and nkey not in state_dict:
                    renames[okey] = (nkey, transposed)
        if not renames:
            return state_dict
        warnings.warn(
            "load_state_dict: the state dict uses old parameter names, mapped to the new ones ("
            + ", ".join(f"{o!r} -> {n!r}{' transposed' if t else ''}"
                        for o, (n, t) in renames.items())
            + "); save the state dict again to store the new names",
            DeprecationWarning, stacklevel=3)
        mapped: dict[str, Any] = {}
        for k in state_dict.keys():
            if k in renames:
                nkey, transposed = renames[k]
                v = state_dict[k]
                arr = v.data if isinstance(v, Tensor) else np.asarray(v)
                mapped[nkey] = arr.T if transposed and arr.ndim == 2 else arr
            else:
                mapped[k] = state_dict[k]
        return mapped

    # -- display --------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """Return the text shown inside this module's parentheses in ``repr``."""
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, child in self._modules.items():
            child_repr = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {child_repr}")
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n" + "\n".join(lines) + "\n)"

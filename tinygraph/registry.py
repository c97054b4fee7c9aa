"""The op registry: one ``OpDef`` per op type, and gradient functions keyed by that type.

An op type string ("MatMul") is the single key: ``define_op`` records how to infer the
op's output shapes/dtypes at build time and which kernel runs it; ``RegisterGradient``
records how to build its gradient as more graph. ``ops/*.py`` keep the three together.
"""

import collections
import functools

__all__ = ["OpDef", "Fusion", "define_op", "get_op_def", "bind_kernel", "RegisterGradient",
           "NotDifferentiable", "get_gradient_function"]

_OP_DEFS = {}
_GRADIENTS = {}


class OpDef:
    """How one op type behaves.

    Attributes:
        type: the op type string.
        infer: ``infer(op) -> [(shape, dtype), ...]`` from ``op.inputs``/``op.attrs``; raises
            ValueError/TypeError for bad graphs. Never sees data.
        kernel: ``kernel(*input_arrays, **attrs)`` returning an array (or a tuple of arrays
            for several outputs). Never sees the graph.
        bind: optional ``bind(op, session) -> callable(*input_arrays)``, for ops whose kernel
            needs per-session state (variables, random generators). Replaces ``kernel``.
        mutates: the op writes variables in place: those at the input indices in
            ``writes`` (see plan.py for when writes run).
        writes: for a write, the indices of the inputs it writes, ``(0,)`` by default; an
            optimizer's update also writes its slots (``(0, 1, 2)`` for var, m, v).
        check: for a write, ``check(*input_values, **attrs)`` raising an OpError when the
            write would fail; a run calls it before its first write lands (all or none).
        aliases: the output may share memory with the inputs (True), with the inputs at
            the given indices (a tuple: ``(0,)`` for ``f(x, like)`` ops and writes), or, for
            an op without inputs, with state it owns (a Const's array, a variable's
            storage); plan.py then copies it where a later write or the caller could see it
            change.
        fusion: optional ``Fusion``: how the op is computed one element at a time, for
            the fusion pass (fusion.py) to compile chains of such ops into one kernel.
        constant: the kernel takes no inputs and returns the same object in every run of
            a session (a Const's array, a variable's cell, NoOp's None): a plan computes
            it once, when it is compiled, instead of once per run.
    """

    __slots__ = ("type", "infer", "kernel", "bind", "mutates", "check", "aliases",
                 "writes", "fusion", "constant")

    def __init__(self, type, infer, kernel=None, bind=None, mutates=False, check=None,
                 aliases=False, writes=(0,), fusion=None, constant=False):
        self.type = type
        self.infer = infer
        self.kernel = kernel
        self.bind = bind
        self.mutates = mutates
        self.check = check
        self.aliases = aliases
        self.writes = writes if mutates else ()
        self.fusion = fusion
        self.constant = constant


class Fusion(collections.namedtuple("Fusion", "kind expr broadcast grad")):
    """What an op says about itself to the fusion pass (fusion.py).

    kind:
        "elementwise": output[i] = ``expr`` of the inputs' elements at i;
        "sum_to": the output sums input 0 down to the shape of input 1 (SumToShape);
        "update": a write of the inputs at its OpDef's ``writes``, element by element:
            ``expr`` is a list of ``(k, source)`` (or ``expr(attrs)`` returning one), each
            giving input k its new value, in order; in ``source``, a written input's
            ``{k}`` is its latest value.
    expr: Python source for one element: ``{0}``, ``{1}``, ... are the inputs' values,
        ``{T}`` the dtype's constructor (write ``{T}(0)``, never a bare ``0``, so that
        float32 stays float32); a callable ``expr(names, T) -> str`` for variadic ops.
    broadcast: the inputs broadcast against each other (numpy's rules); False when
        they must have the same shape (the unfused kernel raises otherwise).
    grad: for an update, the index of the gradient input (the others are scalars).
    """

    def __new__(cls, kind, expr=None, broadcast=True, grad=None):
        return super().__new__(cls, kind, expr, broadcast, grad)

    def source(self, names, dtype_name):
        """The element expression for inputs named ``names`` of dtype ``dtype_name``."""
        T = "np." + dtype_name
        if callable(self.expr):
            return self.expr(names, T)
        return self.expr.format(*names, T=T)

    def updates(self, attrs):
        """An update's ``[(input index, source), ...]`` for an op with ``attrs``."""
        return self.expr(attrs) if callable(self.expr) else self.expr


def define_op(type, infer, kernel=None, bind=None, mutates=False, check=None, aliases=False,
              writes=(0,), fusion=None, constant=False):
    """Register an op type; returns its ``OpDef``."""
    if type in _OP_DEFS:
        raise KeyError("Op type %r is already defined." % type)
    op_def = OpDef(type, infer, kernel, bind, mutates, check, aliases, writes, fusion,
                   constant)
    _OP_DEFS[type] = op_def
    return op_def


def get_op_def(type):
    return _OP_DEFS[type]


def bind_kernel(op, session):
    """``op``'s kernel as a callable of its input values: bound to the session and the
    op's attrs."""
    op_def = op._op_def
    if op_def.bind is not None:
        return op_def.bind(op, session)
    if op.attrs:
        return functools.partial(op_def.kernel, **op.attrs)
    return op_def.kernel


class RegisterGradient:
    """Decorator: ``@RegisterGradient("MatMul")`` on ``f(op, *output_grads) -> [grad per input]``.

    Each entry of the returned list is a Tensor or None (no gradient for that input), one
    per input of the op, with the input's dtype and shape: ``gradients`` raises ValueError
    or TypeError naming the op otherwise. Build the gradient from ops that read run-time
    shapes (``reshape_like``, ``sum_to_shape``, ``broadcast_like``), never from static dims
    that may be unknown.
    """

    def __init__(self, op_type):
        if not isinstance(op_type, str):
            raise TypeError("op_type must be a string")
        self._op_type = op_type

    def __call__(self, fn):
        if self._op_type in _GRADIENTS:
            raise KeyError("Registering two gradient with name '%s'!" % self._op_type)
        _GRADIENTS[self._op_type] = fn
        return fn


def NotDifferentiable(op_type):
    """Declare that ops of this type have no gradient: paths through them give None."""
    _GRADIENTS[op_type] = None


def get_gradient_function(op):
    """The registered gradient function of ``op.type``; None if not differentiable.

    Raises:
        LookupError: when the type has no gradient registered at all.
    """
    try:
        return _GRADIENTS[op.type]
    except KeyError:
        raise LookupError("No gradient defined for operation '%s' (op type: %s)"
                          % (op.name, op.type)) from None

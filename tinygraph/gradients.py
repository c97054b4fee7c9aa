"""Reverse-mode autodiff: ``gradients(ys, xs)`` adds the gradient ops to the graph.

Walk the ops between ``xs`` and ``ys`` in reverse creation order (a valid reverse
topological order, since an op is always created after its inputs). Each op's registered
gradient function turns the gradients of its outputs into gradients of its inputs; several
gradients flowing into one tensor are summed with AddN. Because the result is more graph,
it can be fetched, inspected, and differentiated again.
"""
from .graph import Tensor, graph_of, name_scope
from .ops.array_ops import constant, convert_to_tensor, ones_like, zeros_like
from .ops.broadcast_ops import ensure_shape_like
from .ops.math_ops import add_n
from .registry import get_gradient_function

__all__ = ["gradients"]


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _as_x(x):
    """xs may be Tensors or Variables (a Variable stands for its reference tensor)."""
    element = getattr(x, "_as_graph_element", None)
    x = element() if element is not None else x
    if not isinstance(x, Tensor):
        raise TypeError("gradients: xs must be Tensors or Variables, got %r" % (x,))
    return x


def _ops_between(ys, xs):
    """The ops on some path from an x to a y, sorted by creation order."""
    reached = set()
    stack = [op for x in xs for op in x._consumers]
    while stack:
        op = stack.pop()
        if op not in reached:
            reached.add(op)
            stack.extend(c for t in op.outputs for c in t._consumers)
    between = set()
    stack = [y.op for y in ys]
    while stack:
        op = stack.pop()
        if op in reached and op not in between:
            between.add(op)
            stack.extend(t.op for t in op.inputs)
    return sorted(between, key=lambda op: op._id)


def _sum(grads):
    """One gradient out of the list of gradients that flowed into a tensor (or None)."""
    if not grads:
        return None
    if len(grads) > 1:
        grads[:] = [add_n(grads)]
    return grads[0]


def _checked(op, in_grads):
    """A gradient function's result, checked: one Tensor or None per input of ``op``, each
    with the input's dtype and a static shape compatible with the input's.

    A bare Tensor or None counts as a list of one (as in TF1). Anything else raises at build
    time, naming the op: a wrong count would otherwise pair gradients with the wrong inputs.
    """
    if in_grads is None or isinstance(in_grads, Tensor):
        in_grads = [in_grads]
    elif isinstance(in_grads, (list, tuple)):
        in_grads = list(in_grads)
    else:
        raise TypeError("The gradient function of op '%s' (op type: %s) returned %r; expected a "
                        "list with one Tensor or None per input." % (op.name, op.type, in_grads))
    if len(in_grads) != len(op.inputs):
        raise ValueError("Num gradients %d generated for op '%s' (op type: %s) should match "
                         "num inputs %d" % (len(in_grads), op.name, op.type, len(op.inputs)))
    for i, (x, g) in enumerate(zip(op.inputs, in_grads)):
        if g is None:
            continue
        if not isinstance(g, Tensor):
            raise TypeError("Gradient %d of op '%s' (op type: %s) is %r, not a Tensor or None."
                            % (i, op.name, op.type, g))
        if x.dtype.is_floating and g.dtype.base_dtype != x.dtype.base_dtype:
            raise TypeError("Gradient %d of op '%s' (op type: %s) has dtype %s, but the input "
                            "has dtype %s." % (i, op.name, op.type, g.dtype.base_dtype.name,
                                               x.dtype.base_dtype.name))
        if not g.shape.is_compatible_with(x.shape):
            raise ValueError("Incompatible shapes between op input and calculated input "
                             "gradient. Forward operation: %s (op type: %s). Input index: %d. "
                             "Original input shape: %s. Calculated input gradient shape: %s"
                             % (op.name, op.type, i, x.shape, g.shape))
    return in_grads


def gradients(ys, xs, grad_ys=None, name="gradients", stop_gradients=None,
              unconnected_gradients="none"):
    """Symbolic gradients of ``sum(ys)`` with respect to each of ``xs``.

    Args:
        ys: a Tensor or list of Tensors to differentiate.
        xs: a Tensor/Variable or list of them.
        grad_ys: optional upstream gradients, one per y (default: ones).
        unconnected_gradients: "none" (default) gives None for an x that no y depends on;
            "zero" gives zeros.

    Returns:
        A list aligned with ``xs``: a Tensor, or None where there is no gradient (x does not
        reach a y, or only through non-differentiable ops such as argmax, equal, cast to int).

    Raises:
        LookupError: a path goes through an op type with no registered gradient.
        ValueError: a gradient function returned a different number of gradients than its op
            has inputs, or a gradient whose shape cannot be the input's.
        TypeError: a gradient function returned something other than Tensors and None, or a
            gradient of another dtype than its input.
    """
    ys = [convert_to_tensor(y) for y in _as_list(ys)]
    xs = [_as_x(x) for x in _as_list(xs)]
    if grad_ys is not None:
        grad_ys = _as_list(grad_ys)
        if len(grad_ys) != len(ys):
            raise ValueError("Passed %d grad_ys for %d ys" % (len(grad_ys), len(ys)))
    if unconnected_gradients not in ("none", "zero"):
        raise ValueError("Unknown value for unconnected_gradients: %r" % unconnected_gradients)
    stop = {_as_x(t).op for t in _as_list(stop_gradients)} if stop_gradients is not None else ()
    graph = graph_of(ys + xs)
    with graph.as_default(), name_scope(name):
        pending = {}  # tensor -> list of gradients flowing into it
        for i, y in enumerate(ys):
            seed = grad_ys[i] if grad_ys is not None else None
            if seed is None:  # ones; a Const when y's shape is known, so y need not run
                seed = (constant(1, y.dtype.base_dtype, y.shape.as_list(), name="grad_ys_%d" % i)
                        if y.shape.is_fully_defined() else ones_like(y))
            else:
                seed = convert_to_tensor(seed, dtype=y.dtype.base_dtype)
                if not seed.shape.is_compatible_with(y.shape):
                    raise ValueError("grad_ys[%d] has shape %s, incompatible with y %s"
                                     % (i, seed.shape, y))
                if not (seed.shape.is_fully_defined() and seed.shape == y.shape):
                    # Unknown dims could differ at run time, and a seed of another shape
                    # would be broadcast or summed into wrong numbers: check it there.
                    seed = ensure_shape_like(seed, y, "grad_ys[%d] (for %s)" % (i, y.name))
            pending.setdefault(y, []).append(seed)
        for op in reversed(_ops_between(ys, xs)):
            if op in stop:
                continue
            out_grads = [_sum(pending.get(t)) for t in op.outputs]
            if all(g is None for g in out_grads):
                continue
            grad_fn = get_gradient_function(op)
            if grad_fn is None:  # NotDifferentiable: the gradient stops here
                continue
            with name_scope(op.name + "_grad"):
                in_grads = _checked(op, grad_fn(op, *out_grads))
            for x, g in zip(op.inputs, in_grads):
                if g is not None and x.dtype.is_floating:
                    pending.setdefault(x, []).append(g)
        result = [_sum(pending.get(x)) for x in xs]
        if unconnected_gradients == "zero":
            result = [zeros_like(x) if g is None else g for x, g in zip(xs, result)]
    return result

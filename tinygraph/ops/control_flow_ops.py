"""Control flow: NoOp and group (ops that only order other ops, through control dependencies)
and cond (a choice between two branches, made when the graph runs)."""
import numpy as np

from .. import dtypes, errors
from ..graph import Operation, Tensor, control_dependencies, get_default_graph, name_scope
from ..registry import NotDifferentiable, RegisterGradient, bind_kernel, define_op
from ..shapes import TensorShape
from .array_ops import convert_to_tensor, zeros_like

__all__ = ["no_op", "group", "cond"]


def _no_op_kernel():
    return None


define_op("NoOp", lambda op: [], _no_op_kernel, constant=True)
NotDifferentiable("NoOp")


def no_op(name=None):
    return get_default_graph().create_op("NoOp", [], {}, name)


def group(*inputs, name=None):
    """An op that runs after all ``inputs`` (ops or tensors) have run; it has no output."""
    graph = get_default_graph()
    for item in inputs:
        item_graph = getattr(item, "graph", graph)
        if item_graph is not graph:
            graph = item_graph
            break
    with graph.as_default(), control_dependencies(inputs):
        return no_op(name=name)


# -- Cond: both branches built, only the taken one runs ---------------------------------------
# ``cond`` records the ops each branch function creates (a ``_Branch``). They stay ordinary
# ops of the graph, but nothing outside the branch uses their outputs, so a plan never
# schedules them. The one ``Cond`` op takes the predicate and every outer tensor the branches
# read (their *captured* inputs); its kernel runs the taken branch as a small sub-plan, in
# creation order, on the captured values. So the order rule and the sharing rule see one op
# that reads its inputs (and whose outputs may be those inputs): a branch may not write a
# variable, which keeps every run's writes all or nothing.
class _Branch:
    """The ops one branch function created (plus, for gradients, the ops of the branch it
    differentiates), and the tensors it returns."""

    def __init__(self, ops, outputs):
        own = set(ops)
        self.ops = tuple(sorted(own, key=lambda op: op._id))
        self.outputs = tuple(outputs)
        seen, captured = set(), []
        for t in [t for op in self.ops for t in op.inputs] + list(self.outputs):
            if t.op not in own and t not in seen:
                seen.add(t)
                captured.append(t)
        self.captured = captured  # outer tensors the branch reads, in first-use order
        self.control = [c for op in self.ops for c in op.control_inputs if c not in own]

    def needed_ops(self):
        """The branch's ops that its outputs need, in creation (so dependency) order."""
        own, needed = set(self.ops), set()
        stack = [t.op for t in self.outputs if t.op in own]
        while stack:
            op = stack.pop()
            if op not in needed:
                needed.add(op)
                stack.extend(t.op for t in op.inputs if t.op in own)
                stack.extend(c for c in op.control_inputs if c in own)
        return [op for op in self.ops if op in needed]


def _build_branch(fn, which, internal=()):
    """Call ``fn`` and record what it builds; returns (its structure, the _Branch)."""
    graph = get_default_graph()
    start = len(graph._ops)
    result = fn()
    flat = list(result) if isinstance(result, (list, tuple)) else [result]
    if not flat:
        raise ValueError("%s returned no tensors; tf.cond needs at least one output" % which)
    outputs = []
    for item in flat:
        if isinstance(item, Operation) or item is None:
            raise TypeError("%s must return Tensors, got %r; tinygraph's tf.cond does not take "
                            "ops (such as a train op) as branch results" % (which, item))
        outputs.append(convert_to_tensor(item))
    branch = _Branch(list(internal) + graph._ops[start:], outputs)
    for op in branch.ops:
        if op._op_def.mutates:
            raise ValueError(
                "tf.cond: %s writes a variable (op '%s' of type %s). tinygraph refuses variable "
                "writes inside cond branches, since it cannot yet keep a conditional write all "
                "or nothing; compute the new value with tf.cond and assign it outside "
                "(v.assign(tf.cond(pred, f, g)))." % (which, op.name, op.type))
    return result, branch


def _merged_shape(a, b):
    """The most specific shape both branches' outputs have."""
    if a.dims is None or b.dims is None or len(a.dims) != len(b.dims):
        return TensorShape(None)
    return TensorShape([x if x == y else None for x, y in zip(a.dims, b.dims)])


def _cond_infer(op):
    pred = op.inputs[0]
    if pred.dtype.base_dtype != dtypes.bool:
        raise TypeError("pred of tf.cond must be a bool tensor, got %s of type %s"
                        % (pred.name, pred.dtype.name))
    if pred.shape.ndims not in (None, 0):
        raise ValueError("Shape must be rank 0 but is rank %d for '%s' (op: 'Cond') with input "
                         "shapes: %s." % (pred.shape.ndims, op.name, pred.shape.bracket_str()))
    true, false = op.attrs["true"], op.attrs["false"]
    specs = []
    for i, (t, f) in enumerate(zip(true.outputs, false.outputs)):
        if t.dtype.base_dtype != f.dtype.base_dtype:
            raise TypeError("Outputs of true_fn and false_fn must have the same type: output "
                            "%d is %s in true_fn and %s in false_fn"
                            % (i, t.dtype.base_dtype.name, f.dtype.base_dtype.name))
        specs.append((_merged_shape(t.shape, f.shape), t.dtype.base_dtype))
    return specs


def _branch_runner(branch, captured, op, session):
    """A function ``values of captured -> branch outputs`` running the branch's ops."""
    steps = [(bind_kernel(inner, session), inner) for inner in branch.needed_ops()]

    def run(values):
        env = dict(zip(captured, values))
        for fn, inner in steps:
            try:
                result = fn(*[env[t] for t in inner.inputs])
            except errors.OpError as e:
                if e.op is None:
                    e.op = inner  # name the op inside the branch that failed
                raise
            if len(inner.outputs) == 1:
                env[inner.outputs[0]] = result
            else:
                env.update(zip(inner.outputs, result or ()))
        return [env[t] for t in branch.outputs]
    return run


def _cond_bind(op, session):
    captured = op.inputs[1:]
    run_false = _branch_runner(op.attrs["false"], captured, op, session)
    run_true = _branch_runner(op.attrs["true"], captured, op, session)
    single = len(op.outputs) == 1

    def run_cond(pred, *values):
        if np.ndim(pred) != 0:
            raise errors.InvalidArgumentError(
                None, None, "The predicate of tf.cond must be a scalar, but it has shape %s"
                % list(np.shape(pred)))
        outputs = run_true(values) if pred else run_false(values)
        return outputs[0] if single else tuple(outputs)
    return run_cond


define_op("Cond", _cond_infer, bind=_cond_bind, aliases=True)


@RegisterGradient("Cond")
def _cond_grad(op, *grads):
    """A cond of the branches' gradients: the taken branch's ops and their gradients run,
    on the same predicate. Each branch returns a gradient for every float captured input
    (zeros where that branch does not use it), so both have one structure."""
    from ..gradients import gradients
    pred, captured = op.inputs[0], op.inputs[1:]
    wanted = [x for x in captured if x.dtype.base_dtype.is_floating]
    if not wanted:
        return [None] * len(op.inputs)
    seeds = [g if g is not None else zeros_like(y) for g, y in zip(grads, op.outputs)]

    def branch_grads(branch):
        def build():
            # The captured inputs are the branch's leaves: stopping at their producers
            # keeps paths outside the branch (counted by the outer gradients) out of it.
            dxs = gradients(list(branch.outputs), wanted, grad_ys=seeds, stop_gradients=wanted)
            return [dx if dx is not None else zeros_like(x) for dx, x in zip(dxs, wanted)]
        return build

    true, false = op.attrs["true"], op.attrs["false"]
    flat = _cond(pred, branch_grads(true), branch_grads(false), true.ops, false.ops)
    by_input = dict(zip(wanted, flat))
    return [None] + [by_input.get(x) for x in captured]


def _cond(pred, true_fn, false_fn, true_internal=(), false_internal=(), name=None):
    """Build the Cond op; returns the list of its outputs (see ``cond``)."""
    graph = get_default_graph()
    with name_scope(name, "cond"):
        true_result, true = _build_branch(true_fn, "true_fn", true_internal)
        false_result, false = _build_branch(false_fn, "false_fn", false_internal)
        if len(true.outputs) != len(false.outputs) or \
                isinstance(true_result, (list, tuple)) != isinstance(false_result, (list, tuple)):
            raise ValueError("Outputs of true_fn and false_fn must have the same structure: "
                             "true_fn returned %r, false_fn %r" % (true_result, false_result))
        captured = list(true.captured) + [t for t in false.captured if t not in true.captured]
        with control_dependencies(true.control + false.control):
            made = graph.create_op("Cond", [pred] + captured, {"true": true, "false": false},
                                   "Merge")
    return list(made.op.outputs if isinstance(made, Tensor) else made.outputs)


def cond(pred, true_fn=None, false_fn=None, strict=False, name=None, fn1=None, fn2=None):
    """``true_fn()`` if ``pred`` else ``false_fn()``, decided when the graph runs.

    Both functions are called once, now, to build their ops; when the graph runs, only the
    ops of the branch that ``pred`` picks are computed. Gradients flow through the taken
    branch.

    Args:
        pred: a scalar bool tensor (not a Python bool, as in TF1).
        true_fn, false_fn: functions of no arguments returning a Tensor or a list/tuple of
            Tensors, of one structure and dtypes (``fn1``/``fn2``: TF1's old names).
        strict: keep a one-element list as a list (otherwise it is unpacked, as in TF1).
        name: the name scope (default "cond"); the result is ``cond/Merge:0``.

    Raises:
        TypeError: ``pred`` is a Python bool or not a bool tensor; a function is not
            callable or returns something other than Tensors; the dtypes differ.
        ValueError: ``pred`` is not a scalar; the structures differ; a branch writes a
            variable (refused: see the module's Cond section).
    """
    true_fn = true_fn if true_fn is not None else fn1
    false_fn = false_fn if false_fn is not None else fn2
    if isinstance(pred, (bool, np.bool_)):
        raise TypeError("pred must not be a Python bool")
    if not callable(true_fn):
        raise TypeError("true_fn must be callable.")
    if not callable(false_fn):
        raise TypeError("false_fn must be callable.")
    pred = convert_to_tensor(pred)
    structure = []

    def remember(fn):
        def call():
            result = fn()
            structure.append(result)
            return result
        return call

    results = _cond(pred, remember(true_fn), remember(false_fn), name=name)
    if isinstance(structure[0], (list, tuple)):
        if len(results) == 1 and not strict:
            return results[0]
        return type(structure[0])(results) if not hasattr(structure[0], "_fields") \
            else type(structure[0])(*results)
    return results[0]

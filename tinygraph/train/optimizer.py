"""Training: ``GradientDescentOptimizer(lr).minimize(loss)`` adds gradient and update ops.

The base class also keeps the optimizers' *slots*: per-variable state such as Momentum's
accumulator, made as non-trainable variables named after the variable and the optimizer
(``weights/Momentum``, ``weights/Adam_1``), as TF1 names them.
"""
from ..gradients import gradients
from ..graph import GraphKeys, Tensor, control_dependencies, get_default_graph, name_scope
from ..ops import state_ops
from ..ops.array_ops import cast, constant, reshape
from ..ops.manip_ops import concat
from ..ops.control_flow_ops import group
from ..variables import Variable, trainable_variables

__all__ = ["Optimizer", "GradientDescentOptimizer"]


class Optimizer:
    """Base class: ``compute_gradients`` + ``apply_gradients`` = ``minimize``."""

    def __init__(self, use_locking, name):
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._name = name
        self._slots = {}  # slot name -> {variable: slot variable}
        self._non_slots = {}  # (name, graph) -> variable (Adam's beta powers)

    def get_name(self):
        return self._name

    def get_slot_names(self):
        """The names of the slots this optimizer made, e.g. ``["m", "v"]`` for Adam."""
        return sorted(self._slots)

    def get_slot(self, var, name):
        """The slot variable ``name`` of ``var``, or None."""
        return self._slots.get(name, {}).get(var)

    def variables(self):
        """The slot and non-slot variables this optimizer made, in creation order."""
        found = [v for slots in self._slots.values() for v in slots.values()]
        found += list(self._non_slots.values())
        return sorted(found, key=lambda v: v.op._id)

    def _slot(self, var, slot_name, value, op_name):
        """``var``'s slot ``slot_name`` (made on first use): a non-trainable variable filled
        with ``value``, named ``<var>/<op_name>`` (``_1``, ``_2``... when taken)."""
        slots = self._slots.setdefault(slot_name, {})
        if var not in slots:
            if not var.shape.is_fully_defined():
                raise ValueError("%s needs the shape of variable %s to make its slot %r, but "
                                 "it is %s" % (self._name, var.name, slot_name, var.shape))
            dtype = var.dtype.base_dtype
            # Outside the caller's control dependencies, in the variable's own scope.
            with var.graph.as_default(), control_dependencies(None), \
                    name_scope(var.op.name + "/"):
                slots[var] = Variable(lambda: constant(value, dtype, var.shape.as_list()),
                                      trainable=False, name=op_name)
        return slots[var]

    def _non_slot(self, name, value, graph):
        """A non-trainable variable of this optimizer, one per graph (``beta1_power``)."""
        key = (name, graph)
        if key not in self._non_slots:
            with graph.as_default(), control_dependencies(None), name_scope(None):
                self._non_slots[key] = Variable(value, trainable=False, name=name)
        return self._non_slots[key]

    def compute_gradients(self, loss, var_list=None):
        """A list of ``(gradient or None, variable)`` for the variables in ``var_list``.

        Raises:
            TypeError: ``loss`` is not a Tensor. ValueError: there are no variables.
        """
        if not isinstance(loss, Tensor):
            raise TypeError("minimize/compute_gradients needs a loss Tensor, got %r of type %s"
                            % (loss, type(loss).__name__))
        var_list = list(var_list) if var_list is not None else trainable_variables()
        if not var_list:
            raise ValueError("No variables to optimize.")
        for v in var_list:
            if not isinstance(v, Variable):
                raise TypeError("var_list must contain Variables, got %r" % (v,))
        grads = gradients(loss, var_list)
        return list(zip(grads, var_list))

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """An op that applies each gradient to its variable (and increments ``global_step``).

        Raises:
            ValueError: no pair has a gradient.
        """
        grads_and_vars = list(grads_and_vars)
        if global_step is not None and not isinstance(global_step, Variable):
            raise TypeError("global_step must be an integer Variable (see "
                            "train.get_or_create_global_step()), got %r" % (global_step,))
        if all(g is None for g, _ in grads_and_vars):
            raise ValueError("No gradients provided for any variable: %s."
                             % ([v.name for _, v in grads_and_vars],))
        self._create_slots([v for g, v in grads_and_vars if g is not None])
        with name_scope(name, self._name) as scope:
            self._prepare(grads_and_vars)
            updates = []
            for grad, var in grads_and_vars:
                if grad is None:
                    continue
                with name_scope("update_" + var.op.name):
                    updates.append(self._apply_dense(grad, var))
            if global_step is None:
                train_op = self._finish(updates, scope)
            else:
                with control_dependencies([self._finish(updates, "update")]):
                    train_op = state_ops.assign_add(global_step._ref, 1, name=scope).op
        get_default_graph().get_collection_ref(GraphKeys.TRAIN_OP).append(train_op)
        return train_op

    def minimize(self, loss, global_step=None, var_list=None, name=None):
        """compute_gradients then apply_gradients; returns the training op.

        Raises:
            ValueError: no variable gets a gradient from ``loss``.
        """
        grads_and_vars = self.compute_gradients(loss, var_list)
        if all(g is None for g, _ in grads_and_vars):
            raise ValueError("No gradients provided for any variable, check your graph for ops "
                             "that do not support gradients, between variables %s and loss %s."
                             % ([v.name for _, v in grads_and_vars], loss))
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def _create_slots(self, var_list):
        """Make the slots of the variables that get a gradient (before the name scope)."""

    def _prepare(self, grads_and_vars):
        """Create the hyperparameter tensors, in the optimizer's name scope."""

    def _apply_dense(self, grad, var):
        raise NotImplementedError

    def _finish(self, update_ops, name):
        """The op that ends the updates (Adam also advances its beta powers here)."""
        return group(*update_ops, name=name)


def hyperparameters(values, grads_and_vars):
    """``{dtype: [tensor per value]}`` for each variable dtype: a Python number becomes a
    Const named by its key (``learning_rate``); a Tensor or Variable is used as it is, or
    cast to the variable's dtype (a decayed learning rate)."""
    found = {}
    for _, var in grads_and_vars:
        dtype = var.dtype.base_dtype
        if dtype in found:
            continue
        tensors = {}
        for name, value in values.items():
            if isinstance(value, (Tensor, Variable)):
                value = value.value() if isinstance(value, Variable) else value
                tensors[name] = value if value.dtype.base_dtype == dtype else cast(value, dtype)
            else:
                tensors[name] = constant(value, dtype=dtype, name=name)
        found[dtype] = tensors
    return found


class GradientDescentOptimizer(Optimizer):
    """Plain gradient descent: ``var -= learning_rate * grad``, in place."""

    def __init__(self, learning_rate, use_locking=False, name="GradientDescent"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._lr = {}

    def _prepare(self, grads_and_vars):
        self._lr = hyperparameters({"learning_rate": self._learning_rate}, grads_and_vars)

    def _apply_dense(self, grad, var):
        lr = self._lr[var.dtype.base_dtype]["learning_rate"]
        return state_ops.apply_gradient_descent(var._ref, lr, grad)


def sparse_rows(grad):
    """The rows that a gradient touches when TF1 would pass it as ``IndexedSlices``: the
    gradient of a gather along axis 0 or of an embedding lookup (of the variable itself), or
    a sum of such gradients; None for any other gradient (TF1's dense case)."""
    op = grad.op
    if op.type == "EmbeddingLookupGrad" or (op.type == "GatherGrad" and op.attrs["axis"] == 0):
        return reshape(op.inputs[1], [-1])
    if op.type == "AddN" and op.inputs:
        parts = [sparse_rows(t) for t in op.inputs]
        if all(p is not None for p in parts):
            return concat([cast(p, "int64") for p in parts], 0)
    return None

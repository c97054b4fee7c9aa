"""Variables: named, trainable state whose values live in each Session.

``Variable(initial_value)`` builds four ops, as TF1 does: ``Variable`` (VariableV2, the
reference), ``Variable/initial_value``, ``Variable/Assign`` (the initializer) and
``Variable/read`` (the value other ops use). Nothing is stored until a session runs the
initializer.
"""
from .default_session import _session_for
from .graph import GraphKeys, get_default_graph, name_scope
from .ops import state_ops
from .ops.array_ops import cast, convert_to_tensor, identity
from .ops.control_flow_ops import group
from .ops.math_ops import install_operators
from .dtypes import as_dtype
from .shapes import TensorShape

__all__ = ["Variable", "global_variables", "trainable_variables", "global_variables_initializer",
           "variables_initializer", "local_variables", "local_variables_initializer",
           "initialize_all_variables"]


class Variable:
    """A mutable tensor-like value kept across ``Session.run`` calls.

    ``initial_value`` is a value, a Tensor, or a function returning one (called in the
    variable's ``Initializer`` name scope, as get_variable's initializers are).

    Use it wherever a Tensor fits (its current value is read); ``.initializer`` sets it
    from ``initial_value``; ``.assign*`` build ops that write it.

    Raises:
        ValueError: ``initial_value`` is missing.
    """

    def __init__(self, initial_value=None, trainable=True, name=None, dtype=None,
                 collections=None, validate_shape=True):
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        graph = getattr(initial_value, "graph", None) or get_default_graph()
        with graph.as_default(), name_scope(name, "Variable") as scope:
            if callable(initial_value):  # an initializer: its ops go in "<name>/Initializer"
                with name_scope("Initializer"):
                    initial_value = initial_value()
            initial = convert_to_tensor(initial_value, name="initial_value")
            if dtype is not None and initial.dtype.base_dtype != as_dtype(dtype):
                initial = cast(initial, dtype)
            shape = initial.shape if validate_shape else TensorShape(None)
            self._ref = state_ops.variable_op(shape, initial.dtype.base_dtype, scope)
            self._initializer = state_ops.assign(self._ref, initial, validate_shape,
                                                 name="Assign").op
            self._snapshot = identity(self._ref, name="read")
        self._initial_value = initial
        self.trainable = trainable
        graph._variables_by_op[self._ref.op] = self
        if collections is None:
            collections = [GraphKeys.GLOBAL_VARIABLES]
            if trainable:
                collections.append(GraphKeys.TRAINABLE_VARIABLES)
        for key in collections:
            graph.add_to_collection(key, self)

    __array_ufunc__ = None  # `ndarray @ variable` builds an op instead of asking numpy

    # A Variable stands for its ref tensor in feeds/fetches and for its value in ops.
    def _as_graph_element(self):
        return self._ref

    def _as_tensor(self):
        # Inside control_dependencies an op reads the variable after them, as TF1's ref
        # variables are read when the op runs: a new read carries the dependencies.
        if self._ref.graph._control_inputs():
            return self.read_value()
        return self._snapshot

    name = property(lambda self: self._ref.name)
    op = property(lambda self: self._ref.op)
    dtype = property(lambda self: self._ref.dtype)
    shape = property(lambda self: self._ref.shape)
    graph = property(lambda self: self._ref.graph)
    initializer = property(lambda self: self._initializer)
    initial_value = property(lambda self: self._initial_value)

    def get_shape(self):
        return self.shape

    def value(self):
        """The tensor that reads this variable's current value (``Variable/read``)."""
        return self._snapshot

    def read_value(self):
        """A new op that reads the variable, so it obeys the enclosing
        ``control_dependencies`` (e.g. a read that must see an assign)."""
        with self.graph.as_default(), name_scope(self._ref.op.name + "/"):
            return identity(self._ref, name="read_value")

    def eval(self, session=None):
        session = _session_for(self.graph, session, "evaluate tensor",
                               "the tensor's graph is different from the session's graph.")
        return session.run(self._snapshot)

    def assign(self, value, use_locking=None, name=None, read_value=True):
        return state_ops.assign(self._ref, value, name=name)

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        return state_ops.assign_add(self._ref, delta, name=name)

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        return state_ops.assign_sub(self._ref, delta, name=name)

    def __repr__(self):
        return "<tf.Variable '%s' shape=%s dtype=%s>" % (self.name, self.shape, self.dtype.name)


install_operators(Variable)


def global_variables(scope=None):
    return get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


def trainable_variables(scope=None):
    return get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def variables_initializer(var_list, name="init"):
    """An op that runs the initializers of ``var_list``."""
    return group(*[v.initializer for v in var_list], name=name)


def global_variables_initializer():
    """An op that initializes the global variables that exist *now* (create it last)."""
    return variables_initializer(global_variables(), name="init")


def local_variables(scope=None):
    """Variables in the ``local_variables`` collection (not saved, not trained)."""
    return get_default_graph().get_collection("local_variables", scope)


def local_variables_initializer():
    """An op that initializes the local variables that exist now."""
    return variables_initializer(local_variables(), name="init")


def initialize_all_variables():
    """TF1's deprecated name for ``global_variables_initializer()``."""
    return global_variables_initializer()

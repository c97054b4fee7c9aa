"""Session: runs the part of a graph that some fetches need, holding variable values.

``run(fetches, feed_dict)`` compiles each distinct signature (the fetch structure and the
set of feed keys) once into a ``Plan`` (plan.py: the needed ops in a fixed order, as a flat
list of kernel calls over numbered value slots, with the order and sharing rules). Later
calls with that signature only convert the feeds, loop over the steps and rebuild the
fetch structure; they never walk the graph.

Threads: several threads may call ``run`` on one session at once. Compiling a plan and
creating a variable's storage happen under the session's lock; running does not lock.
Runs that write the same variables at the same time interleave, as in TF1 (asynchronous
SGD); the order rule and all-or-nothing writes hold for a run that no other thread writes
into meanwhile.
"""
import contextlib
import threading

from . import errors, tracing
from .default_session import _session_stack
from .fetches import structure_key
from .graph import Graph, get_default_graph
from .plan import Plan

__all__ = ["Session", "InteractiveSession"]

_MAX_PLANS = 256


class _VariableCell:
    """One variable's storage in one session; ``shape`` is its declared shape (None where
    not fully known), which an Assign with ``validate_shape`` checks before the first value."""

    __slots__ = ("name", "shape", "value")

    def __init__(self, name, shape):
        self.name = name
        self.shape = tuple(shape.dims) if shape.is_fully_defined() else None
        self.value = None

    def read(self):
        if self.value is None:
            raise errors.FailedPreconditionError(
                None, None, "Attempting to use uninitialized value %s\n  (run "
                "tf.global_variables_initializer() after creating all variables, or the "
                "variable's .initializer)" % self.name)
        return self.value


def _read_variable(ref):
    """Kernel of a variable's read op: its current value (or the value fed for it)."""
    return ref.read() if type(ref) is _VariableCell else ref


class Session:
    """Runs ops of one graph; owns the values of that graph's variables.

    Raises:
        TypeError: ``graph`` is not a Graph.
    """

    def __init__(self, target="", graph=None, config=None):
        if graph is None:
            graph = get_default_graph()
        elif not isinstance(graph, Graph):
            raise TypeError("graph must be a tf.Graph, but got %s" % type(graph))
        self.graph = graph
        self.compile_count = 0  # plans compiled so far (a cache miss each)
        self._closed = False
        self._cells = {}
        self._plans = {}
        self._context = None
        self._lock = threading.RLock()  # compiling plans (which binds cells), creating cells

    # -- lifecycle ----------------------------------------------------------------------------
    def close(self):
        self._closed = True
        self._cells.clear()
        self._plans.clear()

    @property
    def closed(self):
        return self._closed

    @contextlib.contextmanager
    def as_default(self):
        """Make this the session that ``Tensor.eval()``/``Operation.run()`` use (in this
        thread, as in TF1)."""
        stack = _session_stack()
        stack.append(self)
        try:
            yield self
        finally:
            stack.remove(self)

    def __enter__(self):
        if self._context is not None:
            raise RuntimeError("Session context managers are not re-entrant. Use "
                               "`Session.as_default()` if you want to enter a session "
                               "multiple times.")
        self._context = contextlib.ExitStack()
        self._context.enter_context(self.graph.as_default())
        self._context.enter_context(self.as_default())
        return self

    def __exit__(self, *exc):
        context, self._context = self._context, None
        context.close()
        self.close()

    # -- state used by kernels ---------------------------------------------------------------
    def _cell(self, variable_op):
        with self._lock:
            cell = self._cells.get(variable_op)
            if cell is None:
                cell = self._cells[variable_op] = _VariableCell(variable_op.name,
                                                                 variable_op.attrs["shape"])
            return cell

    def _reader(self, read_op):
        return _read_variable

    # -- run -----------------------------------------------------------------------------------
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Compute ``fetches`` (a tensor, op, name, or nested list/tuple/dict of them).

        Returns the same structure with numpy values (None for ops; numpy scalars for 0-d
        tensors). Returned arrays belong to the caller. With
        ``options=RunOptions(trace_level=RunOptions.FULL_TRACE)`` and a ``RunMetadata``,
        the run is traced into ``run_metadata.step_stats`` (see tracing.py).

        Raises:
            RuntimeError: the session is closed, or the graph is empty.
            TypeError, ValueError: bad fetches or feeds (messages name the tensor).
            errors.OpError: an op failed (the message names the op and where it was made).
        """
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        try:
            key = (structure_key(fetches), frozenset(feed_dict) if feed_dict else None)
            plan = self._plans.get(key)
        except TypeError:  # an unhashable fetch: let the compiler explain it
            key, plan = None, None
        if plan is None:
            plan = self._compile(fetches, feed_dict, key)
        if run_metadata is not None and getattr(options, "trace_level", 0):
            return tracing.run_traced(plan, feed_dict, run_metadata)
        return plan.run(feed_dict)

    def describe_plan(self, fetches, feed_dict=None):
        """The plan that ``run(fetches, feed_dict)`` executes, as text: what each step
        computes into which value slot, where values are copied, where writes are checked.
        Only the keys of ``feed_dict`` matter (a list of tensors works too)."""
        keys = dict.fromkeys(feed_dict) if feed_dict is not None else None
        try:
            key = (structure_key(fetches), frozenset(keys) if keys else None)
            hash(key)
        except TypeError:
            key = None
        plan = self._plans.get(key) if key is not None else None
        if plan is None:
            plan = self._compile(fetches, keys, key)
        return plan.describe()

    def _compile(self, fetches, feed_dict, key):
        if not self.graph._ops:
            raise RuntimeError("The Session graph is empty.  Add operations to the graph before "
                               "calling run().")
        with self._lock:
            plan = self._plans.get(key) if key is not None else None
            if plan is None:
                plan = Plan(self, fetches, feed_dict)
                self.compile_count += 1
                if key is not None:
                    if len(self._plans) >= _MAX_PLANS:
                        del self._plans[next(iter(self._plans))]
                    self._plans[key] = plan
        return plan


class InteractiveSession(Session):
    """A Session that makes itself the default (session and graph) when it is created, for
    notebooks and shells: ``t.eval()`` works without a ``with`` block until ``close()``."""

    def __init__(self, target="", graph=None, config=None):
        super().__init__(target, graph, config)
        self._default = contextlib.ExitStack()
        self._default.enter_context(self.graph.as_default())
        self._default.enter_context(self.as_default())

    def close(self):
        default, self._default = self._default, None
        if default is not None:
            default.close()
        super().close()

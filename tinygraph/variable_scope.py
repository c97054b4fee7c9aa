"""Variable scopes: variables named by a path and shared by that name, as TF1's get_variable.

``with variable_scope("Layer1"): w = get_variable("weights", [3072, 120])`` makes the
variable ``Layer1/weights``. Asking for the same name again is an error unless the scope
says ``reuse=True`` (then it must exist) or ``reuse=AUTO_REUSE`` (made once, then shared).
A scope also carries defaults (initializer, regularizer, dtype) for the variables made in it,
and opens a name scope of the same name for the other ops. Only ``get_variable`` shares:
``Variable(...)`` always makes a new variable.
"""
import contextlib
import enum
import linecache
import threading
import weakref

from . import dtypes
from .graph import GraphKeys, get_default_graph, name_scope
from .graph_keys import GraphKeys as _Keys
from .init_ops import glorot_uniform_initializer, zeros_initializer
from .shapes import as_shape
from .variables import Variable

__all__ = ["AUTO_REUSE", "VariableScope", "variable_scope", "get_variable",
           "get_variable_scope", "no_regularizer"]


class _ReuseMode(enum.Enum):
    AUTO_REUSE = 1


AUTO_REUSE = _ReuseMode.AUTO_REUSE
"""``reuse=AUTO_REUSE``: get_variable makes a variable the first time, then returns it."""


class VariableScope:
    """A variable scope: its ``name``, ``reuse`` mode and defaults for new variables.

    ``with variable_scope(scope_object):`` re-enters it (same name, same name scope) from
    anywhere.
    """

    def __init__(self, reuse, name="", initializer=None, regularizer=None,
                 dtype=dtypes.float32, name_scope=""):
        self._reuse = reuse
        self._name = name
        self._initializer = initializer
        self._regularizer = regularizer
        self._dtype = dtypes.as_dtype(dtype)
        self._name_scope = name_scope

    name = property(lambda self: self._name)
    original_name_scope = property(lambda self: self._name_scope)
    reuse = property(lambda self: self._reuse)
    initializer = property(lambda self: self._initializer)
    regularizer = property(lambda self: self._regularizer)
    dtype = property(lambda self: self._dtype)

    def reuse_variables(self):
        """From now on, get_variable in this scope returns existing variables."""
        self._reuse = True

    def set_initializer(self, initializer):
        self._initializer = initializer

    def set_regularizer(self, regularizer):
        self._regularizer = regularizer

    def set_dtype(self, dtype):
        self._dtype = dtypes.as_dtype(dtype)

    def get_variable(self, name, shape=None, dtype=None, initializer=None, regularizer=None,
                     trainable=None, collections=None, validate_shape=True):
        """``get_variable`` in this scope; see the module-level function."""
        return _store().get_variable(self, name, shape, dtype, initializer, regularizer,
                                     trainable, collections, validate_shape)

    def __repr__(self):
        return "<VariableScope %r reuse=%r>" % (self._name, self._reuse)


class _Store:
    """One graph's variables made by get_variable, each thread's current scope (as name
    scopes are per thread), and scope counts."""

    def __init__(self, graph):
        self.graph = graph
        self.variables = {}  # full name -> Variable
        self.opened = {}  # scope name -> times opened, to number default_name scopes
        self._thread = threading.local()
        self._lock = threading.RLock()  # look-up and creation of a name happen as one step

    @property
    def current(self):
        scope = getattr(self._thread, "scope", None)
        if scope is None:
            scope = self._thread.scope = VariableScope(False)
        return scope

    @current.setter
    def current(self, scope):
        self._thread.scope = scope

    def get_variable(self, *args):
        with self._lock:
            return self._get_variable(*args)

    def _get_variable(self, scope, name, shape, dtype, initializer, regularizer, trainable,
                      collections, validate_shape):
        if not isinstance(name, str) or not name:
            raise ValueError("get_variable needs a non-empty string name, got %r." % (name,))
        full_name = scope.name + "/" + name if scope.name else name
        dtype = dtypes.as_dtype(dtype) if dtype is not None else scope.dtype
        if initializer is None:
            initializer = scope.initializer
        if isinstance(initializer, type):  # tf.zeros_initializer without (): TF1 makes one
            initializer = initializer()
        if regularizer is None:
            regularizer = scope.regularizer
        from_value = initializer is not None and not callable(initializer)
        if shape is not None and from_value:
            raise ValueError("If initializer is a constant, do not specify shape.")
        if shape is not None:
            shape = as_shape(shape)

        found = self.variables.get(full_name)
        if found is not None:
            return self._share(scope, found, full_name, shape, dtype, from_value)
        if scope.reuse is True:
            raise ValueError("Variable %s does not exist, or was not created with "
                             "tf.get_variable(). Did you mean to set reuse=tf.AUTO_REUSE in "
                             "VarScope?" % full_name)
        if not from_value and (shape is None or not shape.is_fully_defined()):
            raise ValueError("Shape of a new variable (%s) must be fully defined, but instead "
                             "was %s." % (full_name, shape if shape is not None else
                                          "<unknown>"))
        if initializer is None:  # TF1's defaults: Glorot uniform for floats, else zeros
            initializer = (glorot_uniform_initializer() if dtype.is_floating
                           else zeros_initializer())
        if from_value:
            initial_value, value_dtype = initializer, None
        else:
            dims = shape.as_list()
            initial_value, value_dtype = (lambda: initializer(dims, dtype=dtype)), dtype
        if trainable is None:
            trainable = True
        collections = list(collections) if collections is not None else \
            [GraphKeys.GLOBAL_VARIABLES]
        if trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections.append(GraphKeys.TRAINABLE_VARIABLES)

        # A variable's name depends on the variable scope only, not on the name scope.
        with self.graph.as_default(), name_scope(None):
            variable = Variable(initial_value, trainable=trainable, name=full_name,
                                dtype=value_dtype, collections=collections,
                                validate_shape=validate_shape)
            self.variables[full_name] = variable
            if regularizer is not None:
                with name_scope(full_name + "/Regularizer/"):
                    loss = regularizer(variable)
                if loss is not None:  # added once: a reused variable returns early above
                    self.graph.add_to_collection(_Keys.REGULARIZATION_LOSSES, loss)
        return variable

    @staticmethod
    def _share(scope, found, full_name, shape, dtype, from_value):
        if not scope.reuse:
            raise ValueError("Variable %s already exists, disallowed. Did you mean to set "
                             "reuse=True or reuse=tf.AUTO_REUSE in VarScope? Originally "
                             "defined at:\n\n%s" % (full_name, _where(found.op)))
        if shape is not None and not shape.is_compatible_with(found.shape):
            raise ValueError("Trying to share variable %s, but specified shape %s and found "
                             "shape %s." % (full_name, shape, found.shape))
        if not from_value and dtype != found.dtype.base_dtype:
            raise ValueError("Trying to share variable %s, but specified dtype %s and found "
                             "dtype %s." % (full_name, dtype.name, found.dtype.base_dtype.name))
        return found


def _where(op):
    """The user's lines that created ``op``, innermost last, as a traceback shows them."""
    lines = []
    for filename, lineno, function in op.traceback:
        lines.append('  File "%s", line %d, in %s' % (filename, lineno, function))
        source = linecache.getline(filename, lineno).strip()
        if source:
            lines.append("    " + source)
    return "\n".join(lines) or "  (no user frame recorded)"


_stores = weakref.WeakKeyDictionary()


def _store(graph=None):
    graph = graph if graph is not None else get_default_graph()
    store = _stores.get(graph)
    if store is None:
        store = _stores[graph] = _Store(graph)
    return store


def get_variable_scope():
    """The current VariableScope of the default graph (the root scope's name is "")."""
    return _store().current


def get_variable(name, shape=None, dtype=None, initializer=None, regularizer=None,
                 trainable=None, collections=None, validate_shape=True):
    """The variable ``<scope>/<name>``: made now, or shared when the scope reuses.

    ``initializer`` is an initializer (called with the shape and dtype), or a value/Tensor
    (then ``shape`` must be None). It defaults to the scope's, else Glorot uniform for float
    variables and zeros for the others. ``regularizer(variable)`` returns a loss tensor (or
    None) that goes into ``GraphKeys.REGULARIZATION_LOSSES``, once, when the variable is made.

    Raises:
        ValueError: the variable exists and the scope does not reuse; the scope has
            ``reuse=True`` and it does not exist; sharing with another shape or dtype; a new
            variable without a fully defined shape; a constant initializer with a shape.
    """
    return get_variable_scope().get_variable(name, shape, dtype, initializer, regularizer,
                                             trainable, collections, validate_shape)


def no_regularizer(_):
    """A regularizer that adds no loss (to switch off a scope's default regularizer)."""
    return None


@contextlib.contextmanager
def variable_scope(name_or_scope, default_name=None, values=None, initializer=None,
                   regularizer=None, reuse=None, dtype=None, auxiliary_name_scope=True):
    """Open a variable scope (and a name scope); yields its VariableScope.

    ``name_or_scope`` is a name (nested under the current scope) or a VariableScope
    (re-entered as it is). With ``name_or_scope=None``, ``default_name`` is made unique
    ("dense", "dense_1", ...). ``reuse`` is True, AUTO_REUSE or None/False (inherit: once a
    scope reuses, its sub-scopes do too). ``initializer``, ``regularizer`` and ``dtype``
    become the defaults of get_variable inside.

    Raises:
        TypeError: ``name_or_scope`` is neither a string nor a VariableScope, or both it and
            ``default_name`` are None.
        ValueError: ``reuse`` is not one of True, False, None, AUTO_REUSE.
    """
    if reuse not in (None, False, True) and reuse is not AUTO_REUSE:
        raise ValueError("reuse must be True, False, None or tf.AUTO_REUSE, got %r." % (reuse,))
    graph = get_default_graph()
    for value in values or ():
        graph = getattr(value, "graph", graph)
    store = _store(graph)
    old = store.current
    with contextlib.ExitStack() as stack:
        stack.enter_context(graph.as_default())
        if isinstance(name_or_scope, VariableScope):
            new_name = name_or_scope.name
            base = name_or_scope
            new_reuse = reuse or name_or_scope.reuse
            scope_name = name_or_scope.original_name_scope  # ends with "/": re-entered as is
        elif name_or_scope is None and default_name is None:
            raise TypeError("If default_name is None then name_or_scope is required")
        elif name_or_scope is not None and not isinstance(name_or_scope, str):
            raise TypeError("VariableScope: name_or_scope must be a string or VariableScope.")
        else:
            name = name_or_scope if name_or_scope is not None else \
                _unique_scope_name(store, old.name, default_name)
            new_name = old.name + "/" + name if old.name else name
            base = old
            new_reuse = reuse or old.reuse  # reuse is inherited by sub-scopes
            # TF1: a default-named scope's name scope is default_name made unique among the
            # graph's names, which may differ from the variable scope's name ("dense_1"
            # variables under the name scope "dense_2")
            scope_name = name if name_or_scope is not None else default_name
        if auxiliary_name_scope:
            scope_name = stack.enter_context(name_scope(scope_name))
        else:  # the scope's name scope is the current one
            scope_name = graph._name_stack + "/" if graph._name_stack else ""
        scope = VariableScope(
            new_reuse, new_name,
            initializer if initializer is not None else base.initializer,
            regularizer if regularizer is not None else base.regularizer,
            dtype if dtype is not None else base.dtype, scope_name)
        store.opened[new_name] = store.opened.get(new_name, 0) + 1
        store.current = scope
        try:
            yield scope
        finally:
            store.current = old


def _unique_scope_name(store, parent, default_name):
    """``default_name``, or ``default_name_1``, ... if a scope of that name was opened."""
    prefix = parent + "/" if parent else ""
    name, i = default_name, 0
    while store.opened.get(prefix + name):
        i += 1
        name = "%s_%d" % (default_name, i)
    return name

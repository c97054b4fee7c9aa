"""Kernel backend selection: numba (default) or the plain-numpy reference.

``TINYGRAPH_NUMBA=0`` selects the reference kernels. The backend is loaded on first use,
so ``import tinygraph`` compiles nothing; it only starts ``prefetch()``, which imports
numba in a background thread while the caller goes on (building a graph, loading data).
Ops call ``kernels.<name>(...)``; after the first lookup each name is a plain attribute.
Both backends check the run-time sizes they rely on with the same code (``checks.py``).
"""
import os
import threading
import warnings

NAMES = ("sparse_xent", "bias_sparse_xent_scaled", "sum_to_shape", "relu", "relu_grad", "argmax", "equal",
         "apply_gradient_descent", "bias_add", "apply_momentum", "apply_adam", "apply_adagrad",
         "apply_rms_prop", "apply_centered_rms_prop")
backend = None  # "numba" or "reference" once loaded


def use(name):
    """Load backend ``name`` ("numba" or "reference") and expose its kernels here.

    Sessions bind kernels when they compile a plan, so plans compiled before a switch keep
    the kernels they had.
    """
    global backend
    if name == "numba":
        try:
            from . import numba_impl as module
        except ImportError as e:
            warnings.warn("tinygraph: numba is not available (%s); using the numpy reference "
                          "kernels." % e, RuntimeWarning, stacklevel=3)
            return use("reference")
    elif name == "reference":
        from . import reference as module
    else:
        raise ValueError("unknown kernel backend %r; use 'numba' or 'reference'" % name)
    globals().update({n: getattr(module, n) for n in NAMES})
    backend = name
    return module


def selected():
    """The backend in use ("numba" or "reference"), loading the selected one if needed."""
    if backend is None:
        use("numba" if _numba_requested() else "reference")
    return backend


def _numba_requested():
    return os.environ.get("TINYGRAPH_NUMBA", "1") != "0"


def _import_numba():
    """Import numba and set up its code generator (~0.4 s here). Compiles nothing."""
    try:
        import numba.core.compiler_lock
        from numba.core.registry import cpu_target
        with numba.core.compiler_lock.global_compiler_lock:
            cpu_target.target_context.refresh()
    except Exception:  # the first real use reports any problem (see use())
        pass


def prefetch():
    """Start importing numba in the background, unless the reference kernels are selected.

    The thread is not a daemon: a process that exits at once waits for the import to end,
    rather than being torn down in the middle of it.
    """
    if _numba_requested() and backend is None:
        threading.Thread(target=_import_numba, name="tinygraph-numba-import").start()


def __getattr__(name):
    if name in NAMES:
        use("numba" if _numba_requested() else "reference")
        return globals()[name]
    raise AttributeError("module %r has no attribute %r" % (__name__, name))

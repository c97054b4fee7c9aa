"""Kernel backend selection: numba (default) or the plain-numpy reference.

``TINYGRAPH_NUMBA=0`` selects the reference kernels. The backend is loaded on first use,
so ``import tinygraph`` compiles nothing; it only starts ``prefetch()``, which imports
numba and loads the common kernels from numba's disk cache in a background thread while
the caller goes on (building a graph, loading data). At exit, once numba is loaded,
``_fast_exit`` freezes the garbage collector (``TINYGRAPH_FAST_EXIT=0`` turns that off).
Ops call ``kernels.<name>(...)``; after the first lookup each name is a plain attribute.
Both backends check the run-time sizes they rely on with the same code (``checks.py``).
"""
import atexit
import gc
import importlib
import os
import sys
import threading
import warnings

NAMES = ("sparse_xent", "bias_sparse_xent_scaled", "sum_to_shape", "relu", "relu_grad",
         "argmax", "equal", "apply_gradient_descent", "bias_add", "apply_momentum",
         "apply_adam", "apply_adagrad", "apply_rms_prop", "apply_centered_rms_prop")
backend = None  # "numba" or "reference" once loaded


def use(name):
    """Load backend ``name`` ("numba" or "reference") and expose its kernels here.

    Sessions bind kernels when they compile a plan, so plans compiled before a switch keep
    the kernels they had.
    """
    global backend
    if name == "numba":
        _register_fast_exit()
        if _thread is not None and _thread is not threading.current_thread():
            _thread.join()  # numba is being set up: use it when that is done, not meanwhile
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


# What the background thread loads from numba's disk cache once numba is imported: the
# float32 signatures of the kernels that a float32 training step and its accuracy fetch call
# (the article's model and the two-layer net): (name in numba_impl, [(dtype, ndim), ...]).
# Only what an earlier process compiled is loaded; nothing is compiled in the background.
# A name numba_impl lacks is skipped.
WARM = (("bias_xent_scaled_into", [("float32", 2), ("float32", 1), ("int64", 1),
                                   ("float32", 0), ("float32", 1), ("float32", 2),
                                   ("boolean", 0)]),
        ("_sparse_xent", [("float32", 2), ("int64", 1), ("float32", 1), ("float32", 2)]),
        ("_axpy_inplace", [("float32", 1), ("float32", 0), ("float32", 1)]),
        ("_column_sum", [("float32", 2), ("float32", 1)]),
        ("_argmax_rows", [("float32", 2), ("int64", 1)]),
        ("_equal_1d", [("int64", 1), ("int64", 1), ("boolean", 1)]),
        ("_relu", [("float32", 1), ("float32", 1)]),
        ("_relu_grad", [("float32", 1), ("float32", 1), ("float32", 1)]))


def _create_target_context():
    """Create numba's target context (its code generator), outside the compiler lock, as
    numba itself does: a first ``@jit`` creates it under the property's lock and the context
    takes the compiler lock inside, so taking them in the other order deadlocks against a
    main thread that decorates its first kernel meanwhile. Loading cached kernels needs
    nothing more of numba's set-up (see ``_jit._guard_cache``)."""
    from numba.core.registry import cpu_target
    cpu_target.target_context


def _import_kernels():
    from . import numba_impl  # noqa: F401  (defines the jitted functions, compiles nothing)


def _warm(kernel, argtypes):
    """A step that loads ``kernel`` for C-contiguous arrays of ``argtypes`` from the cache."""
    def load():
        import numba
        from . import _jit, numba_impl
        types = [numba.types.Array(getattr(numba, dtype), ndim, "C") if ndim else
                 getattr(numba, dtype) for dtype, ndim in argtypes]
        if hasattr(numba_impl, kernel):
            _jit.load_cached(getattr(numba_impl, kernel), types)
    return load


def _warm_gemm():
    """Find numpy's BLAS gemm (``blas.py``: a library lookup and one small check) and load
    the float32 kernel that calls it (the fused weight update), as ``_warm`` does."""
    import numba
    import numpy as np
    from . import _jit, blas, numba_impl
    gemm = blas.gemm(np.float32)
    if gemm is not None:
        matrix = numba.types.Array(numba.float32, 2, "C")
        _jit.load_cached(numba_impl.gemm_update, [numba.typeof(gemm), matrix, matrix, matrix,
                                                  numba.float32, numba.float32])


def _first_call_set_up():
    """What the first kernel calls would otherwise do on the caller's thread (30-45 ms):
    numba's ``typeof`` of an array reads ``numpy.ma`` (which numpy imports on first use),
    the code of a cached fused kernel refers to numba's array and string modules, and the
    first call of a new kernel loads the numba extensions installed. Those are loaded under
    the compiler lock, as numba's own set-up does: ``init_all`` marks them loaded before it
    loads them, so a compile meanwhile would otherwise go on without their definitions."""
    import numba
    import numpy as np
    from numba.core import entrypoints
    from numba.core.compiler_lock import global_compiler_lock
    numba.typeof(np.empty(0, np.float32))
    importlib.import_module("numba.np.arrayobj")
    importlib.import_module("numba.cpython.charseq")
    with global_compiler_lock:
        entrypoints.init_all()


def _background_steps():
    """The background work, in steps short enough to stop between (see ``_halt``): none
    takes much longer than ``import numba`` itself (~0.1-0.2 s here)."""
    from . import _jit  # noqa: F401  (imports numba)
    yield _create_target_context
    yield _import_kernels
    for kernel, argtypes in WARM:
        yield _warm(kernel, argtypes)
    yield _warm_gemm
    yield _first_call_set_up


_thread = None  # the background thread, once started
_stop = threading.Event()  # asks it to stop after its current step
_done = False  # every step ran (or one failed: the first real use reports the problem)


def _run_in_background():
    """Run the steps until they are done or ``_stop`` is set."""
    global _done
    steps = _background_steps()
    try:
        while not _stop.is_set():
            step = next(steps, None)
            if step is None:
                break
            step()
        else:
            return  # stopped: _resume() may start again (steps already run are cheap)
    except Exception:  # the first real use reports any problem (see use())
        pass
    _done = True


def prefetch():
    """Import numba and load the common kernels from its cache in a background thread,
    unless the reference kernels are selected. ``import tinygraph`` calls this.

    At exit and before ``fork``, the thread is stopped between two steps and waited for
    (``_halt``: at most the step under way); the parent of a fork resumes it, the child
    loads numba on first use. The thread is not a daemon, so it is never torn down in the
    middle of numba's native code.
    """
    global _thread
    if not _numba_requested() or backend is not None or _done:
        return
    if _thread is not None and _thread.is_alive():
        return
    if _thread is None:
        _register_hooks()
    _stop.clear()
    _thread = threading.Thread(target=_run_in_background, name="tinygraph-numba-import")
    _thread.start()


def _halt():
    """Stop the background thread after its current step, and wait for it."""
    _stop.set()
    if _thread is not None and _thread is not threading.current_thread():
        _thread.join()


def _resume():
    if _thread is not None:
        prefetch()


def _register_hooks():
    """Halt the thread at exit (threading runs these before it waits for non-daemon threads;
    concurrent.futures uses the same hook) and before ``fork``.

    Registered when the thread first starts, after tinygraph's imports: ``fork`` runs the
    ``before`` hooks in reverse order of registration, so ours runs before the hooks that
    take locks the thread may need (``logging`` takes its module lock there, and numba's
    import calls ``logging.getLogger``): waiting for the thread after those would deadlock.
    """
    import logging  # noqa: F401  (its fork hook first, so that ours runs before it)
    getattr(threading, "_register_atexit", lambda fn: None)(_halt)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(before=_halt, after_in_parent=_resume)
    _register_fast_exit()


_fast_exit_registered = False


def _register_fast_exit():
    global _fast_exit_registered
    if not _fast_exit_registered:
        _fast_exit_registered = True
        atexit.register(_fast_exit)


def _fast_exit():
    """At exit, once numba is loaded: ``gc.freeze()``, so that Python's final collections
    skip the objects alive now (numba's ~50,000 of them cost ~0.1-0.25 s at exit).

    Objects in reference cycles are then not finalized at exit, which Python does not
    promise anyway (files closed by ``with`` or ``close()`` are unaffected; tinygraph's
    FileWriters flush in their own exit hook). ``TINYGRAPH_FAST_EXIT=0`` turns it off.
    Registered when numba is first wanted, so it runs after the exit hooks registered
    later (atexit runs them last in, first out)."""
    if os.environ.get("TINYGRAPH_FAST_EXIT", "1") != "0" and "numba" in sys.modules:
        gc.freeze()


def __getattr__(name):
    if name in NAMES:
        use("numba" if _numba_requested() else "reference")
        return globals()[name]
    raise AttributeError("module %r has no attribute %r" % (__name__, name))

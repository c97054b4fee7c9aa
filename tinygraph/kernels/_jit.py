"""The one place where numba flags live: ``@jit`` = lazy ``njit`` with an on-disk cache.

numba's ``cache=True`` needs a writable directory. It tries ``$NUMBA_CACHE_DIR``, the
package's ``__pycache__`` and ``~/.cache/numba``; when none is writable (a read-only install
with a read-only home) decoration itself raises. Then we try tinygraph's own cache dir, and
as a last resort compile without a cache, warning once.

A cache file that cannot be read back (truncated, overwritten, from a broken disk) is
treated as a cache miss: the kernel is compiled again and the cache rewritten, with one
warning per process. numba itself would raise from inside the user's ``Session.run``; and
it hands the bytes of a damaged code file to LLVM, which may abort the interpreter or load
wrong code. So each code file we write starts with a checksum of the rest and records the
signature it was compiled for; both are checked before numba sees the file.
"""
import hashlib
import os
import pickle
import sys
import warnings

import numba

FLAGS = dict(cache=True, nogil=True, error_model="numpy")
_warned = set()
_INNER = (os.path.dirname(os.path.dirname(os.path.abspath(__file__))),  # tinygraph
          os.path.dirname(os.path.abspath(numba.__file__)))


def _warn_once(key, message):
    """Warn once per process, pointing at the user's line (the first outside tinygraph and
    numba) rather than at numba's internals."""
    if key in _warned:
        return
    _warned.add(key)
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_INNER):
        frame, level = frame.f_back, level + 1
        while frame is not None and "importlib" in frame.f_code.co_filename:
            frame = frame.f_back  # warnings skips these without counting them
    warnings.warn(message, RuntimeWarning, stacklevel=level + 1)


def _fallback_cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "tinygraph", "numba")


def jit(fn):
    return _guard_cache(_njit(fn))


def _njit(fn):
    try:
        return numba.njit(**FLAGS)(fn)
    except RuntimeError as first_error:  # "cannot cache function ...: no locator available"
        saved = numba.config.CACHE_DIR
        try:
            numba.config.CACHE_DIR = _fallback_cache_dir()
            os.makedirs(numba.config.CACHE_DIR, exist_ok=True)
            return numba.njit(**FLAGS)(fn)
        except (RuntimeError, OSError):
            _warn_once("no cache", "tinygraph: numba cannot cache compiled kernels (%s); they "
                       "will be compiled in every process. Set NUMBA_CACHE_DIR to a writable "
                       "directory to fix this." % first_error)
            flags = dict(FLAGS, cache=False)
            return numba.njit(**flags)(fn)
        finally:
            numba.config.CACHE_DIR = saved


def _guard_cache(dispatcher):
    """Make an unreadable cache entry of ``dispatcher`` a miss (recompile), not an error.

    numba loads the cache when a kernel is first called with a new signature
    (``Dispatcher.compile``: ``load_overload``, then compile and ``save_overload``). We wrap
    those two on this dispatcher's cache object; numba internals, so guarded.
    """
    cache = getattr(dispatcher, "_cache", None)
    load = getattr(cache, "load_overload", None)
    save = getattr(cache, "save_overload", None)
    flush = getattr(cache, "flush", None)
    if load is None or save is None or flush is None:  # no cache, or another numba
        return dispatcher
    _seal(getattr(cache, "_cache_file", None))
    # numba's load_overload first refreshes the target context: it imports and registers
    # every implementation numba has (~0.1 s and ~50,000 objects, which the interpreter's
    # garbage collections then walk until exit), all of which only compiling needs. Loading
    # compiled code needs the runtime's symbols; a compile (a cache miss) refreshes itself.
    load_compiled = getattr(cache, "_load_overload", None)
    spurious_io_errors = getattr(cache, "_guard_against_spurious_io_errors", None)
    runtime = None
    if load_compiled is not None and spurious_io_errors is not None:
        from numba.core.runtime import rtsys as runtime

        def load(sig, target_context):
            with spurious_io_errors():  # numba's: a busy file (Windows) is a miss
                return load_compiled(sig, target_context)
            return None  # the guard swallowed one

    def load_overload(sig, target_context):
        if runtime is not None:  # outside the try: its failure is not a corrupt cache
            runtime.initialize(target_context)
        try:
            return load(sig, target_context)
        except Exception as e:  # a corrupt pickle, object code that won't load, ...
            _warn_once("corrupt", "tinygraph: a cached numba kernel in %s could not be read "
                       "(%s: %s); recompiling it." % (getattr(cache, "cache_path", "?"),
                                                      type(e).__name__, e))
            try:
                flush()  # an empty index: the fresh compilation is saved over the bad entry
            except Exception:
                pass
            return None

    def save_overload(sig, data):
        try:
            save(sig, data)
        except Exception as e:  # the kernel works; only the next process pays for it
            _warn_once("unsaved", "tinygraph: a compiled numba kernel could not be cached "
                       "(%s: %s); it will be compiled again next time." % (type(e).__name__, e))

    cache.load_overload = load_overload
    cache.save_overload = save_overload
    return dispatcher


_MAGIC = b"tinygraph sealed numba kernel 1\n"
_DIGEST = 32  # sha256


class CorruptCacheError(Exception):
    """A cached kernel's file fails its checksum or was saved for another signature."""


def _seal(cache_file):
    """Checksum every code file of ``cache_file`` (numba's IndexDataCacheFile) and store the
    index key with the code, so that a damaged or mismatched file is never loaded."""
    needed = ("save", "load", "_dump", "_open_for_write", "_data_path")
    if not all(hasattr(cache_file, n) for n in needed):
        return  # another numba: its own behaviour, guarded by load_overload above
    save, load = cache_file.save, cache_file.load

    def save_sealed(key, data):
        save(key, (key, data))

    def load_sealed(key):
        sealed = load(key)  # None when the index has no entry for key
        if sealed is None:
            return None
        if not (isinstance(sealed, tuple) and len(sealed) == 2 and sealed[0] == key):
            raise CorruptCacheError("the file holds code for another signature")
        return sealed[1]

    def save_data(name, data):
        payload = cache_file._dump(data)
        with cache_file._open_for_write(cache_file._data_path(name)) as f:
            f.write(_MAGIC + hashlib.sha256(payload).digest() + payload)

    def load_data(name):
        with open(cache_file._data_path(name), "rb") as f:
            raw = f.read()
        start = len(_MAGIC) + _DIGEST
        if not raw.startswith(_MAGIC) or \
                hashlib.sha256(raw[start:]).digest() != raw[len(_MAGIC):start]:
            raise CorruptCacheError("%s fails its checksum" % name)
        return pickle.loads(raw[start:])

    cache_file.save, cache_file.load = save_sealed, load_sealed
    cache_file._save_data, cache_file._load_data = save_data, load_data


def load_cached(dispatcher, argtypes):
    """Load the compiled code of ``dispatcher`` for ``argtypes`` (a tuple of numba types)
    from the disk cache, if it is there; never compile. True if it is now loaded.

    What ``Dispatcher.compile`` does on a cache hit (numba internals, so guarded: any
    surprise means "not loaded", and the first call loads or compiles as usual). Used by the
    background warm-up (``kernels.prefetch``), so that the first ``Session.run`` does not
    pay for reading the kernels it needs.
    """
    from numba.core.compiler_lock import global_compiler_lock
    try:
        with global_compiler_lock:
            if tuple(argtypes) in dispatcher.overloads:
                return True
            cache = getattr(dispatcher, "_cache", None)
            if cache is None or not dispatcher._can_compile:
                return False
            cres = cache.load_overload(tuple(argtypes), dispatcher.targetctx)
            if cres is None or cres.objectmode:
                return False
            dispatcher.targetctx.insert_user_function(cres.entry_point, cres.fndesc,
                                                      [cres.library])
            dispatcher.add_overload(cres)
            return True
    except Exception:
        return False

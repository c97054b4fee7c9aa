"""The on-disk cache of generated fused kernels (written by ``fused_kernels.py``).

Each kernel's source is a file under ``cache_dir()`` named by the hash of its text; numba
caches its compiled code next to it (``cache=True``). A file whose text is not what its name
says (edited, truncated) is written again before it is imported; without a writable place,
kernels are compiled in memory.
"""
import hashlib
import importlib.util
import os
import sys
import threading

__all__ = ["cache_dir", "cached", "load"]

_LOADED = {}  # source hash -> the jitted function
_LOCK = threading.Lock()
_said = []


def cache_dir():
    """Where generated kernels live: ``$TINYGRAPH_CACHE_DIR/fused`` or the user cache."""
    base = os.environ.get("TINYGRAPH_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "tinygraph")
    return os.path.join(base, "fused")


def _digest(source):
    return hashlib.sha256(source.encode()).hexdigest()[:24]


def _path(digest):
    return os.path.join(cache_dir(), "fused_%s.py" % digest)


def cached(source):
    digest = _digest(source)
    if digest in _LOADED:
        return True
    try:
        with open(_path(digest)) as f:
            return f.read() == source
    except OSError:
        return False


def load(source):
    """The jitted ``fused`` of ``source``: from this process, the disk, or compiled now."""
    digest = _digest(source)
    kernel = _LOADED.get(digest)
    if kernel is not None:
        return kernel
    with _LOCK:
        kernel = _LOADED.get(digest)
        if kernel is None:
            kernel = _LOADED[digest] = _import(source, digest)
    return kernel


def _import(source, digest):
    path = _path(digest)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        try:
            with open(path) as f:
                fresh = f.read() != source
        except OSError:
            fresh = True
        if fresh:  # new, or overwritten by something else: write it (atomically)
            _say_once()
            tmp = "%s.%d.tmp" % (path, os.getpid())
            with open(tmp, "w") as f:
                f.write(source)
            os.replace(tmp, path)
        spec = importlib.util.spec_from_file_location("tinygraph_fused_" + digest, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # numba's cache finds the function's module by name
        spec.loader.exec_module(module)
        return module.fused
    except OSError:  # no writable cache: compile in memory (every process pays)
        _say_once()
        namespace = {}
        exec(compile(source, "<tinygraph fused %s>" % digest, "exec"), namespace)
        return namespace["fused"]


def _say_once():
    if not _said:
        _said.append(True)
        sys.stderr.write("tinygraph: compiling fused kernels for this graph (first run only; "
                         "later runs load them from the cache)\n")

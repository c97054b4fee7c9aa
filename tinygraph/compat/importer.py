"""``import tensorflow...`` answered by tinygraph: an import hook for ``python -m tinygraph run``.

``install()`` puts one finder at the front of ``sys.meta_path``. It resolves a TensorFlow
module name in this order:

1. ``ALIASES``: ``tensorflow`` and ``tensorflow.compat.v1`` are tinygraph itself;
   ``tensorflow.python.framework.ops`` is ``tinygraph.compat.framework_ops``; ...
2. ``tensorflow.X.Y`` is any module that ``tf.X.Y`` already is as an attribute
   (``tensorflow.nn`` is ``tinygraph.nn``), so ``import`` and attribute access agree;
3. a package on the way to an alias (``tensorflow.python``) is an empty stub package;
4. anything else raises ``ModuleNotFoundError: tinygraph does not implement tensorflow.X yet``.

It also wraps ``builtins.__import__`` so that ``from tensorflow.X import Y`` of a name that
tinygraph lacks fails with ``ImportError: tinygraph does not implement tf.X.Y yet`` (Python
would say only "cannot import name 'Y'"), whether ``tensorflow.X`` is a package or a module.

To answer a new TensorFlow module, add one line to ``ALIASES``. Aliased modules are the very
same module objects as tinygraph's (``tf.Variable is tinygraph.Variable``).
"""
import builtins
import importlib
import importlib.abc
import importlib.machinery
import sys
import types

from .. import missing

ALIASES = {
    "tensorflow": "tinygraph",
    "tensorflow.compat.v1": "tinygraph",
    "tensorflow.python.framework.ops": "tinygraph.compat.framework_ops",
    "tensorflow.python.framework.dtypes": "tinygraph.dtypes",
    "tensorflow.python.framework.errors": "tinygraph.errors",
    "tensorflow.examples.tutorials.mnist.input_data": "tinygraph.datasets.mnist",
}


def _not_implemented(path):
    """The error for a missing module. Its ``name`` is left unset on purpose: for
    ``from package import x``, Python hides a ModuleNotFoundError naming ``package.x`` and says
    "cannot import name 'x'" instead, which would lose this message."""
    return ModuleNotFoundError("tinygraph does not implement %s yet" % path)


class _AliasLoader(importlib.abc.Loader):
    """Loads a name by putting an existing module (or a new stub package) in its place."""

    def __init__(self, module):
        self.module = module

    def create_module(self, spec):
        return None  # a throwaway module; exec_module swaps the real one in

    def exec_module(self, module):
        # The import system returns whatever sys.modules holds after exec_module.
        sys.modules[module.__name__] = self.module


def _stub_package(fullname):
    stub = types.ModuleType(fullname, "A stub: tinygraph answers only some of its modules.")
    stub.__path__ = []
    stub.__getattr__ = missing.namespace(fullname, fullname)
    return stub


class TensorFlowFinder(importlib.abc.MetaPathFinder):
    """Finds ``tensorflow`` and ``tensorflow.*`` in tinygraph; see the module docstring."""

    def find_spec(self, fullname, path, target=None):
        if fullname == "tensorflow" or fullname.startswith("tensorflow."):
            module = self._resolve(fullname)
            return importlib.machinery.ModuleSpec(fullname, _AliasLoader(module),
                                                  is_package=hasattr(module, "__path__"))
        if fullname.startswith("tinygraph."):
            self._refuse_missing_tinygraph_module(fullname, path)
        return None

    def _resolve(self, fullname):
        if fullname in ALIASES:
            return importlib.import_module(ALIASES[fullname])
        parent_name, _, child = fullname.rpartition(".")
        parent = sys.modules[parent_name]  # the import system imported the parent first
        module = vars(parent).get(child)  # not getattr: a missing name must not raise here
        if isinstance(module, types.ModuleType):
            return module
        if module is not None:  # e.g. tensorflow.gradients, a function
            raise ModuleNotFoundError("No module named %r" % fullname, name=fullname)
        if any(alias.startswith(fullname + ".") for alias in ALIASES):
            return _stub_package(fullname)
        raise _not_implemented(fullname)

    @staticmethod
    def _refuse_missing_tinygraph_module(fullname, path):
        """``from tensorflow import contrib`` looks for the module ``tinygraph.contrib``.

        Python would turn a plain "no such module" into "cannot import name 'contrib' from
        'tinygraph'"; for a public tinygraph namespace, say what is missing instead.
        """
        parent_name, _, child = fullname.rpartition(".")
        if parent_name not in missing.NAMESPACES or child.startswith("_"):
            return
        if importlib.machinery.PathFinder.find_spec(fullname, path) is not None:
            return
        raise _not_implemented("%s.%s" % (missing.NAMESPACES[parent_name], child))


def _is_answered(name):
    return name.partition(".")[0] in ("tensorflow", "tinygraph")


def _check_from_list(module, name, fromlist):
    """``from NAME import a, b``: a name ``module`` lacks is an ImportError with one clear line.

    A submodule that exists but is not imported yet is left to the import system.
    """
    for item in fromlist:
        if item == "*" or item.startswith("_"):
            continue
        try:
            getattr(module, item)
        except missing.NotImplementedYetError as e:
            if _is_alias_path("%s.%s" % (name, item)):
                continue  # tensorflow.examples.tutorials.mnist.input_data: the finder's
            raise ImportError(str(e), name=name) from None
        except AttributeError:
            if (missing._is_unimported_submodule(module.__name__, item)
                    or _is_alias_path("%s.%s" % (name, item))):
                continue
            path = "%s.%s" % (missing.NAMESPACES.get(module.__name__, name), item)
            raise ImportError("tinygraph does not implement %s yet" % path, name=name) from None


def _is_alias_path(fullname):
    """``ALIASES`` answers ``fullname`` or a module below it."""
    return any(alias == fullname or alias.startswith(fullname + ".") for alias in ALIASES)


def _make_import(original):
    def __import__(name, globals=None, locals=None, fromlist=(), level=0):  # noqa: A001
        if fromlist and level == 0 and _is_answered(name):
            original(name, globals, locals, (), 0)  # the module itself and its parents
            _check_from_list(sys.modules[name], name, fromlist)
        return original(name, globals, locals, fromlist, level)

    __import__.wraps_for_tinygraph = original
    return __import__


_FINDER = TensorFlowFinder()


def install():
    """Answer ``import tensorflow...`` with tinygraph in this process (idempotent)."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
    if not hasattr(builtins.__import__, "wraps_for_tinygraph"):
        builtins.__import__ = _make_import(builtins.__import__)


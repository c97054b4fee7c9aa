"""``python -m tinygraph run SCRIPT [ARGS...]``: run an unmodified TF1 script on tinygraph.

The script runs as ``python SCRIPT ARGS...`` would run it (``__name__ == "__main__"``,
``sys.argv == [SCRIPT, *ARGS]``, the script's directory first on ``sys.path``, Python's exit
codes), except that ``import tensorflow``, ``import tensorflow.compat.v1`` and
``from tensorflow.python.framework import ops`` give tinygraph (``compat/importer.py``), and
matplotlib draws off-screen when there is no display. The console script ``tinygraph-run
SCRIPT [ARGS...]`` is the same command.
"""
import builtins
import os
import sys
import traceback
import types

USAGE = "usage: python -m tinygraph run SCRIPT [ARGS...]   (or: tinygraph-run SCRIPT [ARGS...])"
HELP = """Runs a TensorFlow 1 script unchanged, as `python SCRIPT ARGS...` would, with
`import tensorflow`, `import tensorflow.compat.v1` and
`from tensorflow.python.framework import ops` answered by tinygraph.
A TF1 name that tinygraph lacks fails with: tinygraph does not implement tf.X yet"""
EXIT_USAGE = 2          # as Python's own "can't open file"
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports Ctrl-C


def main(argv=None):
    """``python -m tinygraph``: the one command is ``run``."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] in (["-h"], ["--help"]):
        print(USAGE)
        print(HELP)
        return 0
    if argv[:1] != ["run"]:
        print(USAGE, file=sys.stderr)
        return EXIT_USAGE
    return run(argv[1:])


def console_run():
    """The ``tinygraph-run`` console script."""
    sys.exit(run(sys.argv[1:]))


def run(argv):
    """Run ``argv[0]`` with arguments ``argv[1:]``; returns the exit code (SystemExit passes)."""
    if not argv:
        print(USAGE, file=sys.stderr)
        return EXIT_USAGE
    if argv[0] in ("-h", "--help"):
        print(USAGE)
        print(HELP)
        return 0
    script = argv[0]
    try:
        with open(script, "rb") as f:
            source = f.read()
    except OSError as e:
        print("tinygraph run: can't open file %r: [Errno %d] %s"
              % (os.path.abspath(script), e.errno, e.strerror), file=sys.stderr)
        return EXIT_USAGE

    import tinygraph
    from tinygraph.compat import importer

    if _no_display() and "MPLBACKEND" not in os.environ:
        os.environ["MPLBACKEND"] = "Agg"  # read by matplotlib when the script imports it
    importer.install()
    sys.argv = list(argv)
    if not sys.flags.safe_path:  # python -P leaves the script's directory out
        sys.path[0] = os.path.dirname(os.path.realpath(script))
    print("tinygraph %s stands in for TensorFlow: `import tensorflow` runs tinygraph"
          % tinygraph.__version__, file=sys.stderr, flush=True)

    path = os.path.abspath(script)
    main_module = types.ModuleType("__main__")
    main_module.__file__ = path
    main_module.__builtins__ = builtins
    sys.modules["__main__"] = main_module
    try:
        code = compile(source, path, "exec", dont_inherit=True)
        exec(code, main_module.__dict__)
    except KeyboardInterrupt:
        print("Interrupted (Ctrl-C).", file=sys.stderr)
        return EXIT_INTERRUPTED
    except SystemExit:
        raise
    except BaseException as e:  # noqa: BLE001 - reported like Python's own uncaught exception
        _report(e, path)
        return 1
    return 0


def _no_display():
    """True on a Linux/BSD machine without X11 or Wayland (macOS and Windows always draw)."""
    if sys.platform == "darwin" or os.name != "posix":
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _report(exc, path):
    """Print ``exc`` as Python prints an uncaught exception, without the runner's own frames.

    The traceback starts at the script's first frame, and a missing name or module ends at the
    script's line (not inside the ``__getattr__`` or import hook that raised it), so it reads as
    ``python SCRIPT``'s.
    """
    if sys.excepthook is not sys.__excepthook__:  # the script installed its own
        sys.excepthook(type(exc), exc, exc.__traceback__)
        return
    from tinygraph import missing
    from tinygraph.compat import importer

    report = traceback.TracebackException.from_exception(exc)
    stack = report.stack
    while stack and stack[0].filename != path:
        del stack[0]
    if isinstance(exc, (missing.NotImplementedYetError, ImportError)):
        while stack and stack[-1].filename in (missing.__file__, importer.__file__):
            del stack[-1]
    print("".join(report.format()), end="", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())

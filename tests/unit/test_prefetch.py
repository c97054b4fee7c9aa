"""What ``import tinygraph`` starts in the background (``kernels.prefetch``) is safe: it
stops between steps at exit, a ``fork`` neither deadlocks the child nor loses the parent's
prefetch, and it only loads kernels from numba's cache, never compiles one.

Each case runs in a fresh interpreter, since the thread starts at import."""
import os
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import PROJECT_ROOT


def run_python(code, **env):
    environment = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    environment.pop("TINYGRAPH_NUMBA", None)
    environment.update(env)
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=PROJECT_ROOT,
                         env=environment, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def test_exit_stops_the_background_work_after_the_step_under_way(tmp_path):
    log = tmp_path / "steps"
    run_python("""
        import os, time
        from tinygraph import kernels  # imported with TINYGRAPH_NUMBA=0: no thread yet

        def steps():  # stand in for numba's import and the cache loads
            for i in range(1, 6):
                yield lambda i=i: (time.sleep(1.0 if i == 1 else 0),
                                   open(%r, "a").write("%%d " %% i))
        kernels._background_steps = steps
        os.environ["TINYGRAPH_NUMBA"] = "1"
        kernels.prefetch()  # what import tinygraph does; the script then ends at once
    """ % str(log), TINYGRAPH_NUMBA="0")
    assert log.read_text().split() == ["1"]


def test_fork_while_numba_loads_leaves_both_processes_working():
    out = run_python("""
        import gc
        import os
        import numpy as np
        import tinygraph as tf
        from tinygraph import kernels

        def relu_of_one():
            x = tf.placeholder(tf.float32, [None])
            with tf.Session() as sess:
                return sess.run(tf.nn.relu(x), {x: np.array([-1.0, 2.0], np.float32)})

        pid = os.fork()  # right after the import: the thread is mid-way
        if pid == 0:
            ok = (kernels._thread is None or not kernels._thread.is_alive()) and gc.isenabled()
            ok = ok and relu_of_one().tolist() == [0.0, 2.0] and kernels.backend == "numba"
            os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        kernels._thread.join()  # resumed in the parent after the fork
        print(os.waitstatus_to_exitcode(status), kernels._done, gc.isenabled(),
              relu_of_one().tolist())
    """)
    assert out.split() == ["0", "True", "True", "[0.0,", "2.0]"]


def test_the_warm_up_loads_from_the_cache_and_never_compiles(tmp_path):
    out = run_python("""
        import tinygraph
        from tinygraph import kernels
        kernels._thread.join()
        from tinygraph.kernels import numba_impl
        names = [name for name, _ in kernels.WARM] + ["gemm_update"]
        print(kernels._done, sum(len(getattr(numba_impl, name).overloads)
                                 for name in names if hasattr(numba_impl, name)))
    """, NUMBA_CACHE_DIR=str(tmp_path))  # an empty cache: nothing to load
    assert out.split() == ["True", "0"]


def test_numba_used_at_once_while_the_background_sets_it_up_does_not_deadlock():
    """The main thread decorating and compiling numba functions of its own, and asking for
    tinygraph's kernels, while the background thread is still setting numba up: both must
    finish (numba's locks taken in one order; the kernels wait for the set-up). The race
    is timing-dependent, so it is tried at several delays; a deadlock is a timeout."""
    for delay in (0.0, 0.05, 0.15, 0.3):
        out = run_python("""
            import time
            import tinygraph as tf
            time.sleep(%r)
            import numba
            add_one = numba.njit(lambda x: x + 1)
            print(add_one(1), tf.kernels.selected())
            x = tf.placeholder(tf.float32, [None, 2])
            print(tf.Session().run(tf.nn.relu(x) + 1.0, {x: [[-1.0, 2.0]]}).tolist())
        """ % delay)
        assert out.split("\n")[:2] == ["2 numba", "[[1.0, 3.0]]"], out


def test_cached_kernels_load_without_numbas_compiler_set_up(tmp_path):
    """Loading compiled kernels skips the set-up only compiling needs (numba's registries of
    implementations, ~50,000 objects that every later garbage collection walks); a compile
    in the same process, the user's own or a kernel missing from the cache, still works."""
    relu = """
        import numpy as np
        import tinygraph as tf
        x = tf.placeholder(tf.float32, [None])
        sess = tf.Session()
        print(sess.run(tf.nn.relu(x), {x: np.array([-1.0, 2.0], np.float32)}).tolist())
    """
    assert run_python(relu, NUMBA_CACHE_DIR=str(tmp_path)) == "[0.0, 2.0]\n"  # compiles
    out = run_python(relu + """
        import sys
        from tinygraph.kernels import numba_impl
        loaded = len(numba_impl._relu.overloads) > 0  # from the cache: nothing compiled
        print(loaded and not sum(numba_impl._relu.stats.cache_misses.values()),
              "numba.np.arraymath" in sys.modules)
        import numba
        twice_sum = numba.njit(lambda a: np.sum(a * 2))  # needs numba's array registries
        print(twice_sum(np.arange(4.0)), "numba.np.arraymath" in sys.modules)
        y = tf.placeholder(tf.float64, [None])  # a signature the cache lacks: compiled
        print(sess.run(tf.nn.relu(x), {x: np.array([3.0, -4.0], np.float32)}).tolist(),
              sess.run(tf.nn.relu(y), {y: np.array([-5.0, 6.0])}).tolist())
    """, NUMBA_CACHE_DIR=str(tmp_path))
    assert out.split("\n")[:4] == ["[0.0, 2.0]", "True False", "12.0 True",
                                  "[3.0, 0.0] [0.0, 6.0]"], out


def test_the_background_work_leaves_the_garbage_collector_to_the_caller():
    """A script that switches the collector off (or on) while numba loads keeps its choice:
    the thread does not pause it and switch it back on."""
    out = run_python("""
        import gc
        import tinygraph
        from tinygraph import kernels
        gc.disable()  # while the thread runs
        kernels._thread.join()
        print(gc.isenabled(), kernels._done)
    """)
    assert out.split() == ["False", "True"]


GRAPHS = {
    "fused relu": """
        x = tf.placeholder(tf.float32, [None, 4])
        y = tf.argmax(tf.nn.relu(x + tf.constant([1.0, -1.0, 0.5, 0.0])), 1)
        sess, feed = tf.Session(), {x: np.arange(8, dtype=np.float32).reshape(2, 4) - 4}
    """,
    "gemm update": """
        x = tf.placeholder(tf.float32, [None, 4])
        w = tf.Variable(tf.ones([4, 8]))
        train = tf.train.GradientDescentOptimizer(0.5).minimize(tf.reduce_sum(tf.matmul(x, w)))
        sess, feed = tf.Session(), {x: np.ones((2, 4), np.float32)}
        sess.run(w.initializer)
        y = tf.argmax(tf.reduce_sum(w, 0), 0)
        sess.run(y)  # (its kernels are not what this graph is about)
        y = [train, y]
    """}


@pytest.mark.parametrize("which", sorted(GRAPHS))
def test_first_calls_after_the_warm_up_import_nothing(tmp_path, which):
    """Once the thread is done, the first run of a graph whose kernels are all cached (a
    fused one among them, or the weights' update as one BLAS gemm) imports no module on
    the caller's thread: what those calls would import (numpy.ma for numba's typeof,
    numba's modules a fused kernel refers to, numba's ctypes typing) was imported in the
    background."""
    graph = """
        import sys
        import numpy as np
        import tinygraph as tf
        from tinygraph import fused_group, kernels
    """ + GRAPHS[which] + """
        runs = fused_group.COMPILE_AFTER if len(sys.argv) > 1 else 1
        if kernels._thread is not None:
            kernels._thread.join()
        before = set(sys.modules)
        for _ in range(runs):
            result = sess.run(y, feed)
        result = result[-1] if isinstance(result, list) else result
        print(result.tolist(), sorted(m for m in set(sys.modules) - before
                                      if not m.startswith("tinygraph_fused_")))
    """
    caches = dict(NUMBA_CACHE_DIR=str(tmp_path / "numba"), TINYGRAPH_CACHE_DIR=str(tmp_path))
    script = tmp_path / "graph.py"
    script.write_text(textwrap.dedent(graph))
    environment = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT), **caches)
    environment.pop("TINYGRAPH_NUMBA", None)
    compiled = subprocess.run([sys.executable, str(script), "compile"], env=environment,
                              capture_output=True, text=True, timeout=300)
    assert compiled.returncode == 0, compiled.stderr[-3000:]
    assert "compiling" in compiled.stderr
    loaded = subprocess.run([sys.executable, str(script)], env=environment,
                            capture_output=True, text=True, timeout=300)
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    assert loaded.stdout.strip() == ("[0, 3] []" if which == "fused relu" else "0 []"), \
        loaded.stdout
    assert "compiling" not in loaded.stderr


def test_a_compile_during_the_background_set_up_sees_numba_extensions(tmp_path):
    """numba extensions (the ``numba_extensions`` entry points of installed packages) are
    loaded by the background thread under numba's compiler lock: a compile on the caller's
    thread meanwhile waits for them instead of going on without their definitions."""
    (tmp_path / "slowext.py").write_text(textwrap.dedent("""
        import time

        def magic():
            raise NotImplementedError("only in numba code")

        def init():  # what numba calls once per process, before compiling
            time.sleep(1.0)
            from numba.extending import overload

            @overload(magic)
            def magic_impl():
                return lambda: 42
    """))
    info = tmp_path / "slowext-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: slowext\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[numba_extensions]\ninit = slowext:init\n")
    out = run_python("""
        import time
        import numba
        import tinygraph  # noqa: F401  (starts the background thread)
        from numba.core import entrypoints
        import slowext
        deadline = time.time() + 60
        while not getattr(entrypoints, "_already_initialized", True) and time.time() < deadline:
            time.sleep(0.001)  # the thread has begun loading the extensions
        print(numba.njit(lambda: slowext.magic())())
    """, PYTHONPATH=os.pathsep.join([str(tmp_path), str(PROJECT_ROOT)]))
    assert out.strip() == "42"


FREEZE_PROBE = """
    import atexit, gc, sys
    # Registered before tinygraph's exit hook, so it runs after it (last in, first out).
    atexit.register(lambda: print("frozen" if gc.get_freeze_count() else "not-frozen"))
    import numpy as np
    import tinygraph as tf
    x = tf.placeholder(tf.float32, [None])
    with tf.Session() as sess:
        sess.run(tf.nn.relu(x), {x: np.array([1.0, -1.0], np.float32)})
    print("numba" in sys.modules)
"""


def test_exit_after_numba_freezes_the_collector_unless_switched_off():
    """Once numba is loaded, tinygraph's exit hook freezes the collector, so that Python's
    final collections skip numba's objects; TINYGRAPH_FAST_EXIT=0 keeps them, and with the
    reference kernels numba is never loaded and nothing is frozen."""
    assert run_python(FREEZE_PROBE).split() == ["True", "frozen"]
    assert run_python(FREEZE_PROBE, TINYGRAPH_FAST_EXIT="0").split() == ["True", "not-frozen"]
    assert run_python(FREEZE_PROBE, TINYGRAPH_NUMBA="0").split() == ["False", "not-frozen"]


def test_files_and_summaries_written_before_a_fast_exit_are_complete(tmp_path):
    """What the README tells users to rely on at exit survives the freeze: a FileWriter
    left open (flushed by its own exit hook), a file closed by ``with``, and a file held
    open in a module global (closed when the module is cleared)."""
    accumulator = pytest.importorskip(
        "tensorboard.backend.event_processing.event_accumulator").EventAccumulator
    out = run_python("""
        import atexit, gc
        atexit.register(lambda: print("frozen" if gc.get_freeze_count() else "not-frozen"))
        import numpy as np
        import tinygraph as tf
        x = tf.placeholder(tf.float32, [None])
        tf.summary.scalar("x0", x[0])
        merged = tf.summary.merge_all()
        with tf.Session() as sess:
            writer = tf.summary.FileWriter(%r, sess.graph)
            for step in range(3):
                writer.add_summary(sess.run(merged, {x: np.array([step], np.float32)}), step)
        with open(%r, "w") as f:
            f.write("closed by with")
        held = open(%r, "w")
        held.write("held open" * 1000)
    """ % (str(tmp_path / "logs"), str(tmp_path / "with.txt"), str(tmp_path / "held.txt")))
    assert out.split() == ["frozen"]  # the freeze did happen in that process
    assert (tmp_path / "with.txt").read_text() == "closed by with"
    assert (tmp_path / "held.txt").read_text() == "held open" * 1000
    events = accumulator(str(tmp_path / "logs"))
    events.Reload()
    assert [(e.step, e.value) for e in events.Scalars("x0")] == [(0, 0.0), (1, 1.0), (2, 2.0)]

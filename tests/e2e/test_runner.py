"""``python -m tinygraph run SCRIPT`` (and ``tinygraph-run``) on small TF1-style scripts of our
own, each run in a fresh Python process as a user would run it."""
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import tinygraph

BANNER = ("tinygraph %s stands in for TensorFlow: `import tensorflow` runs tinygraph"
          % tinygraph.__version__)
REFERENCE = {"TINYGRAPH_NUMBA": "0"}  # most scripts build graphs only: skip numba's start-up


def write(directory, name, source):
    path = directory / name
    path.write_text(textwrap.dedent(source))
    return path


def run(script, *args, env=None, cwd=None, command=None, timeout=120):
    """Run ``python -m tinygraph run script args`` (or ``command``) to its end."""
    full_env = dict(os.environ)
    full_env.pop("MPLBACKEND", None)
    full_env.update(env or {})
    command = command or [sys.executable, "-m", "tinygraph", "run"]
    return subprocess.run(command + [str(script), *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd, timeout=timeout)


def lines(text):
    return [line for line in text.splitlines() if line.strip()]


# --- imports -----------------------------------------------------------------------------------

IMPORTS = """
    import sys
    import tensorflow as tf
    import tensorflow.compat.v1 as tf1
    import tensorflow.python.framework.ops as ops_module
    from tensorflow.compat import v1
    from tensorflow.python.framework import ops
    import tensorflow.nn
    import tinygraph

    tf1.disable_v2_behavior()
    tf.compat.v1.disable_eager_execution()
    print(tf is tinygraph, tf1 is tinygraph, v1 is tinygraph, tf.compat.v1 is tinygraph)
    print(ops is ops_module, tensorflow.nn is tinygraph.nn)

    graph = ops.Graph()
    with graph.as_default():
        tf.constant(1.0)
    print(ops.get_default_graph() is tf.get_default_graph(), len(graph.get_operations()))
    tf.constant(2.0, name="before_reset")
    ops.reset_default_graph()
    print(len(tf.get_default_graph().get_operations()))
    print(hasattr(tf, "AdamOptimizer"), getattr(tf.nn, "conv2d", None),
          hasattr(ops, "colocate_with"))
"""


def test_tensorflow_imports_are_answered_by_tinygraph(tmp_path):
    result = run(write(tmp_path, "imports.py", IMPORTS), env=REFERENCE)
    assert result.returncode == 0, result.stderr
    assert lines(result.stdout) == ["True True True True", "True True", "True 1", "0",
                                    "False None False"]
    assert lines(result.stderr) == [BANNER]


def test_the_script_sees_argv_name_and_its_directory_first_on_sys_path(tmp_path):
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    write(scripts, "helper_next_to_script.py", "VALUE = 42\n")
    script = write(scripts, "show.py", """
        import json
        import os
        import sys
        import helper_next_to_script

        print(json.dumps({"name": __name__, "argv": sys.argv, "path0": sys.path[0],
                          "file": __file__, "value": helper_next_to_script.VALUE,
                          "main": sys.modules["__main__"].__file__,
                          "mpl": os.environ.get("MPLBACKEND")}))
        if __name__ == "__main__":
            print("main block ran")
    """)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run(os.path.relpath(script, elsewhere), "--steps", "3", "data file.txt",
                 cwd=elsewhere, env=dict(REFERENCE, DISPLAY=""))
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.splitlines()[0])
    assert shown["name"] == "__main__"
    assert shown["argv"] == [os.path.join("..", "scripts", "show.py"), "--steps", "3",
                             "data file.txt"]
    assert shown["path0"] == str(scripts.resolve())
    assert shown["file"] == shown["main"] == str(script)
    assert shown["value"] == 42
    assert shown["mpl"] == "Agg"  # no display: matplotlib draws off-screen
    assert result.stdout.splitlines()[1] == "main block ran"


def test_matplotlib_backend_is_left_alone_with_a_display_or_a_choice(tmp_path):
    script = write(tmp_path, "mpl.py", "import os\nprint(os.environ.get('MPLBACKEND'))\n")
    with_display = run(script, env=dict(REFERENCE, DISPLAY=":0"))
    assert with_display.stdout.strip() == "None"
    chosen = run(script, env=dict(REFERENCE, DISPLAY="", MPLBACKEND="pdf"))
    assert chosen.stdout.strip() == "pdf"


# --- exit codes and errors ---------------------------------------------------------------------

@pytest.mark.parametrize("source, code, stderr_tail", [
    ("import tensorflow as tf\n", 0, []),
    ("import sys\nsys.exit(3)\n", 3, []),
    ("import sys\nsys.exit('stopped by the script')\n", 1, ["stopped by the script"]),
    ("raise SystemExit(0)\n", 0, []),
])
def test_exit_codes_are_pythons(tmp_path, source, code, stderr_tail):
    result = run(write(tmp_path, "exits.py", source), env=REFERENCE)
    assert result.returncode == code
    assert lines(result.stderr) == [BANNER] + stderr_tail


def test_an_uncaught_exception_prints_the_scripts_traceback_and_exits_1(tmp_path):
    script = write(tmp_path, "fails.py", """
        def check(value):
            raise ValueError("value %d is too large" % value)

        check(7)
    """)
    result = run(script, env=REFERENCE)
    assert result.returncode == 1
    err = lines(result.stderr)
    assert err[0] == BANNER
    assert err[1] == "Traceback (most recent call last):"
    assert err[-1] == "ValueError: value 7 is too large"
    files = [line for line in err if line.lstrip().startswith("File ")]
    assert files == ['  File "%s", line 5, in <module>' % script,
                     '  File "%s", line 3, in check' % script]  # none of the runner's own


def test_a_syntax_error_is_reported_like_python(tmp_path):
    script = write(tmp_path, "broken.py", "x = (1,\n")
    result = run(script, env=REFERENCE)
    assert result.returncode == 1
    err = lines(result.stderr)
    assert "Traceback" not in result.stderr
    assert err[1] == '  File "%s", line 1' % script
    assert err[-1].startswith("SyntaxError:")


def test_a_script_that_is_not_there_exits_2(tmp_path):
    result = run(tmp_path / "nope.py", env=REFERENCE)
    assert result.returncode == 2
    assert lines(result.stderr) == [
        "tinygraph run: can't open file %r: [Errno 2] No such file or directory"
        % str(tmp_path / "nope.py")]


@pytest.mark.parametrize("args, code", [([], 2), (["run"], 2), (["train", "x.py"], 2),
                                         (["--help"], 0), (["run", "--help"], 0)])
def test_usage(args, code):
    result = subprocess.run([sys.executable, "-m", "tinygraph", *args], capture_output=True,
                            text=True, env=dict(os.environ, **REFERENCE))
    assert result.returncode == code
    shown = result.stdout if code == 0 else result.stderr
    assert shown.startswith("usage: python -m tinygraph run SCRIPT [ARGS...]")
    if code == 0:
        assert "tinygraph does not implement tf.X yet" in shown


# --- missing names -----------------------------------------------------------------------------

@pytest.mark.parametrize("statement, last_line", [
    ("tf.train.FtrlOptimizer(0.01)", "tinygraph.missing.NotImplementedYetError: "
     "tinygraph does not implement tf.train.FtrlOptimizer yet"),
    ("tf.nn.conv2d(x, x, [1, 1, 1, 1], 'SAME')", "tinygraph.missing.NotImplementedYetError: "
     "tinygraph does not implement tf.nn.conv2d yet"),
    ("tf.contrib.layers.flatten(x)", "tinygraph.missing.NotImplementedYetError: "
     "tinygraph does not implement tf.contrib.layers.flatten yet"),
    ("import tensorflow.contrib.slim", "ModuleNotFoundError: "
     "tinygraph does not implement tensorflow.contrib.slim yet"),
    # from-imports fail as Python's own do, with an ImportError, whatever the module's kind
    ("from tensorflow.examples.tutorials import word2vec", "ImportError: "
     "tinygraph does not implement tensorflow.examples.tutorials.word2vec yet"),
    ("from tensorflow import keras", "ImportError: "
     "tinygraph does not implement tf.keras yet"),
    ("from tensorflow.python.framework import graph_util", "ImportError: "
     "tinygraph does not implement tensorflow.python.framework.graph_util yet"),
    ("from tensorflow.train import FtrlOptimizer", "ImportError: "
     "tinygraph does not implement tf.train.FtrlOptimizer yet"),
    ("from tensorflow.nn import relu, conv2d", "ImportError: "
     "tinygraph does not implement tf.nn.conv2d yet"),
    ("from tensorflow.compat.v1.losses import huber_loss", "ImportError: "
     "tinygraph does not implement tf.losses.huber_loss yet"),
    ("from tensorflow.python.framework.ops import no_such_name", "ImportError: "
     "tinygraph does not implement tensorflow.python.framework.ops.no_such_name yet"),
    ("from tensorflow.examples.tutorials.mnist.input_data import no_such_name", "ImportError: "
     "tinygraph does not implement "
     "tensorflow.examples.tutorials.mnist.input_data.no_such_name yet"),
])
def test_a_missing_name_fails_with_one_clear_line(tmp_path, statement, last_line):
    script = write(tmp_path, "uses_missing.py", """
        import tensorflow as tf

        x = tf.placeholder(tf.float32, shape=[None, 4])
        %s
    """ % statement)
    result = run(script, env=REFERENCE)
    assert result.returncode == 1
    assert lines(result.stderr) == [
        BANNER,
        "Traceback (most recent call last):",
        '  File "%s", line 5, in <module>' % script,
        "    " + statement,
    ] + [line for line in lines(result.stderr)[4:-1] if set(line.strip()) == {"^"}] + [
        last_line,
    ]


def test_hasattr_probes_in_a_script_see_missing_names_as_absent(tmp_path):
    script = write(tmp_path, "probes.py", """
        import tensorflow as tf

        optimizer_class = getattr(tf.train, "FtrlOptimizer", tf.train.GradientDescentOptimizer)
        print(optimizer_class.__name__, hasattr(tf, "keras"), hasattr(tf.compat, "v1"))
        try:
            tf.train.ProximalAdagradOptimizer
        except AttributeError as e:
            print("caught:", e)
    """)
    result = run(script, env=REFERENCE)
    assert result.returncode == 0, result.stderr
    assert lines(result.stdout) == [
        "GradientDescentOptimizer False True",
        "caught: tinygraph does not implement tf.train.ProximalAdagradOptimizer yet"]


def test_from_imports_of_real_and_missing_names_in_a_script(tmp_path):
    script = write(tmp_path, "from_imports.py", """
        from tensorflow.train import AdamOptimizer, GradientDescentOptimizer
        from tensorflow.nn import relu
        from tensorflow.python.framework.ops import reset_default_graph
        try:
            from tensorflow.train import FtrlOptimizer
        except ImportError as e:
            print(type(e).__name__, e)
        print(AdamOptimizer.__name__, GradientDescentOptimizer.__name__, relu.__name__,
              callable(reset_default_graph))
    """)
    result = run(script, env=REFERENCE)
    assert result.returncode == 0, result.stderr
    assert lines(result.stdout) == [
        "ImportError tinygraph does not implement tf.train.FtrlOptimizer yet",
        "AdamOptimizer GradientDescentOptimizer relu True"]


# --- Ctrl-C ------------------------------------------------------------------------------------

def test_ctrl_c_exits_130_with_one_line(tmp_path):
    script = write(tmp_path, "sleeps.py", """
        import time
        import tensorflow as tf

        print("ready", flush=True)
        while True:
            time.sleep(0.05)
    """)
    process = subprocess.Popen(
        [sys.executable, "-m", "tinygraph", "run", str(script)], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env=dict(os.environ, **REFERENCE),
        # a shell's background job starts with SIGINT ignored; a terminal's Ctrl-C does not
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        assert process.stdout.readline() == "ready\n"
        time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130
    assert lines(err) == [BANNER, "Interrupted (Ctrl-C)."]


# --- a script of supported names, checked against numbers computed here -----------------------

LINEAR_REGRESSION = """
    \"\"\"Fit a line by gradient descent, as a TF1 tutorial would.\"\"\"
    import numpy as np
    import tensorflow as tf

    train_x = np.array([0.0, 1.0, 2.0, 3.0, 4.0], dtype=np.float32)
    train_y = np.array([1.2, 2.9, 5.1, 7.0, 8.8], dtype=np.float32)

    X = tf.placeholder(tf.float32, shape=[None], name="X")
    Y = tf.placeholder(tf.float32, shape=[None], name="Y")
    W = tf.Variable(tf.zeros([1]), name="weight")
    b = tf.Variable(tf.zeros([1]), name="bias")
    prediction = X * W + b
    cost = tf.reduce_mean(tf.square(prediction - Y))
    optimizer = tf.train.GradientDescentOptimizer(0.05).minimize(cost)

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for epoch in range(20):
            _, c = sess.run([optimizer, cost], feed_dict={X: train_x, Y: train_y})
            print("epoch %d cost %.6f" % (epoch, c))
        w_value, b_value = sess.run([W, b])
        print("W %.6f b %.6f" % (w_value[0], b_value[0]))
"""


def linear_regression_by_hand(steps=20, learning_rate=0.05):
    """The same fit in float64 numpy: cost = mean((w x + b - y)^2), then one step down."""
    x = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    y = np.array([1.2, 2.9, 5.1, 7.0, 8.8])
    w = b = 0.0
    costs = []
    for _ in range(steps):
        error = w * x + b - y
        costs.append(np.mean(error ** 2))  # the fetched cost is the one before the update
        w, b = (w - learning_rate * np.mean(2 * error * x),
                b - learning_rate * np.mean(2 * error))
    return costs, w, b


@pytest.mark.parametrize("kernels", ["numba", "reference"])
def test_linear_regression_script_prints_the_hand_computed_numbers(tmp_path, kernels):
    env = {"TINYGRAPH_NUMBA": "1" if kernels == "numba" else "0"}
    result = run(write(tmp_path, "linear_regression.py", LINEAR_REGRESSION), env=env)
    assert result.returncode == 0, result.stderr
    printed = result.stdout.splitlines()
    costs, w, b = linear_regression_by_hand()
    assert costs[0] == pytest.approx(32.46)  # mean(y^2) with w = b = 0
    assert len(printed) == 21
    for epoch, (line, cost) in enumerate(zip(printed, costs)):
        label, step, name, value = line.split()
        assert (label, int(step), name) == ("epoch", epoch, "cost")
        assert float(value) == pytest.approx(cost, rel=1e-4, abs=1e-6)
    _, w_printed, _, b_printed = printed[-1].split()
    assert float(w_printed) == pytest.approx(w, rel=1e-4)
    assert float(b_printed) == pytest.approx(b, rel=1e-4)


# --- the console script ------------------------------------------------------------------------

def test_console_script_runs_the_same(tmp_path):
    console = shutil.which("tinygraph-run")
    if console is None:
        pytest.skip("tinygraph-run is not on PATH (pip install -e . puts it there)")
    script = write(tmp_path, "console.py", """
        import sys
        import tensorflow.compat.v1 as tf
        print(__name__, sys.argv[1:], tf.__name__)
        sys.exit(4)
    """)
    result = run(script, "a", "-b", command=[console], env=REFERENCE)
    assert result.returncode == 4
    assert lines(result.stdout) == ["__main__ ['a', '-b'] tinygraph"]
    assert lines(result.stderr) == [BANNER]

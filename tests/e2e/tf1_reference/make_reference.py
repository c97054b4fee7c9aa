"""Write the reference outputs: each script of ``scripts/`` run under real TensorFlow.

    /path/to/venv-with-tensorflow/bin/python tests/e2e/tf1_reference/make_reference.py [NAME...]

from the project root (tensorflow, numpy and numba installed in that venv; ``tf-keras`` too,
for ``tf.layers``). Each ``reference/NAME.txt`` gets a first line naming the TensorFlow version,
then the lines the script printed. ``tests/e2e/test_tf1_reference.py`` runs the same scripts
on tinygraph and compares every printed number with these (relative 1e-3, absolute 1e-6).
"""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from tests.e2e.tf1_reference import cases  # noqa: E402


def main(names):
    import tensorflow
    header = "# tensorflow %s (tensorflow.compat.v1), python %d.%d" % (
        tensorflow.__version__, *sys.version_info[:2])
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_USE_LEGACY_KERAS="1",
               TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="", TINYGRAPH_NUMBA="0")
    for name in names or cases.script_names():
        with tempfile.TemporaryDirectory() as directory:
            script = cases.prepare(name, directory)
            result = subprocess.run([sys.executable, str(cases.HERE / "tf_bootstrap.py"),
                                     str(script)], capture_output=True, text=True, env=env,
                                    cwd=directory)
        if result.returncode != 0:
            sys.exit("%s failed under TensorFlow:\n%s" % (name, result.stderr[-3000:]))
        lines = cases.printed_lines(result.stdout)
        cases.reference_path(name).write_text("\n".join([header] + lines) + "\n")
        print("%s: %d lines" % (name, len(lines)))


if __name__ == "__main__":
    main(sys.argv[1:])

"""Run a TF1 script under real TensorFlow 2's ``tensorflow.compat.v1``, as TF1 ran it.

``python tf_bootstrap.py SCRIPT`` (with the TensorFlow venv's python): ``import tensorflow``
gives ``tensorflow.compat.v1`` with v2 behaviour off, and
``tensorflow.examples.tutorials.mnist.input_data`` (gone from TensorFlow 2) is tinygraph's
reader, so that the script reads the same IDX files. Used only by ``make_reference.py``.
"""
import runpy
import sys
import types

import tensorflow.compat.v1 as v1

v1.disable_v2_behavior()
sys.modules["tensorflow"] = v1
from tinygraph.datasets import mnist  # noqa: E402  (numpy only; the data, not the numbers)

parent = None
for name in ["tensorflow.examples", "tensorflow.examples.tutorials",
             "tensorflow.examples.tutorials.mnist"]:
    module = types.ModuleType(name)
    module.__path__ = []
    sys.modules[name] = module
    if parent is not None:
        setattr(parent, name.rpartition(".")[2], module)
    parent = module
sys.modules["tensorflow.examples.tutorials.mnist.input_data"] = mnist
parent.input_data = mnist

sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")

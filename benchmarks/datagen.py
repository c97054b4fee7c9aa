"""Generated data sets in the official CIFAR-10 python layout, for benchmarks and tests.

Random pixels and labels, pickled as Python 2's cPickle wrote the official batches
(protocol 2, byte strings as BINSTRING), into ``<tmp>/tinygraph-bench/``; reused later.
"""
import io
import os
import pickle
import struct
import tempfile

import numpy as np

CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
           "truck"]


class _Py2Pickler(pickle._Pickler):
    """Protocol 2 as Python 2 wrote it: str and bytes both become byte strings (BINSTRING).

    Python 3's own protocol 2 wraps bytes in ``_codecs.encode`` calls, which loads slower
    and looks nothing like the official files.
    """

    dispatch = dict(pickle._Pickler.dispatch)

    def save_bytes(self, obj):
        if len(obj) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(obj)]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(obj)) + obj)
        self.memoize(obj)

    def save_str(self, obj):
        self.save_bytes(obj.encode("latin1"))

    dispatch[bytes] = save_bytes
    dispatch[str] = save_str


def py2_dumps(obj):
    """``obj`` pickled the way Python 2 pickled CIFAR-10's batches."""
    buffer = io.BytesIO()
    _Py2Pickler(buffer, protocol=2).dump(obj)
    return buffer.getvalue()


def write_batches(directory, n_train, n_test, seed=0):
    """Write data_batch_1..5, test_batch and batches.meta into ``directory``."""
    rng = np.random.default_rng(seed)
    os.makedirs(directory, exist_ok=True)
    sizes = [n_train // 5 + (1 if i < n_train % 5 else 0) for i in range(5)]
    names = ["data_batch_%d" % (i + 1) for i in range(5)] + ["test_batch"]
    for name, rows in zip(names, sizes + [n_test]):
        batch = {"batch_label": name, "labels": rng.integers(0, 10, rows).tolist(),
                 "data": rng.integers(0, 256, (rows, 3072), dtype=np.uint8)}
        with open(os.path.join(directory, name), "wb") as f:
            f.write(py2_dumps(batch))
    meta = {"label_names": CLASSES, "num_cases_per_batch": sizes[0], "num_vis": 3072}
    with open(os.path.join(directory, "batches.meta"), "wb") as f:
        f.write(py2_dumps(meta))


def full_size_archive(n_train=50000, n_test=10000):
    """Path of a generated ``cifar-10-batches-py`` directory with these sizes (cached)."""
    root = os.path.join(tempfile.gettempdir(), "tinygraph-bench", "py2-cifar-%d-%d"
                        % (n_train, n_test))
    directory = os.path.join(root, "cifar-10-batches-py")
    done = os.path.join(root, "complete")
    if not os.path.exists(done):
        write_batches(directory, n_train, n_test)
        open(done, "w").close()
    return directory

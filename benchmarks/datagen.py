"""Generated data sets in the official CIFAR-10 python layout, for benchmarks.

Random pixels and labels, written as protocol-2 pickles (the format of the official
batches) into ``<tmp>/tinygraph-bench/``; reused by later runs.
"""
import os
import pickle
import tempfile

import numpy as np

CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
           "truck"]


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
            pickle.dump(batch, f, protocol=2)
    meta = {"label_names": CLASSES, "num_cases_per_batch": sizes[0], "num_vis": 3072}
    with open(os.path.join(directory, "batches.meta"), "wb") as f:
        pickle.dump(meta, f, protocol=2)


def full_size_archive(n_train=50000, n_test=10000):
    """Path of a generated ``cifar-10-batches-py`` directory with these sizes (cached)."""
    root = os.path.join(tempfile.gettempdir(), "tinygraph-bench", "cifar-%d-%d" % (n_train,
                                                                                n_test))
    directory = os.path.join(root, "cifar-10-batches-py")
    done = os.path.join(root, "complete")
    if not os.path.exists(done):
        write_batches(directory, n_train, n_test)
        open(done, "w").close()
    return directory

"""MNIST as TF1's ``tensorflow.examples.tutorials.mnist.input_data`` gave it.

``read_data_sets(train_dir)`` downloads whichever of the four official files is missing from
``train_dir`` (locked, capped, MD5-checked, nothing partial left behind: see ``_download``),
reads them and returns ``Datasets(train, validation, test)``: 55,000 / 5,000 / 10,000
examples, images as float32 in [0, 1] of 784 values, labels as uint8 digits (or float64
one-hot rows). ``DataSet.next_batch`` walks the examples in epochs, reshuffled each epoch.

The files are gzip'd IDX: a big-endian header (magic, then one 32-bit count per dimension)
and the raw bytes. Each header is checked against the dimensions MNIST has before a byte of
the body is read, and the gzip stream is drained to its end (CRC and length checked).
Every failure is an ``MnistError`` naming the file.
"""
import argparse
import collections
import gzip
import os
import stat
import struct
import sys
import zlib
from pathlib import Path

import numpy as np

from . import _download

SOURCE_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"  # TF1's default
TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"
# The published files: name -> (bytes, MD5).
FILES = {
    TRAIN_IMAGES: (9912422, "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
    TRAIN_LABELS: (28881, "d53e105ee54ea40749a09fcbcd1e9432"),
    TEST_IMAGES: (1648877, "9fb629c4189551a2d022fa330f9573f3"),
    TEST_LABELS: (4542, "ec29112dd5afa0611ce80d1b7f02629c"),
}
IMAGES_MAGIC = 2051  # 0x00000803: unsigned bytes, 3 dimensions
LABELS_MAGIC = 2049  # 0x00000801: unsigned bytes, 1 dimension
ROWS = COLUMNS = 28
MAX_EXAMPLES = {TRAIN_IMAGES: 60000, TRAIN_LABELS: 60000, TEST_IMAGES: 10000,
                TEST_LABELS: 10000}
MAX_FILE_BYTES = 16 * 2**20  # the largest official file is 9,912,422 bytes

Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])


class MnistError(Exception):
    """Base class of every error this module raises."""


class CorruptDataError(MnistError, ValueError):
    """A file is truncated, corrupt, or does not hold what MNIST holds."""


class ChecksumError(CorruptDataError):
    """A downloaded file does not have the published MD5."""


class DataReadError(MnistError, OSError):
    """A data file exists but cannot be read (permissions, I/O error)."""


class DownloadError(MnistError, OSError):
    """A file could not be fetched."""


class CacheDirError(MnistError, PermissionError):
    """The directory to download into cannot be created or written."""


class DiskFullError(MnistError, OSError):
    """The disk filled up while downloading; nothing partial was kept."""


class BadArgumentError(MnistError, ValueError):
    """An argument of ``read_data_sets`` or ``download`` is out of range."""


ERRORS = _download.Errors("MNIST", DownloadError, ChecksumError, CacheDirError, DiskFullError,
                          BadArgumentError, "about 12 MB")


# -- downloading ----------------------------------------------------------------------------------
def download(train_dir, source_url=SOURCE_URL, progress=True, timeout=60, files=None):
    """Fetch each MNIST file missing from ``train_dir``; returns ``train_dir`` as a Path.

    Args:
        train_dir: the directory (created if needed).
        source_url: where the files are, ending in "/" (TF1's default mirror).
        progress: show a progress bar per file.
        timeout: seconds without any data after which a download is abandoned.
        files: name -> (most bytes accepted, MD5 or None); default: the published ``FILES``.

    Raises:
        DownloadError, ChecksumError, CacheDirError, DiskFullError, BadArgumentError. On any
        failure nothing new is left behind, not even the files this call already fetched.
    """
    files = FILES if files is None else files
    if not isinstance(source_url, str):
        raise BadArgumentError("source_url must be a str, got %r" % (source_url,))
    for name, (size, md5) in files.items():
        _download.check_arguments(source_url + name, md5, size, timeout, ERRORS)
    directory = Path(train_dir)
    if all((directory / name).exists() for name in files):
        return directory
    created, fetched = [], []
    try:
        with _download.locked(directory, "mnist.lock", created, progress, ERRORS):
            for name, (size, md5) in files.items():
                target = directory / name
                if os.path.lexists(target):  # there already, or fetched while we waited
                    continue
                _download.remove_partials(directory, name)
                _download.fetch(source_url + name, target, md5, size, timeout, progress,
                                ERRORS)
                fetched.append(target)
                if progress:
                    print("Successfully downloaded %s %d bytes." % (name, target.stat().st_size))
    except BaseException:
        for target in fetched:  # complete files, but this call as a whole failed
            target.unlink(missing_ok=True)
        _download.remove_created(created)
        raise
    return directory


# -- reading IDX files ----------------------------------------------------------------------------
def _open(path):
    """The file at ``path`` as a binary stream, refused unless a regular file of sane size."""
    try:
        # O_NONBLOCK: opening a FIFO planted under a data file's name must not hang.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as e:
        raise DataReadError("cannot read %s (%s)" % (path, e.strerror or e)) from None
    raw = open(fd, "rb")
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raw.close()
        raise CorruptDataError("%s is not a regular file" % path)
    if info.st_size > MAX_FILE_BYTES:
        raw.close()
        raise CorruptDataError("%s has %d bytes, more than any MNIST file (at most %d); "
                               "refused" % (path, info.st_size, MAX_FILE_BYTES))
    return raw


def _read_exact(stream, count, path, what):
    data = stream.read(count)
    if len(data) != count:
        raise CorruptDataError("%s is truncated: its %s should have %d bytes, found %d"
                               % (path, what, count, len(data)))
    return data


def _read_idx(path, images):
    """The uint8 array in the gzip'd IDX file ``path``: (N, 28, 28, 1) images or (N,) labels.

    The header is checked before the body is read: the magic number, and each dimension
    against what MNIST has (at most 60,000 examples, or 10,000 in a t10k file; 28 x 28).
    """
    magic, ndim = (IMAGES_MAGIC, 3) if images else (LABELS_MAGIC, 1)
    kind = "images" if images else "labels"
    limit = MAX_EXAMPLES.get(path.name, MAX_EXAMPLES[TRAIN_IMAGES])
    with _open(path) as raw:
        try:
            with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                header = _read_exact(stream, 4 * (1 + ndim), path, "header")
                found, *dims = struct.unpack(">%dI" % (1 + ndim), header)
                if found != magic:
                    other = {IMAGES_MAGIC: "images", LABELS_MAGIC: "labels"}.get(found)
                    holds = "MNIST %s" % other if other else "magic number %d" % found
                    raise CorruptDataError("%s should hold MNIST %s (IDX magic number %d) but "
                                           "holds %s" % (path, kind, magic, holds))
                if dims[0] > limit or dims[1:] not in ([], [ROWS, COLUMNS]):
                    raise CorruptDataError(
                        "%s has %s of shape %s; MNIST has at most %d %s%s; refused before "
                        "reading" % (path, kind, "x".join(map(str, dims)), limit, kind,
                                     " of 28x28 pixels" if images else ""))
                count = int(np.prod(dims))
                body = _read_exact(stream, count, path, kind)
                if stream.read(1):
                    raise CorruptDataError("%s has data after its %d %s; not an MNIST file"
                                           % (path, dims[0], kind))
        except (gzip.BadGzipFile, EOFError, zlib.error) as e:
            raise CorruptDataError("%s is not an intact gzip file (%s); delete it and it will "
                                   "be downloaded again" % (path, e)) from None
        except OSError as e:
            raise DataReadError("cannot read %s (%s)" % (path, e.strerror or e)) from None
    array = np.frombuffer(body, np.uint8)
    if images:
        return array.reshape(dims[0], ROWS, COLUMNS, 1)
    bad = np.flatnonzero(array > 9)
    if bad.size:
        raise CorruptDataError("%s has label %d at index %d; MNIST labels are 0..9"
                               % (path, array[bad[0]], bad[0]))
    return array


def _read_pair(directory, images_name, labels_name):
    print("Extracting", directory / images_name)  # as TF1 printed
    images = _read_idx(directory / images_name, images=True)
    print("Extracting", directory / labels_name)
    labels = _read_idx(directory / labels_name, images=False)
    if len(images) != len(labels):
        raise CorruptDataError("%s has %d images but %s has %d labels"
                               % (directory / images_name, len(images),
                                  directory / labels_name, len(labels)))
    return images, labels


def dense_to_one_hot(labels_dense, num_classes=10):
    """One row of ``num_classes`` float64 zeros per label, with a 1 at the label (as TF1)."""
    one_hot = np.zeros((len(labels_dense), num_classes))
    one_hot[np.arange(len(labels_dense)), labels_dense] = 1
    return one_hot


# -- the data sets -----------------------------------------------------------------------------
def _image_dtype(dtype):
    name = getattr(dtype, "name", None) if hasattr(dtype, "as_numpy_dtype") else None
    try:
        dtype = np.dtype(name or dtype)
    except TypeError:
        dtype = None
    if dtype not in (np.dtype(np.uint8), np.dtype(np.float32)):
        raise TypeError("Invalid image dtype %r, expected uint8 or float32" % (dtype,))
    return dtype


class DataSet:
    """Images and labels walked in batches, as TF1's ``mnist.DataSet``.

    Args:
        images: uint8 (N, 28, 28, 1).
        labels: (N,) digits or (N, 10) one-hot rows.
        fake_data, one_hot: TF1's (one_hot is unused there too); fake_data=True is refused.
        dtype: float32 (images scaled to [0, 1]) or uint8 (the raw pixels).
        reshape: flatten each image to 784 values.
        seed: seeds this data set's shuffling; None: a fresh random order each run. (TF1
            seeded numpy's global generator with it; the same seed gives the same order.)
    """

    def __init__(self, images, labels, fake_data=False, one_hot=False, dtype=np.float32,
                 reshape=True, seed=None):
        if fake_data:
            raise BadArgumentError("tinygraph does not implement fake_data=True yet")
        dtype = _image_dtype(dtype)
        if len(images) != len(labels):
            raise BadArgumentError("images.shape: %s labels.shape: %s"
                                   % (images.shape, labels.shape))
        if reshape:
            images = images.reshape(images.shape[0], images.shape[1] * images.shape[2])
        if dtype == np.float32:
            images = images.astype(np.float32) * np.float32(1.0 / 255.0)
        self._images = images
        self._labels = labels
        self._num_examples = len(images)
        self._epochs_completed = 0
        self._index_in_epoch = 0
        self._random = np.random.RandomState(seed)

    @property
    def images(self):
        return self._images

    @property
    def labels(self):
        return self._labels

    @property
    def num_examples(self):
        return self._num_examples

    @property
    def epochs_completed(self):
        return self._epochs_completed

    def _shuffle(self):
        order = np.arange(self._num_examples)
        self._random.shuffle(order)
        self._images = self._images[order]
        self._labels = self._labels[order]

    def next_batch(self, batch_size, fake_data=False, shuffle=True):
        """The next ``batch_size`` examples as (images, labels).

        The order is shuffled before the first batch and again at each epoch's end; a batch
        that crosses the end takes the epoch's rest, then the start of the next epoch.

        Raises:
            BadArgumentError: batch_size is not an int from 1 to num_examples, or fake_data.
        """
        if fake_data:
            raise BadArgumentError("tinygraph does not implement fake_data=True yet")
        if type(batch_size) is not int or not 1 <= batch_size <= self._num_examples:
            raise BadArgumentError("batch_size must be an int from 1 to %d (the examples in "
                                   "this data set), got %r" % (self._num_examples, batch_size))
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0 and shuffle:
            self._shuffle()
        if start + batch_size <= self._num_examples:
            self._index_in_epoch = start + batch_size
            return self._images[start:start + batch_size], self._labels[start:start + batch_size]
        self._epochs_completed += 1
        rest_images, rest_labels = self._images[start:], self._labels[start:]
        if shuffle:
            self._shuffle()
        self._index_in_epoch = batch_size - len(rest_images)
        end = self._index_in_epoch
        return (np.concatenate((rest_images, self._images[:end]), axis=0),
                np.concatenate((rest_labels, self._labels[:end]), axis=0))


def read_data_sets(train_dir, fake_data=False, one_hot=False, dtype=np.float32, reshape=True,
                   validation_size=5000, seed=None, source_url=SOURCE_URL):
    """Download (if needed) and read MNIST from ``train_dir``, as TF1's ``input_data``.

    Returns:
        Datasets(train, validation, test): the first ``validation_size`` training examples
        are the validation set.

    Raises:
        MnistError (CorruptDataError, DownloadError, ...) naming the file; TypeError for a
        dtype other than uint8 or float32; BadArgumentError for validation_size out of range.
    """
    if fake_data:
        raise BadArgumentError("tinygraph does not implement fake_data=True yet")
    dtype = _image_dtype(dtype)
    directory = download(train_dir, source_url)
    train_images, train_labels = _read_pair(directory, TRAIN_IMAGES, TRAIN_LABELS)
    test_images, test_labels = _read_pair(directory, TEST_IMAGES, TEST_LABELS)
    if one_hot:
        train_labels = dense_to_one_hot(train_labels)
        test_labels = dense_to_one_hot(test_labels)
    if type(validation_size) is not int or not 0 <= validation_size <= len(train_images):
        raise BadArgumentError("Validation size should be between 0 and %d. Received: %r."
                               % (len(train_images), validation_size))
    options = dict(dtype=dtype, reshape=reshape, seed=seed)
    return Datasets(
        train=DataSet(train_images[validation_size:], train_labels[validation_size:], **options),
        validation=DataSet(train_images[:validation_size], train_labels[:validation_size],
                           **options),
        test=DataSet(test_images, test_labels, **options))


def load_mnist(train_dir="MNIST-data"):
    """TF1's shorthand: ``read_data_sets(train_dir)``."""
    return read_data_sets(train_dir)


def main(argv=None):
    """``python -m tinygraph.datasets.mnist download [--data-dir DIR]``; errors are one line."""
    parser = argparse.ArgumentParser(prog="python -m tinygraph.datasets.mnist",
                                     description="Download the MNIST data set.")
    parser.add_argument("command", choices=["download"])
    parser.add_argument("--data-dir", default="MNIST_data",
                        help="directory to download into (default: ./MNIST_data)")
    parser.add_argument("--url", default=SOURCE_URL, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        print(download(args.data_dir, args.url))
    except MnistError as e:
        print("error: %s" % e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Download interrupted; nothing was saved.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())

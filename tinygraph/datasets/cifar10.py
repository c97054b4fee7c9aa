"""CIFAR-10 in the official python format: find it, verify it, download it, load it.

``load_data()`` returns what the article's helper returned: a dict with ``images_train``
(N, 3072) float32, ``labels_train`` (N,) int64, ``images_test``, ``labels_test`` and
``classes``, with the mean training image subtracted from both image sets.

Where the data is looked for: the ``data_dir`` argument if given (and only there);
otherwise ``$TINYGRAPH_DATA``, then ``./cifar-10-batches-py`` (where the article kept it),
then the cache directory ``$XDG_CACHE_HOME/tinygraph`` (default ``~/.cache/tinygraph``).
Each place may be the extracted ``cifar-10-batches-py/`` directory, a directory holding it,
the ``cifar-10-python.tar.gz`` archive, or a directory holding that.

Get the data with ``python -m tinygraph.datasets.cifar10 download`` (or ``--download`` on
the example). How downloads stay safe is in ``_cifar_download``; how reads stay bounded and
checked in ``_cifar_read``. Every failure is a ``CifarError`` naming the file and the fault.
"""
import argparse
import contextlib
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ._cifar_base import (ARCHIVE, FOLDER, HOW_TO_GET, MAX_MEMBER_BYTES, MAX_ROWS, MD5, META,
                          MEMBERS, SIZE, TEST_BATCH, TRAIN_BATCHES, URL, BadArgumentError,
                          CacheDirError, ChecksumError, CifarError, CorruptDataError,
                          DataNotFoundError, DataReadError, DiskFullError, DownloadError,
                          NotCifarError, StaleDataError, cache_dir, find_data)
from ._cifar_read import Rows, iter_archive, iter_directory, parse_batch, parse_meta

__all__ = ["load_data", "download", "find_data", "cache_dir", "CifarError",
           "DataNotFoundError", "CorruptDataError", "NotCifarError", "ChecksumError",
           "DataReadError", "DownloadError", "CacheDirError", "DiskFullError",
           "StaleDataError", "BadArgumentError", "URL", "MD5", "SIZE", "ARCHIVE", "FOLDER",
           "MEMBERS", "TRAIN_BATCHES", "TEST_BATCH", "META", "HOW_TO_GET",
           "MAX_MEMBER_BYTES", "MAX_ROWS"]


def download(data_dir=None, url=URL, md5=MD5, progress=True, max_bytes=None, timeout=60):
    """Fetch and extract CIFAR-10 unless it is already found; returns where it is. See
    ``_cifar_download.download`` for the arguments and what it promises. Its machinery
    (urllib, http.client, ssl, ~10 ms) is imported on the first call: loading data that
    is already here does not need it."""
    from . import _cifar_download
    return _cifar_download.download(data_dir, url, md5, progress, max_bytes, timeout)


def _output_dtype(dtype, normalize):
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise BadArgumentError("dtype must be a numpy dtype, got %r" % (dtype,)) from None
    if dtype.kind != "f" and not (dtype.kind in "iu" and np.can_cast(np.uint8, dtype)):
        raise BadArgumentError("dtype must be a float type or an integer type that holds "
                               "0..255 (such as uint8), got %s" % dtype)
    if normalize is None:
        normalize = dtype.kind == "f"
    if normalize not in (True, False):
        raise BadArgumentError("normalize must be True, False or None, got %r" % (normalize,))
    if normalize and dtype.kind != "f":
        raise BadArgumentError("normalize=True needs a float dtype; pass normalize=False for "
                               "%s" % dtype)
    return dtype, normalize


def _put_train(train, pixel_sums, name, images, labels):
    train.put(TRAIN_BATCHES.index(name), images, labels)
    pixel_sums += images.sum(axis=0, dtype=np.uint32)  # at most 10922 * 255 per batch


def _subtract_on_two_threads(worker, images, mean):
    """``images -= mean``, the second half of the rows on ``worker`` (numpy releases the
    GIL): one pass over ~0.6 GiB, ~0.05 s on one thread."""
    half = len(images) // 2
    done = worker.submit(np.subtract, images[half:], mean, out=images[half:])
    np.subtract(images[:half], mean, out=images[:half])
    done.result()


def load_data(data_dir=None, normalize=None, dtype=np.float32):
    """Load CIFAR-10 as the article did.

    Args:
        data_dir: where to look (a directory or the .tar.gz); default: see module docstring.
        normalize: subtract the mean training image from both sets. Default: True for
            float dtypes, False for uint8.
        dtype: np.float32 (default), np.float64, or np.uint8 for the raw pixels.

    Returns:
        dict with images_train, labels_train, images_test, labels_test, classes.

    Raises:
        DataNotFoundError, NotCifarError, CorruptDataError, DataReadError;
        BadArgumentError (a ValueError) for normalize=True with uint8 or an unusable dtype.
    """
    dtype, normalize = _output_dtype(dtype, normalize)
    source = find_data(data_dir)
    if source.is_file():
        files, label = iter_archive(source), (lambda name: "%s member %s" % (source, name))
    else:
        files, label = iter_directory(source), (lambda name: str(source / name))
    # Each batch goes into the final arrays as it arrives, and its pixels are dropped. Writing
    # ~0.7 GiB of fresh float32 pages is the slow part, so one worker thread does it (numpy
    # releases the GIL) while the next batch is read; one batch at a time, to bound memory.
    train, test = Rows(len(TRAIN_BATCHES), dtype), Rows(1, dtype)
    pixel_sums = np.zeros(3072, np.int64)  # of the training images, for the mean: exact
    classes, pending = None, None
    with ThreadPoolExecutor(max_workers=1) as worker, contextlib.closing(files):
        for name, file in files:
            if name == META:
                classes = parse_meta(file, label(name))
                continue
            images, labels = parse_batch(file, label(name))
            if pending is not None:
                pending.result()
            if name == TEST_BATCH:
                pending = worker.submit(test.put, 0, images, labels)
            else:
                pending = worker.submit(_put_train, train, pixel_sums, name, images, labels)
            del images, labels
        if pending is not None:
            pending.result()
        images_train, labels_train = train.finish()
        images_test, labels_test = test.finish()
        if normalize:
            mean = (pixel_sums / len(images_train)).astype(dtype)
            for images in (images_train, images_test):
                _subtract_on_two_threads(worker, images, mean)
    return {"images_train": images_train, "labels_train": labels_train,
            "images_test": images_test, "labels_test": labels_test, "classes": classes}


def main(argv=None):
    """``python -m tinygraph.datasets.cifar10 {download,where}``; errors are one line."""
    parser = argparse.ArgumentParser(prog="python -m tinygraph.datasets.cifar10",
                                     description="Get or locate the CIFAR-10 data set.")
    parser.add_argument("command", choices=["download", "where"])
    parser.add_argument("--data-dir", help="directory to use instead of the default places")
    parser.add_argument("--url", default=URL, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        if args.command == "download":
            from ._cifar_download import download
            print(download(args.data_dir, url=args.url))
        else:
            print(find_data(args.data_dir))
    except CifarError as e:
        print("error: %s" % e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Download interrupted; nothing was saved." if args.command == "download"
              else "Interrupted.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())

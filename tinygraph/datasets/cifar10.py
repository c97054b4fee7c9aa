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
the example): the official archive is streamed into a ``.part`` file, its MD5 checked, then
renamed into place and extracted once into the cache directory.
"""
import argparse
import gzip
import hashlib
import io
import os
import pickle
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
MD5 = "c58f30108f718f92721af3b95e74349a"
SIZE = 170498071
ARCHIVE = "cifar-10-python.tar.gz"
FOLDER = "cifar-10-batches-py"
TRAIN_BATCHES = tuple("data_batch_%d" % i for i in range(1, 6))
TEST_BATCH = "test_batch"
META = "batches.meta"
MEMBERS = TRAIN_BATCHES + (TEST_BATCH, META)
HOW_TO_GET = ("`python examples/cifar_softmax.py --download` or "
              "`python -m tinygraph.datasets.cifar10 download`")

__all__ = ["load_data", "download", "find_data", "cache_dir", "CifarError",
           "DataNotFoundError", "CorruptDataError", "ChecksumError", "DownloadError",
           "CacheDirError"]


class CifarError(Exception):
    """Base class of every error this module raises."""


class DataNotFoundError(CifarError, FileNotFoundError):
    """No CIFAR-10 data in any of the places looked in."""


class CorruptDataError(CifarError, ValueError):
    """A batch file or the archive is truncated, corrupt or not what CIFAR-10 holds."""


class ChecksumError(CorruptDataError):
    """A downloaded archive does not have the published MD5."""


class DownloadError(CifarError, OSError):
    """The archive could not be fetched."""


class CacheDirError(CifarError, PermissionError):
    """The directory to download into cannot be written."""


# -- where the data is ------------------------------------------------------------------------
def cache_dir():
    """``$XDG_CACHE_HOME/tinygraph``, or ``~/.cache/tinygraph``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "tinygraph"


def _places(data_dir):
    if data_dir is not None:
        return [Path(data_dir)]
    places = [Path(os.environ["TINYGRAPH_DATA"])] if os.environ.get("TINYGRAPH_DATA") else []
    return places + [Path(FOLDER), cache_dir()]


def _source_in(place):
    """The batches directory or archive at ``place``, or None."""
    if place.is_file():
        return place
    for candidate in (place, place / FOLDER):
        if (candidate / TRAIN_BATCHES[0]).exists() or (candidate / META).exists():
            return candidate
    if (place / ARCHIVE).is_file():
        return place / ARCHIVE
    return None


def find_data(data_dir=None):
    """The first batches directory or archive found (see the module docstring).

    Raises:
        DataNotFoundError: listing every place looked in and how to get the data.
    """
    places = _places(data_dir)
    for place in places:
        source = _source_in(place)
        if source is not None:
            return source
    raise DataNotFoundError("CIFAR-10 not found; looked in %s. Get it with %s (add "
                            "--data-dir DIR to choose where)."
                            % (", ".join(str(p) for p in places), HOW_TO_GET))


# -- reading batches ----------------------------------------------------------------------------
class _ArraysOnlyUnpickler(pickle.Unpickler):
    """Unpickles dicts, lists and numpy arrays, and nothing that could run code."""

    ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy", "ndarray"),
               ("numpy._core.multiarray", "_reconstruct"), ("numpy", "dtype"),
               ("_codecs", "encode")}  # Python 3 writes protocol-2 bytes through it

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError("refusing to unpickle %s.%s" % (module, name))
        if module == "numpy.core.multiarray":  # numpy 2 moved it; avoid the deprecation shim
            module = "numpy._core.multiarray" if hasattr(np, "_core") else module
        return super().find_class(module, name)


def _unpickle(raw, name):
    try:
        # Python 2 wrote these. Reading its byte strings as bytes (not latin1 text) lets the
        # pixel array use them without a copy; keys then come back as bytes (or as str, in
        # files written by Python 3).
        obj = _ArraysOnlyUnpickler(io.BytesIO(raw), encoding="bytes").load()
    except Exception as e:
        raise CorruptDataError("%s is truncated or corrupt (%s: %s); delete it and get the "
                               "data again with %s." % (name, type(e).__name__, e, HOW_TO_GET)) \
            from None
    if not isinstance(obj, dict):
        raise CorruptDataError("%s does not hold a CIFAR-10 batch (got %s)" % (name,
                                                                            type(obj).__name__))
    return {k.decode("latin1") if isinstance(k, bytes) else k: v for k, v in obj.items()}


def _parse_batch(raw, name):
    """(images uint8 (n, 3072), labels int64 (n,)) of one batch, validated."""
    batch = _unpickle(raw, name)
    missing = [k for k in ("data", "labels") if k not in batch]
    if missing:
        raise CorruptDataError("%s has no %s field" % (name, " or ".join(missing)))
    images = batch["data"]
    if not isinstance(images, np.ndarray) or images.dtype != np.uint8 or images.ndim != 2 \
            or images.shape[1] != 3072:
        raise CorruptDataError("%s: field 'data' should be a uint8 array of shape (N, 3072), "
                               "got %s" % (name, _describe(images)))
    labels = np.asarray(batch["labels"], dtype=np.int64)
    if labels.shape != (images.shape[0],):
        raise CorruptDataError("%s: %d labels for %d images" % (name, labels.size,
                                                                images.shape[0]))
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        bad = labels[(labels < 0) | (labels > 9)][0]
        raise CorruptDataError("%s: label %d is outside 0..9" % (name, bad))
    return images, labels


def _describe(value):
    if isinstance(value, np.ndarray):
        return "%s array of shape %s" % (value.dtype, value.shape)
    return type(value).__name__


def _read_archive(path, wanted=MEMBERS):
    """{member name: bytes} of the wanted members, reading the whole gzip stream so that
    its CRC and length are checked (tarfile's random access would skip them)."""
    found = {}
    try:
        with open(path, "rb") as raw, gzip.GzipFile(fileobj=raw) as gz:
            with tarfile.open(fileobj=gz, mode="r|") as tar:
                for member in tar:
                    name = os.path.basename(member.name)
                    if member.isfile() and name in wanted:
                        found[name] = tar.extractfile(member).read()
            while gz.read(1 << 20):  # drain to the end: gzip checks CRC and length there
                pass
    except (OSError, EOFError, tarfile.TarError, zlib.error) as e:
        raise CorruptDataError("%s is truncated or corrupt (%s); delete it and download it "
                               "again with %s." % (path, e, HOW_TO_GET)) from None
    missing = [m for m in wanted if m not in found]
    if missing:
        raise CorruptDataError("%s lacks %s: is it the CIFAR-10 python archive?"
                               % (path, ", ".join(missing)))
    return found


def _read_dir(path):
    missing = [m for m in MEMBERS if not (path / m).is_file()]
    if missing:
        raise CorruptDataError("%s lacks %s; delete the directory and get the data again with %s."
                               % (path, ", ".join(missing), HOW_TO_GET))
    return {m: (path / m).read_bytes() for m in MEMBERS}


def _stack(parts, dtype, worker):
    """Concatenate (images, labels) batches, converting the uint8 pixels to ``dtype``."""
    images = np.empty((sum(len(labels) for _, labels in parts), 3072), dtype)
    labels = np.concatenate([labels for _, labels in parts])
    row, pending = 0, []
    while parts:  # pop, so that each uint8 batch is freed once it has been converted
        batch_images, _ = parts.pop(0)
        rows = images[row:row + len(batch_images)]
        pending.append(worker.submit(np.copyto, rows, batch_images, casting="unsafe"))
        row += len(batch_images)
        del batch_images, rows
    for done in pending:
        done.result()
    return images, labels


# -- load -------------------------------------------------------------------------------------
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
        DataNotFoundError, CorruptDataError; ValueError for normalize=True with uint8.
    """
    dtype = np.dtype(dtype)
    if normalize is None:
        normalize = dtype.kind == "f"
    if normalize and dtype.kind != "f":
        raise ValueError("normalize=True needs a float dtype; pass normalize=False for %s"
                         % dtype)
    source = find_data(data_dir)
    files = _read_archive(source) if source.is_file() else _read_dir(source)
    meta = _unpickle(files.pop(META), source / META if source.is_dir() else META)
    classes = [c.decode() if isinstance(c, bytes) else c for c in meta.get("label_names", [])]
    if len(classes) != 10:
        raise CorruptDataError("%s: expected 10 label_names, got %r" % (META, classes))
    parts = {name: _parse_batch(files.pop(name), name) for name in TRAIN_BATCHES + (TEST_BATCH,)}
    # Converting to the output dtype is memory-bound (fresh pages for ~740 MB of float32):
    # one worker thread does it (numpy releases the GIL) while we go on to the next batch.
    with ThreadPoolExecutor(max_workers=1) as worker:
        images_train, labels_train = _stack([parts.pop(n) for n in TRAIN_BATCHES], dtype, worker)
        images_test, labels_test = _stack([parts.pop(TEST_BATCH)], dtype, worker)
    if normalize:
        # The pixels are integers, so a float64 sum over them is exact.
        mean = images_train.sum(axis=0, dtype=np.float64) / max(len(images_train), 1)
        mean = mean.astype(dtype)
        images_train -= mean
        images_test -= mean
    return {"images_train": images_train, "labels_train": labels_train,
            "images_test": images_test, "labels_test": labels_test, "classes": classes}


# -- download -----------------------------------------------------------------------------------
def _writable_dir(directory):
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as e:
        raise CacheDirError("cannot write to %s (%s); choose another directory with "
                            "data_dir=/--data-dir, TINYGRAPH_DATA or XDG_CACHE_HOME"
                            % (directory, e.strerror or e)) from None
    return directory


def _fetch(url, target, md5, progress):
    """Stream ``url`` into ``target + '.part'``; rename into place only if its MD5 matches."""
    from tqdm import tqdm

    part = target.with_name(target.name + ".part")
    digest = hashlib.md5()
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(part, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0) or None
            kind = response.headers.get("Content-Type", "unknown type")
            with tqdm(total=total, unit="B", unit_scale=True, desc=target.name,
                      disable=not progress) as bar:
                while True:
                    chunk = response.read(1 << 20)
                    if not chunk:
                        break
                    out.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
            out.flush()
            os.fsync(out.fileno())
            size = out.tell()
        if total is not None and size != total:
            raise DownloadError("download of %s stopped after %d of %d bytes; try again"
                                % (url, size, total))
        if md5 is not None and digest.hexdigest() != md5:
            raise ChecksumError("%s has MD5 %s, expected %s (%d bytes of %s arrived); nothing "
                                "was saved. Try again, or put %s into %s by hand."
                                % (url, digest.hexdigest(), md5, size, kind, ARCHIVE,
                                   target.parent))
        os.replace(part, target)
    except (urllib.error.URLError, OSError) as e:
        part.unlink(missing_ok=True)
        if isinstance(e, CifarError):
            raise
        if isinstance(e, urllib.error.HTTPError):
            reason = "HTTP %d %s" % (e.code, e.reason)
        else:
            reason = getattr(e, "reason", None) or e
        raise DownloadError("could not download %s (%s); put %s into %s by hand instead"
                            % (url, reason, ARCHIVE, target.parent)) from None
    except BaseException:  # KeyboardInterrupt, checksum mismatch: leave nothing behind
        part.unlink(missing_ok=True)
        raise


def _extract(archive, directory):
    """Write the batch files of a verified archive to ``directory/cifar-10-batches-py``.

    Files go to a temporary directory renamed into place at the end, so a half-finished
    extraction never looks like data. Only the known member names are written.
    """
    files = _read_archive(archive)
    for name in TRAIN_BATCHES + (TEST_BATCH,):
        _parse_batch(files[name], name)  # refuse to install a broken batch
    temporary = Path(tempfile.mkdtemp(prefix=".%s-" % FOLDER, dir=directory))
    try:
        for name, data in files.items():
            (temporary / name).write_bytes(data)
        os.replace(temporary, directory / FOLDER)
    except BaseException:
        for leftover in temporary.glob("*"):
            leftover.unlink()
        temporary.rmdir()
        raise
    return directory / FOLDER


def download(data_dir=None, url=URL, md5=MD5, progress=True):
    """Fetch and extract CIFAR-10 unless it is already found; returns where it is.

    Args:
        data_dir: where to put it (default: the cache directory).
        url, md5: the archive and its expected MD5 (None skips the check).
        progress: show a tqdm progress bar.

    Raises:
        CacheDirError, DownloadError, ChecksumError, CorruptDataError.
    """
    try:
        return find_data(data_dir)
    except DataNotFoundError:
        pass
    directory = _writable_dir(Path(data_dir) if data_dir is not None else cache_dir())
    archive = directory / ARCHIVE
    if not archive.exists():
        _fetch(url, archive, md5, progress)
    return _extract(archive, directory)


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
            print(download(args.data_dir, url=args.url))
        else:
            print(find_data(args.data_dir))
    except CifarError as e:
        print("error: %s" % e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Download interrupted; nothing was saved.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())

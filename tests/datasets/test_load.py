"""Loading CIFAR-10 from a directory or an archive: results, bounds and typed errors.

Every data set here is written by the test (see cifar_files and the cifar_archive fixture);
only test_real_subset reads the shared real images, and skips without them.
"""
import gzip
import io
import os
import pickle
import tarfile
import time
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.datagen import py2_dumps
from tests.datasets import cifar_files
from tinygraph.datasets import _cifar_read, cifar10


def check_loaded(data, rows=10, normalized=True):
    train, train_labels, test, test_labels = cifar_files.expected_arrays(rows)
    assert data["images_train"].shape == (5 * rows, 3072)
    assert data["images_test"].shape == (rows, 3072)
    assert data["labels_train"].dtype == np.int64 and data["labels_test"].dtype == np.int64
    np.testing.assert_array_equal(data["labels_train"], train_labels)
    np.testing.assert_array_equal(data["labels_test"], test_labels)
    assert data["classes"] == cifar_files.CLASSES
    if normalized:
        mean = train.astype(np.float64).mean(axis=0)
        np.testing.assert_allclose(data["images_train"], train - mean, atol=1e-4)
        np.testing.assert_allclose(data["images_test"], test - mean, atol=1e-4)
        assert abs(data["images_train"].mean()) < 1e-4
        # exactly: float32 pixels minus the float32 rounding of the exact mean, every row
        # (the subtraction is split between two threads)
        exact = (train.astype(np.int64).sum(axis=0) / len(train)).astype(np.float32)
        np.testing.assert_array_equal(data["images_train"], train.astype(np.float32) - exact)
        np.testing.assert_array_equal(data["images_test"], test.astype(np.float32) - exact)


# -- loading ------------------------------------------------------------------------------------
def test_loads_the_session_archive_in_the_official_format(cifar_archive):
    data = cifar10.load_data(cifar_archive)
    check_loaded(data, rows=60)
    raw = cifar10.load_data(cifar_archive, dtype=np.uint8)
    train, _, test, _ = cifar_files.expected_arrays(60)
    np.testing.assert_array_equal(raw["images_train"], train)  # batches back in 1..5 order
    np.testing.assert_array_equal(raw["images_test"], test)
    assert raw["images_train"].flags.c_contiguous and raw["images_train"].flags.owndata


def test_loads_an_extracted_directory(tmp_path):
    folder = cifar_files.write_dir(tmp_path / "data")
    for place in (folder, folder.parent):  # the batches dir itself, or the dir holding it
        data = cifar10.load_data(place)
        assert data["images_train"].dtype == np.float32
        check_loaded(data)


def test_loads_the_archive_directly(tmp_path):
    archive = cifar_files.write_archive(tmp_path / "cifar-10-python.tar.gz")
    check_loaded(cifar10.load_data(archive))
    check_loaded(cifar10.load_data(tmp_path))  # a directory holding the archive


@pytest.mark.parametrize("order", [cifar_files.NAMES, cifar_files.NAMES[::-1],
                                   ["data_batch_3", "data_batch_1", "test_batch",
                                    "data_batch_5", "data_batch_2", "data_batch_4"]],
                         ids=["in-order", "reversed", "shuffled"])
def test_any_member_order_and_uneven_batches(tmp_path, order):
    # Batches that arrive before their predecessors wait in their own slot and slide down.
    rows = {"data_batch_1": 7, "data_batch_2": 1, "data_batch_3": 13, "data_batch_4": 2,
            "data_batch_5": 9, "test_batch": 4}
    files = {name: cifar_files.batch_bytes(rows[name], seed) for seed, name
             in enumerate(cifar_files.NAMES)}
    files["batches.meta"] = cifar_files.meta_bytes()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name in ["batches.meta", *order]:
            info = tarfile.TarInfo("cifar-10-batches-py/" + name)
            info.size = len(files[name])
            tar.addfile(info, io.BytesIO(files[name]))
    archive = tmp_path / "shuffled.tar.gz"
    archive.write_bytes(buffer.getvalue())
    data = cifar10.load_data(archive, dtype=np.uint8)
    want = [np.random.default_rng(seed) for seed in range(6)]
    want = [(r.integers(0, 10, rows[n]), r.integers(0, 256, (rows[n], 3072), dtype=np.uint8))
            for r, n in zip(want, cifar_files.NAMES)]
    np.testing.assert_array_equal(data["images_train"], np.concatenate([w[1] for w in want[:5]]))
    np.testing.assert_array_equal(data["labels_train"], np.concatenate([w[0] for w in want[:5]]))
    np.testing.assert_array_equal(data["images_test"], want[5][1])


def test_pickles_written_by_python3_are_accepted(tmp_path):
    folder = cifar_files.write_dir(tmp_path, cifar_files.dataset_files(python3=True))
    check_loaded(cifar10.load_data(folder))


def test_uint8_and_unnormalized_options(tmp_path):
    folder = cifar_files.write_dir(tmp_path)
    train, _, test, _ = cifar_files.expected_arrays()
    raw = cifar10.load_data(folder, dtype=np.uint8)
    assert raw["images_train"].dtype == np.uint8
    np.testing.assert_array_equal(raw["images_train"], train)
    plain = cifar10.load_data(folder, normalize=False)
    assert plain["images_test"].dtype == np.float32
    np.testing.assert_array_equal(plain["images_test"], test.astype(np.float32))
    with pytest.raises(ValueError, match="normalize=True needs a float dtype"):
        cifar10.load_data(folder, normalize=True, dtype=np.uint8)


@pytest.mark.parametrize("kwargs", [{"dtype": np.int8}, {"dtype": "complex64"},
                                    {"dtype": "no such type"}, {"normalize": "yes"}])
def test_unusable_arguments_are_typed_errors(tmp_path, kwargs):
    folder = cifar_files.write_dir(tmp_path)
    with pytest.raises(cifar10.BadArgumentError):
        cifar10.load_data(folder, **kwargs)


def test_lookup_order(tmp_path, monkeypatch):
    env_data = cifar_files.write_dir(tmp_path / "env")
    cwd_data = cifar_files.write_dir(tmp_path)  # ./cifar-10-batches-py
    cache_data = cifar_files.write_dir(tmp_path / "xdg" / "tinygraph")
    monkeypatch.setenv("TINYGRAPH_DATA", str(env_data.parent))
    assert cifar10.find_data() == env_data
    monkeypatch.delenv("TINYGRAPH_DATA")
    assert cifar10.find_data().resolve() == cwd_data.resolve()
    os.rename(cwd_data, tmp_path / "moved")
    assert cifar10.find_data() == cache_data
    assert cifar10.find_data(env_data) == env_data  # an explicit argument comes first


def test_not_found_lists_every_place_and_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("TINYGRAPH_DATA", str(tmp_path / "from-env"))
    with pytest.raises(cifar10.DataNotFoundError) as info:
        cifar10.load_data()
    message = str(info.value)
    for place in ("from-env", "cifar-10-batches-py", str(tmp_path / "xdg" / "tinygraph")):
        assert place in message
    assert "--download" in message and "python -m tinygraph.datasets.cifar10 download" in message
    assert isinstance(info.value, FileNotFoundError)


# -- files that are not CIFAR-10 -----------------------------------------------------------------
@pytest.mark.parametrize("content", [b"just my notes\n", b"", gzip.compress(b"not a tar" * 99)],
                         ids=["text", "empty", "gzip-but-not-tar"])
def test_a_file_that_is_not_cifar_is_called_so_and_never_to_be_deleted(tmp_path, content):
    mine = tmp_path / "notes.txt"
    mine.write_bytes(content)
    with pytest.raises(cifar10.NotCifarError, match="Not a CIFAR-10 archive or directory") \
            as info:
        cifar10.load_data(mine)
    assert str(mine) in str(info.value) and "delete" not in str(info.value)
    assert mine.read_bytes() == content


def test_a_tar_gz_of_something_else_is_not_cifar(tmp_path):
    other = cifar_files.write_archive(tmp_path / "photos.tar.gz", {"holiday.jpg": b"x" * 100})
    with pytest.raises(cifar10.NotCifarError, match="without any cifar-10-batches-py"):
        cifar10.load_data(other)


def test_only_files_in_tinygraphs_cache_are_to_be_deleted(tmp_path):
    data = cifar_files.archive_bytes()[:-100]
    mine = tmp_path / "mine" / "cifar-10-python.tar.gz"
    mine.parent.mkdir()
    mine.write_bytes(data)
    with pytest.raises(cifar10.CorruptDataError, match="truncated or corrupt") as info:
        cifar10.load_data(mine)
    assert "delete" not in str(info.value) and "replace it" in str(info.value)
    cached = tmp_path / "xdg" / "tinygraph" / "cifar-10-python.tar.gz"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(data)
    with pytest.raises(cifar10.CorruptDataError, match="delete it and download again"):
        cifar10.load_data()


# -- damaged archives ----------------------------------------------------------------------------
def test_truncated_archive_is_refused(tmp_path):
    data = cifar_files.archive_bytes()
    for cut in (4, 8, len(data) // 2):
        path = tmp_path / ("cut%d.tar.gz" % cut)
        path.write_bytes(data[:-cut])
        with pytest.raises(cifar10.CorruptDataError, match="truncated or corrupt") as info:
            cifar10.load_data(path)
        assert path.name in str(info.value)


def test_flipped_bytes_in_the_gzip_stream_are_detected(tmp_path):
    # Iterating tar members alone misses most of these; draining the gzip stream checks
    # its CRC. Pixels are random, so the gzip stream is mostly stored data.
    data = bytearray(cifar_files.archive_bytes())
    rng = np.random.default_rng(0)
    for trial, position in enumerate(rng.integers(100, len(data) - 100, 10)):
        corrupt = bytearray(data)
        corrupt[position] ^= 1 << int(rng.integers(0, 8))
        path = tmp_path / ("flip%d.tar.gz" % trial)
        path.write_bytes(bytes(corrupt))
        with pytest.raises(cifar10.CorruptDataError):
            cifar10.load_data(path)


def test_gzip_crc_is_what_catches_silent_corruption(tmp_path):
    """A CRC flip alone leaves the tar content intact: only the drained stream sees it."""
    data = bytearray(cifar_files.archive_bytes())
    data[-8] ^= 0xFF  # the gzip trailer's CRC32
    path = tmp_path / "crc.tar.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(cifar10.CorruptDataError, match="crc"):
        cifar10.load_data(path)


@pytest.mark.parametrize("name", ["data_batch_3", "test_batch", "batches.meta"])
def test_missing_member_is_named(tmp_path, name):
    files = cifar_files.dataset_files(**{name: None})
    with pytest.raises(cifar10.CorruptDataError, match=name):
        cifar10.load_data(cifar_files.write_archive(tmp_path / "a.tar.gz", files))
    with pytest.raises(cifar10.CorruptDataError, match=name):
        cifar10.load_data(cifar_files.write_dir(tmp_path / "d", files))


def test_a_member_twice_is_refused(tmp_path):
    files = cifar_files.dataset_files()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name in [*files, "data_batch_2"]:
            info = tarfile.TarInfo("cifar-10-batches-py/" + name)
            info.size = len(files[name])
            tar.addfile(info, io.BytesIO(files[name]))
    path = tmp_path / "twice.tar.gz"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(cifar10.CorruptDataError, match="data_batch_2 twice"):
        cifar10.load_data(path)


# -- bounded reads -------------------------------------------------------------------------------
def inflated_archive(path, claimed, body=b""):
    """A .tar.gz whose data_batch_1 header claims ``claimed`` bytes, followed by ``body``."""
    info = tarfile.TarInfo("cifar-10-batches-py/data_batch_1")
    info.size = claimed
    header = info.tobuf(format=tarfile.GNU_FORMAT)
    path.write_bytes(gzip.compress(header + body, compresslevel=9))
    return path


@pytest.mark.parametrize("claimed, body", [(2**40, b"\0" * 4096), (40 * 2**20, None)],
                         ids=["header-claims-1-TiB", "inflates-to-40-MiB"])
def test_an_inflated_member_is_refused_before_it_is_read(tmp_path, claimed, body):
    body = b"\0" * claimed if body is None else body  # 40 MiB of zeros gzip to ~40 KiB
    path = inflated_archive(tmp_path / "bomb.tar.gz", claimed, body)
    assert path.stat().st_size < 100_000
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(cifar10.CorruptDataError, match="more than any CIFAR-10 file"):
            cifar10.load_data(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 2.0
    assert peak < 8 * 2**20  # nothing close to the claimed size was allocated


def test_an_archive_that_inflates_past_the_bound_is_refused(tmp_path, monkeypatch):
    # With the real bound (~320 MiB) the test would need that much inflating; a small bound
    # exercises the same check.
    monkeypatch.setattr(_cifar_read, "MAX_ARCHIVE_BYTES", 200_000)
    archive = cifar_files.write_archive(tmp_path / "a.tar.gz")  # ~190 KB of members
    with open(archive, "ab") as f:  # a second gzip member of zeros: still a valid gzip file
        f.write(gzip.compress(b"\0" * 300_000))
    with pytest.raises(cifar10.CorruptDataError, match="inflates to more than 200000 bytes"):
        cifar10.load_data(archive)


def test_an_oversized_batch_file_is_refused_unread(tmp_path):
    folder = cifar_files.write_dir(tmp_path)
    with open(folder / "data_batch_1", "r+b") as f:
        f.truncate(2**40)  # sparse: 1 TiB on paper, nothing on disk
    tracemalloc.start()
    try:
        with pytest.raises(cifar10.CorruptDataError, match="data_batch_1 is 1099511627776 "
                           "bytes, more than any CIFAR-10 file"):
            cifar10.load_data(folder)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20


def test_a_fifo_in_place_of_a_batch_does_not_hang(tmp_path):
    folder = cifar_files.write_dir(tmp_path)
    (folder / "test_batch").unlink()
    os.mkfifo(folder / "test_batch")
    with pytest.raises(cifar10.CorruptDataError, match="test_batch is not a regular file"):
        cifar10.load_data(folder)


def test_an_unreadable_batch_is_a_typed_error(tmp_path):
    folder = cifar_files.write_dir(tmp_path)
    (folder / "data_batch_4").chmod(0)
    if os.access(folder / "data_batch_4", os.R_OK):
        pytest.skip("running as root: permissions are not enforced")
    with pytest.raises(cifar10.DataReadError, match="data_batch_4"):
        cifar10.load_data(folder)


# -- bad batch contents --------------------------------------------------------------------------
def test_truncated_batch_file_is_named(tmp_path):
    files = cifar_files.dataset_files()
    files["data_batch_2"] = files["data_batch_2"][:1000]
    with pytest.raises(cifar10.CorruptDataError, match="data_batch_2 is truncated or corrupt"):
        cifar10.load_data(cifar_files.write_dir(tmp_path, files))


@pytest.mark.parametrize("batch, message", [
    (cifar_files.batch_bytes(10, 0, data=np.zeros((10, 1024), np.uint8)),
     r"data_batch_1: field 'data' should be a uint8 array of shape \(N, 3072\), got uint8 "
     r"array of shape \(10, 1024\)"),
    (cifar_files.batch_bytes(10, 0, data=np.zeros((10, 3072), np.float32)),
     "should be a uint8 array"),
    (cifar_files.batch_bytes(0, 0, data=np.zeros((0, 3072), np.uint8), labels=[]),
     "holds 0 images"),
    (cifar_files.batch_bytes(10, 0, labels=[1] * 9), "9 labels for 10 images"),
    (cifar_files.batch_bytes(10, 0, labels=[1] * 9 + [10]), "label 10 is outside 0..9"),
    (cifar_files.batch_bytes(10, 0, labels=[-1] * 10), "label -1 is outside 0..9"),
    (cifar_files.batch_bytes(10, 0, labels=[2**70] * 10),
     "label 1180591620717411303424 is outside 0..9"),
    (cifar_files.batch_bytes(10, 0, labels=[1.7] * 10), r"label 1\.7 \(a float\) is not an"),
    (cifar_files.batch_bytes(10, 0, labels=[None] * 10), r"label None \(a NoneType\)"),
    (cifar_files.batch_bytes(10, 0, labels=[b"3"] * 10), r"label b.3. \(a bytes\)"),
    (cifar_files.batch_bytes(10, 0, labels=["3"] * 10, python3=True), r"label '3' \(a str\)"),
    (cifar_files.batch_bytes(10, 0, labels=[True] * 10), r"label True \(a bool\)"),
    (cifar_files.batch_bytes(10, 0, labels="0123456789"), "should be a list of integers"),
], ids=["wrong-size", "float-pixels", "empty", "too-few-labels", "label-10", "label-minus-1",
        "label-2**70", "label-1.7", "label-None", "label-text", "label-py3-text", "label-bool",
        "labels-a-string"])
def test_bad_batch_contents_are_named(tmp_path, batch, message):
    folder = cifar_files.write_dir(tmp_path, cifar_files.dataset_files(data_batch_1=batch))
    with pytest.raises(cifar10.CorruptDataError, match=message) as info:
        cifar10.load_data(folder)
    assert str(folder / "data_batch_1") in str(info.value)


def test_integer_label_arrays_are_accepted(tmp_path):
    labels = np.arange(10, dtype=np.uint8)
    files = cifar_files.dataset_files(data_batch_1=cifar_files.batch_bytes(10, 0, labels=labels))
    data = cifar10.load_data(cifar_files.write_dir(tmp_path, files))
    np.testing.assert_array_equal(data["labels_train"][:10], np.arange(10))


BAD_LABELS = st.one_of(
    st.integers(max_value=-1), st.integers(min_value=10),
    st.floats(allow_nan=True), st.booleans(), st.none(),
    st.text(st.characters(max_codepoint=255), max_size=5),  # Python 2 str: latin-1 bytes
    st.binary(max_size=5), st.lists(st.integers(0, 9), max_size=2))


@settings(max_examples=30)
@given(bad=BAD_LABELS, where=st.integers(0, 9))
def test_any_label_outside_the_ten_class_indices_is_refused(tmp_path_factory, bad, where):
    folder = tmp_path_factory.mktemp("labels")
    labels = list(range(10))
    labels[where] = bad
    files = cifar_files.dataset_files(data_batch_3=py2_dumps(
        {"data": np.zeros((10, 3072), np.uint8), "labels": labels}))
    with pytest.raises(cifar10.CorruptDataError, match="data_batch_3: "):
        cifar10.load_data(cifar_files.write_dir(folder, files))


def test_class_names_must_be_utf8_text(tmp_path):
    names = [n.encode() for n in cifar_files.CLASSES]
    names[3] = b"\xff\xfecat"
    meta = py2_dumps({"label_names": names})
    folder = cifar_files.write_dir(tmp_path, cifar_files.dataset_files(**{"batches.meta": meta}))
    with pytest.raises(cifar10.CorruptDataError, match=r"label_names\[3\] is not valid UTF-8"):
        cifar10.load_data(folder)
    meta = py2_dumps({"label_names": cifar_files.CLASSES[:9] + [7]})
    folder = cifar_files.write_dir(tmp_path / "b",
                                   cifar_files.dataset_files(**{"batches.meta": meta}))
    with pytest.raises(cifar10.CorruptDataError, match=r"label_names\[9\] is a int, not text"):
        cifar10.load_data(folder)


class Exploit:
    def __reduce__(self):
        return (os.system, ("echo pwned > pwned.txt",))


def test_a_pickle_that_runs_code_is_refused(tmp_path):
    evil = pickle.dumps({"data": Exploit(), "labels": []}, protocol=2)
    folder = cifar_files.write_dir(tmp_path / "d", cifar_files.dataset_files(data_batch_1=evil))
    with pytest.raises(cifar10.CorruptDataError, match="refusing to unpickle"):
        cifar10.load_data(folder)
    assert not (tmp_path / "pwned.txt").exists()


# -- the real images, when they are there --------------------------------------------------------
def test_real_subset(shared_subset):
    data = cifar10.load_data(shared_subset)
    assert data["images_train"].shape == (5085, 3072)
    assert data["images_test"].shape == (1017, 3072)
    assert data["images_train"].dtype == np.float32
    assert data["classes"][:3] == ["airplane", "automobile", "bird"]
    assert set(np.unique(data["labels_train"])) == set(range(10))
    raw = cifar10.load_data(shared_subset, dtype=np.uint8)
    np.testing.assert_allclose(data["images_train"].mean(axis=0), 0, atol=1e-3)
    # The normalization is exactly the float mean of the raw pixels.
    mean = raw["images_train"].mean(axis=0, dtype=np.float64)
    np.testing.assert_allclose(data["images_test"], raw["images_test"] - mean, atol=1e-3)


def test_gzip_module_flags_the_same_corruption():
    # Guard for the drain-to-EOF rule: gzip raises at the end of a stream whose CRC is off.
    data = bytearray(gzip.compress(b"x" * 1000))
    data[-8] ^= 1
    with pytest.raises(gzip.BadGzipFile):
        gzip.decompress(bytes(data))


def test_a_data_dir_that_is_not_a_path_is_a_typed_error():
    with pytest.raises(cifar10.BadArgumentError, match="data_dir must be a path"):
        cifar10.load_data(42)

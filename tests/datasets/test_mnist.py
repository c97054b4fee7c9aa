"""MNIST: IDX files the tests write (gzip'd, real magic numbers), TF1's DataSet semantics,
hostile headers refused before their body is read, and downloads from a local server."""
import gzip
import hashlib
import os

import numpy as np
import pytest

from tests.datasets.http_server import Server
from tests.datasets.mnist_files import file_table, idx_bytes, write_gz, write_mnist
import tinygraph
from tinygraph.datasets import _download, mnist


def read(directory, **kwargs):
    return mnist.read_data_sets(str(directory), **kwargs)


# -- reading -----------------------------------------------------------------------------------
def test_read_data_sets_splits_scales_and_reshapes_as_tf1(tmp_path, capsys):
    arrays = write_mnist(tmp_path / "MNIST_data", train=12, test=4)
    data = read(tmp_path / "MNIST_data", validation_size=5)
    assert isinstance(data, mnist.Datasets) and data._fields == ("train", "validation", "test")
    train_pixels = arrays[mnist.TRAIN_IMAGES].reshape(12, 784)
    assert data.validation.num_examples == 5 and data.train.num_examples == 7
    assert data.test.num_examples == 4
    assert data.train.images.dtype == np.float32 and data.train.images.shape == (7, 784)
    np.testing.assert_array_equal(data.validation.images,
                                  train_pixels[:5].astype(np.float32) * np.float32(1 / 255))
    np.testing.assert_array_equal(data.train.labels, arrays[mnist.TRAIN_LABELS][5:])
    assert data.train.labels.dtype == np.uint8
    assert 0.0 <= data.test.images.min() and data.test.images.max() <= 1.0
    assert data.train.epochs_completed == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["Extracting %s" % (tmp_path / "MNIST_data" / name) for name in
                   [mnist.TRAIN_IMAGES, mnist.TRAIN_LABELS, mnist.TEST_IMAGES,
                    mnist.TEST_LABELS]]


def test_one_hot_uint8_and_unreshaped_images(tmp_path):
    arrays = write_mnist(tmp_path, train=6, test=3)
    data = read(tmp_path, one_hot=True, dtype=np.uint8, reshape=False, validation_size=0)
    assert data.train.images.dtype == np.uint8 and data.train.images.shape == (6, 28, 28, 1)
    np.testing.assert_array_equal(data.train.images[..., 0], arrays[mnist.TRAIN_IMAGES])
    labels = arrays[mnist.TRAIN_LABELS]
    assert data.train.labels.shape == (6, 10) and data.train.labels.dtype == np.float64
    np.testing.assert_array_equal(data.train.labels.argmax(1), labels)
    assert data.train.labels.sum() == 6
    assert data.validation.num_examples == 0


def test_tinygraph_dtypes_are_accepted_and_others_refused_as_tf1(tmp_path):
    import tinygraph as tf
    write_mnist(tmp_path, train=6, test=3)
    assert read(tmp_path, dtype=tf.float32, validation_size=1).train.images.dtype == np.float32
    with pytest.raises(TypeError, match="Invalid image dtype .*expected uint8 or float32"):
        read(tmp_path, dtype=np.float64)


@pytest.mark.parametrize("size", [-1, 7, 2.0, None])
def test_validation_size_out_of_range_is_refused_with_tf1s_text(tmp_path, size):
    write_mnist(tmp_path, train=6, test=3)
    with pytest.raises(mnist.BadArgumentError,
                       match=r"Validation size should be between 0 and 6. Received"):
        read(tmp_path, validation_size=size)


def test_next_batch_walks_epochs_and_reshuffles_as_tf1(tmp_path):
    write_mnist(tmp_path, train=10, test=3)
    data = read(tmp_path, validation_size=0, seed=3)
    train = data.train
    first_order = np.random.RandomState(3).permutation(10)  # TF1: numpy shuffle, seeded
    ids = lambda images: list(np.round(images[:, 0] * 255).astype(int))  # noqa: E731
    pixel_of = ids(data.train.images)  # before any batch: the file order
    images, labels = train.next_batch(4)
    assert ids(images) == [pixel_of[i] for i in first_order[:4]]
    assert images.shape == (4, 784) and labels.shape == (4,)
    train.next_batch(4)
    assert train.epochs_completed == 0
    images, _ = train.next_batch(4)  # 2 from the end of epoch 1, 2 from epoch 2
    assert train.epochs_completed == 1
    assert ids(images)[:2] == [pixel_of[i] for i in first_order[8:]]
    assert len(images) == 4
    # over one whole epoch every example comes exactly once
    seen = ids(images)[2:] + ids(train.next_batch(8)[0])
    assert sorted(seen) == sorted(pixel_of)


def test_same_seed_same_batches_and_no_shuffle_keeps_the_order(tmp_path):
    write_mnist(tmp_path, train=20, test=3)
    a = read(tmp_path, validation_size=0, seed=7).train
    b = read(tmp_path, validation_size=0, seed=7).train
    for _ in range(7):
        np.testing.assert_array_equal(a.next_batch(6)[1], b.next_batch(6)[1])
    plain = read(tmp_path, validation_size=0).train
    order = plain.labels.copy()
    np.testing.assert_array_equal(plain.next_batch(20, shuffle=False)[1], order)
    with pytest.raises(mnist.BadArgumentError, match="batch_size must be an int from 1 to 20"):
        plain.next_batch(21)


# -- hostile and broken files ------------------------------------------------------------------
def _replace(directory, name, raw, compress=True):
    path = directory / name
    if compress:
        write_gz(path, raw)
    else:
        path.write_bytes(raw)
    return path


@pytest.mark.parametrize("name, raw, message", [
    (mnist.TRAIN_IMAGES, idx_bytes(2051, [2**31, 28, 28], b""),
     "images of shape 2147483648x28x28; MNIST has at most 60000 images of 28x28 pixels"),
    (mnist.TEST_IMAGES, idx_bytes(2051, [10001, 28, 28], b""), "at most 10000 images"),
    (mnist.TRAIN_IMAGES, idx_bytes(2051, [5, 4096, 4096], b""), "shape 5x4096x4096"),
    (mnist.TRAIN_LABELS, idx_bytes(2049, [4000000000], b""), "at most 60000 labels"),
    (mnist.TRAIN_IMAGES, idx_bytes(2049, [12], bytes(12)),
     "should hold MNIST images .*2051.* but holds MNIST labels"),
    (mnist.TRAIN_LABELS, idx_bytes(0x1234, [12], bytes(12)), "holds magic number 4660"),
    (mnist.TRAIN_IMAGES, idx_bytes(2051, [12, 28, 28], bytes(100)),
     "truncated: its images should have 9408 bytes, found 100"),
    (mnist.TRAIN_LABELS, b"\x00\x00", "truncated: its header"),
    (mnist.TRAIN_LABELS, idx_bytes(2049, [12], bytes(13)), "data after its 12 labels"),
    (mnist.TRAIN_LABELS, idx_bytes(2049, [12], bytes(11) + b"\x0a"), "label 10 at index 11"),
])
def test_bad_headers_and_bodies_are_typed_errors_naming_the_file(tmp_path, name, raw,
                                                                 message):
    write_mnist(tmp_path, train=12, test=4)
    path = _replace(tmp_path, name, raw)
    with pytest.raises(mnist.CorruptDataError, match=message) as info:
        read(tmp_path, validation_size=0)
    assert str(path) in str(info.value)


def test_a_huge_header_is_refused_before_its_body_is_read(tmp_path, monkeypatch):
    write_mnist(tmp_path, train=12, test=4)
    _replace(tmp_path, mnist.TRAIN_IMAGES, idx_bytes(2051, [60001, 28, 28], bytes(10)))
    asked = []
    real_read = gzip.GzipFile.read

    def spying_read(self, size=-1):
        asked.append(size)
        return real_read(self, size)

    monkeypatch.setattr(gzip.GzipFile, "read", spying_read)
    with pytest.raises(mnist.CorruptDataError, match="refused before reading"):
        read(tmp_path)
    assert asked == [16]  # the header, and nothing more


@pytest.mark.parametrize("damage, message", [
    (lambda raw: raw[:len(raw) // 2], "not an intact gzip file"),
    (lambda raw: raw[:-8] + bytes(8), "not an intact gzip file"),  # CRC and length zeroed
    (lambda raw: b"<html>proxy</html>", "not an intact gzip file"),
])
def test_truncated_or_corrupt_gzip_is_a_typed_error(tmp_path, damage, message):
    write_mnist(tmp_path, train=12, test=4)
    path = tmp_path / mnist.TEST_LABELS
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(mnist.CorruptDataError, match=message) as info:
        read(tmp_path, validation_size=0)
    assert str(path) in str(info.value)


def test_count_mismatch_names_both_files(tmp_path):
    write_mnist(tmp_path, train=12, test=4)
    _replace(tmp_path, mnist.TEST_LABELS, idx_bytes(2049, [3], bytes(3)))
    with pytest.raises(mnist.CorruptDataError, match="has 4 images but .*t10k-labels.* has 3"):
        read(tmp_path)


def test_a_fifo_or_an_oversized_file_is_refused_without_reading(tmp_path):
    write_mnist(tmp_path, train=12, test=4)
    (tmp_path / mnist.TRAIN_LABELS).unlink()
    os.mkfifo(tmp_path / mnist.TRAIN_LABELS)
    with pytest.raises(mnist.CorruptDataError, match="not a regular file"):
        read(tmp_path)
    (tmp_path / mnist.TRAIN_LABELS).unlink()
    (tmp_path / mnist.TRAIN_LABELS).write_bytes(bytes(mnist.MAX_FILE_BYTES + 1))
    with pytest.raises(mnist.CorruptDataError, match="more than any MNIST file"):
        read(tmp_path)


# -- downloading ---------------------------------------------------------------------------------
def serve_directory(source):
    """A server that answers each file name with that file's bytes."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            name = self.path.rsplit("/", 1)[-1]
            path = source / name
            if not path.is_file():
                self.send_error(404)
                return
            body = path.read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, "http://127.0.0.1:%d/mnist/" % httpd.server_address[1]


@pytest.fixture
def mirror(tmp_path):
    source = tmp_path / "served"
    arrays = write_mnist(source, train=12, test=4)
    httpd, url = serve_directory(source)
    yield url, file_table(source), arrays
    httpd.shutdown()
    httpd.server_close()


def test_download_fetches_the_missing_files_then_reads_them(tmp_path, mirror, monkeypatch,
                                                            capsys):
    url, table, arrays = mirror
    target = tmp_path / "a" / "MNIST_data"
    monkeypatch.setattr(mnist, "FILES", table)
    data = mnist.read_data_sets(str(target), source_url=url, validation_size=2)
    assert sorted(p.name for p in target.iterdir()) == sorted(table)
    np.testing.assert_array_equal(data.test.labels, arrays[mnist.TEST_LABELS])
    out = capsys.readouterr().out
    assert "Successfully downloaded train-images-idx3-ubyte.gz %d bytes." \
        % table[mnist.TRAIN_IMAGES][0] in out
    # Present files are used, not fetched again.
    assert mnist.download(target, source_url="http://127.0.0.1:9/never/") == target


def test_a_failing_file_leaves_nothing_behind_not_even_the_ones_fetched(tmp_path, mirror):
    url, table, _ = mirror
    table = dict(table)
    table[mnist.TEST_LABELS] = (table[mnist.TEST_LABELS][0], "0" * 32)
    with pytest.raises(mnist.ChecksumError, match="t10k-labels.*expected 0{32}") as info:
        mnist.download(tmp_path / "a" / "b", source_url=url, progress=False, files=table)
    assert url + mnist.TEST_LABELS in str(info.value)
    assert not (tmp_path / "a").exists()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    with pytest.raises(mnist.ChecksumError):
        mnist.download(mine, source_url=url, progress=False, files=table)
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]


def test_the_size_cap_and_http_errors_are_typed(tmp_path, mirror):
    url, table, _ = mirror
    small = {name: (size - 1, md5) for name, (size, md5) in table.items()}
    with pytest.raises(mnist.DownloadError, match="announces .* more than"):
        mnist.download(tmp_path / "d", source_url=url, progress=False, files=small)
    with Server(b"", status=404) as server:
        base = server.url.rsplit("/", 1)[0] + "/"
        with pytest.raises(mnist.DownloadError, match="could not download .*404.*by hand"):
            mnist.download(tmp_path / "d", source_url=base, progress=False)
    assert not (tmp_path / "d").exists()


def test_a_full_disk_is_a_typed_error_and_leaves_nothing(tmp_path, mirror, monkeypatch):
    import errno
    url, table, _ = mirror
    monkeypatch.setattr(_download, "_write", lambda out, data: (_ for _ in ()).throw(
        OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))))
    with pytest.raises(mnist.DiskFullError, match="MNIST needs about 12 MB.*nothing was kept"):
        mnist.download(tmp_path / "d", source_url=url, progress=False, files=table)
    assert not (tmp_path / "d").exists()


def test_the_official_files_are_the_published_ones():
    assert mnist.SOURCE_URL == "https://storage.googleapis.com/cvdf-datasets/mnist/"
    assert mnist.FILES == {
        "train-images-idx3-ubyte.gz": (9912422, "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        "train-labels-idx1-ubyte.gz": (28881, "d53e105ee54ea40749a09fcbcd1e9432"),
        "t10k-images-idx3-ubyte.gz": (1648877, "9fb629c4189551a2d022fa330f9573f3"),
        "t10k-labels-idx1-ubyte.gz": (4542, "ec29112dd5afa0611ce80d1b7f02629c"),
    }
    assert hashlib.md5(b"").hexdigest() not in {md5 for _, md5 in mnist.FILES.values()}


def test_the_command_line_downloads_or_says_why_not_in_one_line(tmp_path, mirror, monkeypatch,
                                                                 capsys):
    url, table, _ = mirror
    target = tmp_path / "cli"
    assert mnist.main(["download", "--data-dir", str(target), "--url", url]) == 1
    err = capsys.readouterr().err.splitlines()  # the progress bar, then one error line
    errors = [line for line in err if line.startswith("error: ")]
    assert errors == [err[-1]] and "expected f68b3c2d" in err[-1]
    assert not target.exists()  # the official MD5s refused the test's files: nothing kept
    monkeypatch.setattr(mnist, "FILES", table)
    assert mnist.main(["download", "--data-dir", str(target), "--url", url]) == 0
    assert sorted(p.name for p in target.iterdir()) == sorted(table)


def test_a_dataset_built_from_arrays_walks_its_examples(tmp_path):
    images = np.arange(3 * 28 * 28, dtype=np.uint8).reshape(3, 28, 28, 1)
    data = mnist.DataSet(images, np.array([4, 5, 6]), dtype=tinygraph.float32, seed=1)
    assert data.num_examples == 3 and data.images.shape == (3, 784)
    assert data.images.dtype == np.float32 and data.images.max() <= 1.0
    batch_images, batch_labels = data.next_batch(3, shuffle=False)
    assert batch_labels.tolist() == [4, 5, 6]
    np.testing.assert_allclose(batch_images * 255.0, images.reshape(3, 784), atol=1e-3)

"""The CIFAR-10 loader and downloader, on small data sets the tests write (no network)."""
import gzip
import hashlib
import http.server
import os
import pickle
import subprocess
import sys
import threading

import numpy as np
import pytest

from tests.datasets import cifar_files
from tinygraph.datasets import cifar10


@pytest.fixture(autouse=True)
def isolated_places(tmp_path, monkeypatch):
    """No real data anywhere the loader looks, unless a test puts it there."""
    monkeypatch.delenv("TINYGRAPH_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)


# -- loading -----------------------------------------------------------------------------------
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


# -- bad data ---------------------------------------------------------------------------------
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
    (cifar_files.batch_bytes(10, 0, labels=[1] * 9), "9 labels for 10 images"),
    (cifar_files.batch_bytes(10, 0, labels=[1] * 9 + [10]), "label 10 is outside 0..9"),
    (cifar_files.batch_bytes(10, 0, labels=[-1] * 10), "label -1 is outside 0..9"),
], ids=["wrong-size", "float-pixels", "too-few-labels", "label-10", "label-minus-1"])
def test_bad_batch_contents_are_named(tmp_path, batch, message):
    folder = cifar_files.write_dir(tmp_path, cifar_files.dataset_files(data_batch_1=batch))
    with pytest.raises(cifar10.CorruptDataError, match=message):
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


# -- download ---------------------------------------------------------------------------------
class Server:
    """A one-file HTTP server on 127.0.0.1; ``cut_after`` bytes, then it hangs up."""

    def __init__(self, payload, cut_after=None, status=200):
        payload_, cut, code = payload, cut_after, status

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if code != 200:
                    self.send_error(code)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/x-gzip")
                self.send_header("Content-Length", str(len(payload_)))
                self.end_headers()
                self.wfile.write(payload_ if cut is None else payload_[:cut])

            def log_message(self, *args):
                pass

        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/cifar-10-python.tar.gz" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.handle_request, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.thread.join(timeout=10)
        self.httpd.server_close()


def test_download_verifies_extracts_and_then_loads_from_the_cache(tmp_path):
    payload = cifar_files.archive_bytes()
    with Server(payload) as server:
        where = cifar10.download(url=server.url, md5=hashlib.md5(payload).hexdigest(),
                                 progress=False)
    cache = tmp_path / "xdg" / "tinygraph"
    assert where == cache / "cifar-10-batches-py"
    assert sorted(p.name for p in where.iterdir()) == sorted(cifar_files.dataset_files())
    assert not list(cache.glob("*.part"))
    assert cifar10.find_data() == where  # later loads read the batch files
    check_loaded(cifar10.load_data())
    assert cifar10.download(url="http://127.0.0.1:9/never-asked") == where  # already there


def test_interrupted_download_leaves_nothing(tmp_path):
    payload = cifar_files.archive_bytes()
    with Server(payload, cut_after=len(payload) // 3) as server:
        with pytest.raises(cifar10.DownloadError, match="127.0.0.1"):
            cifar10.download(tmp_path / "dl", url=server.url, md5=None, progress=False)
    assert list((tmp_path / "dl").iterdir()) == []
    with pytest.raises(cifar10.DataNotFoundError):
        cifar10.load_data(tmp_path / "dl")


def test_checksum_mismatch_says_so_and_removes_the_partial_file(tmp_path):
    payload = b"<html>proxy login page</html>"
    with Server(payload) as server:
        with pytest.raises(cifar10.ChecksumError) as info:
            cifar10.download(tmp_path / "dl", url=server.url, progress=False)
    message = str(info.value)
    assert cifar10.MD5 in message and hashlib.md5(payload).hexdigest() in message
    assert server.url in message
    assert list((tmp_path / "dl").iterdir()) == []


def test_keyboard_interrupt_mid_download_leaves_nothing(tmp_path, monkeypatch):
    payload = cifar_files.archive_bytes()

    class Interrupting:  # a progress bar whose first update is a Ctrl-C
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def update(self, n):
            raise KeyboardInterrupt

    monkeypatch.setattr("tqdm.tqdm", Interrupting)
    with Server(payload) as server:
        with pytest.raises(KeyboardInterrupt):
            cifar10.download(tmp_path / "dl", url=server.url, md5=None)
    assert list((tmp_path / "dl").iterdir()) == []


def test_http_error_is_one_clear_error(tmp_path):
    with Server(b"", status=404) as server:
        with pytest.raises(cifar10.DownloadError, match="could not download .*404.*by hand"):
            cifar10.download(tmp_path / "dl", url=server.url, progress=False)


def test_unwritable_download_directory(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(cifar10.CacheDirError, match="TINYGRAPH_DATA") as info:
        cifar10.download(blocker / "sub", url="http://127.0.0.1:9/x")
    assert str(blocker / "sub") in str(info.value)
    assert isinstance(info.value, PermissionError)


# -- the command line ---------------------------------------------------------------------------
def run_cli(*args, cwd, env_extra=None):
    env = dict(os.environ, XDG_CACHE_HOME=str(cwd / "xdg"), **(env_extra or {}))
    env.pop("TINYGRAPH_DATA", None)
    return subprocess.run([sys.executable, "-m", "tinygraph.datasets.cifar10", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_cli_errors_are_one_line_without_traceback(tmp_path):
    out = run_cli("where", cwd=tmp_path)
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and out.stderr.startswith("error: CIFAR-10 not found")
    out = run_cli("download", "--data-dir", str(tmp_path / "d"), "--url",
                  "http://127.0.0.1:9/cifar-10-python.tar.gz", cwd=tmp_path)
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "could not download" in out.stderr
    assert "Traceback" not in out.stderr


def test_cli_where_prints_the_location(tmp_path):
    folder = cifar_files.write_dir(tmp_path)
    out = run_cli("where", cwd=tmp_path)
    assert out.returncode == 0
    assert out.stdout.strip() == str(folder.relative_to(tmp_path))


# -- the real subset from ../shared -------------------------------------------------------------
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

"""The benchmarks must not rot: every baseline computes the same step, and the quick run
of the whole harness completes and prints its tables. (No timing is asserted.)"""
import subprocess
import sys

import numpy as np
import pytest

from benchmarks import plain_numpy_cifar
from benchmarks.datagen import write_batches
from benchmarks.steps import MODELS, frameworks_of, make_batch, make_step
from tests.conftest import PROJECT_ROOT


@pytest.mark.parametrize("model", sorted(MODELS))
def test_baselines_and_tinygraph_agree(model):
    x, y = make_batch(MODELS[model]["batch"])
    results = {}
    frameworks = [f for f in ("numpy", "numba", "tinygraph") if f in frameworks_of(model)]
    for framework in frameworks:
        step = make_step(framework, model, x, y)
        for _ in range(3):
            step()
        results[framework] = step.params()
    initial = make_step("numpy", model, x, y).params()
    for framework in frameworks[1:]:
        for got, want, start in zip(results[framework], results["numpy"], initial):
            assert not np.array_equal(want, start)  # the step moved the parameters
            np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)


def test_quick_benchmark_run_prints_every_table():
    out = subprocess.run([sys.executable, "-m", "benchmarks", "--quick"], cwd=PROJECT_ROOT,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    for heading in ("Training step: softmax", "Training step: twolayer",
                    "Training step: twolayer_adam", "Training step: twolayer_momentum",
                    "Training step by batch size: softmax", "Session.run overhead",
                    "Cold start", "Memory over the article loop", "examples/cifar_softmax.py",
                    "Whole run of examples/cifar_softmax.py", "| plain numpy script |"):
        assert heading in out.stdout
    assert "| tinygraph |" in out.stdout


def test_plain_numpy_script_loads_and_steps_as_the_library_and_the_numpy_step(tmp_path):
    from tinygraph.datasets import cifar10
    write_batches(tmp_path, 50, 10)
    plain = plain_numpy_cifar.load(str(tmp_path))
    ours = cifar10.load_data(tmp_path)
    for got, key in zip(plain, ("images_train", "labels_train", "images_test", "labels_test")):
        assert got.dtype == ours[key].dtype
        np.testing.assert_array_equal(got, ours[key])
    x, y = make_batch(100)
    step = make_step("numpy", "softmax", x, y)
    step()
    weights, biases = np.zeros((3072, 10), np.float32), np.zeros(10, np.float32)
    plain_numpy_cifar.train_step(x, y, weights, biases, np.float32(0.005))
    for got, want in zip((weights, biases), step.params()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


def test_plain_numpy_script_prints_what_the_example_prints(tmp_path):
    write_batches(tmp_path, 50, 10)
    outputs = []
    for script in ("benchmarks/plain_numpy_cifar.py", "examples/cifar_softmax.py"):
        out = subprocess.run([sys.executable, script, "--data-dir", str(tmp_path), "--seed", "0",
                              "--steps", "101"], cwd=PROJECT_ROOT, capture_output=True,
                             text=True, timeout=300)
        assert out.returncode == 0, out.stderr[-2000:]
        outputs.append(out.stdout.splitlines())
    plain, example = outputs
    assert [line.rsplit(" ", 1)[0] for line in plain] == \
        [line.rsplit(" ", 1)[0] for line in example]
    assert len(plain) == 4 and plain[0] == example[0]  # step 0: zero weights, the same batch

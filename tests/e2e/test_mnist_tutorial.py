"""A TF1 MNIST tutorial in the classic style (our own script), unmodified, through
``python -m tinygraph run``: ``from tensorflow.examples.tutorials.mnist import input_data`` on
files the test writes, softmax regression by gradient descent; the printed numbers are
compared with the same computation done by hand in numpy."""
import numpy as np

from tests.conftest import PROJECT_ROOT
from tests.datasets.mnist_files import write_mnist
from tests.e2e.test_runner import REFERENCE, lines, run, write

SCRIPTS = PROJECT_ROOT / "tests" / "e2e" / "tf1_reference" / "scripts"

SCRIPT = (SCRIPTS / "mnist_softmax.py").read_text()


def by_hand(arrays):
    """The script's numbers, computed with numpy in float64."""
    images = arrays["train-images-idx3-ubyte.gz"].reshape(-1, 784)[4:] / 255.0
    labels = np.eye(10)[arrays["train-labels-idx1-ubyte.gz"][4:]]
    w, b = np.zeros((784, 10)), np.zeros(10)
    losses = []
    for _ in range(5):
        logits = images @ w + b
        p = np.exp(logits - logits.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        losses.append(-np.mean(np.sum(labels * np.log(p), 1)))
        grad = (p - labels) / len(images)  # d loss / d logits
        w, b = w - 0.5 * images.T @ grad, b - 0.5 * grad.sum(0)
    test = arrays["t10k-images-idx3-ubyte.gz"].reshape(-1, 784) / 255.0
    predicted = np.argmax(test @ w + b, 1)
    return losses, np.mean(predicted == arrays["t10k-labels-idx1-ubyte.gz"])


def test_classic_mnist_softmax_tutorial_prints_the_hand_computed_numbers(tmp_path):
    arrays = write_mnist(tmp_path / "MNIST_data", train=24, test=10, seed=5)
    result = run(write(tmp_path, "mnist_softmax.py", SCRIPT), cwd=tmp_path,
                 env=dict(REFERENCE, PYTHONPATH=str(PROJECT_ROOT)))
    assert result.returncode == 0, result.stderr
    out = lines(result.stdout)
    assert out[:4] == ["Extracting MNIST_data/%s" % name for name in
                       ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]]
    assert out[4] == "20 4 10"
    losses, accuracy = by_hand(arrays)
    assert abs(losses[0] - np.log(10)) < 1e-12  # zero weights: a uniform softmax
    for step, expected in enumerate(losses):
        printed = float(out[5 + step].split()[-1])
        assert out[5 + step].startswith("step %d loss" % step)
        assert abs(printed - expected) <= 1e-3 * expected, (step, printed, expected)
    assert out[10] == "batch (8, 784) (8, 10)"
    assert abs(float(out[11].split()[-1]) - accuracy) < 1e-6


LAYERS_SCRIPT = (SCRIPTS / "mnist_layers.py").read_text()


def layers_by_hand(arrays, steps=4):
    """The layers script's numbers in numpy: relu(x W1 + b1) * 0.5 when training, W2 zero."""
    x = arrays["train-images-idx3-ubyte.gz"].reshape(-1, 784) / 255.0
    y = np.eye(10)[arrays["train-labels-idx1-ubyte.gz"]]
    w1, b1 = np.full((784, 8), 0.01), np.full(8, 0.1)
    w2, b2 = np.zeros((8, 10)), np.zeros(10)

    def forward(x, scale):
        pre = x @ w1 + b1
        h = np.maximum(pre, 0) * scale
        logits = h @ w2 + b2
        p = np.exp(logits - logits.max(1, keepdims=True))
        return pre, h, p / p.sum(1, keepdims=True)

    losses = []
    for _ in range(steps):
        pre, h, p = forward(x, 0.5)
        losses.append(-np.mean(np.sum(y * np.log(p), 1)))
        d_logits = (p - y) / len(x)
        d_h = d_logits @ w2.T * 0.5 * (pre > 0)
        w2, b2, w1, b1 = (w2 - 0.5 * h.T @ d_logits, b2 - 0.5 * d_logits.sum(0),
                          w1 - 0.5 * x.T @ d_h, b1 - 0.5 * d_h.sum(0))
    test_x = arrays["t10k-images-idx3-ubyte.gz"].reshape(-1, 784) / 255.0
    test_y = np.eye(10)[arrays["t10k-labels-idx1-ubyte.gz"]]
    _, _, p = forward(test_x, 1.0)
    return losses, -np.mean(np.sum(test_y * np.log(p), 1))


def test_a_layers_and_cond_script_prints_the_hand_computed_numbers(tmp_path):
    arrays = write_mnist(tmp_path / "MNIST_data", train=16, test=6, seed=9)
    result = run(write(tmp_path, "mnist_layers.py", LAYERS_SCRIPT), cwd=tmp_path,
                 env=dict(REFERENCE, PYTHONPATH=str(PROJECT_ROOT)))
    assert result.returncode == 0, result.stderr
    out = [line for line in lines(result.stdout) if not line.startswith("Extracting")]
    assert out[0] == "b'Hello, MNIST!'"
    assert out[1] == "dense/kernel:0 dense/bias:0 dense_1/kernel:0 dense_1/bias:0"
    losses, test_loss = layers_by_hand(arrays)
    assert abs(losses[0] - np.log(10)) < 1e-12  # zero output kernel: uniform at first
    for step, expected in enumerate(losses):
        assert out[2 + step].startswith("step %d loss" % step)
        printed = float(out[2 + step].split()[-1])
        assert abs(printed - expected) <= 1e-3 * expected, (step, printed, expected)
    assert abs(float(out[6].split()[-1]) - test_loss) <= 1e-3 * test_loss

"""The article's CIFAR-10 softmax classifier written by hand with numpy and pickle only.

    python benchmarks/plain_numpy_cifar.py --data-dir path/to/cifar-10-batches-py --seed 0

The baseline for the whole run of ``examples/cifar_softmax.py``: the same work (load the
extracted batches, subtract the mean training image, 1,000 steps of gradient descent on
random batches of 100 drawn with replacement, the training accuracy of the batch about to be
trained on every 100 steps, then the test accuracy) and the same printed lines. Each batch
file is unpickled and converted straight into preallocated float32 arrays; the pixel sums
for the mean are taken on the uint8 pixels while they are at hand.
"""
import argparse
import os
import pickle
import time

import numpy as np

TRAIN_BATCHES = ["data_batch_%d" % i for i in range(1, 6)]
PIXELS = 3072
CLASSES = 10


def read_batch(path):
    """(uint8 pixels (n, 3072), int64 labels (n,)) of one batch file of the official format."""
    with open(path, "rb") as f:
        batch = pickle.load(f, encoding="bytes")  # Python 2 wrote them; keys come back as bytes
    return batch[b"data"], np.array(batch[b"labels"], dtype=np.int64)


def read_batches(paths):
    """The batches of ``paths`` in one float32 array (all batches the size of the first),
    their labels, and the per-pixel sum of the images."""
    images = labels = None
    pixel_sums = np.zeros(PIXELS, np.int64)
    for i, path in enumerate(paths):
        data, batch_labels = read_batch(path)
        rows = len(data)
        if images is None:
            images = np.empty((rows * len(paths), PIXELS), np.float32)
            labels = np.empty(rows * len(paths), np.int64)
        images[i * rows:(i + 1) * rows] = data
        labels[i * rows:(i + 1) * rows] = batch_labels
        pixel_sums += data.sum(axis=0, dtype=np.uint32)
    return images, labels, pixel_sums


def load(folder):
    images_train, labels_train, pixel_sums = read_batches(
        [os.path.join(folder, name) for name in TRAIN_BATCHES])
    images_test, labels_test, _ = read_batches([os.path.join(folder, "test_batch")])
    mean = (pixel_sums / len(images_train)).astype(np.float32)
    images_train -= mean
    images_test -= mean
    return images_train, labels_train, images_test, labels_test


def accuracy(images, labels, weights, biases):
    return np.mean(np.argmax(images @ weights + biases, axis=1) == labels, dtype=np.float32)


def train_step(images, labels, weights, biases, learning_rate):
    """One gradient-descent step on the mean softmax cross-entropy, in place."""
    logits = images @ weights + biases
    logits -= logits.max(axis=1, keepdims=True)
    probabilities = np.exp(logits)
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    probabilities[np.arange(len(labels)), labels] -= 1  # d loss / d logits, times n
    probabilities *= learning_rate / len(labels)
    weights -= images.T @ probabilities
    biases -= probabilities.sum(axis=0)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", required=True, help="the cifar-10-batches-py/ directory")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--learning-rate", type=float, default=0.005)
    parser.add_argument("--seed", type=int)
    args = parser.parse_args(argv)
    if args.seed is not None:
        np.random.seed(args.seed)

    begin_time = time.time()
    images_train, labels_train, images_test, labels_test = load(args.data_dir)
    weights = np.zeros((PIXELS, CLASSES), np.float32)
    biases = np.zeros(CLASSES, np.float32)
    learning_rate = np.float32(args.learning_rate)
    for step in range(args.steps):
        indices = np.random.choice(len(images_train), args.batch_size)
        images_batch = images_train[indices]
        labels_batch = labels_train[indices]
        if step % 100 == 0:
            train_accuracy = accuracy(images_batch, labels_batch, weights, biases)
            print("Step {:5d}: training accuracy {:g}".format(step, train_accuracy))
        train_step(images_batch, labels_batch, weights, biases, learning_rate)

    test_accuracy = accuracy(images_test, labels_test, weights, biases)
    print("Test accuracy {:g}".format(test_accuracy))
    print("Total time: {:5.2f}s".format(time.time() - begin_time))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

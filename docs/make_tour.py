"""Generate the outputs that docs/tour.md quotes, from the code as it is today.

    python docs/make_tour.py                  # the outputs below
    python docs/make_tour.py --trace FILE     # only the trace JSON of a traced step

writes docs/tour_outputs/:

- ``ops.txt``           every op of the article's graph: name, type, inputs (creation order);
- ``gradient_dot.txt``  the DOT text of what ``minimize`` added (``gradients="show"``);
- ``plan_train.txt``    ``Session.describe_plan`` of the training step ``[train_step, loss]``;
- ``plan_accuracy.txt`` ``Session.describe_plan`` of the accuracy;
- ``plan_weights.txt``  ``Session.describe_plan`` of ``[train_step, weights]`` (a copy);
- ``summary.txt``       ``md.summary()`` of one traced training step (timings vary per run).

and, where Graphviz's dot program is installed, docs/tour_gradients.png (what ``minimize``
added, opened up). It also refreshes the blocks of docs/tour.md that quote these files: a
line ``<!-- quote: NAME -->`` followed by a fenced block. tests/unit/test_tour.py
regenerates everything but the timings and fails when a committed file or quote would
change: run this script and commit when it does.
"""
import re
import sys
from pathlib import Path

import numpy as np

DOCS = Path(__file__).resolve().parent
OUTPUTS = DOCS / "tour_outputs"
sys.path.insert(0, str(DOCS.parent))

import tinygraph as tf  # noqa: E402
from tinygraph import visualize  # noqa: E402
from tinygraph.client.timeline import Timeline  # noqa: E402

# The outputs that do not depend on timing: the test compares these.
STABLE = ("ops.txt", "gradient_dot.txt", "plan_train.txt", "plan_accuracy.txt",
          "plan_weights.txt")


def article_model():
    """The graph of examples/cifar_softmax.py (as docs/make_pictures.py builds it), with
    handles on the tensors the tour runs."""
    graph = tf.Graph()
    with graph.as_default():
        images = tf.placeholder(tf.float32, shape=[None, 3072])
        labels = tf.placeholder(tf.int64, shape=[None])
        weights = tf.Variable(tf.zeros([3072, 10]))
        biases = tf.Variable(tf.zeros([10]))
        logits = tf.matmul(images, weights) + biases
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            logits=logits, labels=labels))
        train_step = tf.train.GradientDescentOptimizer(0.005).minimize(loss)
        correct_prediction = tf.equal(tf.argmax(logits, 1), labels)
        accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))
        init = tf.global_variables_initializer()
    return dict(graph=graph, images=images, labels=labels, weights=weights, loss=loss,
                train_step=train_step, accuracy=accuracy, init=init)


def op_listing(graph):
    lines = []
    for op in graph.get_operations():
        inputs = ", ".join(t.name for t in op.inputs)
        controls = ", ".join("^" + c.name for c in op.control_inputs)
        lines.append("%-4d %s = %s(%s)" % (len(lines) + 1, op.name, op.type,
                                           ", ".join(filter(None, [inputs, controls]))))
    return "\n".join(lines) + "\n"


def stable_outputs():
    """{file name: text} for the outputs that do not depend on timing."""
    m = article_model()
    feeds = [m["images"], m["labels"]]
    with tf.Session(graph=m["graph"]) as sess:
        plan_train = sess.describe_plan([m["train_step"], m["loss"]], feeds)
        plan_accuracy = sess.describe_plan(m["accuracy"], feeds)
        plan_weights = sess.describe_plan([m["train_step"], m["weights"]], feeds)
    gradient_ops = [op for op in m["graph"].get_operations()
                    if op.name.startswith(("gradients/", "GradientDescent"))]
    return {
        "ops.txt": op_listing(m["graph"]),
        "gradient_dot.txt": visualize.to_dot(gradient_ops + [m["loss"]], gradients="show"),
        "plan_train.txt": plan_train + "\n",
        "plan_accuracy.txt": plan_accuracy + "\n",
        "plan_weights.txt": plan_weights + "\n",
    }


def traced_run():
    """The RunMetadata of one traced training step on a batch of 100 random images."""
    m = article_model()
    rng = np.random.default_rng(0)
    feed = {m["images"]: rng.standard_normal((100, 3072)).astype(np.float32),
            m["labels"]: rng.integers(0, 10, 100)}
    with tf.Session(graph=m["graph"]) as sess:
        sess.run(m["init"])
        for _ in range(3):  # warm up: numba's kernels load, the plan compiles
            sess.run([m["train_step"], m["loss"]], feed)
        md = tf.RunMetadata()
        sess.run([m["train_step"], m["loss"]], feed,
                 options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE), run_metadata=md)
    return md


def traced_summary():
    """md.summary() of one traced training step."""
    return traced_run().summary(print_fn=lambda text: None) + "\n"


def write_trace(path):
    """The Chrome trace JSON of one traced training step (docs/make_screenshots.sh opens it
    in a trace viewer)."""
    Path(path).write_text(Timeline(traced_run().step_stats).generate_chrome_trace_format(),
                          encoding="utf-8")
    print("wrote", path)


QUOTE = re.compile(r"(<!-- quote: (\S+) -->\n```text\n)(.*?)(```)", re.S)


def quoted_blocks(tour_text):
    """[(file name, quoted text)] for each marked block of tour.md."""
    return [(m[2], m[3]) for m in QUOTE.finditer(tour_text)]


def refresh_quotes(tour_text):
    """tour.md with each marked block replaced by the current file in tour_outputs/."""
    return QUOTE.sub(lambda m: m[1] + (OUTPUTS / m[2]).read_text(encoding="utf-8") + m[4],
                     tour_text)


def main():
    OUTPUTS.mkdir(exist_ok=True)
    outputs = dict(stable_outputs(), **{"summary.txt": traced_summary()})
    for name, text in outputs.items():
        (OUTPUTS / name).write_text(text, encoding="utf-8")
        print("wrote", OUTPUTS / name)
    tour = DOCS / "tour.md"
    tour.write_text(refresh_quotes(tour.read_text(encoding="utf-8")), encoding="utf-8")
    print("refreshed the quotes in", tour)
    m = article_model()
    gradient_ops = [op for op in m["graph"].get_operations()
                    if op.name.startswith(("gradients/", "GradientDescent"))]
    try:
        path = visualize.render(gradient_ops + [m["loss"]], DOCS / "tour_gradients.png",
                                gradients="show")
    except visualize.GraphvizNotFoundError as e:
        print("no PNG:", e)
    else:
        print("wrote", path)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--trace"]:
        write_trace(sys.argv[2])
    else:
        main()

"""What TF1 scripts print about their graph: tensors, shapes, variables and ops, as TF1 showed
them, and the shape idioms of the tutorials (``tf.shape(x)[0]`` inside a list, Dimension).

Not printed: the type of the op that ``+`` makes (``Add`` in TF 1.x and tinygraph, ``AddV2``
in the current compat.v1)."""
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

x = tf.placeholder(tf.float32, [None, 3], name="x")
labels = tf.placeholder(tf.int64, [None])
w = tf.Variable(tf.ones([3, 2]), name="weights")
b = tf.Variable(tf.zeros([2]))
logits = tf.matmul(x, w) + b
print(x)
print(logits)
print(w)
print(x.shape, x.get_shape(), x.shape.as_list(), x.get_shape().as_list())
print(x.shape[1], x.get_shape()[1].value, x.shape.ndims, logits.shape[0])
print([d.value for d in x.get_shape()], [str(d) for d in logits.shape], x.shape[1] * 2,
      tf.TensorShape([d for d in x.shape]), tf.TensorShape([None, 3]) == x.shape)
print(tf.shape(x), tf.shape(x).dtype, x.dtype, w.dtype, w.shape, b.get_shape().as_list())
print(logits.name, logits.op.name, logits.op.inputs[0].op.type, x.op.type, w.name, w.op.name)
print([v.name for v in tf.trainable_variables()], [v.name for v in tf.global_variables()])
print(tf.constant([1, 2]), tf.constant(1.5), tf.constant("a"), tf.constant([[True]]))
print(tf.get_default_graph().get_tensor_by_name("x:0") is x,
      tf.get_default_graph().get_operation_by_name("weights").type)
with tf.name_scope("layer"):
    h = tf.nn.relu(logits, name="act")
    s = tf.reduce_sum(h)
print(h.name, s.name, s.shape, h.shape)

batch = tf.shape(x)[0]
flat = tf.reshape(x, [batch, -1, 1])
zeros = tf.zeros([batch, 2])
rows = tf.range(batch)
pairs = tf.stack([tf.cast(rows, tf.int64), labels], axis=1)
ones = tf.ones_like(x[:, :1])
print(flat.shape, zeros.shape, rows.shape, pairs.shape, ones.shape, x[..., None].shape,
      x[:, tf.newaxis, 1:].shape, tf.expand_dims(x, -1).shape)
print(tf.concat([x, x], -1).shape, tf.stack([x, x], -1).shape, tf.transpose(x).shape,
      tf.reduce_mean(x, 0, keepdims=True).shape, tf.argmax(x, 1).shape,
      tf.matmul(x, x, transpose_b=True).shape)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    feed = {x: np.arange(6, dtype=np.float32).reshape(2, 3), labels: [1, 0]}
    out = sess.run({"flat": flat, "zeros": zeros, "pairs": pairs, "batch": batch,
                    "logits": logits, "both": (s, [h])}, feed)
    for key in sorted(out):
        value = out[key]
        print(key, np.asarray(value).tolist() if not isinstance(value, tuple) else
              [np.asarray(value[0]).tolist(), [np.asarray(value[1][0]).tolist()]])
    print(sess.run(tf.shape(flat), feed).tolist(), sess.run(tf.size(x), feed),
          sess.run(tf.rank(flat), feed))
    print(type(sess.run(s, feed)).__name__, type(sess.run(batch, feed)).__name__,
          type(sess.run(tf.constant("a"))).__name__, type(sess.run(tf.constant(True))).__name__)

"""Small ints, float16 and strings: constants, placeholders, casts and TF1's conversions."""
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

hello = tf.constant("Hello, TensorFlow!")
words = tf.placeholder(tf.string, [None])
i8 = tf.constant([100, -100, 27], dtype=tf.int8)
i16 = tf.constant([30000, -2, 7], dtype=tf.int16)
u8 = tf.constant([250, 3, 7], dtype=tf.uint8)
h = tf.constant([0.1, 1.5, -2.25], dtype=tf.float16)
hp = tf.placeholder(tf.float16, [3])

fetches = [
    ("hello", hello), ("words", tf.identity(words)),
    ("words_equal", tf.equal(words, tf.constant("b"))),
    ("reshape_strings", tf.reshape(words, [1, -1])),
    ("int8_add", i8 + i8), ("int8_mul", i8 * tf.constant(2, tf.int8)),
    ("int16_sum", tf.reduce_sum(i16)), ("int16_sub", i16 - tf.constant(5, tf.int16)),
    ("uint8_add", u8 + u8), ("uint8_sum", tf.reduce_sum(u8)),
    ("int_divide", [tf.divide(i8, tf.constant(3, tf.int8)), tf.divide(u8, tf.constant(2, tf.uint8)),
                    tf.divide(i16, tf.constant(4, tf.int16))]),
    ("half", [h + h, h * hp, tf.sqrt(hp), tf.exp(h), tf.reduce_mean(h), tf.square(h)]),
    ("half_matmul", tf.matmul(tf.reshape(h, [1, 3]), tf.reshape(hp, [3, 1]))),
    ("casts", [tf.cast(h, tf.float32), tf.cast(tf.constant([1.7, -1.7, 300.0]), tf.int32),
               tf.cast(i8, tf.float32), tf.cast(u8, tf.int16), tf.cast(i16, tf.int64),
               tf.cast(tf.constant([0.0, 2.0]), tf.bool),
               tf.cast(tf.constant([True, False]), tf.float16)]),
    ("argmax_equal", [tf.argmax(i8), tf.equal(u8, tf.constant(3, tf.uint8))]),
    ("dtypes", tf.constant([tf.int8.max, tf.int16.min, tf.uint8.max], tf.float32)),
]

with tf.Session() as sess:
    feed = {words: ["a", b"b", "c\u00e9"], hp: [2.0, 4.0, 0.5]}
    for name, tensor in fetches:
        result = sess.run(tensor, feed)
        if isinstance(result, list):
            print(name, [np.asarray(r).tolist() for r in result], [np.asarray(r).dtype.name for r in result])
        else:
            print(name, np.asarray(result).tolist(), np.asarray(result).dtype.name)
    print("types", hello.dtype.name, words.dtype.name, h.dtype.name, (i8 / i8).dtype.name)

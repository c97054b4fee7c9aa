"""The bytes of a ``Summary`` protocol buffer, written by hand (no protobuf library needed).

A summary op's value is a serialized ``Summary``: a list of ``Value``s, each with a ``tag``
and either a ``simple_value`` (a float: scalars) or a ``histo`` (a ``HistogramProto``). The
protobuf wire format is a sequence of (field number, wire type) keys, each followed by its
value: a varint, 4 or 8 little-endian bytes, or a length and that many bytes. Only what
summaries use is here; TensorBoard's own classes read the result.

Two serialized messages, concatenated, are one message whose repeated fields hold both
lists: that is how MergeSummary merges.
"""
import struct

import numpy as np

__all__ = ["scalar_summary", "histogram_summary", "summary_tags", "histogram_buckets"]

_VARINT, _FIXED64, _LENGTH, _FIXED32 = 0, 1, 2, 5
# Summary: repeated Value value = 1. Value: string tag = 1, float simple_value = 2,
# HistogramProto histo = 5. HistogramProto: double min = 1, max = 2, num = 3, sum = 4,
# sum_squares = 5, repeated double bucket_limit = 6 (packed), repeated double bucket = 7.


def _varint(n):
    out = bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        if n:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def _key(field, wire_type):
    return _varint(field << 3 | wire_type)


def _length_delimited(field, payload):
    return _key(field, _LENGTH) + _varint(len(payload)) + payload


def _double(field, x):
    return _key(field, _FIXED64) + struct.pack("<d", x)


def scalar_summary(tag, value):
    """A Summary with one Value: ``tag`` and ``simple_value`` (stored as float32)."""
    value = _length_delimited(1, tag.encode("utf-8")) + _key(2, _FIXED32) + \
        struct.pack("<f", value)
    return _length_delimited(1, value)


def histogram_summary(tag, values):
    """A Summary with one Value: ``tag`` and the HistogramProto of ``values`` (finite)."""
    values = np.asarray(values, np.float64).ravel()
    limits, counts = histogram_buckets(values)
    if values.size:
        low, high = float(values.min()), float(values.max())
    else:  # TF's empty histogram
        low, high = _LIMITS[-1], -_LIMITS[-1]
    histo = b"".join([
        _double(1, low), _double(2, high), _double(3, float(values.size)),
        _double(4, float(values.sum())), _double(5, float(np.dot(values, values))),
        _length_delimited(6, limits.astype("<f8").tobytes()),
        _length_delimited(7, counts.astype("<f8").tobytes())])
    value = _length_delimited(1, tag.encode("utf-8")) + _length_delimited(5, histo)
    return _length_delimited(1, value)


def _default_bucket_limits():
    """TF's bucket edges: ±1e-12 growing by 10% up to ±1e20, then ±DBL_MAX, and 0."""
    positive = []
    v = 1e-12
    while v < 1e20:
        positive.append(v)
        v *= 1.1
    positive.append(np.finfo(np.float64).max)
    return np.array([-x for x in reversed(positive)] + [0.0] + positive)


_LIMITS = _default_bucket_limits()


def histogram_buckets(values):
    """(right edges, counts) as TF encodes them: bucket i counts the values in
    [limit[i-1], limit[i]); each run of empty buckets becomes one bucket."""
    counts = np.bincount(np.searchsorted(_LIMITS, values, side="right"),
                         minlength=len(_LIMITS))[:len(_LIMITS)]
    # A bucket is written if it is non-empty, or if it ends a run of empty ones.
    empty = counts == 0
    last_of_run = empty & np.append(~empty[1:], True)
    keep = ~empty | last_of_run
    return _LIMITS[keep], counts[keep].astype(np.float64)


def _read_varint(data, pos):
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, pos


def _fields(data):
    """(field number, wire type, value) of each field of a serialized message."""
    pos = 0
    while pos < len(data):
        key, pos = _read_varint(data, pos)
        field, wire_type = key >> 3, key & 7
        if wire_type == _VARINT:
            value, pos = _read_varint(data, pos)
        elif wire_type == _FIXED64:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire_type == _FIXED32:
            value, pos = data[pos:pos + 4], pos + 4
        elif wire_type == _LENGTH:
            length, pos = _read_varint(data, pos)
            value, pos = data[pos:pos + length], pos + length
        else:
            raise ValueError("unsupported protobuf wire type %d" % wire_type)
        if pos > len(data):
            raise IndexError("truncated message: field %d runs past the end" % field)
        yield field, wire_type, value


def summary_tags(data):
    """The tags of the Values in a serialized Summary, in order.

    Raises:
        ValueError: ``data`` is not a serialized Summary.
    """
    try:
        tags = []
        for field, wire_type, value in _fields(data):
            if field == 1 and wire_type == _LENGTH:
                tags.extend(v.decode("utf-8") for f, w, v in _fields(value)
                            if f == 1 and w == _LENGTH)
        return tags
    except (IndexError, UnicodeDecodeError) as e:
        raise ValueError("not a serialized Summary: %s" % e) from None

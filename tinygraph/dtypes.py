"""Data types: thin, numpy-backed stand-ins for TF1's ``tf.DType`` objects.

A ``DType`` wraps one numpy dtype. ``float32_ref`` and friends mark the output of a
variable op (a reference to mutable state), as TF1 prints them. ``string`` values are numpy
object arrays of ``bytes`` (text is encoded as UTF-8), fetched as ``bytes`` as in TF1.
"""
import numpy as np

__all__ = ["DType", "as_dtype", "float16", "float32", "float64", "int8", "int16", "int32",
           "int64", "uint8", "bool", "string"]


class DType:
    """A tensor element type: ``name``, ``as_numpy_dtype`` and a few predicates."""

    __slots__ = ("name", "np_dtype", "is_ref", "_base")

    def __init__(self, name, np_dtype, is_ref=False, base=None):
        self.name = name
        self.np_dtype = np.dtype(np_dtype)
        self.is_ref = is_ref
        self._base = base if base is not None else self

    @property
    def as_numpy_dtype(self):
        """The numpy scalar type, e.g. ``numpy.float32``."""
        return self.np_dtype.type

    @property
    def base_dtype(self):
        """The value type behind a ``*_ref`` type (itself for plain types)."""
        return self._base

    @property
    def is_floating(self):
        return self.np_dtype.kind == "f"

    @property
    def is_integer(self):
        return self.np_dtype.kind in "iu"

    @property
    def is_unsigned(self):
        return self.np_dtype.kind in "ub"

    @property
    def is_string(self):
        return self.np_dtype.kind == "O"

    @property
    def min(self):
        """The lowest value of a numeric type (TF1's ``DType.min``)."""
        return _limits(self)[0]

    @property
    def max(self):
        """The highest value of a numeric type (TF1's ``DType.max``)."""
        return _limits(self)[1]

    @property
    def is_bool(self):
        return self.np_dtype.kind == "b"

    @property
    def tf_word(self):
        """The word TF1 error messages use: half, float, double, int32, int64, bool, ..."""
        return {"float16": "half", "float32": "float",
                "float64": "double"}.get(self._base.name, self._base.name)

    def __eq__(self, other):
        if isinstance(other, DType):
            return self.name == other.name
        try:
            return self is as_dtype(other)
        except TypeError:
            return False

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        return "tf." + self.name

    def __str__(self):
        return "<dtype: %r>" % self.name


float16 = DType("float16", np.float16)
float32 = DType("float32", np.float32)
float64 = DType("float64", np.float64)
int8 = DType("int8", np.int8)
int16 = DType("int16", np.int16)
int32 = DType("int32", np.int32)
int64 = DType("int64", np.int64)
uint8 = DType("uint8", np.uint8)
bool = DType("bool", np.bool_)  # noqa: A001  (TF's public name)
# Byte strings: object arrays holding ``bytes``; a 0-d one is fetched as ``bytes``.
string = DType("string", np.object_)
half, double = float16, float64  # TF1's other names

_ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, bool, string)
_REF = {d: DType(d.name + "_ref", d.np_dtype, is_ref=True, base=d) for d in _ALL}
_BY_NP = {d.np_dtype: d for d in _ALL}
_BY_NAME = {d.name: d for d in _ALL}
_BY_NAME.update({"float": float32, "double": float64, "half": float16})


def _limits(dtype):
    np_dtype = dtype.base_dtype.np_dtype
    if np_dtype.kind == "f":
        info = np.finfo(np_dtype)
        return float(info.min), float(info.max)
    if np_dtype.kind in "iu":
        info = np.iinfo(np_dtype)
        return int(info.min), int(info.max)
    if np_dtype.kind == "b":
        return False, True
    raise TypeError("Cannot find minimum/maximum value for %s." % dtype.name)


def ref_dtype(dtype):
    """The ``*_ref`` type of a plain type (what a variable op outputs)."""
    return _REF[as_dtype(dtype).base_dtype]


def as_dtype(value):
    """Convert a DType, numpy dtype/type or name string into a tinygraph ``DType``.

    Raises:
        TypeError: for anything that names no supported type.
    """
    if isinstance(value, DType):
        return value
    if isinstance(value, str) and value in _BY_NAME:
        return _BY_NAME[value]
    try:
        np_dtype = np.dtype(value)
    except TypeError:
        np_dtype = None
    if np_dtype is not None and np_dtype in _BY_NP:
        return _BY_NP[np_dtype]
    if np_dtype is not None and np_dtype.kind in "SU":  # np.bytes_, np.str_: TF1's string
        return string
    raise TypeError(
        "Cannot convert %r to a tinygraph dtype; supported: %s." % (value, ", ".join(
            d.name for d in _ALL)))


def zeros_array(shape, np_dtype):
    """``np.zeros``, but a string array holds ``b""`` (TF1's zero string) rather than 0."""
    if np.dtype(np_dtype).kind == "O":
        return np.full(shape, b"", object)
    return np.zeros(shape, np_dtype)


def convert_array(value, dtype):
    """``value`` as a numpy array of ``dtype``, refusing conversions that lose information.

    Integer and bool targets are exact: every value must be held exactly (integral, finite
    and in range for ints; 0 or 1 for bool), whatever it comes as: an array of any numeric
    type, a list, a Python int of any size, an object array. Float targets take any number,
    rounded to the nearest (float64 into float32 included; beyond float32's range it is inf,
    as in TF), except Python ints too large even for float64. Strings, None and other
    objects are refused. A ``string`` target takes only ``bytes`` and ``str`` (encoded as
    UTF-8), never numbers: an object array of ``bytes`` comes back.

    Raises:
        TypeError: naming the source type, the target type and an offending value.
    """
    if as_dtype(dtype) is string:
        return to_bytes_array(value)
    target = as_dtype(dtype).np_dtype
    arr = value if isinstance(value, np.ndarray) else np.asarray(value)
    if arr.dtype == target:
        return arr
    if arr.dtype.kind == "O" or (arr is not value and _may_hide_rounded_ints(arr, target)):
        return _convert_items(value, arr, target)
    if arr.dtype.kind not in "biuf":
        raise TypeError("Cannot convert %s of type %s to %s." % (_describe(value), arr.dtype,
                                                                target))
    if target.kind != "f" and not np.can_cast(arr.dtype, target):
        bad = _first_false(arr, _held_exactly(arr, target))
        if bad is not None:
            raise _lossy(value, arr.dtype, target, bad)
    with np.errstate(over="ignore"):  # float64 beyond float32's range becomes inf, as in TF
        return arr.astype(target)


def to_bytes_array(value):
    """``value`` (str, bytes, or nested lists or arrays of them) as an object array of bytes.

    Raises:
        TypeError: naming the first item that is not a string (numbers are never turned into
            text, as in TF1).
    """
    if isinstance(value, np.ndarray) and value.dtype.kind in "SU":
        items = value.astype(object)
    else:
        items = np.empty((), object)
        items[()] = value
        if isinstance(value, (list, tuple, np.ndarray)):
            items = np.array(value, dtype=object)
    out = np.empty(items.shape, object)
    flat = out.reshape(-1)
    for i, item in enumerate(items.reshape(-1)):
        if isinstance(item, bytes):  # np.bytes_ too
            flat[i] = bytes(item)
        elif isinstance(item, str):  # np.str_ too
            flat[i] = item.encode("utf-8")
        else:
            raise TypeError("Cannot convert %s to string: %s (of type %s) is not a string."
                            % (_describe(value), _describe(item), type(item).__name__))
    return out


def first_lossy_cast(arr, target):
    """For ``cast``: an element of ``arr`` that the integer dtype ``target`` cannot hold after
    truncation toward zero (NaN, Inf or out of range), or None. Other targets: always None."""
    if target.kind not in "iu" or arr.size == 0 or np.can_cast(arr.dtype, target):
        return None
    if arr.dtype.kind != "f":
        return _first_false(arr, _held_exactly(arr, target))
    low, end = _float_range(target)
    ok = (arr >= low) & (arr < end)  # NaN fails both
    if not ok.all():
        ok |= np.trunc(arr) == low  # values in (low - 1, low) truncate to low, which fits
    return _first_false(arr, ok)


def _float_range(target):
    """The integer dtype's range [low, end) as float64: both ends are powers of two (or 0),
    exact in every float type, so no rounding can widen it. (Comparing with ``max`` instead
    would round 2**31 - 1 up to 2**31 in float32 and admit 2**31, which wraps.)"""
    info = np.iinfo(target)
    return np.float64(info.min), np.float64(info.max + 1)


def _held_exactly(arr, target):
    """Elementwise: does the int or bool dtype ``target`` hold this element of ``arr`` exactly?"""
    if target.kind == "b":
        return (arr == 0) | (arr == 1)
    if arr.dtype.kind != "f":
        info = np.iinfo(target)
        return (arr >= info.min) & (arr <= info.max)  # numpy compares integers exactly
    low, end = _float_range(target)
    return (arr >= low) & (arr < end) & (np.trunc(arr) == arr)  # NaN and Inf fail


def _first_false(arr, ok):
    ok = np.asarray(ok).reshape(-1)
    if ok.all():
        return None
    return arr.reshape(-1)[np.argmin(ok)].item()


def _may_hide_rounded_ints(arr, target):
    """numpy turns a list mixing ints and floats into floats, rounding ints beyond the float's
    mantissa: [2**53 + 1, 2.0] becomes [2**53, 2.0]. Such a rounded value is at least
    2**(mantissa bits); only then are the items converted one by one, exactly."""
    if target.kind not in "iu" or arr.dtype.kind != "f":
        return False
    with np.errstate(invalid="ignore"):
        return np.any(np.abs(arr) >= 2.0 ** (np.finfo(arr.dtype).nmant + 1))


def _convert_items(value, arr, target):
    """Convert item by item (object arrays, Python ints of any size): exact, and slow."""
    items = arr if arr.dtype.kind == "O" else np.array(value, dtype=object)
    source = arr.dtype if isinstance(value, np.ndarray) else type(value).__name__
    out = np.empty(items.shape, target)
    flat = out.reshape(-1)
    with np.errstate(over="ignore"):
        for i, item in enumerate(items.flat):
            converted = _exact_item(item, target)
            if converted is None:
                raise _lossy(value, source, target, item)
            flat[i] = converted
    return out


def _exact_item(item, target):
    """``item`` as a Python number that ``target`` holds exactly (or rounds, for floats), or
    None when it would change."""
    if isinstance(item, (int, np.integer, np.bool_)):  # bool is an int
        number = int(item)
    elif isinstance(item, (float, np.floating)):
        number = item
    else:
        raise TypeError("Cannot convert %r (of type %s) to %s: not a number."
                        % (item, type(item).__name__, target))
    if target.kind == "f":
        try:
            return float(number)
        except OverflowError:  # a Python int beyond float64's range
            return None
    if not isinstance(number, int):
        if not number.is_integer():  # also NaN and Inf
            return None
        number = int(number)
    low, high = (0, 1) if target.kind == "b" else (np.iinfo(target).min, np.iinfo(target).max)
    return number if low <= number <= high else None


def _lossy(value, source, target, bad):
    return TypeError("Cannot convert %s of type %s to %s without losing information: value %s "
                     "does not fit." % (_describe(value), source, target, _describe(bad)))


def _describe(value):
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."

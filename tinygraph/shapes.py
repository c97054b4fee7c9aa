"""Partially known shapes: a rank (or none) and dims that may be ``None`` (unknown).

Build-time inference works on these; run-time code only ever sees real numpy shapes.
"""

__all__ = ["Dimension", "TensorShape", "as_shape", "broadcast_shape", "dimension_value"]


class Dimension(int):
    """One known dim of a TensorShape, as TF1's ``shape[i]`` gives it: an int with
    ``.value`` (``x.get_shape()[1].value``), printed as the number."""

    __slots__ = ()

    @property
    def value(self):
        return int(self)

    def __repr__(self):
        return "Dimension(%d)" % self

    def __str__(self):
        return str(int(self))


class UnknownDimension:
    """An unknown dim, as TF1's ``Dimension(None)``: ``.value`` is None, printed as ``?``;
    comparing it with anything gives None (unknown), as in TF1."""

    __slots__ = ()
    value = None

    def __repr__(self):
        return "Dimension(None)"

    def __str__(self):
        return "?"

    def __eq__(self, other):
        return None

    def __ne__(self, other):
        return None

    __hash__ = object.__hash__


UNKNOWN = UnknownDimension()


def dimension_value(d):
    """The int or None behind a dim, a Dimension or an unknown one."""
    return None if d is None or isinstance(d, UnknownDimension) else int(d)


class TensorShape:
    """A shape like ``(?, 3072)``: ``dims`` is a tuple of ints/None, or None (unknown rank)."""

    __slots__ = ("dims",)

    def __init__(self, dims):
        if dims is not None:
            dims = tuple(dimension_value(d) for d in dims)
        self.dims = dims

    @property
    def ndims(self):
        return None if self.dims is None else len(self.dims)

    rank = ndims

    def as_list(self):
        if self.dims is None:
            raise ValueError("as_list() is not defined on an unknown TensorShape.")
        return list(self.dims)

    def is_fully_defined(self):
        return self.dims is not None and None not in self.dims

    def is_compatible_with(self, other):
        """True when some concrete shape fits both (unknown dims match anything)."""
        other = as_shape(other)
        if self.dims is None or other.dims is None:
            return True
        if len(self.dims) != len(other.dims):
            return False
        return all(a is None or b is None or a == b for a, b in zip(self.dims, other.dims))

    def merge_with(self, other):
        other = as_shape(other)
        if not self.is_compatible_with(other):
            raise ValueError("Shapes %s and %s are not compatible" % (self, other))
        if self.dims is None:
            return other
        if other.dims is None:
            return self
        return TensorShape([a if a is not None else b for a, b in zip(self.dims, other.dims)])

    def num_elements(self):
        if not self.is_fully_defined():
            return None
        n = 1
        for d in self.dims:
            n *= d
        return n

    def bracket_str(self):
        """TF1's compact form for error texts: ``[?,3072]``, ``[]``, ``?``."""
        if self.dims is None:
            return "?"
        return "[" + ",".join("?" if d is None else str(d) for d in self.dims) + "]"

    def __str__(self):
        if self.dims is None:
            return "<unknown>"
        if len(self.dims) == 1:
            return "(%s,)" % ("?" if self.dims[0] is None else self.dims[0])
        return "(" + ", ".join("?" if d is None else str(d) for d in self.dims) + ")"

    def __repr__(self):
        return "TensorShape(%s)" % (None if self.dims is None else list(self.dims))

    def __eq__(self, other):
        try:
            other = as_shape(other)
        except (TypeError, ValueError):
            return NotImplemented
        return self.dims == other.dims

    def __hash__(self):
        return hash(self.dims)

    def __len__(self):
        if self.dims is None:
            raise ValueError("Cannot take the length of a shape with unknown rank.")
        return len(self.dims)

    def __iter__(self):
        """The dims as TF1's ``Dimension``s (ints with ``.value``; ``?`` when unknown)."""
        if self.dims is None:
            raise ValueError("Cannot iterate over a shape with unknown rank.")
        return (UNKNOWN if d is None else Dimension(d) for d in self.dims)

    def __getitem__(self, index):
        if self.dims is None:
            return UNKNOWN if isinstance(index, int) else TensorShape(None)
        if isinstance(index, slice):
            return TensorShape(self.dims[index])
        d = self.dims[index]
        return UNKNOWN if d is None else Dimension(d)


def as_shape(value):
    """Convert None, a list/tuple of ints/None, or a TensorShape into a TensorShape."""
    if isinstance(value, TensorShape):
        return value
    if value is None:
        return TensorShape(None)
    if isinstance(value, int):
        return TensorShape([value])
    try:
        dims = [None if isinstance(d, UnknownDimension) else d for d in value]
    except TypeError:
        raise TypeError("Cannot convert %r to a shape." % (value,)) from None
    for d in dims:
        if d is not None and (not isinstance(d, (int,)) and not hasattr(d, "__index__")
                              or int(d) < -1):
            raise TypeError("Cannot convert %r to a shape: dims must be ints or None." % (value,))
    return TensorShape([None if d is None or int(d) == -1 else d for d in dims])


def broadcast_shape(a, b):
    """Static numpy-style broadcast of two shapes, or None where dims don't agree.

    Unknown dims are accepted at build time (they are checked when the op runs).
    Returns None when two known dims differ and neither is 1.
    """
    if a.dims is None or b.dims is None:
        return TensorShape(None)
    out = []
    for i in range(1, max(len(a.dims), len(b.dims)) + 1):
        x = a.dims[-i] if i <= len(a.dims) else 1
        y = b.dims[-i] if i <= len(b.dims) else 1
        if x == 1:
            out.append(y)
        elif y == 1:
            out.append(x)
        elif x is None or y is None:
            out.append(x if y is None else y)
        elif x == y:
            out.append(x)
        else:
            return None
    return TensorShape(out[::-1])

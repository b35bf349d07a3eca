"""``purepy``: the executable specification of piconumpy, on Python lists.

Every other backend must behave exactly like this one (values, exception
types, NotImplemented for foreign operands).  It is also a backend in its own
right: on PyPy the JIT sees through it.
"""

from . import _rules

__all__ = ["array", "zeros", "empty", "cos", "sin"]


class array:
    """A one-dimensional array of float64."""

    __slots__ = ("_data",)
    # How the floats are held; ``purepy_array`` overrides only this.
    _store = list
    # numpy must not turn ``numpy_scalar * a`` into a numpy array: with
    # __array_ufunc__ = None it returns NotImplemented, so our __rmul__ runs.
    __array_ufunc__ = None

    def __init__(self, iterable):
        self._data = self._store(_rules.iterate(iterable))

    @classmethod
    def _wrap(cls, values):
        """A new array adopting ``values``, a new list of floats (no copy)."""
        result = cls.__new__(cls)
        result._data = values
        return result

    @property
    def size(self):
        return len(self._data)

    def __len__(self):
        return len(self._data)

    def __getitem__(self, i):
        return self._data[_rules.index(i, len(self._data))]

    def __setitem__(self, i, value):
        i = _rules.index(i, len(self._data))
        self._data[i] = _rules.real(value, "array item")

    def __delitem__(self, i):
        raise TypeError("array does not support item deletion")

    def __iter__(self):
        return iter(self._data)

    def tolist(self):
        return list(self._data)

    def __repr__(self):
        return _rules.format_repr(self._data)

    def __mul__(self, other):
        s = _rules.scalar_or_none(other)
        if s is None:
            return NotImplemented
        return self._wrap([x * s for x in self._data])

    __rmul__ = __mul__

    def __truediv__(self, other):
        s = _rules.scalar_or_none(other)
        if s is None:
            return NotImplemented
        if s == 0.0:
            return self._wrap([_rules.divide(x, s) for x in self._data])
        return self._wrap([x / s for x in self._data])

    def __add__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        _rules.check_same_length(len(self._data), len(other._data))
        return self._wrap([x + y for x, y in zip(self._data, other._data)])

    def __sub__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        _rules.check_same_length(len(self._data), len(other._data))
        return self._wrap([x - y for x, y in zip(self._data, other._data)])

    def __neg__(self):
        return self._wrap([-x for x in self._data])


def _filled(cls, n, function):
    # There is no uninitialised memory in Python: empty() is zeros() here.
    return cls._wrap([0.0] * _rules.size(n, function))


def _elementwise(cls, function, scalar_function, x):
    if type(x) is cls:
        return cls._wrap([scalar_function(v) for v in x._data])
    return scalar_function(_rules.real(x, "{}() argument", function))


def zeros(n, /):
    return _filled(array, n, "zeros")


def empty(n, /):
    return _filled(array, n, "empty")


def cos(x, /):
    return _elementwise(array, "cos", _rules.cos, x)


def sin(x, /):
    return _elementwise(array, "sin", _rules.sin, x)

"""``purepy_array``: the specification's code on the standard ``array`` module.

The floats live in an ``array.array('d')`` (contiguous C doubles) instead of
a list of float objects; the behaviour is ``purepy``'s, inherited unchanged.
"""

from array import array as _carray

from .. import purepy

__all__ = ["array", "zeros", "empty", "cos", "sin"]


def _doubles(values):
    return _carray("d", values)


class array(purepy.array):
    """A one-dimensional array of float64 held in an ``array.array('d')``."""

    __slots__ = ()
    _store = staticmethod(_doubles)

    @classmethod
    def _wrap(cls, values):
        return super()._wrap(_doubles(values))


def zeros(n, /):
    return purepy._filled(array, n, "zeros")


def empty(n, /):
    return purepy._filled(array, n, "empty")


def cos(x, /):
    return purepy._elementwise(array, "cos", purepy._rules.cos, x)


def sin(x, /):
    return purepy._elementwise(array, "sin", purepy._rules.sin, x)

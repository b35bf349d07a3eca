"""``cffi``: the specification's array, its floats in a cffi buffer of doubles.

The floats live in a ``double[]`` allocated by ``ffi.new`` (one contiguous C
buffer, freed with the array); the behaviour is ``purepy``'s, inherited
where the code applies unchanged (indexing, iteration, repr), rewritten
where the storage allows faster code: the element-wise operations.

Those run either as a Python loop over the cdata, which PyPy's JIT compiles
to plain loads and stores, or as a C kernel of ``piconumpy._cffi_kernels``
(API mode, built by setup.py from _cffi_kernels.c), which PyPy's JIT calls
directly and CPython through cffi's call path.  KERNEL_MIN is the size from
which the kernels are used, chosen per interpreter by measurement
(MEASUREMENTS below).
"""

from . import _rules, purepy
from ._cffi_kernels import ffi, lib

__all__ = ["array", "zeros", "empty", "cos", "sin"]


_DOUBLES = ffi.typeof("double[]")
_zeroed = ffi.new
# For results that are written whole, and for empty(): no memset.
_uninitialised = ffi.new_allocator(should_clear_after_alloc=False)


class array(purepy.array):
    """A one-dimensional array of float64 held in a cffi ``double[]``."""

    __slots__ = ()

    @staticmethod
    def _store(floats):
        # ffi.new wants a list (or a tuple), not an iterator.
        return _zeroed(_DOUBLES, list(floats))

    @classmethod
    def _wrap(cls, values):
        """As purepy's: a new array from ``values``, a list of floats."""
        return cls._adopt(_zeroed(_DOUBLES, values))

    @classmethod
    def _adopt(cls, data):
        """A new array holding ``data``, a new ``double[]`` (no copy)."""
        result = cls.__new__(cls)
        result._data = data
        return result

    def tolist(self):
        return ffi.unpack(self._data, len(self._data))

    def __mul__(self, other):
        s = _rules.scalar_or_none(other)
        if s is None:
            return NotImplemented
        a = self._data
        n = len(a)
        out = _uninitialised(_DOUBLES, n)
        lib.pnp_mul(a, s, out, n)
        return self._adopt(out)

    __rmul__ = __mul__

    def __truediv__(self, other):
        s = _rules.scalar_or_none(other)
        if s is None:
            return NotImplemented
        a = self._data
        n = len(a)
        out = _uninitialised(_DOUBLES, n)
        lib.pnp_div(a, s, out, n)  # by zero the IEEE way, as _rules.divide
        return self._adopt(out)

    def __add__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        a, b = self._data, other._data
        n = len(a)
        _rules.check_same_length(n, len(b))
        out = _uninitialised(_DOUBLES, n)
        lib.pnp_add(a, b, out, n)
        return self._adopt(out)

    def __sub__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        a, b = self._data, other._data
        n = len(a)
        _rules.check_same_length(n, len(b))
        out = _uninitialised(_DOUBLES, n)
        lib.pnp_sub(a, b, out, n)
        return self._adopt(out)

    def __neg__(self):
        a = self._data
        n = len(a)
        out = _uninitialised(_DOUBLES, n)
        lib.pnp_neg(a, out, n)
        return self._adopt(out)


def _filled(n, function, allocate):
    n = _rules.size(n, function)
    try:
        data = allocate(_DOUBLES, n)
    except (MemoryError, OverflowError):
        # cffi's own refusals (OverflowError for a byte size beyond
        # Py_ssize_t, MemoryError when malloc fails) are the spec's.
        raise _rules.too_large(n, function) from None
    return array._adopt(data)


def _elementwise(function, kernel, scalar_function, x):
    if type(x) is not array:
        return scalar_function(_rules.real(x, f"{function}() argument"))
    a = x._data
    n = len(a)
    out = _uninitialised(_DOUBLES, n)
    kernel(a, out, n)  # libm: cos(inf) is nan, as _rules.cos
    return array._adopt(out)


def zeros(n):
    return _filled(n, "zeros", _zeroed)


def empty(n):
    # Uninitialised, like numpy.empty and the C backends.
    return _filled(n, "empty", _uninitialised)


def cos(x):
    return _elementwise("cos", lib.pnp_cos, _rules.cos, x)


def sin(x):
    return _elementwise("sin", lib.pnp_sin, _rules.sin, x)

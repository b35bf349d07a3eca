"""``cffi``: the specification's array, its floats in a cffi buffer of doubles.

The floats live in a ``double[]`` allocated by ``ffi.new`` (one contiguous C
buffer, freed with the array; on PyPy raw memory that the GC is told
about).  The behaviour is ``purepy``'s, inherited where the code applies
unchanged (indexing, iteration, repr, construction); each element-wise
operation allocates its result and calls one C kernel of
``piconumpy.backends._cffi_kernels`` (API mode, built by setup.py from
_cffi_kernels.c), which PyPy's JIT calls directly.
"""

# Why C kernels at every size, not Python loops over the cdata (ABI level,
# no compiled module) for small arrays: a kernel call costs less than the
# loop even on 4 items, on PyPy as on CPython (tools/measure_cffi.py
# compares the two; the README has the figures).  What costs on PyPy is the
# allocation: ffi.new gives raw memory, freed by a finalizer, and tells the
# GC about its bytes (memory pressure), which brings the next major
# collection nearer although the buffer dies young.  An allocator without
# pressure (ffi.new_allocator(alloc=malloc, free=free)) is worse: its
# arrays get a full finalizer.

import sys

from .. import _rules, purepy
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

    def _with_scalar(self, other, kernel):
        """a * s or a / s: ``kernel`` on the items and a real number."""
        s = _rules.scalar_or_none(other)
        if s is None:
            return NotImplemented
        a = self._data
        n = len(a)
        out = _uninitialised(_DOUBLES, n)
        kernel(a, s, out, n)
        return self._adopt(out)

    def __mul__(self, other):
        return self._with_scalar(other, lib.pnp_mul)

    __rmul__ = __mul__

    def __truediv__(self, other):
        # By zero the IEEE way, as _rules.divide.
        return self._with_scalar(other, lib.pnp_div)

    def _with_array(self, other, kernel):
        """a + b or a - b: ``kernel`` on two arrays of this type."""
        if type(other) is not type(self):
            return NotImplemented
        a, b = self._data, other._data
        n = len(a)
        _rules.check_same_length(n, len(b))
        out = _uninitialised(_DOUBLES, n)
        kernel(a, b, out, n)
        return self._adopt(out)

    def __add__(self, other):
        return self._with_array(other, lib.pnp_add)

    def __sub__(self, other):
        return self._with_array(other, lib.pnp_sub)

    def __neg__(self):
        a = self._data
        n = len(a)
        out = _uninitialised(_DOUBLES, n)
        lib.pnp_neg(a, out, n)
        return self._adopt(out)


#: Items beyond this are refused before cffi sees them: cffi adds its own
#: header to the byte size unchecked, so near MAX_SIZE it hands malloc a
#: negative size (valgrind reports it; malloc then fails cleanly).  2**59
#: doubles are 4 EiB: no machine has that to give anyway.
_CFFI_MAX_ITEMS = sys.maxsize >> 4


def _filled(n, function, allocate):
    n = _rules.size(n, function)
    if n > _CFFI_MAX_ITEMS:
        raise _rules.too_large(n, function)
    try:
        data = allocate(_DOUBLES, n)
    except (MemoryError, OverflowError):
        # cffi's own refusals (OverflowError for a byte size beyond
        # Py_ssize_t, MemoryError when malloc fails) are the spec's.
        raise _rules.too_large(n, function) from None
    return array._adopt(data)


def _elementwise(function, kernel, scalar_function, x):
    if type(x) is not array:
        return scalar_function(_rules.real(x, "{}() argument", function))
    a = x._data
    n = len(a)
    out = _uninitialised(_DOUBLES, n)
    kernel(a, out, n)  # libm: cos(inf) is nan, as _rules.cos
    return array._adopt(out)


def zeros(n, /):
    return _filled(n, "zeros", _zeroed)


def empty(n, /):
    # Uninitialised, like numpy.empty and the C backends.
    return _filled(n, "empty", _uninitialised)


def cos(x, /):
    return _elementwise("cos", lib.pnp_cos, _rules.cos, x)


def sin(x, /):
    return _elementwise("sin", lib.pnp_sin, _rules.sin, x)

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
# no compiled module) for small arrays: measured with tools/measure_cffi.py
# (best of 5 after warm-up; time relative to purepy, lower is faster):
#
#                         PyPy 7.3.11        CPython 3.11
#                        loops  kernels     loops  kernels
#   array([4 floats])     1.38    1.41       1.03    1.01
#   a * 2.0, 4 items      1.75    0.85-1.04  1.88    1.30
#   a + b, 4 items        1.66    1.43       1.75    1.07
#   a * 2.0, 64 items     2.37    1.70-1.92  2.94    0.43
#   a + b, 1024 items     1.20    0.87       3.48    0.03
#   board, 1 sled x 200   1.55    1.34-1.44  1.31    1.06
#
# On PyPy a kernel call on 4 doubles takes 8 ns, the loop over cdata 26 ns.
# What costs there is the allocation: ffi.new of 4 doubles ~34 ns (raw
# memory, freed by a finalizer), against ~9 ns for [0.0] * 4 (a GC object).
#
# What the benchmark shows on PyPy (python -m piconumpy.bench, 4 items per
# operation; board: 10 sleds x 200 steps, each run in its own process):
# a * 2.0 takes 25 ns (purepy 47, hpy_universal 103), a + b 27 ns (47, 108),
# a[i] 1.9 ns (1.8, 25), array() 297 ns (260, 280).  board's median is
# purepy's (5.33 against 5.25 ms; hpy_universal 9.4 ms) but about a third of
# the calls take twice as long (mean 7.3 ms): ffi.new tells PyPy's GC about
# its raw bytes (memory pressure), which brings the next major collection
# nearer although the buffer is freed at the next minor one.  An allocator
# without pressure (ffi.new_allocator(alloc=malloc, free=free)) is worse:
# its arrays get a full finalizer (board several times slower).

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
        return scalar_function(_rules.real(x, f"{function}() argument"))
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

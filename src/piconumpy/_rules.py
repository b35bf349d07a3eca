"""The rules every backend shares, written once in Python.

The pure-Python backends (``purepy``, ``purepy_array``) are built from these
functions; the compiled backends implement the same rules in C and are tested
against them.  Each rule mirrors what the CPython C-API does, so that a C
backend can follow it with ordinary API calls:

* a *real number* is what ``PyFloat_AsDouble`` accepts: a float (or float
  subclass, read without calling ``__float__``), an object whose type has
  ``__float__`` (which must return a float), or an object whose type has
  ``__index__`` (an int too large for a double is an OverflowError);
* an *index* or a *size* is what ``PyNumber_Index`` accepts;
* arithmetic is IEEE 754: ``x / 0.0`` is inf or nan, never an exception.
"""

import math
import operator
import sys
import warnings



def _float_warns_about_float_subclasses():
    """Whether this interpreter's float() warns (DeprecationWarning) when a
    __float__ returns an instance of a float subclass.

    CPython does since 3.7, PyPy's float() does too (7.3.11 and later), but
    PyPy's C API did not always; the backends convert as float() does, so
    the rule is what float() does here, whatever the interpreter's name.
    """
    class _Sub(float):
        pass

    class _Returns:
        def __float__(self):
            return _Sub(0.5)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        float(_Returns())
    return any(issubclass(w.category, DeprecationWarning) for w in caught)


#: Probed once: whether as_real warns, as float() does, when a __float__
#: returns a float subclass.
_WARNS_ABOUT_FLOAT_SUBCLASSES = _float_warns_about_float_subclasses()

#: The largest number of float64 items an array can have; anything above is
#: a MemoryError, like an allocation that fails.
MAX_SIZE = sys.maxsize // 8


def type_name(obj):
    return type(obj).__name__


def as_real(value):
    """Return ``value`` as a float, following ``PyFloat_AsDouble``.

    A ``__float__`` returning a float subclass warns exactly when this
    interpreter's float() does (``_WARNS_ABOUT_FLOAT_SUBCLASSES``).

    Raise TypeError if ``value`` is not a real number.  Errors raised by the
    value's own ``__float__`` or ``__index__`` propagate unchanged.
    """
    if isinstance(value, float):
        return float.__float__(value)
    cls = type(value)
    if hasattr(cls, "__float__"):
        result = cls.__float__(value)
        if not isinstance(result, float):
            raise TypeError(
                f"{cls.__name__}.__float__ returned non-float "
                f"(type {type_name(result)})"
            )
        if type(result) is not float and _WARNS_ABOUT_FLOAT_SUBCLASSES:
            warnings.warn(
                f"{cls.__name__}.__float__ returned non-float (type "
                f"{type_name(result)}).  The ability to return an instance "
                "of a strict subclass of float is deprecated, and may be "
                "removed in a future version of Python.",
                DeprecationWarning, stacklevel=2,
            )
        return float.__float__(result)
    if hasattr(cls, "__index__"):
        # float(int) raises OverflowError for ints beyond the double range.
        return float(operator.index(value))
    raise TypeError(f"must be real number, not {cls.__name__}")


def is_real(value):
    """Whether ``value`` is of a type ``as_real`` accepts (it may still fail).

    complex is not real, although Python 3.9 gives it a ``__float__`` that
    raises TypeError (3.10 removed it).
    """
    cls = type(value)
    if isinstance(value, complex):
        return False
    return (
        isinstance(value, float)
        or hasattr(cls, "__float__")
        or hasattr(cls, "__index__")
    )


def real(value, what, *what_arguments):
    """``as_real(value)``, with a TypeError that names what is wrong:
    ``what.format(*what_arguments)``, formatted only then (on PyPy an
    eager f-string stays in the JIT's trace of every conversion)."""
    if not is_real(value):
        raise TypeError(
            f"{what.format(*what_arguments)} must be a real number, "
            f"not '{type_name(value)}'"
        )
    return as_real(value)


def scalar_or_none(value):
    """The operand of ``a * s`` as a float, or None if it is not a real number.

    None means the operation returns NotImplemented.  Only a TypeError means
    "not a real number": any other error of the value's conversion
    (OverflowError, an exception raised by ``__float__``) propagates.
    """
    try:
        return as_real(value)
    except TypeError:
        return None


def not_iterable(iterable):
    """The TypeError of ``array(iterable)`` when ``iter(iterable)`` fails."""
    return TypeError(
        "array() argument must be an iterable of real numbers, "
        f"not '{type_name(iterable)}'"
    )


def iterate(iterable):
    """The elements of the input of ``array()``, as a new list of floats.

    A list, not a generator: an exception raised while converting an element
    propagates as it is, StopIteration included (a generator would turn it
    into RuntimeError, PEP 479).  StopIteration raised by the iterator
    itself is the end, as everywhere.
    """
    try:
        iterator = iter(iterable)
    except TypeError:
        raise not_iterable(iterable) from None
    floats = []
    for position, value in enumerate(iterator):
        floats.append(real(value, "array() element {}", position))
    return floats


def size(n, function):
    """Check the size given to ``zeros(n)`` or ``empty(n)``."""
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(
            f"{function}() size must be an integer, not '{type_name(n)}'"
        ) from None
    if n < 0:
        raise ValueError(f"{function}() size must be non-negative, got {n}")
    if n > MAX_SIZE:
        raise too_large(n, function)
    return n


def too_large(n, function):
    """The MemoryError of ``zeros(n)`` or ``empty(n)`` when n items cannot be
    had; a backend whose allocation fails below MAX_SIZE raises it too."""
    return MemoryError(f"{function}() cannot allocate {n} float64 items")


def index(i, length):
    """Normalise the index of ``a[i]`` and check it is in range."""
    try:
        i = operator.index(i)
    except TypeError:
        raise TypeError(
            f"array indices must be integers, not '{type_name(i)}'"
        ) from None
    if i < 0:
        i += length
    if not 0 <= i < length:
        raise IndexError("array index out of range")
    return i


def check_same_length(len_a, len_b):
    if len_a != len_b:
        raise ValueError(
            f"operands have different lengths: {len_a} and {len_b}"
        )


def divide(x, s):
    """``x / s`` in IEEE 754 arithmetic, as C computes it."""
    if s != 0.0:
        return x / s
    if x != x or x == 0.0:
        return math.nan
    return math.copysign(math.inf, x) * math.copysign(1.0, s)


def cos(x):
    """IEEE ``cos``: nan for an infinity, as C and numpy give (math.cos raises)."""
    return math.cos(x) if x - x == 0.0 else math.nan


def sin(x):
    return math.sin(x) if x - x == 0.0 else math.nan


def format_repr(values):
    return "array([" + ", ".join(map(repr, values)) + "])"

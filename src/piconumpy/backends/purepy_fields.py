"""``purepy_fields``: the specification, with small arrays in fields.

An array of up to ``SMALL`` items keeps its floats in slots (``_0``,
``_1``...); a larger one keeps them in a list, as ``purepy`` does, and runs
``purepy``'s own code.  The operations on small arrays are straight-line
code, one function per size, generated once at import (``_source``): no loop
and no list, so that PyPy's JIT can keep a small array that does not escape
in registers (it "virtualises" it) instead of allocating it.  ``type(a)`` is
``array`` for every size.  The behaviour is ``purepy``'s, down to the
messages of the exceptions.
"""

from .. import _rules, purepy

__all__ = ["array", "zeros", "empty", "cos", "sin"]

#: The largest array kept in slots; the board workload's arrays have 4 items.
SMALL = 8

_SLOTS = tuple(f"_{i}" for i in range(SMALL))
_spec = purepy.array
_new = object.__new__


# --- the per-size functions, generated ---------------------------------------
# Each returns a new array of the type of its first argument (``purepy``'s
# ``self._wrap``); the items are computed in order, as purepy's list
# comprehensions compute them, and ``_n`` is set last, so that an array whose
# length says "small" always has its slots.

#: Element-wise operations: arguments, and the expression of item {i}.
_ELEMENTWISE = {
    "scale": ("a, s", "a._{i} * s"),
    "divide": ("a, s", "a._{i} / s"),
    "add": ("a, b", "a._{i} + b._{i}"),
    "sub": ("a, b", "a._{i} - b._{i}"),
    "neg": ("a", "-a._{i}"),
    "apply": ("a, f", "f(a._{i})"),
}


def _source(n):
    """The Python source of the functions for arrays of ``n`` items."""
    items = range(n)
    lines = []
    for name, (arguments, item) in _ELEMENTWISE.items():
        lines.append(f"def {name}_{n}({arguments}):")
        lines.append("    r = _new(a.__class__)")
        lines += [f"    r._{i} = {item.format(i=i)}" for i in items]
        lines += [f"    r._n = {n}", "    return r", ""]
    # store: a new list (or tuple) of n floats into the slots of r.
    lines.append(f"def store_{n}(r, values):")
    lines += [f"    r._{i} = values[{i}]" for i in items]
    lines += [f"    r._n = {n}", "    return r", ""]
    # init: array(values) for an exact list or tuple of n items.  Only if
    # they are all exact floats (whose conversion runs no code) are they
    # read here; otherwise the specification's conversion does it all.
    unpacked = "".join(f"v{i}, " for i in items)
    floats = " and ".join([f"type(v{i}) is float" for i in items] or ["1"])
    lines += [
        f"def init_{n}(self, values):",
        "    try:",
        f"        [{unpacked}] = values",
        "    except ValueError:  # another thread changed the list's length",
        "        return _store(self, _rules.iterate(values))",
        f"    if {floats}:",
    ]
    lines += [f"        self._{i} = v{i}" for i in items]
    lines += [f"        self._n = {n}", "    else:",
              "        _store(self, _rules.iterate(values))", ""]
    # get, set: item i (0 <= i < n) of a; an index the JIT does not know
    # becomes a guard per value, where getattr(a, name) would look the name
    # up at each call.
    lines.append(f"def get_{n}(a, i):")
    lines += [f"    if i == {i}:\n        return a._{i}" for i in items]
    lines += ["    raise IndexError(i)  # the caller checked the index", ""]
    lines.append(f"def set_{n}(a, i, value):")
    lines += [f"    if i == {i}:\n        a._{i} = value\n        return"
              for i in items]
    lines += ["    raise IndexError(i)", ""]
    lines.append(f"def tolist_{n}(a):")
    lines += ["    return [" + ", ".join(f"a._{i}" for i in items) + "]", ""]
    return "\n".join(lines)


def _generate():
    """Per function name, the tuple of its versions for sizes 0..SMALL.

    The functions are defined in this module: their globals must be a
    module's dictionary, whose lookups the JIT folds (a plain dict's it
    does not).
    """
    namespace = {}
    for n in range(SMALL + 1):
        exec(compile(_source(n), f"<purepy_fields, size {n}>", "exec"),
             globals(), namespace)
    names = list(_ELEMENTWISE) + ["store", "init", "get", "set", "tolist"]
    return {name: tuple(namespace[f"{name}_{n}"] for n in range(SMALL + 1))
            for name in names}


def _store(r, floats):
    """Array ``r`` made of ``floats``, a new list of floats (no copy)."""
    n = len(floats)
    if n <= SMALL:
        return _STORE[n](r, floats)
    r._data = floats
    r._n = n
    return r


_PER_SIZE = _generate()
# Module globals: the JIT reads them as constants (a dict lookup it may not).
_SCALE = _PER_SIZE["scale"]
_DIVIDE = _PER_SIZE["divide"]
_ADD = _PER_SIZE["add"]
_SUB = _PER_SIZE["sub"]
_NEG = _PER_SIZE["neg"]
_APPLY = _PER_SIZE["apply"]
_STORE = _PER_SIZE["store"]
_INIT = _PER_SIZE["init"]
_GET = _PER_SIZE["get"]
_SET = _PER_SIZE["set"]
_TOLIST = _PER_SIZE["tolist"]


# The arithmetic methods, generated too: a call to a shared helper would
# be more operations to trace in each of them.  Large arrays run purepy's.
_SCALAR_OPERATION = """
def {method}(self, other):
    n = self._n
    if n > SMALL:
        return _spec.{method}(self, other)
    # Shortcuts for an exact float or int, which as_real would convert the
    # same way after more checks.
    kind = type(other)
    if kind is float:
        s = other
    elif kind is int:
        s = float(other)
    else:
        s = _rules.scalar_or_none(other)
        if s is None:
            return NotImplemented
    {special}return {table}[n](self, s)
"""

_IEEE_DIVISION_BY_ZERO = """if s == 0.0:
        return _APPLY[n](self, lambda x: _rules.divide(x, s))
    """

_ARRAY_OPERATION = """
def {method}(self, other):
    if type(other) is not type(self):
        return NotImplemented
    n = self._n
    if other._n != n:
        _rules.check_same_length(n, other._n)
    if n > SMALL:
        return _spec.{method}(self, other)
    return {table}[n](self, other)
"""


def _method(template, method, table, special=""):
    namespace = {}
    source = template.format(method=method, table=table, special=special)
    exec(compile(source, f"<purepy_fields, {method}>", "exec"), globals(),
         namespace)
    return namespace[method]


def _items(a, n):
    """Iterate a small array, reading each item when it is reached."""
    get = _GET[n]
    for i in range(n):
        yield get(a, i)


def _tolist(a):
    n = a._n
    if n > SMALL:
        return list(a._data)
    return _TOLIST[n](a)


class array:
    """A one-dimensional array of float64, small ones in slots."""

    # _n: the length; _data: the list of a large array.
    __slots__ = ("_n", "_data") + _SLOTS
    __array_ufunc__ = None  # see purepy.array

    def __init__(self, iterable):
        kind = type(iterable)
        if kind is list or kind is tuple:
            n = len(iterable)
            if n <= SMALL:
                _INIT[n](self, iterable)
                return
        _store(self, _rules.iterate(iterable))

    @classmethod
    def _wrap(cls, values):
        """A new array adopting ``values``, a new list of floats.

        purepy's methods, which large arrays run, make their results here.
        """
        return _store(cls.__new__(cls), values)

    @property
    def size(self):
        return self._n

    def __len__(self):
        return self._n

    def __getitem__(self, i):
        n = self._n
        if n > SMALL:
            return _spec.__getitem__(self, i)
        if type(i) is not int or not 0 <= i < n:  # else index() returns i
            i = _rules.index(i, n)
        return _GET[n](self, i)

    def __setitem__(self, i, value):
        n = self._n
        if n > SMALL:
            return _spec.__setitem__(self, i, value)
        i = _rules.index(i, n)
        _SET[n](self, i, _rules.real(value, "array item"))

    __delitem__ = _spec.__delitem__

    def __iter__(self):
        n = self._n
        if n > SMALL:
            return iter(self._data)
        return _items(self, n)

    def tolist(self):
        return _tolist(self)

    def __repr__(self):
        return _rules.format_repr(_tolist(self))

    __mul__ = __rmul__ = _method(_SCALAR_OPERATION, "__mul__", "_SCALE")
    __truediv__ = _method(_SCALAR_OPERATION, "__truediv__", "_DIVIDE",
                          _IEEE_DIVISION_BY_ZERO)
    __add__ = _method(_ARRAY_OPERATION, "__add__", "_ADD")
    __sub__ = _method(_ARRAY_OPERATION, "__sub__", "_SUB")

    def __neg__(self):
        n = self._n
        if n > SMALL:
            return _spec.__neg__(self)
        return _NEG[n](self)


def _elementwise(function, scalar_function, x):
    kind = type(x)
    if kind is float:  # its own value: the rules' conversion is skipped
        return scalar_function(x)
    if kind is array:
        n = x._n
        if n <= SMALL:
            return _APPLY[n](x, scalar_function)
    return purepy._elementwise(array, function, scalar_function, x)


_ZEROS = (0.0,) * SMALL


def _filled(n, function):
    """purepy._filled, without a list for a small array."""
    n = _rules.size(n, function)
    if n <= SMALL:
        return _STORE[n](_new(array), _ZEROS)
    return array._wrap([0.0] * n)


def zeros(n, /):
    return _filled(n, "zeros")


def empty(n, /):
    return _filled(n, "empty")


def cos(x, /):
    return _elementwise("cos", _rules.cos, x)


def sin(x, /):
    return _elementwise("sin", _rules.sin, x)

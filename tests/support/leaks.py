"""What the leak tests and tools/soak.py run: every operation of the API
and every way it can fail, on one backend, and the process's resident
memory."""

import sys

from support.backends import foreign
from support.numbers import FloatReturnsStr, WithFloat, WithIndex

try:
    import numpy
except ImportError:
    numpy = None


class Raises:
    def __float__(self):
        raise ZeroDivisionError("from __float__")

    def __index__(self):
        raise ZeroDivisionError("from __index__")


class MyFloat(float):
    pass


class Knows:
    def __radd__(self, other):
        return "radd"

    def __rmul__(self, other):
        return "rmul"


def fresh(value):
    """A new object equal to value, shared with nothing else (small ints and
    constants are shared with the whole interpreter, their counts move)."""
    if isinstance(value, float):
        return float(repr(value))
    if isinstance(value, str):
        return "".join(["", value, ""]) + "\x00"
    raise TypeError(value)


def raises(expected, function, *args):
    """An operation that must raise ``expected``."""
    def operation():
        try:
            function(*args)
        except expected:
            return
        raise AssertionError(f"{function!r}{args!r} did not raise {expected}")

    return operation


def set_item(a, index, value):
    a[index] = value


def del_item(a, index):
    del a[index]


def set_size(a):
    a.size = 3


def broken_iterator(value):
    yield value
    raise KeyError("from the iterator")


def workload(m):
    """The operations on backend ``m``, and the objects they use.

    Any backend works (tools/soak.py runs this on every one): the foreign
    array, which no operation may accept, is of another backend.
    """
    other = foreign(m)
    s, zero = fresh(2.5), fresh(0.0)
    floats = [fresh(x) for x in (1.0, -2.5, 3.0, 4.0)]
    a, b, short = m.array(floats), m.array(floats[::-1]), m.array(floats[:1])
    big = m.zeros(1000)  # 8 kB: outside pymalloc, but traced by tracemalloc
    far, huge, too_big = 700, 10**30, 10**400  # not small ints: not shared
    text = fresh("x")
    inputs = dict(
        s=s, zero=zero, floats=floats, floats_tuple=tuple(floats),
        mixed=[fresh(1.5), 10**20, True, WithFloat(fresh(0.25)),
               WithIndex(7), MyFloat(2.5)],
        with_float=WithFloat(fresh(0.5)), with_index=WithIndex(1),
        my_float=MyFloat(1.5), raises=Raises(),
        returns_str=FloatReturnsStr(), knows=Knows(), text=text,
        bad_list=[fresh(1.0), fresh(2.0), text], none_list=[fresh(1.0), None],
        raises_list=[fresh(1.0), Raises()], far=far, huge=huge,
        too_big=too_big, too_big_list=[too_big], very_negative=-huge,
        foreign=other.array(floats),
        a=a, b=b, short=short, big=big,
    )
    v = type("Inputs", (), inputs)
    operations = {
        # construction
        "array(list of floats)": lambda: m.array(v.floats),
        "array(tuple of floats)": lambda: m.array(v.floats_tuple),
        "array(list of other numbers)": lambda: m.array(v.mixed),
        "array(generator)": lambda: m.array(x for x in v.floats),
        "array(range(1000))": lambda: m.array(range(1000)),
        "array(array)": lambda: m.array(v.a),
        "zeros(4)": lambda: m.zeros(4),
        "empty(4)": lambda: m.empty(4),
        "zeros(1000)": lambda: m.zeros(1000),
        "zeros(__index__)": lambda: m.zeros(v.with_index),
        "array(): str item": raises(TypeError, m.array, v.bad_list),
        "array(): None item": raises(TypeError, m.array, v.none_list),
        "array(): str item of an iterator": raises(
            TypeError, lambda: m.array(iter(v.bad_list))),
        "array(): not iterable": raises(TypeError, m.array, v.s),
        "array(): __float__ raises": raises(
            ZeroDivisionError, m.array, v.raises_list),
        "array(): __float__ returns str": raises(
            TypeError, m.array, [v.returns_str]),
        "array(): int too large": raises(
            OverflowError, m.array, v.too_big_list),
        "array(): iterator raises": raises(
            KeyError, lambda: m.array(broken_iterator(v.s))),
        "array(): no argument": raises(TypeError, m.array),
        "array(): two arguments": raises(TypeError, m.array, v.floats,
                                         v.floats),
        "zeros(): float": raises(TypeError, m.zeros, v.s),
        "zeros(): negative": raises(ValueError, m.zeros, -1),
        "zeros(): very negative": raises(ValueError, m.zeros, v.very_negative),
        "zeros(): too large": raises(MemoryError, m.zeros, v.huge),
        "zeros(): above the limit": raises(MemoryError, m.zeros,
                                           sys.maxsize // 8 + 1),
        "empty(): __index__ raises": raises(ZeroDivisionError, m.empty,
                                            v.raises),
        # the sequence interface
        "len(a)": lambda: len(v.a),
        "a.size": lambda: v.a.size,
        "a.tolist()": lambda: v.a.tolist(),
        "repr(a)": lambda: repr(v.a),
        "list(a)": lambda: list(v.a),
        "next(iter(a))": lambda: next(iter(v.a)),
        "a[-1]": lambda: v.a[-1],
        "a[__index__]": lambda: v.a[v.with_index],
        "big[700]": lambda: v.big[v.far],
        "a[i] = float": lambda: set_item(v.a, 1, v.s),
        "a[__index__] = __float__": lambda: set_item(v.a, v.with_index,
                                                     v.with_float),
        "big[700] = True": lambda: set_item(v.big, v.far, True),
        "a[4]": raises(IndexError, lambda: v.a[4]),
        "a[10**30]": raises(IndexError, lambda: v.a[v.huge]),
        "a[str]": raises(TypeError, lambda: v.a[v.text]),
        "a[float]": raises(TypeError, lambda: v.a[v.s]),
        "a[__index__ raises]": raises(ZeroDivisionError,
                                      lambda: v.a[v.raises]),
        "a[4] = float": raises(IndexError, set_item, v.a, 4, v.s),
        "a[0] = str": raises(TypeError, set_item, v.a, 0, v.text),
        "a[0] = __float__ raises": raises(ZeroDivisionError, set_item,
                                          v.a, 0, v.raises),
        "a[0] = int too large": raises(OverflowError, set_item, v.a, 0,
                                       v.too_big),
        "del a[0]": raises(TypeError, del_item, v.a, 0),
        "a.size = 3": raises(AttributeError, set_size, v.a),
        # arithmetic
        "a * s": lambda: v.a * v.s,
        "s * a": lambda: v.s * v.a,
        "a / s": lambda: v.a / v.s,
        "a / 0.0": lambda: v.a / v.zero,
        "a * int": lambda: v.a * 3,
        "a * __float__": lambda: v.a * v.with_float,
        "a * __index__": lambda: v.a * v.with_index,
        "float subclass * a": lambda: v.my_float * v.a,
        "a + b": lambda: v.a + v.b,
        "a - b": lambda: v.a - v.b,
        "-a": lambda: -v.a,
        "big + big": lambda: v.big + v.big,
        "big * s": lambda: v.big * v.s,
        "a + Knows()": lambda: v.a + v.knows,
        "a * Knows()": lambda: v.a * v.knows,
        "a + s": raises(TypeError, lambda: v.a + v.s),
        "s - a": raises(TypeError, lambda: v.s - v.a),
        "a + shorter": raises(ValueError, lambda: v.a + v.short),
        "a - shorter": raises(ValueError, lambda: v.a - v.short),
        "a + foreign array": raises(TypeError, lambda: v.a + v.foreign),
        "a * str": raises(TypeError, lambda: v.a * v.text),
        "str * a": raises(TypeError, lambda: v.text * v.a),
        "a / None": raises(TypeError, lambda: v.a / None),
        "s / a": raises(TypeError, lambda: v.s / v.a),
        "a * a": raises(TypeError, lambda: v.a * v.a),
        "a * __float__ raises": raises(ZeroDivisionError,
                                       lambda: v.a * v.raises),
        "a / __float__ returns str": raises(TypeError,
                                            lambda: v.a / v.returns_str),
        "a * int too large": raises(OverflowError, lambda: v.a * v.too_big),
        # cos and sin
        "cos(float)": lambda: m.cos(v.s),
        "sin(int)": lambda: m.sin(3),
        "cos(__float__)": lambda: m.cos(v.with_float),
        "sin(__index__)": lambda: m.sin(v.with_index),
        "cos(array)": lambda: m.cos(v.a),
        "sin(big)": lambda: m.sin(v.big),
        "cos(str)": raises(TypeError, m.cos, v.text),
        "sin(int too large)": raises(OverflowError, m.sin, v.too_big),
        "cos(__float__ raises)": raises(ZeroDivisionError, m.cos, v.raises),
        "sin(foreign array)": raises(TypeError, m.sin, v.foreign),
        "cos()": raises(TypeError, m.cos),
    }
    try:
        memoryview(a).release()
    except TypeError:
        pass  # this backend does not export a buffer
    else:
        operations["memoryview(a)"] = lambda: memoryview(v.a).release()
    if numpy is not None:
        float64 = numpy.float64(2.0)
        inputs["float64"] = float64
        operations["numpy.float64 * a"] = lambda: float64 * v.a
        operations["numpy.asarray(a)"] = lambda: numpy.asarray(v.a)
    return operations, inputs


def resident_bytes():
    """The process's resident memory (the frames and exceptions a leak
    keeps alive are GC objects on PyPy, not malloc blocks)."""
    import resource

    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize()

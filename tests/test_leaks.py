"""No leak in the compiled backends, on any path, the error paths included.

Every operation of the API, and every way it can fail, runs thousands of
times; afterwards neither the reference counts of its operands (and of the
array type, None, NotImplemented, the exception types) nor the memory of the
interpreter (``sys.getallocatedblocks``, ``tracemalloc``) may have grown.  A
reference leaked or a block forgotten once per call shows up thousands of
times; a reference released once too often shows up as a count that drops
(or a crash).

Reference counts and allocated blocks exist on CPython only.  On PyPy, which
has neither, the same operations run to check that nothing crashes and that
the C heap in use stays flat.
"""

import gc
import itertools
import sys

import pytest

import piconumpy
from _numbers import FloatReturnsStr, WithFloat, WithIndex

IS_PYPY = sys.implementation.name == "pypy"
# cffi: a Python class, but its buffers are C memory and its kernels C code.
COMPILED = ("cython", "cpython_capi", "hpy_cpython_abi", "hpy_universal",
            "cffi")
BACKENDS = [name for name in piconumpy.available_backends()
            if name in COMPILED]

if not BACKENDS:
    pytest.skip("no compiled backend is built for this interpreter",
                allow_module_level=True)

try:
    import numpy
except ImportError:
    numpy = None

only_cpython = pytest.mark.skipif(
    IS_PYPY, reason="PyPy has no reference counts and no allocated blocks; "
    "test_pypy_memory_stays_bounded runs the same operations there"
)

# Calls per operation and per measurement: a leak of one reference or one
# block per call gives a growth of CALLS, far above the tolerated noise.
CALLS = 1000
WARM_UP = 50
ATTEMPTS = 3


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
    purepy = piconumpy.load_backend("purepy")
    other = piconumpy.load_backend("purepy_array" if m is purepy
                                   else "purepy")
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


def tracked(m, inputs):
    """Objects whose reference counts must not move, by name."""
    objects = {f"input {name}": value for name, value in inputs.items()}
    for name, value in list(inputs.items()):
        if isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                objects[f"input {name}[{i}]"] = item
    objects["the array type"] = m.array
    objects["the module"] = m
    # Shared objects too: their counts are stable while only the operation
    # runs, and a leak in an error path often holds one of them.
    for obj in (None, NotImplemented, True, -1, 0, 1, 3, 4, TypeError, ValueError, IndexError,
                OverflowError, MemoryError, ZeroDivisionError, KeyError,
                AttributeError):
        objects[repr(obj)] = obj
    return objects


def run(operation, calls):
    for _ in itertools.repeat(None, calls):
        operation()


@pytest.fixture(params=BACKENDS)
def compiled(request):
    return piconumpy.load_backend(request.param)


def _count_changes(operation, objects):
    """The reference counts that moved over CALLS calls, in the quietest of
    up to ATTEMPTS runs.  CPython itself moves some counts for a while (a
    failed attribute lookup on NoneType drops None's count by hundreds over
    its first thousand calls, then never again, in pure Python code too);
    a leak or an extra release moves them in every run."""
    run(operation, WARM_UP)
    quietest = None
    for _ in range(ATTEMPTS):
        before = {key: sys.getrefcount(obj) for key, obj in objects.items()}
        run(operation, CALLS)
        after = {key: sys.getrefcount(obj) for key, obj in objects.items()}
        changes = {key: after[key] - before[key] for key in objects
                   if after[key] != before[key]}
        if quietest is None or (sum(map(abs, changes.values()))
                                < sum(map(abs, quietest.values()))):
            quietest = changes
        if not changes:
            break
    return quietest


@only_cpython
@pytest.mark.parametrize("step", [1, -1])
def test_the_count_check_sees_a_leak_and_an_extra_release(step):
    """The check itself: one reference kept (or given back) per call is
    reported as a change of CALLS (or -CALLS), in every attempt."""
    obj = object()
    kept = [obj] * (2 * (WARM_UP + ATTEMPTS * CALLS))

    def operation():
        if step > 0:
            kept.append(obj)
        else:
            kept.pop()

    assert _count_changes(operation, {"obj": obj}) == {"obj": step * CALLS}


@only_cpython
def test_reference_counts_do_not_move(compiled):
    operations, inputs = workload(compiled)
    objects = tracked(compiled, inputs)
    moved = {}
    for name, operation in operations.items():
        changes = _count_changes(operation, objects)
        if changes:
            moved[name] = changes
    assert not moved, f"reference counts moved over {CALLS} calls: {moved}"


def _growth(operation, measure, tolerance):
    """The smallest growth of ``measure()`` over CALLS calls, in up to
    ATTEMPTS runs (a cache filling up may grow once, a leak grows always).
    The garbage collector runs only for the second and later attempts: it
    takes milliseconds, and the operations make no cycles."""
    run(operation, WARM_UP)
    smallest = None
    for attempt in range(ATTEMPTS):
        if attempt:
            gc.collect()
        before = measure()
        run(operation, CALLS)
        if attempt:
            gc.collect()
        growth = measure() - before
        smallest = growth if smallest is None else min(smallest, growth)
        if smallest <= tolerance:
            break
    return smallest


@only_cpython
def test_allocated_blocks_do_not_grow(compiled):
    operations, _ = workload(compiled)
    tolerance = CALLS // 20  # a leak of one block per call gives CALLS
    grown = {}
    for name, operation in operations.items():
        growth = _growth(operation, sys.getallocatedblocks, tolerance)
        if growth > tolerance:
            grown[name] = growth
    assert not grown, f"blocks allocated over {CALLS} calls: {grown}"


@only_cpython
def test_traced_memory_does_not_grow(compiled):
    """tracemalloc also sees what pymalloc does not count: allocations of
    more than 512 bytes (the 8 kB of `big`, the buffers of array())."""
    import tracemalloc  # PyPy has none

    operations, _ = workload(compiled)
    tolerance = CALLS * 4  # bytes; the smallest leak, a block, is 16
    grown = {}
    tracemalloc.start()
    try:
        for name, operation in operations.items():
            growth = _growth(
                operation, lambda: tracemalloc.get_traced_memory()[0],
                tolerance,
            )
            if growth > tolerance:
                grown[name] = growth
    finally:
        tracemalloc.stop()
    assert not grown, f"bytes allocated over {CALLS} calls: {grown}"


def _resident_bytes():
    """The process's resident memory (the frames and exceptions a leak
    keeps alive are GC objects on PyPy, not malloc blocks)."""
    import resource

    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize()


def _malloc_in_use():
    """Bytes in use in the C heap (glibc's mallinfo2: small blocks and
    mmapped ones), where cpyext and HPy objects and our items live.  Not the
    resident memory: malloc reuses freed pages that are still resident, so a
    leak can grow for a long while without moving it.  cffi: part of PyPy."""
    import cffi

    ffi = cffi.FFI()
    ffi.cdef("""struct mallinfo2 { size_t arena, ordblks, smblks, hblks,
        hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost; };
        struct mallinfo2 mallinfo2(void);""")
    info = ffi.dlopen(None).mallinfo2()
    return info.uordblks + info.hblkhd


def _median_growth_per_round(operations, rounds=5):
    """C heap in use after each of ``rounds`` rounds of CALLS calls of
    every operation, and the median growth from a round to the next.

    A leak of one 4-item array per call, in every operation, adds about
    10 MB in every round.  The first round warms the JIT up, and a later one
    may still grow once (a new trace, a new arena): the median growth over
    the last rounds is what a leak moves."""
    in_use = []
    for _ in range(rounds):
        for operation in operations:
            run(operation, CALLS)
        gc.collect()
        in_use.append(_malloc_in_use())
    growths = sorted(b - a for a, b in zip(in_use[1:], in_use[2:]))
    return in_use, growths[len(growths) // 2]


@pytest.mark.skipif(not IS_PYPY, reason="the CPython tests are more precise")
@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="mallinfo2 is glibc's")
def test_pypy_memory_stays_bounded(compiled):
    operations, _ = workload(compiled)
    in_use, growth = _median_growth_per_round(operations.values())
    assert growth < 4 * 2**20, f"C heap in use per round: {in_use}"


@pytest.mark.skipif(not IS_PYPY, reason="the CPython tests are more precise")
@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="mallinfo2 is glibc's")
def test_the_memory_check_sees_a_leak(compiled):
    """The check itself: 8 KB kept per call is 8 MB per round."""
    kept = []
    in_use, growth = _median_growth_per_round(
        [lambda: kept.append(compiled.zeros(1000))])
    assert growth > 4 * 2**20, f"C heap in use per round: {in_use}"


PYPY_LEAKS = """
import gc, sys
sys.path.insert(0, sys.argv[2])
import piconumpy, test_leaks as t
m = piconumpy.load_backend(sys.argv[1])
a = m.array([1.0, -2.5, 3.0, 4.0])
raising, bad = [t.fresh(1.0), t.Raises()], [t.FloatReturnsStr()]
rounds = []
for _ in range(10):
    for _ in range(20_000):
        a.tolist()
        for values in (raising, bad):
            try:
                m.array(values)
            except (ZeroDivisionError, TypeError):
                pass
    gc.collect()
    rounds.append(t._resident_bytes())
print(rounds[-1] - rounds[3])
"""


@pytest.mark.skipif(not IS_PYPY, reason="leaks of PyPy's cpyext and HPy")
@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="reads /proc/self/statm")
def test_pypy_leaks_found_by_the_soak(compiled):
    """tools/soak.py found these on PyPy 7.3.11 (not test_pypy_memory_stays_
    bounded, whose rounds are too short): HPyListBuilder leaked ~170 bytes
    per a.tolist(), and cython's except-and-raise in array() leaked the
    exception and its frames, ~10 kB per call whose __float__ raised.  In
    a process of its own, after a warm-up: the resident size of this one
    depends on the tests before."""
    import subprocess
    from pathlib import Path

    name = next(n for n in BACKENDS
                if piconumpy.load_backend(n) is compiled)
    completed = subprocess.run(
        [sys.executable, "-c", PYPY_LEAKS, name,
         str(Path(__file__).resolve().parent)],
        capture_output=True, text=True,
    )
    assert completed.returncode == 0, completed.stderr
    growth = int(completed.stdout)
    # The leaks gave about 20 MB (tolist) and gigabytes (cython) here.
    assert growth < 8 * 2**20, f"resident memory grew by {growth} bytes"

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

from support import backends
from support.leaks import workload

IS_PYPY = sys.implementation.name == "pypy"

#: The backends with C code or C memory (the pure-Python ones leave their
#: memory to the interpreter).
#: On CPython, hpy_universal's debug mode too.
compiled = backends.fixture(
    backends.is_compiled,
    not_in_debug_mode=(
        "PyPy's HPy debug mode is too slow for the thousands of calls per "
        "round here (minutes per round); its leak detector checks "
        "hpy_universal's handles in every other suite" if IS_PYPY else None),
)

only_cpython = pytest.mark.skipif(
    IS_PYPY, reason="PyPy has no reference counts and no allocated blocks; "
    "test_pypy_memory_stays_bounded runs the same operations there"
)

# Calls per operation and per measurement: a leak of one reference or one
# block per call gives a growth of CALLS, far above the tolerated noise.
CALLS = 1000
WARM_UP = 50
ATTEMPTS = 3


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
    for obj in (None, NotImplemented, True, -1, 0, 1, 3, 4, TypeError,
                ValueError, IndexError, OverflowError, MemoryError,
                ZeroDivisionError, KeyError, AttributeError):
        objects[repr(obj)] = obj
    return objects


def run(operation, calls):
    for _ in itertools.repeat(None, calls):
        operation()


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
from support import backends, leaks, numbers
m = backends.load(sys.argv[1])
a = m.array([1.0, -2.5, 3.0, 4.0])
raising = [leaks.fresh(1.0), leaks.Raises()]
bad = [numbers.FloatReturnsStr()]
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
    rounds.append(leaks.resident_bytes())
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

    name = backends.label_of(compiled)
    completed = subprocess.run(
        [sys.executable, "-c", PYPY_LEAKS, name,
         str(Path(__file__).resolve().parent)],
        capture_output=True, text=True,
    )
    assert completed.returncode == 0, completed.stderr
    growth = int(completed.stdout)
    # The leaks gave about 20 MB (tolist) and gigabytes (cython) here.
    assert growth < 8 * 2**20, f"resident memory grew by {growth} bytes"

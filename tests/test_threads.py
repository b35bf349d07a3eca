"""Arrays shared by several threads at once, on every backend.

CPython and PyPy both have a GIL: no two threads run Python code, or a
backend's C code, at the same time.  What is promised (README, "Threads"):

* nothing crashes, leaks or raises because of the other threads;
* every item read is a whole float that some thread wrote (no torn or
  invented values), and the length of an array never changes;
* no atomicity beyond one item: an operation over a whole array (a * s,
  a + b, cos(a), tolist(), iteration, array(a)) may see some items before
  and some after another thread's assignments (purepy's list comprehensions
  can switch threads midway; a C backend also does when a __float__ runs).

The threads switch every microsecond here (sys.setswitchinterval), so that
each operation is interrupted as often as the interpreter allows.
"""

import math
import sys
import threading
import time

import pytest

import piconumpy

N_THREADS = 4
SECONDS = 0.25  # per backend
SMALL, LARGE = 4, 1000

#: The values the threads write: every item must always be one of these.
WRITTEN = [float(k) + 0.5 for k in range(16)]
ALLOWED = set(WRITTEN)
#: What cos, sin, * 2.0, / 4.0, -x, x + y can make of them.
ALLOWED_COS = {math.cos(x) for x in WRITTEN}
ALLOWED_SIN = {math.sin(x) for x in WRITTEN}
ALLOWED_TWICE = {2.0 * x for x in WRITTEN}
ALLOWED_QUARTER = {x / 4.0 for x in WRITTEN}
ALLOWED_NEG = {-x for x in WRITTEN}
ALLOWED_SUMS = {x + y for x in WRITTEN for y in WRITTEN}


class SlowFloat:
    """A number whose conversion lets the other threads run."""

    def __init__(self, value):
        self.value = value

    def __float__(self):
        time.sleep(0)
        return self.value


def modules():
    names = piconumpy.available_backends()
    found = [(name, piconumpy.load_backend(name)) for name in names]
    if piconumpy.why_unavailable("hpy_universal", hpy_debug=True) is None:
        found.append(("hpy_universal[debug]",
                      piconumpy.load_backend("hpy_universal",
                                             hpy_debug=True)))
    return found


MODULES = modules()


@pytest.fixture(autouse=True)
def fast_switching():
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(previous)


def check_items(values, allowed, what):
    assert all(type(x) is float for x in values), what
    odd = [x for x in values if x not in allowed]
    assert not odd, f"{what}: unexpected items {odd[:5]}"


def worker(m, shared, shared_list, seed, deadline, errors, counts):
    """Reads, writes and computes on the shared arrays until the deadline."""
    try:
        k = seed
        operations = 0
        while True:  # at least once, however late this thread starts
            for a in shared:
                n = len(a)
                k = (k * 1103515245 + 12345) % 2**31
                i = k % n
                a[i] = WRITTEN[k % len(WRITTEN)]
                a[-1 - i] = SlowFloat(WRITTEN[(k >> 4) % len(WRITTEN)])
                check_items([a[i], a[-1]], ALLOWED, "a[i]")
                assert len(a) == a.size == n
                check_items(a.tolist(), ALLOWED, "a.tolist()")
                check_items(list(a), ALLOWED, "list(a)")
                check_items((a * 2.0).tolist(), ALLOWED_TWICE, "a * 2.0")
                check_items((a / 4.0).tolist(), ALLOWED_QUARTER, "a / 4.0")
                check_items((a * SlowFloat(2.0)).tolist(), ALLOWED_TWICE,
                            "a * SlowFloat")
                check_items((-a).tolist(), ALLOWED_NEG, "-a")
                check_items((a + a).tolist(), ALLOWED_SUMS, "a + a")
                check_items(m.cos(a).tolist(), ALLOWED_COS, "cos(a)")
                check_items(m.sin(a).tolist(), ALLOWED_SIN, "sin(a)")
                check_items(m.array(a).tolist(), ALLOWED, "array(a)")
                assert repr(a).startswith("array([")
                operations += 12
            # array() of a list that the other threads change meanwhile.
            if k % 2:
                shared_list.append(WRITTEN[k % len(WRITTEN)])
                shared_list.append(SlowFloat(WRITTEN[0]))
            elif shared_list:
                try:
                    shared_list.pop()
                except IndexError:
                    pass
            if len(shared_list) > 64:
                del shared_list[:32]
            check_items(m.array(shared_list).tolist(), ALLOWED,
                        "array(shared list)")
            check_items(m.zeros(8).tolist(), {0.0}, "zeros")
            operations += 2
            if time.monotonic() > deadline:
                break
        counts.append(operations)
    except BaseException as error:  # reported by the main thread
        errors.append(error)


@pytest.mark.parametrize("label, m", MODULES, ids=[label for label, _ in
                                                     MODULES])
def test_shared_arrays(label, m):
    shared = [m.array(WRITTEN[:SMALL]),
              m.array([WRITTEN[k % len(WRITTEN)] for k in range(LARGE)])]
    shared_list = [WRITTEN[1], SlowFloat(WRITTEN[2])]
    errors, counts = [], []
    deadline = time.monotonic() + SECONDS
    threads = [threading.Thread(target=worker,
                                args=(m, shared, shared_list, seed, deadline,
                                      errors, counts))
               for seed in range(N_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    if errors:
        raise errors[0]
    assert len(counts) == N_THREADS and all(counts), counts
    for a, n in zip(shared, (SMALL, LARGE)):
        assert len(a) == n
        check_items(a.tolist(), ALLOWED, "after the threads")


@pytest.mark.parametrize("label, m", MODULES, ids=[label for label, _ in
                                                     MODULES])
def test_iterators_shared_between_threads(label, m):
    """One iterator consumed by several threads: each item is seen once."""
    a = m.array([float(k) for k in range(5000)])
    iterator = iter(a)
    seen = [[] for _ in range(N_THREADS)]
    errors = []

    def consume(out):
        try:
            for x in iterator:
                out.append(x)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=consume, args=(out,)) for out in seen]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    everything = sorted(x for out in seen for x in out)
    assert everything == a.tolist()

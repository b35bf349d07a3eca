"""Micro-benchmarks: where the time of the array workloads goes.

BENCHMARKS.md, section 3.  Each function is one timed call: pure code on the
array API (``ns`` is a backend namespace; a plain ``list`` works where only
iteration, indexing and ``len`` are used).  The per-operation loops repeat
one operation ``repeat`` times and return the last result (or a running
sum), so that the work is used and every implementation does the same.
"""

from math import sqrt

# --- loops over one array of n floats ----------------------------------------


def sum_loop(arr):
    result = 0.0
    for value in arr:
        result += value
    return result


def sum_loop_index(arr):
    result = 0.0
    for i in range(len(arr)):
        result += arr[i]
    return result


def init_zeros(arr):
    for i in range(len(arr)):
        arr[i] = 0.0
    return arr


def cort(s1, s2):
    """Normalised cosine similarity of the slopes of two series."""
    num = 0.0
    sum_square_1 = 0.0
    sum_square_2 = 0.0
    for t in range(len(s1) - 1):
        slope_1 = s1[t + 1] - s1[t]
        slope_2 = s2[t + 1] - s2[t]
        num += slope_1 * slope_2
        sum_square_1 += slope_1 * slope_1
        sum_square_2 += slope_2 * slope_2
    return num / sqrt(sum_square_1 * sum_square_2)


# --- one operation, repeated --------------------------------------------------
# The index and the cosine's argument change at each repetition (k % 4), so
# that a JIT cannot hoist a loop-invariant read out of the loop.


def op_construct(ns, values, repeat):
    out = None
    for _ in range(repeat):
        out = ns.array(values)
    return out


def op_mul(ns, a, repeat):
    out = None
    for _ in range(repeat):
        out = a * 2.0
    return out


def op_rmul(ns, a, repeat):
    out = None
    for _ in range(repeat):
        out = 2.0 * a
    return out


def op_div(ns, a, repeat):
    out = None
    for _ in range(repeat):
        out = a / 2.0
    return out


def op_add(ns, a, b, repeat):
    out = None
    for _ in range(repeat):
        out = a + b
    return out


def op_neg(ns, a, repeat):
    """A new array and nothing else: no operand to convert, no scalar."""
    out = None
    for _ in range(repeat):
        out = -a
    return out


def op_zeros(ns, a, repeat):
    """A module function creating an array (its size read once)."""
    zeros, n = ns.zeros, len(a)
    out = None
    for _ in range(repeat):
        out = zeros(n)
    return out


def op_size(ns, a, repeat):
    """An attribute read."""
    total = 0
    for _ in range(repeat):
        total += a.size
    return total


def op_getitem(ns, a, repeat):
    total = 0.0
    for k in range(repeat):
        total += a[k % 4]
    return total


def op_len(ns, a, repeat):
    total = 0
    for _ in range(repeat):
        total += len(a)
    return total


def op_cos(ns, values, repeat):
    """``ns.cos`` of a float (``values`` is a list of 4 floats)."""
    cos = ns.cos
    total = 0.0
    for k in range(repeat):
        total += cos(values[k % 4])
    return total

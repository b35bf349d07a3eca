"""Statistics across processes: the figure of a measurement, and the 95%
confidence interval of a ratio of two measurements.

A measurement is several fresh processes, each a list of timed calls.  Its
figure is the median of the per-process medians: one process is one sample
of how the interpreter (its JIT, its heap) settled, so the processes, not
the calls, are the independent units.

The interval of a ratio ``A / B`` is a percentile bootstrap in two stages,
as the processes were sampled: resample the processes of each side with
replacement, then the calls within each chosen process, take the median of
each resampled process and the median of those medians, and divide.  The
second stage needs no loop over the calls: the median of ``n`` calls drawn
with replacement from a sorted sample is the sample's empirical quantile at
the middle order statistic(s) of ``n`` uniform numbers, and the ``k``-th of
``n`` sorted uniforms has the Beta(k, n + 1 - k) law.  So each resampled
process costs one or two random numbers of a known law, whatever its
number of calls, and the result is exactly that of resampling the calls.

Deterministic: a fixed seed and only ``random.random()`` (whose sequence
Python guarantees across versions), so that a report, and the README made
from it, is the same text on every interpreter.
"""

import math
import random
import statistics

#: Resamples per interval; the percentiles of 2000 are stable to about a
#: percent of the interval's width.
RESAMPLES = 2000
SEED = 20211001


def median_of_medians(processes):
    """The figure of a measurement: ``processes`` is a list of lists of
    timings (one list per process)."""
    return statistics.median(statistics.median(p) for p in processes)


def between_processes(processes):
    """How the per-process medians spread: min, max, and (max - min)
    relative to their median."""
    medians = [statistics.median(p) for p in processes]
    middle = statistics.median(medians)
    return {
        "processes": len(medians),
        "median": middle,
        "medians": medians,
        "min": min(medians),
        "max": max(medians),
        "relative_range": (max(medians) - min(medians)) / middle
        if middle else 0.0,
    }


# --- random numbers of the laws we need, from random() only ----------------


def _normal(rng):
    """A standard normal number (Box-Muller)."""
    u = 1.0 - rng.random()  # in (0, 1]: log(u) is finite
    return math.sqrt(-2.0 * math.log(u)) * math.cos(2.0 * math.pi
                                                    * rng.random())


def _gamma(rng, shape):
    """A Gamma(shape, 1) number (Marsaglia and Tsang's method)."""
    if shape < 1.0:
        return _gamma(rng, shape + 1.0) * (1.0 - rng.random()) ** (1 / shape)
    d = shape - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x = _normal(rng)
        v = (1.0 + c * x) ** 3
        if v <= 0.0:
            continue
        u = 1.0 - rng.random()
        if math.log(u) < 0.5 * x * x + d - d * v + d * math.log(v):
            return d * v


def _beta(rng, a, b):
    x = _gamma(rng, a)
    return x / (x + _gamma(rng, b))


# --- the bootstrap -----------------------------------------------------------


def _quantile(values, u):
    """The empirical quantile of sorted ``values`` at u in [0, 1]: the
    smallest value whose empirical distribution function reaches u."""
    n = len(values)
    return values[min(n - 1, max(0, math.ceil(u * n) - 1))]


def resampled_median(rng, values):
    """The median of ``len(values)`` calls drawn with replacement from the
    sorted ``values`` (see the module's docstring)."""
    n = len(values)
    if n == 1:
        return values[0]
    k = (n + 1) // 2
    u_k = _beta(rng, k, n + 1 - k)
    if n % 2:
        return _quantile(values, u_k)
    # The next order statistic: the smallest of the n - k uniforms above u_k.
    u_next = u_k + (1.0 - u_k) * (1.0 - (1.0 - rng.random()) ** (1 / (n - k)))
    return (_quantile(values, u_k) + _quantile(values, u_next)) / 2


def resampled_figure(rng, processes):
    """One bootstrap replicate of ``median_of_medians(processes)``;
    ``processes``: lists of sorted timings."""
    chosen = [processes[int(rng.random() * len(processes))]
              for _ in processes]
    return statistics.median(resampled_median(rng, p) for p in chosen)


def ratio_interval(numerator, denominator, resamples=RESAMPLES, seed=SEED):
    """(ratio, low, high): the ratio of the two measurements' figures and
    its 95% percentile bootstrap interval.  Each argument is a list of lists
    of timings, one list per process."""
    a = [sorted(p) for p in numerator]
    b = [sorted(p) for p in denominator]
    if not a or not b or not all(a) or not all(b):
        raise ValueError("each side needs at least one process with calls")
    rng = random.Random(seed)
    ratios = [resampled_figure(rng, a) / resampled_figure(rng, b)
              for _ in range(resamples)]
    # The 2.5th and 97.5th percentiles: the first and last of 39 cut points.
    cuts = statistics.quantiles(ratios, n=40, method="inclusive")
    low, high = cuts[0], cuts[-1]
    return median_of_medians(a) / median_of_medians(b), low, high


def verdict(ratio, low, high):
    """How the first of a ratio compares with the second, in words."""
    if low <= 1.0 <= high:
        return "no measurable difference"
    if ratio < 1.0:
        return f"{1 / ratio:.3g}x faster"
    return f"{ratio:.3g}x slower"


def _three_digits(value):
    text = f"{value:#.3g}"  # '#': keep trailing zeros (1.30, not 1.3)
    return text[:-1] if text.endswith(".") else text


def format_interval(ratio, low, high):
    """``ratio [low, high]``, three significant digits."""
    return (f"{_three_digits(ratio)} [{_three_digits(low)}, "
            f"{_three_digits(high)}]")

"""Statistics of timings, and when a warm-up is over.

Only the standard library: this runs in every measured interpreter,
PyPy 3.9 included, and must not perturb it.  (pyperf would work on PyPy
too, but its runner owns the process and the loop; what we need from it,
median and spread, is a few lines of ``statistics``.)

Timings of extension calls on PyPy are often bimodal (cpyext and HPy
handles, GC), so the summary gives the mean beside the median and two
robust spreads: the interquartile range and the median absolute deviation.
"""

import math
import statistics


def summarize(timings):
    """Summary statistics of a non-empty list of durations, in seconds."""
    if not timings:
        raise ValueError("no timings to summarize")
    values = sorted(timings)
    median = statistics.median(values)
    if len(values) >= 2:
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
        stdev = statistics.stdev(values)
    else:
        q1 = q3 = values[0]
        stdev = 0.0
    return {
        "n": len(values),
        "median": median,
        "mean": statistics.fmean(values),
        "q1": q1,
        "q3": q3,
        "iqr": q3 - q1,
        "mad": statistics.median(abs(v - median) for v in values),
        "stdev": stdev,
        "min": values[0],
        "max": values[-1],
    }


class WarmUp:
    """Decides, call after call, when timings have settled.

    Feed it the duration of each warm-up call with ``add``; it answers True
    when warming up is over: once ``min_seconds`` of calls have run and the
    median of the last ``window`` calls is within ``tolerance`` (relative)
    of the median of the ``window`` calls before them, or in any case once
    ``max_seconds`` have run.  ``settled`` then says which of the two.

    It counts only the time spent in calls, so it is deterministic for a
    given sequence of durations (and testable without a clock).
    """

    def __init__(self, min_seconds=0.5, max_seconds=5.0, window=5,
                 tolerance=0.05):
        if not 0 <= min_seconds <= max_seconds:
            raise ValueError("need 0 <= min_seconds <= max_seconds")
        if window < 1:
            raise ValueError("window must be at least 1")
        self.min_seconds = min_seconds
        self.max_seconds = max_seconds
        self.window = window
        self.tolerance = tolerance
        self.timings = []
        self.elapsed = 0.0
        self.settled = False
        self.done = False

    def add(self, duration):
        """Record one call; True when the warm-up is over."""
        if self.done:
            raise RuntimeError("the warm-up is already over")
        self.timings.append(duration)
        self.elapsed += duration
        if self.elapsed >= self.min_seconds and self._stable():
            self.settled = True
            self.done = True
        elif self.elapsed >= self.max_seconds:
            self.done = True
        return self.done

    def _stable(self):
        w = self.window
        if len(self.timings) < 2 * w:
            return False
        previous = statistics.median(self.timings[-2 * w:-w])
        last = statistics.median(self.timings[-w:])
        return math.isclose(last, previous, rel_tol=self.tolerance)

    def summary(self, max_timings=1000):
        """For the record; keeps the first ``max_timings`` durations (the
        interesting part, where a JIT compiles; fast calls may be many)."""
        return {
            "calls": len(self.timings),
            "seconds": self.elapsed,
            "settled": self.settled,
            "timings": [round(t, 9) for t in self.timings[:max_timings]],
        }

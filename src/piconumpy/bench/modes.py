"""Do timings fall into two modes, and which one holds the median?

A JIT may settle into a fast or a slow state, within a process (a GC or a
trace that comes and goes) or for a whole process: the timings then fall
into two groups with a gap between them, and a median is a figure of one
group only.  ``two_modes`` finds the widest gap in the sorted logarithms
of the timings that leaves enough values on each side, and calls it a
second mode when it is wide both absolutely (``min_ratio`` between the
values around it) and relative to the spread inside the two groups.
Deterministic, no fitting, no timing threshold.
"""

import math
import statistics

#: Two groups are two modes when the gap between them is at least this
#: ratio and ``SPREADS`` times the larger of their spreads (median absolute
#: deviation of the logarithms).
MIN_RATIO = 1.2
SPREADS = 4.0


def _mad(logs):
    middle = statistics.median(logs)
    return statistics.median(abs(x - middle) for x in logs)


def two_modes(values, min_share=0.1, min_count=1, min_ratio=MIN_RATIO):
    """None, or a dict describing the two modes of positive ``values``:
    ``low``/``high`` (count, median of each group), ``gap`` (ratio of the
    values around it), ``median_in`` ('low', 'high' or 'between')."""
    values = sorted(v for v in values if v > 0)
    n = len(values)
    least = max(min_count, math.ceil(min_share * n))
    if n < 2 * least or n < 2:
        return None
    logs = [math.log(v) for v in values]
    best = None
    for i in range(least, n - least + 1):
        gap = logs[i] - logs[i - 1]
        if best is None or gap > best[0]:
            best = (gap, i)
    gap, i = best
    spread = max(_mad(logs[:i]), _mad(logs[i:]))
    if gap < math.log(min_ratio) or gap < SPREADS * spread:
        return None
    median = statistics.median(values)
    if median <= values[i - 1]:
        where = "low"
    elif median >= values[i]:
        where = "high"
    else:
        where = "between"
    return {
        "low": {"count": i, "median": statistics.median(values[:i])},
        "high": {"count": n - i, "median": statistics.median(values[i:])},
        "gap": values[i] / values[i - 1],
        "median_in": where,
    }


def of_measurement(processes):
    """The modes of one measurement (lists of timings, one per process):
    ``within`` lists (process number from 1, modes) for the processes
    whose calls fall into two modes (each holding at least a tenth of the
    calls, three at least); ``between`` is the modes of the per-process
    medians (a single process may be a mode of its own), or None."""
    within = []
    for number, timings in enumerate(processes, 1):
        found = two_modes(timings, min_share=0.1, min_count=3)
        if found:
            within.append((number, found))
    between = None
    if len(processes) >= 3:
        medians = [statistics.median(p) for p in processes]
        between = two_modes(medians, min_share=0.0, min_count=1)
    return {"within": within, "between": between}


def describe(modes, format_time):
    """A sentence about ``of_measurement``'s result, or '' if unimodal."""
    parts = []
    between = modes["between"]
    if between:
        parts.append(
            f"processes in two modes ({between['low']['count']} near "
            f"{format_time(between['low']['median'])}, "
            f"{between['high']['count']} near "
            f"{format_time(between['high']['median'])}); the median of "
            f"medians is in the {_where(between)}")
    for number, found in modes["within"]:
        total = found["low"]["count"] + found["high"]["count"]
        parts.append(
            f"process {number}: calls in two modes "
            f"({100 * found['low']['count'] // total}% near "
            f"{format_time(found['low']['median'])}, "
            f"{100 * found['high']['count'] // total}% near "
            f"{format_time(found['high']['median'])}); its median is in the "
            f"{_where(found)}")
    return "; ".join(parts)


def _where(found):
    return {"low": "fast mode", "high": "slow mode",
            "between": "gap between them"}[found["median_in"]]

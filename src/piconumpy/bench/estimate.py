"""How long a run will take, from its plan, before anything is measured.

The model of one process, from the records of earlier full runs: starting
the interpreter, importing, binding the workload and checking its first
call against the native reference (``STARTUP``; Numba compiles in that
first call, ``FIRST_CALL`` adds it), then the warm-up, which stops soon
after ``warmup_min`` once timings have settled (as most did in those
runs), then ``min_time`` of timed calls.  A skipped row costs nothing.
Probing each interpreter costs ``PROBE``.  The same figures weigh the
progress display's time left.
"""

#: Seconds per process outside the warm-up and timed calls.
STARTUP = 0.25
#: The warm-up runs this much beyond warmup_min, on average.
WARMUP_MARGIN = 1.15
#: Extra seconds of the first call (compiling) of some implementations.
FIRST_CALL = {"numba": 3.5}
#: Seconds to probe one interpreter (it loads every implementation).
PROBE = 3.0


def process_seconds(settings, impl):
    """Expected seconds of one process with these (case) settings."""
    return (STARTUP + FIRST_CALL.get(impl, 0.0)
            + settings["warmup_min"] * WARMUP_MARGIN + settings["min_time"])


def step_seconds(step, settings):
    """Expected seconds of one planned measurement (orchestrate.plan's
    step) with the run's ``settings``."""
    from .orchestrate import case_settings

    case, _, impl, why, count = step
    if why:
        return 0.0
    return count * process_seconds(case_settings(settings, case), impl)


def summary(steps, settings, n_interpreters):
    """Lines: the expected duration of the plan, by group and in all."""
    by_group = {}
    for step in steps:
        case, _, _, _, count = step
        seconds, processes, rows = by_group.get(case.group, (0.0, 0, 0))
        by_group[case.group] = (seconds + step_seconds(step, settings),
                                processes + count, rows + (count > 0))
    lines = []
    total = PROBE * n_interpreters
    for group, (seconds, processes, rows) in by_group.items():
        total += seconds
        lines.append(f"  {group:<10} {rows:5d} measurements {processes:6d} "
                     f"processes  ~{seconds / 60:6.1f} min")
    lines.append(f"  probing {n_interpreters} interpreters  "
                 f"~{PROBE * n_interpreters / 60:.1f} min")
    lines.append(f"expected duration: ~{total / 60:.1f} min "
                 f"({len(steps)} rows planned)")
    return lines

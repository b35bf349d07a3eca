"""How long a run will take, from its plan, before anything is measured.

The model of one process: starting the interpreter, importing, binding
the workload and checking its first call against the native reference
(``STARTUP`` plus one call; Numba compiles in that first call,
``FIRST_CALL`` adds it); then the warm-up, at least ``warmup_min`` and at
least the two windows of calls the settling test compares (stats.WarmUp),
at most ``warmup_max``; then the timed calls, at least ``min_time`` and
``min_calls`` calls.  The duration of one call comes from an earlier
results file when there is one (``call_times``; the newest full run in the
output folder), else it counts as nothing.  A skipped row costs nothing;
probing each interpreter costs ``PROBE``.  The model assumes a machine
that runs nothing else; the progress display weighs its time left with it.
"""

#: Seconds per process outside the warm-up and timed calls.
STARTUP = 0.25
#: The warm-up runs this much beyond its floor, on average.
WARMUP_MARGIN = 1.15
#: Calls the settling test needs at least (two windows of stats.WarmUp).
SETTLE_CALLS = 10
#: Extra seconds of the first call (compiling) of some implementations.
FIRST_CALL = {"numba": 3.5}
#: Seconds to probe one interpreter (it loads every implementation).
PROBE = 3.0


def call_times(document):
    """{(case, implementation, interpreter kind): median seconds per call}
    of a results document (an earlier run, for the model)."""
    kinds = {label: (entry.get("info") or {}).get("implementation")
             for label, entry in document.get("interpreters", {}).items()}
    times = {}
    for record in document.get("results", []):
        if record.get("status") == "ok":
            key = (record["case"], record["implementation"],
                   kinds.get(record["interpreter"]))
            times.setdefault(key, record["stats"]["median"])
    return times


def process_seconds(settings, impl, call=0.0):
    """Expected seconds of one process with these (case) settings, for an
    implementation whose calls take ``call`` seconds."""
    warmup = min(settings["warmup_max"],
                 max(settings["warmup_min"], SETTLE_CALLS * call))
    timed = min(settings["max_calls"] * call,
                max(settings["min_time"], settings["min_calls"] * call))
    return (STARTUP + FIRST_CALL.get(impl, 0.0) + call
            + warmup * WARMUP_MARGIN + timed)


def step_seconds(step, settings, calls=None):
    """Expected seconds of one planned measurement (orchestrate.plan's
    step) with the run's ``settings``; ``calls``: from call_times."""
    from .orchestrate import case_settings

    case, (_, _, info, _), impl, why, count = step
    if why:
        return 0.0
    kind = (info or {}).get("implementation")
    call = (calls or {}).get((case.id, impl, kind), 0.0)
    return count * process_seconds(case_settings(settings, case), impl, call)


def summary(steps, settings, n_interpreters, calls=None):
    """Lines: the expected duration of the plan, by group and in all."""
    by_group = {}
    for step in steps:
        case, _, _, _, count = step
        seconds, processes, rows = by_group.get(case.group, (0.0, 0, 0))
        by_group[case.group] = (seconds + step_seconds(step, settings, calls),
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

"""One measurement: one workload with one implementation, in this process.

    python -m piconumpy.bench.runner --workload board --impl purepy \\
        --params '{"n_sleds": 10, "n_time": 200}' --json

The orchestrator starts a fresh process for every measurement, so that no
JIT trace, cache or heap state of one leaks into another.  Steps: bind the
workload to the implementation; check the first call's result against the
native reference; warm up until timings settle (PyPy's JIT needs about a
second), within bounds; time many calls; check the last result again.
A wrong result or an exception is an error, never a number.  The result is
one JSON object on stdout (with every timing), printed even on error.
"""

import argparse
import gc
import json
import sys
import time
import traceback

from . import bindings, check, implementations, stats

#: Settings of a normal run; the orchestrator's --quick passes smaller ones.
DEFAULTS = {
    "warmup_min": 0.5,   # seconds of warm-up calls, at least ...
    "warmup_max": 5.0,   # ... and at most, if timings do not settle
    "min_calls": 10,     # timed calls, at least ...
    "min_time": 1.0,     # ... and until this many seconds have passed ...
    "max_calls": 1000,   # ... but no more than this
}
HELP = {
    "warmup_min": "seconds of warm-up calls, at least",
    "warmup_max": "seconds of warm-up calls at most, if timings do not "
                  "settle",
    "min_calls": "timed calls, at least",
    "min_time": "seconds of timed calls, at least",
    "max_calls": "timed calls, at most",
}


def measure(call, settings, clock=time.perf_counter):
    """Warm up, then time calls of ``call``; (warm-up, timings, last result)."""
    warmup = stats.WarmUp(settings["warmup_min"], settings["warmup_max"])
    done = False
    while not done:
        start = clock()
        result = call()
        done = warmup.add(clock() - start)
    gc.collect()  # start the timed calls with no garbage of the warm-up
    timings = []
    started = clock()
    while len(timings) < settings["max_calls"] and (
        len(timings) < settings["min_calls"]
        or clock() - started < settings["min_time"]
    ):
        start = clock()
        result = call()
        timings.append(clock() - start)
    return warmup, timings, result


def run(workload_name, impl_name, params, settings):
    """The measurement's record (a dict, JSON-ready); never raises."""
    record = {
        "workload": workload_name,
        "implementation": impl_name,
        "params": params,
        "status": "error",
        "reason": None,
    }
    try:
        _run(record, workload_name, impl_name, params, settings)
    except Exception as error:
        record["status"] = "error"
        record["reason"] = f"{type(error).__name__}: {error}"
        record["traceback"] = traceback.format_exc()[-3000:]
    return record


def _run(record, workload_name, impl_name, params, settings):
    workload = bindings.WORKLOADS[workload_name]
    kind = implementations.kind(impl_name)
    record["unit"] = workload.unit
    record["units_per_call"] = workload.units(params)
    if kind not in workload.kinds(params):
        record["status"] = "skipped"
        record["reason"] = f"{impl_name} has no version of this workload"
        return
    try:
        impl = implementations.load(impl_name)
    except implementations.Unavailable as error:
        record["status"] = "skipped"
        record["reason"] = str(error)
        return
    try:
        native = implementations.load("native")
    except implementations.Unavailable as error:
        record["reason"] = f"cannot check the result: {error}"
        return
    data = workload.inputs(params)
    reference = check.to_floats(workload.bind("native", native, data, params)())
    call = workload.bind(kind, impl, data, params)

    # Check before timing anything: a wrong implementation is not timed.
    start = time.perf_counter()
    first = check.to_floats(call())
    first_duration = time.perf_counter() - start
    wrong = check.compare(first, reference)
    if wrong:
        record["reason"] = f"wrong result: {wrong}"
        return

    warmup, timings, last = measure(call, settings)
    last = check.to_floats(last)
    wrong = check.compare(last, reference)
    if wrong:
        record["reason"] = f"wrong result after warm-up: {wrong}"
        return
    record.update(
        status="ok",
        first_call=first_duration,
        warmup=warmup.summary(),
        timings=[round(t, 9) for t in timings],
        stats=stats.summarize(timings),
        check={"max_relative_error": check.max_relative_error(last, reference),
               "rtol": check.RTOL},
    )


def describe(record):
    """One line for humans."""
    name = f"{record['workload']} {record['params']} {record['implementation']}"
    if record["status"] != "ok":
        return f"{name}: {record['status']}: {record['reason']}"
    s = record["stats"]
    return (f"{name}: median {s['median'] * 1e3:.4g} ms, mean "
            f"{s['mean'] * 1e3:.4g} ms, IQR {s['iqr'] * 1e3:.3g} ms, "
            f"{s['n']} calls after {record['warmup']['calls']} warm-up calls")


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m piconumpy.bench.runner",
        description="Measure one workload with one implementation, here.",
    )
    parser.add_argument("--workload", required=True,
                        choices=sorted(bindings.WORKLOADS))
    parser.add_argument("--impl", required=True, choices=implementations.ALL)
    parser.add_argument("--params", default="{}",
                        help="the workload's parameters, a JSON object")
    for name, value in DEFAULTS.items():
        parser.add_argument("--" + name.replace("_", "-"), type=type(value),
                            default=value,
                            help=f"{HELP[name]} (default: {value})")
    parser.add_argument("--json", action="store_true",
                        help="print the record as JSON (for the orchestrator)")
    args = parser.parse_args(argv)
    settings = {name: getattr(args, name) for name in DEFAULTS}
    record = run(args.workload, args.impl, json.loads(args.params), settings)
    if args.json:
        json.dump(record, sys.stdout)
        sys.stdout.write("\n")
    else:
        print(describe(record))


if __name__ == "__main__":
    main()

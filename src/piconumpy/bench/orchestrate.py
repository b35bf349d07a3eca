"""Walk cases x interpreters x implementations, in fresh processes.

Each measurement runs in a fresh process; the headline cases (a case's
``repeated``) in several, one after the other, because a JIT may settle
differently in each process (see intervals.py for what is made of them).

Every planned row ends in the results file: measured, an error (wrong
result, exception, crash, timeout), or skipped with its reason (interpreter
missing, backend not built, compiler not installed).  Rows that make no
sense (a piconumpy backend in ``callbacks``, which has no array) are not
planned at all.  The file is valid after each measurement, so Ctrl-C (or a
crash of the orchestrator) leaves partial results that the reporter reads.
"""

import json
import os
import shutil
import signal
import subprocess
import sys

from . import (bindings, implementations, intervals, metadata, progress,
               runner, stats)
from . import estimate as estimate_module
from . import results as results_file
from .results import ResultsFile

#: Seconds one measurement may take before it is killed (an error row).
TIMEOUT = 1800


def probe(python):
    """(info, None) for a working interpreter, else (None, reason)."""
    if shutil.which(python) is None:
        return None, f"interpreter not found: {python}"
    try:
        process = subprocess.run(
            [python, "-m", "piconumpy.bench.probe"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            timeout=300,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, f"{python} cannot run: {error}"
    if process.returncode != 0:
        return None, (f"{python} cannot import piconumpy.bench: "
                      + _tail(process.stderr))
    return json.loads(process.stdout.strip().splitlines()[-1]), None


def _tail(text, lines=5):
    return " | ".join(text.strip().splitlines()[-lines:])


def labels(pythons, infos):
    """Short, unique column names: cpython, pypy (versions if needed)."""
    def base(python, info, detailed):
        if info is None:  # missing: its path says which it was
            return python
        if detailed:
            # PyPy by its own version (7.3.19 and 8.0.1 are both Python
            # 3.11), CPython by its minor version.
            version = info.get("pypy_version") or ".".join(
                info["python_version"].split(".")[:2])
            return f"{info['implementation']}-{version}"
        return info["implementation"]

    names = [base(p, i, False) for p, i in zip(pythons, infos)]
    if len(set(names)) < len(names):
        names = [base(p, i, True) for p, i in zip(pythons, infos)]
    seen = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return unique


def labelled(pythons, probed):
    """(label, python, probe info, why missing) of each interpreter;
    ``probed``: what ``probe`` said of each."""
    infos = [info for info, _ in probed]
    missing = [reason for _, reason in probed]
    return list(zip(labels(pythons, infos), pythons, infos, missing))


def estimate(pythons, impls, cases, settings, processes, calls=None):
    """Lines saying how long ``run`` would take (a dry run); ``calls``:
    estimate.call_times of an earlier run.  An interpreter that cannot be
    probed (not set up yet) is assumed to run every implementation (PyPy
    if its name says so, else CPython): an upper bound."""
    probed = []
    for python in pythons:
        info, why = probe(python)
        if info is None:
            kind = "pypy" if "pypy" in python else "cpython"
            print(f"{python}: {why}; assumed a {kind} running every "
                  "implementation", file=sys.stderr)
            info = {"implementation": kind, "python_version": python,
                    "implementations": {}}
        probed.append((info, None))
    steps = plan(cases, labelled(pythons, probed), impls, processes)
    return estimate_module.summary(steps, settings, len(pythons), calls)


def measure(python, case, impl, settings, timeout=TIMEOUT):
    """The runner's record for one measurement in a fresh ``python``."""
    command = [python, "-m", "piconumpy.bench.runner", "--json",
               "--workload", case.workload, "--impl", impl,
               "--params", json.dumps(case.params)]
    for name, value in settings.items():
        command += ["--" + name.replace("_", "-"), str(value)]
    failed = {"workload": case.workload, "implementation": impl,
              "params": case.params, "status": "error"}
    child = subprocess.Popen(command, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        return dict(failed, reason=f"timed out after {timeout} s")
    except BaseException:  # Ctrl-C: the child gets it too; do not leave it
        child.kill()
        child.wait()
        raise
    lines = stdout.strip().splitlines()
    if child.returncode != 0 or not lines:
        if child.returncode < 0:
            why = f"crashed: {signal.Signals(-child.returncode).name}"
        else:
            why = f"exited with status {child.returncode}"
        return dict(failed, reason=f"{why}: {_tail(stderr)}")
    try:
        return json.loads(lines[-1])
    except ValueError:
        return dict(failed, reason=f"unreadable output: {lines[-1][:200]}")


def plan(cases, interpreters, impls, processes=1):
    """[(case, interpreter, impl, why_skipped, n_processes)], native first
    in each group; a case that asks for repeated processes gets
    ``processes`` of them, the others one.

    ``interpreters``: (label, python, probe info, why missing) tuples.
    """
    ordered = sorted(impls, key=lambda name: name != "native")
    steps = []
    for case in cases:
        kinds = bindings.WORKLOADS[case.workload].kinds(case.params)
        count = processes if case.repeated else 1
        for interpreter in interpreters:
            _, _, info, missing = interpreter
            for impl in ordered:
                if implementations.kind(impl) not in kinds:
                    continue
                why = missing or info["implementations"].get(impl)
                steps.append((case, interpreter, impl, why,
                              0 if why else count))
    return steps


#: What a process's record holds that belongs to that process alone.
PER_PROCESS = ("first_call", "warmup", "timings", "stats", "check")


def combine(records):
    """One record from the runner's records of the same measurement in
    successive processes (all "ok"): a ``processes`` list of what each
    process measured, and ``stats`` across them (the median is the median
    of the per-process medians)."""
    first = records[0]
    record = {k: v for k, v in first.items() if k not in PER_PROCESS}
    record["processes"] = [{k: r[k] for k in PER_PROCESS if k in r}
                           for r in records]
    every = [p["timings"] for p in record["processes"]]
    pooled = stats.summarize([t for timings in every for t in timings])
    spread = intervals.between_processes(every)
    record["stats"] = dict(pooled, pooled_median=pooled["median"],
                           median=spread["median"],
                           processes=spread["processes"],
                           process_min=spread["min"],
                           process_max=spread["max"],
                           relative_range=spread["relative_range"])
    record["check"] = max((r["check"] for r in records),
                          key=lambda c: c["max_relative_error"])
    return record


def measure_processes(python, case, impl, settings, count, timeout,
                      starting=None):
    """The record of one measurement in ``count`` fresh processes: the
    first record that is not "ok" (error, skipped) if any, else their
    combination.  Ctrl-C after some processes: their combination, marked
    ``interrupted``, goes with the KeyboardInterrupt (``error.record``)."""
    done = []
    for number in range(1, count + 1):
        if starting and count > 1:
            starting(number)
        try:
            record = measure(python, case, impl, settings, timeout)
        except KeyboardInterrupt as error:
            if done:
                error.record = dict(combine(done), interrupted=True)
            raise
        if record["status"] != "ok":
            if done:
                record["reason"] = f"process {number}: {record['reason']}"
            return record
        done.append(record)
    return combine(done)


def summary_line(label, impl, case, record, native_medians):
    where = f"{case.id:<22} {label:<8} {impl:<16}"
    if record["status"] != "ok":
        return f"{where} {record['status']}: {record['reason']}"
    median = record["stats"]["median"]
    line = f"{where} {median * 1e3:10.4f} ms"
    if record["stats"].get("processes", 1) > 1:
        line += (f" ({record['stats']['processes']} processes, range "
                 f"{record['stats']['relative_range']:.0%})")
    native = native_medians.get((case.id, label))
    if native:
        line += f"  {median / native:8.1f}x native"
    return line


def case_settings(settings, case):
    """The run's settings, lowered where the case asks for less (a case's
    settings are caps, so that --quick stays quick)."""
    return {name: min(value, case.settings.get(name, value))
            for name, value in settings.items()}


def run(pythons, impls, cases, settings, path, display="auto", quick=False,
        timeout=TIMEOUT, processes=1, calls=None):
    """Measure everything into the results file at ``path``; return it.
    ``calls`` (estimate.call_times of an earlier run) weighs the progress.

    KeyboardInterrupt stops the run: the file is closed as interrupted
    and the interrupt propagates.
    """
    probed = [probe(python) for python in pythons]
    interpreters = labelled(pythons, probed)
    names = [label for label, *_ in interpreters]
    here = os.path.dirname(os.path.abspath(__file__))
    results = ResultsFile(path, {
        "schema": results_file.SCHEMA,
        "started": metadata.now(),
        "host": metadata.host(),
        "git": metadata.git([here, os.getcwd()]),
        "settings": dict(settings, quick=quick, timeout=timeout,
                         processes=processes, orchestrator=sys.executable),
        "interpreters": {
            label: {"executable": python, "info": info, "missing": reason}
            for label, python, (info, reason) in zip(names, pythons, probed)
        },
        "implementations": list(impls),
        "cases": [{"id": c.id, "workload": c.workload, "params": c.params,
                   "group": c.group} for c in cases],
    })
    steps = plan(cases, interpreters, impls, processes)
    show = progress.make([estimate_module.step_seconds(step, settings, calls)
                          for step in steps], display)
    native_medians = {}
    interrupted = False
    try:
        for step in steps:
            case, (label, python, _, _), impl, reason, count = step
            what = f"{case.id} {label} {impl}"
            weight = estimate_module.step_seconds(step, settings, calls)
            advanced = []  # the weight of the processes done so far

            def starting(number):
                if number > 1:
                    advanced.append(weight / count)
                    show.advance(weight / count)
                show.start(f"{what} (process {number}/{count})")

            if count <= 1:
                show.start(what)
            if reason:
                record = {"workload": case.workload, "implementation": impl,
                          "params": case.params, "status": "skipped",
                          "reason": reason}
            else:
                try:
                    record = measure_processes(
                        python, case, impl, case_settings(settings, case),
                        count, timeout, starting)
                except KeyboardInterrupt as error:
                    record = getattr(error, "record", None)
                    if record:
                        record.update(case=case.id, group=case.group,
                                      interpreter=label)
                        results.add(record)
                    raise
            record.update(case=case.id, group=case.group, interpreter=label)
            if impl == "native" and record["status"] == "ok":
                native_medians[case.id, label] = record["stats"]["median"]
            results.add(record)
            show.done(summary_line(label, impl, case, record, native_medians),
                      max(0.0, weight - sum(advanced)))
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        show.close()
        results.finish(finished=metadata.now(), interrupted=interrupted,
                       planned=len(steps), measured=len(results.results))
    return path


DEFAULT_SETTINGS = dict(runner.DEFAULTS)

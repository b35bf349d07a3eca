"""A results file as a pyperf BenchmarkSuite, for pyperf's own tools.

    python -m piconumpy.bench export-pyperf RESULTS.json OUT.json
    python -m pyperf stats OUT.json
    python -m pyperf compare_to OLD.json NEW.json

One benchmark per measured (case, implementation, interpreter), named
``case/implementation/interpreter``; one pyperf run per process, its
values the timed calls and its warm-ups the calls our warm-up made until
timings settled (pyperf computes nothing from warm-ups, and has no logic
to wait for a JIT: ours stays in our runner).  Rows that were skipped or
failed (a wrong result is never timed) have no benchmark.  Each run keeps
the interpreter, the host and the check against the native reference as
metadata.

pyperf's significance test (compare_to) needs two benchmarks with as many
values each; ours have as many as fitted in ``min_time``.  With
``values_per_run``, each run holds that many evenly spaced quantiles of
its process's timings instead (same median and spread, fewer values), so
that two runs with as many processes compare.
"""

import pyperf

from . import results as results_file


def benchmark_name(record):
    return (f"{record['case']}/{record['implementation']}/"
            f"{record['interpreter']}")


def _metadata(document, record, process):
    info = document["interpreters"][record["interpreter"]].get("info") or {}
    host = document.get("host", {})
    metadata = {
        "name": benchmark_name(record),
        "unit": "second",
        "loops": 1,
        "date": str(document.get("started", "")) or None,
        "hostname": host.get("hostname"),
        "cpu_model_name": host.get("cpu_model"),
        "cpu_count": host.get("cpu_count"),
        "python_implementation": info.get("implementation"),
        "python_version": info.get("python_version"),
        "python_executable": info.get("executable"),
        "description": (f"{record['case']} {record.get('params')} with "
                        f"{record['implementation']}; one call does "
                        f"{record.get('units_per_call', 1)} "
                        f"{record.get('unit', 'unit')}(s)"),
        "piconumpy_check_rtol": process.get("check", {}).get("rtol"),
        "piconumpy_max_relative_error":
            process.get("check", {}).get("max_relative_error"),
        "piconumpy_warmup_settled": int(bool(
            process.get("warmup", {}).get("settled"))),
    }
    return {k: v for k, v in metadata.items() if v not in (None, "")}


def quantiles(values, count):
    """``count`` evenly spaced quantiles (midpoints) of ``values``."""
    ordered = sorted(values)
    n = len(ordered)
    return [ordered[min(n - 1, int((i + 0.5) * n / count))]
            for i in range(count)]


def _run(document, record, process, values_per_run=None):
    values = [t for t in process["timings"] if t > 0]
    if values_per_run:
        values = quantiles(values, values_per_run)
    warmups = [(1, t) for t in process.get("warmup", {}).get("timings", [])
               if t >= 0]
    return pyperf.Run(values, warmups=warmups or None,
                      metadata=_metadata(document, record, process),
                      collect_metadata=False)


def suite(document, values_per_run=None):
    """The pyperf.BenchmarkSuite of a results document (schema 2)."""
    benchmarks = []
    for record in document["results"]:
        if record.get("status") != "ok":
            continue
        runs = [_run(document, record, p, values_per_run)
                for p in record["processes"]
                if any(t > 0 for t in p["timings"])]
        if runs:
            benchmarks.append(pyperf.Benchmark(runs))
    if not benchmarks:
        raise results_file.ResultsError("no measured row to export")
    return pyperf.BenchmarkSuite(benchmarks)


def export(json_path, out_path, values_per_run=None):
    """Write the suite of ``json_path`` to ``out_path``; how many
    benchmarks it holds."""
    found = suite(results_file.load(json_path), values_per_run)
    found.dump(out_path, replace=True)
    return len(found.get_benchmarks())

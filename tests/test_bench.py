"""The benchmark suite: end to end in quick mode, and its small parts.

No timing thresholds: only that every planned row is there, that measured
rows agree with the native reference, and that the logic (statistics,
warm-up, results file, selection) does what it says.

PICONUMPY_BENCH_PYPY=/path/to/pypy/python adds PyPy to the end-to-end run.
"""

import glob
import json
import os
import pathlib
import random
import re
import statistics
import subprocess
import sys

import pytest

from piconumpy.bench import (bindings, cases, check, estimate, intervals,
                             modes, orchestrate, readme, report, results,
                             runner, stats)

ROOT = pathlib.Path(__file__).resolve().parent.parent

QUICK = {"warmup_min": 0.0, "warmup_max": 0.01, "min_calls": 2,
         "min_time": 0.0, "max_calls": 3}
MISSING_PYTHON = "/nonexistent/bin/python"


# --- end to end --------------------------------------------------------------


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """One quick run for the module: (results document, output folder)."""
    output = tmp_path_factory.mktemp("bench")
    pythons = [sys.executable]
    if os.environ.get("PICONUMPY_BENCH_PYPY"):
        pythons.append(os.environ["PICONUMPY_BENCH_PYPY"])
    pythons.append(MISSING_PYTHON)  # must become skipped rows, not vanish
    process = subprocess.run(
        [sys.executable, "-m", "piconumpy.bench", "--quick", "--progress",
         "plain", "--processes", "2", "--output", str(output),
         "--interpreters", *pythons],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        timeout=600,
    )
    assert process.returncode == 0, process.stderr[-3000:]
    [path] = glob.glob(str(output / "*.json"))
    return results.load(path), output, process.stdout


def test_quick_run_is_complete(quick_run):
    document, _, _ = quick_run
    assert document["end"]["interrupted"] is False
    assert document["end"]["measured"] == document["end"]["planned"]
    assert len(document["results"]) == document["end"]["planned"]
    interpreters = document["interpreters"]
    assert interpreters[MISSING_PYTHON]["info"] is None
    assert "not found" in interpreters[MISSING_PYTHON]["missing"]
    for label, entry in interpreters.items():
        if entry["info"]:
            assert entry["info"]["hpy_runtime"]
            assert entry["info"]["implementations"]["purepy"] is None
    assert document["host"]["cpu_model"]
    # Every case has a row for every interpreter and applicable implementation.
    rows = {(r["case"], r["interpreter"], r["implementation"])
            for r in document["results"]}
    for case in document["cases"]:
        kinds = bindings.WORKLOADS[case["workload"]].kinds(case["params"])
        for label in interpreters:
            assert (case["id"], label, "native") in rows
            if "array" in kinds:
                assert (case["id"], label, "purepy") in rows


def test_quick_run_results_agree_with_native(quick_run):
    document, _, _ = quick_run
    for record in document["results"]:
        where = (record["case"], record["interpreter"],
                 record["implementation"])
        assert record["status"] in ("ok", "skipped"), (where, record)
        if record["status"] == "skipped":
            assert record["reason"], where
            continue
        assert record["check"]["max_relative_error"] <= check.RTOL, where
        # Headline cases in two processes (--processes 2), others in one.
        repeated = record["group"] in ("board", "callbacks", "published")
        assert len(record["processes"]) == (2 if repeated else 1), where
        for process in record["processes"]:
            assert len(process["timings"]) == process["stats"]["n"] >= 2
            assert process["warmup"]["calls"] >= 1, where
            assert process["check"]["max_relative_error"] <= check.RTOL
        medians = [statistics.median(p["timings"])
                   for p in record["processes"]]
        assert record["stats"]["median"] == pytest.approx(
            intervals.median_of_medians(
                [p["timings"] for p in record["processes"]]))
        assert min(medians) <= record["stats"]["median"] <= max(medians)
    # What must run everywhere did run, on every interpreter found.
    for label, entry in document["interpreters"].items():
        if entry["info"] is None:
            continue
        for impl in ("native", "purepy", "python"):
            [record] = [r for r in document["results"]
                        if (r["case"], r["interpreter"],
                            r["implementation"]) == ("board", label, impl)]
            assert record["status"] == "ok", record


def test_quick_run_report(quick_run, tmp_path):
    document, output, stdout = quick_run
    text = (output / "report.md").read_text()
    assert "## Summary" in text
    assert "## The published figures beside ours" in text
    assert "## Timings in two modes" in text
    # Key ratios carry their interval: `ratio [lo, hi]`.
    assert re.search(r" = [0-9.e+-]+ \[[0-9.e+-]+, [0-9.e+-]+\] \(", text)
    for case in document["cases"]:
        if case["group"] not in ("ops", "scaling"):
            assert f"## {case['id']} " in text
    assert "Per-operation cost" in text and "Scaling of add" in text
    assert "== board " in stdout  # the terminal tables
    # The report can be rebuilt from the JSON alone, elsewhere.
    [path] = glob.glob(str(output / "*.json"))
    process = subprocess.run(
        [sys.executable, "-m", "piconumpy.bench", "report", path,
         "--output", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.returncode == 0, process.stderr
    assert (tmp_path / "report.md").read_text().startswith(
        "# piconumpy benchmark report")


def test_quick_run_updates_a_readme(quick_run, tmp_path):
    """report --readme replaces the sections between the markers, and only
    them: the answer, the board table, the summary and the chart; the
    README then agrees with the results file it names, until a number in
    it changes."""
    _, output, _ = quick_run
    [path] = glob.glob(str(output / "*.json"))
    copied = tmp_path / "results" / os.path.basename(path)
    copied.parent.mkdir()
    copied.write_text(pathlib.Path(path).read_text())
    readme_path = tmp_path / "README.md"
    readme_path.write_text(
        f"# title\n\n{readme.ANSWER[0]}\nold answer\n{readme.ANSWER[1]}\n"
        f"\n## Latest\n\n{readme.LATEST[0]}\nold\n{readme.LATEST[1]}\n"
        "\n## after\n")
    process = subprocess.run(
        [sys.executable, "-m", "piconumpy.bench", "report", str(copied),
         "--readme", str(readme_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.returncode == 0, process.stderr
    text = readme_path.read_text()
    assert text.startswith("# title\n") and text.endswith("## after\n")
    assert "old" not in text and text.count(readme.LATEST[0]) == 1
    assert "| implementation |" in text and "](results/board.png)" in text
    assert "hpy_universal" in text and "The answer from the run of" in text
    assert f"(results/{copied.name})" in text
    assert readme.disagreements(str(readme_path)) == []
    assert "| native | 1x · " in text
    readme_path.write_text(text.replace("| native | 1x · ",
                                        "| native | 9x · "))
    assert readme.disagreements(str(readme_path)) == [
        f"{readme.LATEST[0]} differs from results/{copied.name}"]


def test_readme_agrees_with_the_committed_results():
    """The README's answer and latest results are what its named results
    file gives (rebuild them: make bench, or bench report --readme)."""
    assert readme.disagreements(str(ROOT / "README.md")) == []


# --- one measurement, in this process ----------------------------------------


def test_runner_measures_and_checks():
    record = runner.run("sum_loop", "purepy", {"n": 20}, QUICK)
    assert record["status"] == "ok", record
    assert record["units_per_call"] == 20
    assert record["check"]["max_relative_error"] == 0.0


def test_wrong_result_is_an_error_not_a_number(monkeypatch):
    monkeypatch.setattr(bindings.WORKLOADS["sum_loop"], "function",
                        lambda arr: 42.0)
    record = runner.run("sum_loop", "purepy", {"n": 20}, QUICK)
    assert record["status"] == "error"
    assert "wrong result" in record["reason"]
    assert "timings" not in record


def test_exception_is_an_error(monkeypatch):
    def broken(arr):
        raise TypeError("boom")

    monkeypatch.setattr(bindings.WORKLOADS["sum_loop"], "function", broken)
    record = runner.run("sum_loop", "purepy", {"n": 20}, QUICK)
    assert record["status"] == "error"
    assert record["reason"] == "TypeError: boom"


def test_not_applicable_is_skipped():
    record = runner.run("callbacks", "purepy", {"n": 10}, QUICK)
    assert record["status"] == "skipped"


def test_measure_with_a_fake_clock():
    ticks = iter(range(10_000))
    settings = dict(QUICK, warmup_min=0.0, warmup_max=3.0, min_calls=4,
                    max_calls=4)
    warmup, timings, result = runner.measure(lambda: "r", settings,
                                             clock=lambda: next(ticks))
    assert timings == [1, 1, 1, 1]
    assert result == "r"
    assert warmup.summary()["calls"] == 3  # 3 calls of 1 reach max_seconds


# --- statistics and warm-up --------------------------------------------------


def test_summarize():
    summary = stats.summarize([3.0, 1.0, 2.0, 4.0, 100.0])
    assert summary["median"] == 3.0
    assert summary["mean"] == 22.0
    assert summary["min"] == 1.0 and summary["max"] == 100.0
    assert summary["q1"] == 2.0 and summary["q3"] == 4.0
    assert summary["iqr"] == 2.0
    assert summary["mad"] == 1.0
    assert summary["n"] == 5
    assert stats.summarize([5.0])["iqr"] == 0.0
    with pytest.raises(ValueError):
        stats.summarize([])


def test_warmup_settles_on_steady_timings_after_min_seconds():
    warmup = stats.WarmUp(min_seconds=1.0, max_seconds=100.0, window=3)
    calls = next(i for i in range(1, 100) if warmup.add(0.125))
    # 8 calls reach min_seconds (6 calls would fill the two windows)
    assert calls == 8
    assert warmup.settled
    with pytest.raises(RuntimeError):
        warmup.add(0.125)


def test_warmup_waits_while_a_jit_speeds_calls_up():
    durations = [0.1, 0.08, 0.06, 0.04, 0.02] + [0.01] * 30
    warmup = stats.WarmUp(min_seconds=0.0, max_seconds=100.0, window=3)
    calls = next(i for i, d in enumerate(durations, 1) if warmup.add(d))
    assert warmup.settled
    # the first window whose median and the previous one's are both 0.01
    assert calls == 10


def test_warmup_gives_up_at_max_seconds():
    warmup = stats.WarmUp(min_seconds=0.0, max_seconds=1.0, window=2)
    durations = [0.25 * k for k in range(1, 100)]  # never steady
    calls = next(i for i, d in enumerate(durations, 1) if warmup.add(d))
    assert calls == 3  # 0.25 + 0.5 + 0.75 >= 1.0
    assert not warmup.settled
    assert warmup.summary()["calls"] == 3


def test_warmup_bounds_are_checked():
    with pytest.raises(ValueError):
        stats.WarmUp(min_seconds=2.0, max_seconds=1.0)


# --- checks, results file, selection -----------------------------------------


def test_compare():
    assert check.compare([1.0, 2.0], [1.0, 2.0 * (1 + 1e-12)]) is None
    assert check.compare([1.0, 2.1], [1.0, 2.0]) is not None
    assert check.compare([1.0], [1.0, 2.0]) is not None
    assert check.compare([float("nan")], [float("nan")]) is None
    assert check.compare([1.0], [float("nan")]) is not None
    # components near zero are compared at the scale of the others
    assert check.compare([1e-15, 10.0], [0.0, 10.0]) is None
    assert check.to_floats([[1, 2], (3.0,)]) == [1.0, 2.0, 3.0]


def test_results_file_is_valid_after_each_record(tmp_path):
    path = str(tmp_path / "r.json")
    file = results.ResultsFile(path, {"schema": 2, "interpreters": {}})
    assert results.load(path)["results"] == []
    file.add({"case": "a"})
    file.add({"case": "b"})
    assert [r["case"] for r in results.load(path)["results"]] == ["a", "b"]
    assert "end" not in results.load(path)
    file.finish(interrupted=False)
    document = results.load(path)
    assert document["end"] == {"interrupted": False}
    assert len(document["results"]) == 2 and document["schema"] == 2


def fake_record(workload, impl, timings):
    """What the runner gives for one process that measured ``timings``."""
    return {"workload": workload, "implementation": impl, "params": {},
            "status": "ok", "units_per_call": 1, "timings": timings,
            "stats": stats.summarize(timings), "first_call": 1.0,
            "warmup": stats.WarmUp(0.0, 0.0).summary(),
            "check": {"max_relative_error": 0.0, "rtol": check.RTOL}}


def test_interrupted_run_leaves_readable_results(tmp_path, monkeypatch):

    calls = []

    def fake_measure(python, case, impl, settings, timeout):
        if len(calls) == 5:  # Ctrl-C in purepy's third process
            raise KeyboardInterrupt
        calls.append(impl)
        return fake_record(case.workload, impl, [1.0, 1.0 + len(calls)])

    monkeypatch.setattr(orchestrate, "measure", fake_measure)
    selected = cases.select(cases.all_cases(cases.QUICK_SIZES), ["board"])
    path = str(tmp_path / "r.json")
    with pytest.raises(KeyboardInterrupt):
        orchestrate.run([sys.executable], ["native", "purepy", "numpy"],
                        selected, QUICK, path, display="plain", processes=3)
    document = results.load(path)
    assert document["end"]["interrupted"] is True
    native, purepy = document["results"]
    assert len(native["processes"]) == 3 and "interrupted" not in native
    # the two processes done before Ctrl-C are kept, and marked
    assert len(purepy["processes"]) == 2 and purepy["interrupted"]
    assert purepy["stats"]["median"] == statistics.median([3.0, 3.5])
    report.write(path, str(tmp_path), echo=lambda text: None)
    assert "INCOMPLETE" in (tmp_path / "report.md").read_text()
    process = subprocess.run(
        [sys.executable, "-m", "piconumpy.bench", "report", path,
         "--output", str(tmp_path / "again")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.returncode == 0, process.stderr


def test_select_cases():
    everything = cases.all_cases(cases.Sizes())
    ids = [c.id for c in cases.select(everything, ["board"])]
    assert ids == ["board"]
    ids = [c.id for c in cases.select(everything, ["scale_add"])]
    assert ids == [f"scale_add[n={n}]" for n in cases.Sizes().scaling]
    assert len(cases.select(everything, ["ops"])) == len(bindings.OPS)
    default = cases.select(everything, [])
    assert [c.id for c in everything if c not in default] == ["board_long"]
    assert cases.select(everything, ["all"]) == everything
    assert [c.id for c in cases.select(everything, ["board_long"])] == [
        "board_long"]
    with pytest.raises(ValueError):
        cases.select(everything, ["nope"])


def test_labels_are_unique():
    infos = [{"implementation": "cpython", "python_version": "3.11.7"},
             {"implementation": "cpython", "python_version": "3.12.1"},
             None]
    assert orchestrate.labels(["a", "b", "/x/py"], infos) == [
        "cpython-3.11", "cpython-3.12", "/x/py"]
    assert orchestrate.labels(["a", "a"], infos[:1] * 2) == [
        "cpython-3.11", "cpython-3.11#2"]


def test_pypys_are_labelled_by_their_own_version():
    """PyPy 7.3.19 and 8.0.1 both implement Python 3.11."""
    infos = [{"implementation": "pypy", "python_version": "3.11.11",
              "pypy_version": "7.3.19"},
             {"implementation": "pypy", "python_version": "3.11.17",
              "pypy_version": "8.0.1"}]
    assert orchestrate.labels(["a", "b"], infos) == [
        "pypy-7.3.19", "pypy-8.0.1"]


def test_json_timings_round_trip(tmp_path):
    record = runner.run("sum_loop", "python", {"n": 5}, QUICK)
    assert json.loads(json.dumps(record))["timings"] == record["timings"]


# --- statistics across processes, on synthetic data --------------------------


def synthetic(level, processes=5, calls=200, spread=0.05, seed=0):
    """Timings of ``processes`` processes whose calls scatter (log-normal,
    ``spread``) around ``level``; ``level`` may be a list, one per
    process."""
    rng = random.Random(seed)
    levels = level if isinstance(level, list) else [level] * processes
    return [[lv * rng.lognormvariate(0.0, spread) for _ in range(calls)]
            for lv in levels]


def test_interval_covers_a_known_ratio():
    slow, fast = synthetic(2.0, seed=1), synthetic(1.0, seed=2)
    ratio, low, high = intervals.ratio_interval(slow, fast)
    assert low < 2.0 < high
    assert ratio == pytest.approx(2.0, rel=0.02)
    assert 1.9 < low and high < 2.1  # 1000 calls: a narrow interval
    assert intervals.verdict(ratio, low, high) == f"{ratio:.3g}x slower"
    ratio, low, high = intervals.ratio_interval(fast, slow)
    assert low < 0.5 < high
    assert intervals.verdict(ratio, low, high).endswith("x faster")


def test_interval_of_the_same_work_contains_one():
    ratio, low, high = intervals.ratio_interval(synthetic(1.0, seed=3),
                                                synthetic(1.0, seed=4))
    assert low < 1.0 < high
    assert intervals.verdict(ratio, low, high) == "no measurable difference"


def test_interval_of_a_two_mode_sample_spans_both_modes():
    """Three processes settled at 1.0, two at 2.0 (a JIT's slow mode): the
    figure is in the fast mode, and the interval, over processes, reaches
    the slow one, so against 1.0 it is no measurable difference."""
    two_modes = synthetic([1.0, 2.0, 1.0, 2.0, 1.0], seed=5)
    ratio, low, high = intervals.ratio_interval(two_modes,
                                                synthetic(1.0, seed=6))
    assert ratio == pytest.approx(1.0, rel=0.02)
    assert low < 1.0 and high > 1.9
    assert intervals.verdict(ratio, low, high) == "no measurable difference"
    found = modes.of_measurement(two_modes)
    assert found["within"] == []
    between = found["between"]
    assert (between["low"]["count"], between["high"]["count"]) == (3, 2)
    assert between["median_in"] == "low"
    assert between["gap"] > 1.8
    assert "median of medians is in the fast mode" in modes.describe(
        found, report.format_time)


def test_intervals_are_deterministic():
    slow, fast = synthetic(1.5, seed=7), synthetic(1.0, seed=8)
    assert intervals.ratio_interval(slow, fast) == intervals.ratio_interval(
        slow, fast)


def test_resampled_median_is_the_median_of_resampled_calls():
    """The median of 3 calls drawn from [1, 2, 3] is 1 with probability
    7/27 (at least two draws of 1), 2 with 13/27, 3 with 7/27."""
    rng = random.Random(9)
    draws = [intervals.resampled_median(rng, [1.0, 2.0, 3.0])
             for _ in range(27000)]
    assert draws.count(1.0) / 27000 == pytest.approx(7 / 27, abs=0.015)
    assert draws.count(2.0) / 27000 == pytest.approx(13 / 27, abs=0.015)
    # An even count: the mean of the two middle calls of the resample.
    draws = [intervals.resampled_median(rng, [1.0, 3.0]) for _ in range(8000)]
    assert set(draws) == {1.0, 2.0, 3.0}
    assert draws.count(2.0) / 8000 == pytest.approx(0.5, abs=0.03)


def test_modes_within_a_process():
    rng = random.Random(10)
    calls = ([rng.uniform(0.99, 1.01) for _ in range(70)]
             + [rng.uniform(2.9, 3.1) for _ in range(30)])
    found = modes.two_modes(calls, min_share=0.1, min_count=3)
    assert (found["low"]["count"], found["high"]["count"]) == (70, 30)
    assert found["median_in"] == "low"
    found = modes.two_modes([3 * c for c in calls[:30]] + calls[70:]
                            + [c * 1.0 for c in calls[:20]], min_count=3)
    assert found["median_in"] == "high"
    measured = modes.of_measurement([calls, synthetic(1.0, 1, 100)[0]])
    assert [number for number, _ in measured["within"]] == [1]
    assert "process 1: calls in two modes (70% near" in modes.describe(
        measured, report.format_time)


def test_one_mode_is_not_flagged():
    for seed in range(5):
        [calls] = synthetic(1.0, processes=1, calls=1000, spread=0.1,
                            seed=seed)
        assert modes.two_modes(calls, min_share=0.1, min_count=3) is None
    assert modes.of_measurement(synthetic(1.0, seed=11)) == {
        "within": [], "between": None}


def test_combine_processes():
    records = [fake_record("board", "purepy", timings)
               for timings in ([1.0, 2.0, 3.0], [4.0, 5.0, 6.0],
                               [7.0, 8.0, 9.0])]
    record = orchestrate.combine(records)
    assert [p["timings"] for p in record["processes"]] == [
        [1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]
    assert "timings" not in record
    assert record["stats"]["median"] == 5.0
    assert record["stats"]["processes"] == 3
    assert record["stats"]["relative_range"] == pytest.approx(6.0 / 5.0)
    assert record["stats"]["n"] == 9


# --- results files: old, bad, foreign ----------------------------------------


def test_schema_1_files_are_read_as_one_process(tmp_path):
    record = fake_record("sum_loop", "purepy", [1.0, 2.0, 3.0])
    record.update(case="sum_loop", group="loops", interpreter="cpython")
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"schema": 1, "interpreters": {
        "cpython": {"info": None}}, "results": [record]}))
    [upgraded] = results.load(str(path))["results"]
    assert [p["timings"] for p in upgraded["processes"]] == [[1.0, 2.0, 3.0]]
    assert upgraded["stats"]["median"] == 2.0


BAD_FILES = {
    "missing": (None, "no such file"),
    "truncated": ('{"schema": 2, "results": [', "not JSON"),
    "foreign": ('{"benchmarks": []}', "not a piconumpy results file"),
    "newer": ('{"schema": 99, "interpreters": {}, "results": []}',
              "results schema 99 is newer"),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
@pytest.mark.parametrize("command", ["report", "export-pyperf"])
def test_bad_results_file_is_one_line_and_status_2(tmp_path, kind, command):
    text, message = BAD_FILES[kind]
    path = tmp_path / f"{kind}.json"
    if text is not None:
        path.write_text(text)
    with pytest.raises(results.ResultsError, match=message):
        results.load(str(path))
    arguments = [str(path)] + ([str(tmp_path / "out.json")]
                               if command == "export-pyperf" else [])
    process = subprocess.run(
        [sys.executable, "-m", "piconumpy.bench", command, *arguments],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.returncode == 2
    assert process.stderr.count("\n") == 1, process.stderr
    assert message in process.stderr and str(path) in process.stderr
    assert "Traceback" not in process.stderr


# --- pyperf ------------------------------------------------------------------


def test_export_pyperf_is_read_by_pyperf(quick_run, tmp_path):
    pyperf = pytest.importorskip("pyperf")
    document, output, _ = quick_run
    [path] = glob.glob(str(output / "*.json"))
    exported = []
    for name in ("a.json", "b.json"):
        out = str(tmp_path / name)
        process = subprocess.run(
            [sys.executable, "-m", "piconumpy.bench", "export-pyperf", path,
             out], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert process.returncode == 0, process.stderr
        exported.append(out)
    suite = pyperf.BenchmarkSuite.load(exported[0])
    measured = [r for r in document["results"] if r["status"] == "ok"]
    assert len(suite.get_benchmarks()) == len(measured)
    for record in measured:
        bench = suite.get_benchmark(
            f"{record['case']}/{record['implementation']}/"
            f"{record['interpreter']}")
        assert bench.get_nrun() == len(record["processes"])
        assert sorted(bench.get_values()) == sorted(
            t for p in record["processes"] for t in p["timings"])
        run = bench.get_runs()[0]
        assert run.get_metadata()["piconumpy_max_relative_error"] <= \
            check.RTOL
    for arguments in (["stats", exported[0]], ["hist", exported[0]],
                      ["compare_to", exported[0], exported[1]]):
        process = subprocess.run(
            [sys.executable, "-m", "pyperf", *arguments],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert process.returncode == 0, (arguments, process.stderr)
        assert "board/purepy/" in process.stdout
    # With as many values per run, pyperf's t-test can compare: the same
    # run twice is "not significant", with no error.
    for out in exported:
        process = subprocess.run(
            [sys.executable, "-m", "piconumpy.bench", "export-pyperf", path,
             out, "--values-per-run", "4"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert process.returncode == 0, process.stderr
    bench = pyperf.BenchmarkSuite.load(exported[0]).get_benchmarks()[0]
    assert all(len(run.values) == 4 for run in bench.get_runs())
    process = subprocess.run(
        [sys.executable, "-m", "pyperf", "compare_to", *exported],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.returncode == 0, process.stderr
    assert "ERROR" not in process.stdout
    assert "not significant" in process.stdout


# --- estimate, new workloads, native reference -------------------------------


def test_estimate_counts_processes():
    selected = cases.select(cases.all_cases(cases.Sizes()),
                            ["board", "sum_loop"])
    info = {"implementations": {"numpy": "not here"}}
    interpreters = [("cpython", "python", info, None),
                    ("gone", "/x/python", None, "not found")]
    steps = orchestrate.plan(selected, interpreters,
                             ["native", "purepy", "numpy"], processes=5)
    counts = {(s[0].id, s[1][0], s[2]): s[4] for s in steps}
    assert counts[("board", "cpython", "purepy")] == 5
    assert counts[("board", "cpython", "numpy")] == 0  # skipped
    assert counts[("board", "gone", "purepy")] == 0
    assert counts[("sum_loop", "cpython", "purepy")] == 1
    settings = dict(runner.DEFAULTS)
    one = estimate.process_seconds(
        orchestrate.case_settings(settings, selected[0]), "purepy")
    step = next(s for s in steps if (s[0].id, s[2]) == ("board", "purepy")
                and s[1][0] == "cpython")
    assert estimate.step_seconds(step, settings) == pytest.approx(5 * one)
    lines = estimate.summary(steps, settings, 2)
    assert lines[-1].startswith("expected duration: ~")


@pytest.mark.parametrize("workload", ["board_rhs", "instantiate",
                                      "element_wise"])
@pytest.mark.parametrize("impl", ["purepy", "python"])
def test_published_single_calls_agree_with_native(workload, impl):
    record = runner.run(workload, impl, {"repeat": 3}, QUICK)
    assert record["status"] == "ok", record
    assert record["units_per_call"] == 3


def test_native_arguments_are_checked():
    import array

    from piconumpy.bench import _native

    buffer = array.array("d", [1.0, 2.0, 3.0, 4.0])
    out = array.array("d", [0.0] * 4)
    with pytest.raises(TypeError, match="takes 4 arguments"):
        _native.single_call("instantiate", buffer, out)
    with pytest.raises(ValueError, match="repeat must be at least 1"):
        _native.single_call("instantiate", buffer, out, 0)
    with pytest.raises(ValueError, match="unknown single call"):
        _native.single_call("nope", buffer, out, 1)
    with pytest.raises(ValueError, match="at least 4 doubles"):
        _native.single_call("board_rhs", array.array("d", [1.0]), out, 1)
    with pytest.raises(TypeError):
        _native.single_call("element_wise", [1.0, 2.0, 3.0, 4.0], out, 1)
    with pytest.raises(ValueError, match="unknown operation"):
        _native.elementwise("pow", buffer, buffer, out, 1)
    with pytest.raises(ValueError, match="the same size"):
        _native.cort(buffer, array.array("d", [1.0, 2.0]))
    with pytest.raises(TypeError, match="a list expected"):
        _native.construct((1.0,), array.array("d", [0.0]), 1)
    assert _native.single_call("instantiate", buffer, out, 2) is None
    assert list(out) == [6.0, 3.0, 6.0, 9.0]

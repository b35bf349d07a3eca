"""The benchmark suite: end to end in quick mode, and its small parts.

No timing thresholds: only that every planned row is there, that measured
rows agree with the native reference, and that the logic (statistics,
warm-up, results file, selection) does what it says.

PICONUMPY_BENCH_PYPY=/path/to/pypy/python adds PyPy to the end-to-end run.
"""

import glob
import json
import os
import subprocess
import sys

import pytest

from piconumpy.bench import (bindings, cases, check, orchestrate, report,
                             results, runner, stats)

QUICK = {"warmup_min": 0.0, "warmup_max": 0.01, "min_calls": 2,
         "min_time": 0.0, "max_calls": 3}
MISSING_PYTHON = "/nonexistent/bin/python"


# --- end to end ----------------------------------------------------------------


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
         "plain", "--output", str(output), "--interpreters", *pythons],
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
        assert len(record["timings"]) == record["stats"]["n"] >= 2, where
        assert record["warmup"]["calls"] >= 1, where
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
    """report --readme replaces the section between the markers, and only
    it: the board table, the summary and the chart of this run."""
    from piconumpy.bench import report

    _, output, _ = quick_run
    [path] = glob.glob(str(output / "*.json"))
    readme = tmp_path / "README.md"
    readme.write_text(f"# title\n\n{report.README_START}\nold\n"
                      f"{report.README_END}\n\n## after\n")
    process = subprocess.run(
        [sys.executable, "-m", "piconumpy.bench", "report", path,
         "--output", str(tmp_path / "results"), "--readme", str(readme)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.returncode == 0, process.stderr
    text = readme.read_text()
    assert text.startswith("# title\n") and text.endswith("## after\n")
    assert "old" not in text and text.count(report.README_START) == 1
    assert "| implementation |" in text and "](results/board.png)" in text
    assert "hpy_universal" in text


# --- one measurement, in this process ---------------------------------------------


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


# --- statistics and warm-up ------------------------------------------------------------


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


# --- checks, results file, selection ---------------------------------------------------------


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
    file = results.ResultsFile(path, {"schema": 1})
    assert results.load(path)["results"] == []
    file.add({"case": "a"})
    file.add({"case": "b"})
    assert [r["case"] for r in results.load(path)["results"]] == ["a", "b"]
    assert "end" not in results.load(path)
    file.finish(interrupted=False)
    document = results.load(path)
    assert document["end"] == {"interrupted": False}
    assert len(document["results"]) == 2 and document["schema"] == 1


def test_interrupted_run_leaves_readable_results(tmp_path, monkeypatch):
    calls = []

    def fake_measure(python, case, impl, settings, timeout):
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(impl)
        return {"workload": case.workload, "implementation": impl,
                "params": case.params, "status": "ok", "units_per_call": 1,
                "timings": [1.0, 1.0], "stats": stats.summarize([1.0, 1.0])}

    monkeypatch.setattr(orchestrate, "measure", fake_measure)
    selected = cases.select(cases.all_cases(cases.QUICK_SIZES), ["board"])
    path = str(tmp_path / "r.json")
    with pytest.raises(KeyboardInterrupt):
        orchestrate.run([sys.executable], ["native", "purepy", "numpy"],
                        selected, QUICK, path, display="plain")
    document = results.load(path)
    assert document["end"]["interrupted"] is True
    assert len(document["results"]) == 2
    report.write(path, str(tmp_path), echo=lambda text: None)
    assert "INCOMPLETE" in (tmp_path / "report.md").read_text()


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
        "cpython-3.11.7", "cpython-3.12.1", "/x/py"]
    assert orchestrate.labels(["a", "a"], infos[:1] * 2) == [
        "cpython-3.11.7", "cpython-3.11.7#2"]


def test_json_timings_round_trip(tmp_path):
    record = runner.run("sum_loop", "python", {"n": 5}, QUICK)
    assert json.loads(json.dumps(record))["timings"] == record["timings"]

"""piconumpy.bench.explain.jit: the PYPYLOG parser on a canned excerpt,
the main loop with the traces it enters, the table; end to end on PyPy.

tests/data/pypylog_excerpt.log is a hand-cut PYPYLOG in PyPy 7.3's
format: an entry bridge of the board's right-hand side (Loop 3), the loop
of ``solve`` entering it twice with call_assembler (Loop 4), a bridge,
and the jit-summary.
"""

import json
import os
import subprocess
import sys

import pytest

from piconumpy.bench.explain import jit

DATA = os.path.join(os.path.dirname(__file__), "data")
EXCERPT = os.path.join(DATA, "pypylog_excerpt.log")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IS_PYPY = sys.implementation.name == "pypy"


@pytest.fixture(scope="module")
def parsed():
    return jit.read(EXCERPT)


def test_summary_loops_bridges_aborts(parsed):
    summary = parsed["summary"]
    assert summary["Total # of loops"] == 2
    assert summary["Total # of bridges"] == 1
    assert jit.aborts(summary) == {"trace too long": 2,
                                   "force quasi-immut": 1}


def test_traces_headers(parsed):
    kinds = [(t["trace"], t["function"], t["kind"], t["number"])
             for t in parsed["traces"]]
    assert kinds == [("Loop 3", "board", "entry bridge", 3),
                     ("Loop 4", "solve", "loop", 4),
                     ("bridge out of Guard 0x7f43bfe7ca40", "", "bridge",
                      None)]
    assert parsed["traces"][1]["where"].endswith("board.py:59-73~#84 "
                                                 "FOR_ITER")
    assert parsed["traces"][1]["enters"] == [3, 3]


def test_loop_counts_only_the_body_after_the_label(parsed):
    loop = parsed["traces"][1]
    # Before the label: a getfield and a new_with_vtable (the preamble).
    assert loop["operations"] == 12
    assert loop["new_with_vtable"] == 1 and loop["call_malloc"] == 1
    assert loop["allocations"] == 2
    assert loop["guards"] == 2
    assert loop["calls"] == 7


def test_call_targets_by_group(parsed):
    assert parsed["traces"][1]["targets"] == {
        "interpreter: _ll_1_threadlocalref_get__Ptr_GcStruct_objectLlT_"
        "Signed": 1,
        "another trace: call_assembler": 2,
        "cpyext: PyErr_Occurred": 1,
        "cpyext: as_pyobj": 1,
        "C (release GIL): C function": 1,
        "GC/malloc: _ll_0_alloc_with_del___": 1,
    }
    assert parsed["traces"][0]["targets"] == {
        "interpreter: cos": 1, "interpreter: sin": 1,
        "HPy: slot function(ctx, ...)": 1}


@pytest.mark.parametrize("operation, expected", [
    ("call_i(ConstClass(HPyFloat_FromDouble), i1, descr=<C>)",
     ("HPy", "HPyFloat_FromDouble")),
    ("call_may_force_r(ConstClass(cpy_call_external__funcPtr), p1)",
     ("cpyext", "cpy_call_external__funcPtr")),
    ("call_r(ConstClass(W_CData.getitem), p1)",
     ("cffi", "W_CData.getitem")),
    ("call_i(140219159872704, i1, descr=<Calli>)", ("C", "C function")),
    ("call_may_force_i(i9, p1, descr=<Calli>)", ("interpreter",
                                                  "indirect")),
])
def test_call_target(operation, expected):
    name, arguments = operation.split("(", 1)
    assert jit.call_target(jit.call_kind(name), arguments) == expected


def test_main_loop_adds_the_traces_it_enters(parsed):
    summary = jit.summarize(parsed, "board")
    loop = summary["main_loop"]
    assert loop["trace"] == "Loop 4" and loop["traces_entered"] == 2
    # The loop's body plus twice the board's entry bridge.
    assert loop["operations"] == 12 + 2 * 8
    assert loop["allocations"] == 2 + 2 * 2
    assert loop["calls/HPy"] == 2
    assert loop["targets"]["interpreter: cos"] == 2
    assert summary["loops"] == 2 and summary["bridges"] == 1
    assert summary["aborts"] == {"trace too long": 2, "force quasi-immut": 1}


def test_no_main_loop_for_another_workload(parsed):
    assert "main_loop" not in jit.summarize(parsed, "element_wise")


def test_with_entered_stops_at_recursion():
    traces = [{"number": 1, "operations": 1, "enters": [1], "targets": {}}]
    counts, _, entered = jit.with_entered(traces[0], traces)
    assert entered == jit.DEPTH
    assert counts["operations"] == jit.DEPTH + 1


def test_render_rows_and_skipped(parsed):
    row = dict(jit.summarize(parsed, "board"), impl="hpy_universal",
               workload="board", calls=5)
    data = {"calls": 5, "interpreters": [
        {"python": "pypy3", "name": "PyPy 7.3.11 (Python 3.9.16)",
         "rows": [row, {"impl": "cython", "workload": "board",
                        "skipped": "not built"}]},
        {"python": "python3", "name": None, "skipped": "not PyPy"}]}
    text = jit.render(data)
    assert "### The JIT's view, PyPy 7.3.11 (Python 3.9.16)" in text
    assert ("| `hpy_universal` | board | 2 | 1 | force quasi-immut 1, "
            "trace too long 2 | 28 | 2 | 6 |") in text
    assert "HPy 2" in text and "cpyext 2" in text
    assert "- `cython`: skipped, not built" in text
    assert "Skipped: not PyPy." in text
    assert jit.render({"calls": 5, "interpreters": []}).startswith(
        "The JIT's view: no PyPy")


def test_jit_view_tool_prints_the_traces():
    process = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tools", "jit_view.py"),
         EXCERPT, "--top", "2"], capture_output=True, text=True)
    assert process.returncode == 0, process.stderr
    assert "loops 2, bridges 1" in process.stdout
    assert "loop solve" in process.stdout
    process = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tools", "jit_view.py"),
         EXCERPT, "--json"], capture_output=True, text=True)
    assert json.loads(process.stdout)[EXCERPT]["summary"][
        "Total # of loops"] == 2


def test_arguments_are_checked():
    with pytest.raises(SystemExit):
        jit.main(["--calls", "0"])
    with pytest.raises(SystemExit):
        jit.main(["--workload", "nonsense"])


def test_not_pypy_is_skipped_with_its_reason():
    if IS_PYPY:
        pytest.skip("this interpreter is a PyPy")
    name, why = jit.interpreter_info(sys.executable)
    assert name is None and "not PyPy" in why


@pytest.mark.skipif(not IS_PYPY, reason="the JIT's view needs PyPy")
def test_end_to_end_on_this_pypy(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = jit.measure([sys.executable], ["python", "purepy"],
                       ["element_wise"])
    [entry] = data["interpreters"]
    assert entry["name"].startswith("PyPy")
    for row in entry["rows"]:
        assert "skipped" not in row, row
        assert row["loops"] >= 1
        assert row["main_loop"]["operations"] > 0
    assert "`purepy` | element_wise" in jit.render(data)
    assert os.listdir(tmp_path) == []  # the logs went with their folder

"""piconumpy.bench.explain (instructions, profile) and bench/compilers.py.

The pure logic on canned input: a callgrind dump, regions and their counts,
a vmprof tree.  End to end where the tools are here: callgrind's counts of
the native reference (twice: they must be equal), a cProfile of a small
case, Transonic's plain-Python board.  No timing threshold anywhere.
"""

import math
import os
import re
import shutil
import subprocess
import sys
import types

import pytest

from piconumpy.bench import bindings, compilers
from piconumpy.bench.explain import api, collect, instructions, profile
from piconumpy.bench.workloads import board

DATA = os.path.join(os.path.dirname(__file__), "data")
IS_CPYTHON = sys.implementation.name == "cpython"


# --- instructions: callgrind output and the arithmetic -----------------------


def test_parse_totals_of_a_callgrind_dump():
    with open(os.path.join(DATA, "callgrind_dump.txt")) as file:
        assert instructions.parse_totals(file.read()) == 153782


def test_parse_totals_without_summary_and_without_either():
    assert instructions.parse_totals("events: Ir\n0 5\ntotals: 42\n") == 42
    with pytest.raises(ValueError):
        instructions.parse_totals("events: Ir\n0 5\n")


def test_dumps_in_numeric_order_without_the_final_dump(tmp_path):
    prefix = str(tmp_path / "callgrind.out")
    for suffix in ("", ".1", ".2", ".10", ".lock"):
        (tmp_path / ("callgrind.out" + suffix)).write_text("")
    assert [os.path.basename(p) for p in
            instructions.dumps_in_order(prefix)] == [
        "callgrind.out.1", "callgrind.out.2", "callgrind.out.10"]


def test_per_unit_differences_pairs_and_keeps_whole_regions():
    regions = [["a + b", 100], ["a + b", 200], ["board call", None]]
    counts = [1000 + 100 * 7, 1000 + 200 * 7, 123456]
    assert instructions.per_unit(regions, counts) == {
        "a + b": 7.0, "board call": 123456}
    with pytest.raises(ValueError):
        instructions.per_unit(regions, counts[:2])


def test_render_says_why_rows_are_missing():
    data = {"version": "3.11.7", "method": "m", "valgrind": "v",
            "rows": [{"impl": "native", "counts": {"a + b": 35.0}},
                     {"impl": "numba", "skipped": "not here"}]}
    text = instructions.render(data)
    assert "| `native` | - | - | - | - | 35 |" in text
    assert "- `numba`: skipped, not here" in text
    skipped = instructions.render({"skipped": "valgrind is not installed"})
    assert "skipped, valgrind is not installed" in skipped


def test_regions_are_the_bench_workloads():
    found = instructions.regions("python")
    columns = [column for column, _, _ in found]
    # lists have construct, a[i], len and cos, and the board
    assert columns.count("array(4 floats)") == 2
    assert "a * s" not in columns
    assert columns[-1] == instructions.BOARD_CALL
    column, units, function = found[0]
    assert units == instructions.REPEATS[0]
    values = bindings.WORKLOADS["op"].inputs({"n": instructions.ARRAY_SIZE})
    assert function() == values["a"]  # list(values): the lists' array


@pytest.mark.skipif(not IS_CPYTHON, reason="callgrind counts CPython only")
def test_callgrind_counts_of_native_are_deterministic():
    reason = instructions.why_no_callgrind(sys.executable)
    if reason:
        pytest.skip(reason)
    first = instructions.count("native")
    second = instructions.count("native")
    assert "skipped" not in first, first.get("skipped")
    assert set(first["counts"]) == set(instructions.COLUMNS)
    assert all(value > 0 for value in first["counts"].values())
    assert first == second


def test_no_callgrind_on_pypy_says_why():
    if IS_CPYTHON:
        pytest.skip("the reason is given for a non-CPython interpreter")
    assert "CPython only" in instructions.why_no_callgrind(sys.executable)


# --- profile: vmprof's tree as folded stacks ---------------------------------


def _node(name, count, *children):
    return types.SimpleNamespace(
        name=name, count=count,
        children={child.name: child for child in children})


def test_fold_vmprof_tree_below_the_profiler():
    tree = _node(
        "py:main:1:/x/profile.py", 10,
        _node("py:run_for:74:/x/profile.py", 10,
              _node("py:solve:59:/y/board.py", 10,
                    _node("py:board:30:/y/board.py", 6))))
    stacks = {}
    profile._fold(tree, [], stacks)
    assert stacks == {
        "main (profile.py:1);run_for (profile.py:74);solve (board.py:59)": 4,
        "main (profile.py:1);run_for (profile.py:74);solve (board.py:59);"
        "board (board.py:30)": 6}
    assert profile._below_run_for(stacks) == {
        "solve (board.py:59)": 4,
        "solve (board.py:59);board (board.py:30)": 6}


def test_frame_name_keeps_native_names_usable():
    assert profile._frame_name("py:f:3:/a/b c.py") == "f (b c.py:3)"
    assert profile._frame_name("n:sym;x y") == "n:sym,x_y"


def test_profile_writes_profile_and_picture_or_says_why(tmp_path):
    # cProfile on CPython; on PyPy vmprof (half a second of samples), or
    # cProfile with a note when vmprof is not installed.
    result = profile.profile("python", "op_len", seconds=0.5,
                             output=str(tmp_path))
    assert os.path.exists(result["profile"])
    assert "op_len" in result["top"]
    if result["profiler"] == "cProfile" and not IS_CPYTHON:
        assert any("vmprof" in note for note in result["notes"])
    if "picture" in result:
        assert os.path.getsize(result["picture"]) > 0
    else:
        assert any(note.startswith("no picture") for note in result["notes"])
    assert "op_len" in profile.render(result)


# --- compilers: Transonic ----------------------------------------------------


def test_compilers_refuse_unknown_kinds():
    assert "unknown compiler" in compilers.why_unavailable("fortran")
    with pytest.raises(ImportError):
        compilers.load("fortran")


def test_compilers_say_cpython_only_elsewhere():
    if IS_CPYTHON:
        pytest.skip("the reason is given for a non-CPython interpreter")
    for kind in compilers.KINDS:
        assert "CPython only" in compilers.why_unavailable(kind)


def test_transonic_python_board_agrees_with_lists(tmp_path, monkeypatch):
    reason = compilers.why_unavailable("transonic_python")
    if reason:
        pytest.skip(reason)
    import numpy

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = compilers.load("transonic_python")
    assert built.build_seconds is not None
    assert compilers.load("transonic_python").build_seconds is None  # cached
    assert built.folder.startswith(str(tmp_path))
    y0s = [0.1, 0.7]
    finals = built.solve(numpy.array(y0s), 20, bindings.DT)
    expected = board.solve_lists(y0s, 20, bindings.DT)
    for row, want in zip(finals.tolist(), expected):
        assert all(math.isclose(a, b, rel_tol=1e-12)
                   for a, b in zip(row, want))


def test_transonic_has_a_cached_folder_per_source_and_versions(tmp_path,
                                                              monkeypatch):
    if compilers.why_unavailable("transonic_python"):
        pytest.skip(compilers.why_unavailable("transonic_python"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    python_folder = compilers._build_folder("python", None)
    assert python_folder == compilers._build_folder("python", None)
    assert python_folder != compilers._build_folder("numba", None)
    copied = os.path.join(python_folder, compilers.MODULE + ".py")
    with open(copied) as copy, open(compilers.SOURCE) as source:
        assert copy.read() == source.read()
    shutil.rmtree(python_folder)


def test_native_profile_draws_c_functions(tmp_path):
    if not IS_CPYTHON or instructions.why_no_callgrind(sys.executable):
        pytest.skip("callgrind profiles CPython, with valgrind installed")
    result = profile.profile("python", "op_len", output=str(tmp_path),
                             native=True)
    assert result["profiler"] == "callgrind"
    assert "PROGRAM TOTALS" in result["top"]
    # C functions, named file.c:function (which ones depends on the
    # version: 3.12 specialises len() of a list inside the eval loop).
    assert re.search(r"\.c:\w+", result["top"])
    with open(result["profile"]) as file:
        assert instructions.parse_totals(file.read()) > 0


# --- a run's explanations in the report, and the subcommands -----------------


COMMITTED_RESULTS = os.path.join(os.path.dirname(DATA), os.pardir, "results",
                                 "2026-11-24-154946-vm.json")


@pytest.fixture
def canned_run(tmp_path):
    """A committed results file and a canned explanations file beside it
    (tests/data/explain_side.json: one real run's figures, cut down)."""
    results_path = tmp_path / "run.json"
    results_path.write_text(open(COMMITTED_RESULTS).read())
    side = collect.side_path(str(results_path))
    os.makedirs(os.path.dirname(side))
    shutil.copy(os.path.join(DATA, "explain_side.json"), side)
    return str(results_path)


def test_side_file_is_in_an_explain_folder_beside_the_results():
    assert collect.side_path("/r/2026-run.json") == "/r/explain/2026-run.json"


def test_report_shows_the_instruction_counts_and_the_jit_tables(canned_run,
                                                                tmp_path):
    from piconumpy.bench import report

    lines = []
    path = report.write(canned_run, str(tmp_path / "out"), echo=lines.append)
    text = open(path).read()
    assert "## Instructions per operation (callgrind)" in text
    assert "| `cpython_capi` | 602 | 538 |" in text
    assert "Not counted (by default only the first CPython" in text
    assert "Not counted on `.venv/pypy3.9/bin/python`: instruction counts" \
        in text
    assert "## The JIT's view (PYPYLOG)" in text
    assert "### The JIT's view, PyPy 7.3.11 (Python 3.9.16)" in text
    assert "| `hpy_universal` | board | 15 | 5 | trace too long 2 | 3766 " \
        "| 5 |" in text
    assert "`hpy_universal` element_wise: HPy: slot function(ctx, ...) " \
        "x16" in text
    assert "- `hpy_cpython_abi`: skipped, hpy_cpython_abi: not built on " \
        "PyPy" in text
    assert "== The JIT's view (PYPYLOG)" in "\n".join(lines)  # terminal


def test_report_without_explanations_has_no_such_section(tmp_path):
    from piconumpy.bench import report

    results_path = tmp_path / "run.json"
    results_path.write_text(open(COMMITTED_RESULTS).read())
    path = report.write(str(results_path), echo=lambda line: None)
    text = open(path).read()
    assert "## Summary" in text and "JIT's view" not in text


def test_explanations_turned_off_say_so():
    data = collect.collect([sys.executable], which="none", with_jit=False,
                           echo=lambda line: None)
    text = "\n".join(collect.markdown(data))
    assert "Instruction counts: turned off (--instructions none)." in text
    assert "The JIT's view: turned off (--no-jit)." in text


def test_a_missing_interpreter_is_a_reason_not_a_crash():
    data = collect.collect(["/nonexistent/python"], echo=lambda line: None)
    [skipped] = data["instructions"]["skipped"]
    assert "/nonexistent/python" in skipped["skipped"]
    assert data["jit"]["interpreters"] == []


def test_no_pypy_no_valgrind_reasons(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    data = collect.collect(["/nonexistent/python"], echo=lambda line: None)
    [skipped] = data["instructions"]["skipped"]
    assert "cannot run" in skipped["skipped"]
    text = "\n".join(collect.markdown(data))
    assert "Not counted on `/nonexistent/python`: " in text
    assert "The JIT's view: no PyPy in this run." in text
    reason = instructions.why_no_callgrind(sys.executable)
    if IS_CPYTHON:
        assert "valgrind is not installed" in reason
    else:
        assert "CPython only" in reason


@pytest.mark.parametrize("argv", [
    ["profile"],                                  # --impl is required
    ["profile", "--impl", "nonsense"],
    ["instructions", "--impl", "nonsense"],
    ["api", "--check"],                           # needs a README
    ["api", "--check", "a", "--write", "b"],      # one or the other
    ["jit", "--calls", "0"],
    ["jit", "--workload", "nonsense"],
    ["--instructions", "some", "--quick"],
])
def test_subcommands_reject_bad_arguments(argv, capsys):
    from piconumpy.bench import __main__ as command

    with pytest.raises(SystemExit) as raised:
        command.main(argv)
    assert raised.value.code == 2
    assert "usage: python -m piconumpy.bench" in capsys.readouterr().err


def test_api_subcommand_writes_then_checks(tmp_path, capsys):
    from piconumpy.bench import __main__ as command

    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{api.START}\nold\n{api.END}\n\nrest\n")
    with pytest.raises(SystemExit):
        command.main(["api", "--check", str(readme)])  # stale
    assert not command.main(["api", "--write", str(readme)])
    assert not command.main(["api", "--check", str(readme)])
    assert "the API tables are current" in capsys.readouterr().out
    assert readme.read_text().endswith("\n\nrest\n")


def test_profile_subcommand_runs_in_the_interpreter_asked_for(tmp_path):
    process = subprocess.run(
        [sys.executable, "-m", "piconumpy.bench", "profile", "--impl",
         "python", "--workload", "op_len", "--interpreter", sys.executable,
         "--calls", "2", "--output", str(tmp_path)],
        capture_output=True, text=True, timeout=300)
    assert process.returncode == 0, process.stderr
    assert "of `python` on `op_len` (2 calls)" in process.stdout
    assert os.listdir(tmp_path) == [profile.interpreter_tag()]


def test_instructions_subcommand_on_pypy_says_why_not():
    if IS_CPYTHON:
        pytest.skip("on CPython the counts are measured (tests above)")
    process = subprocess.run(
        [sys.executable, "-m", "piconumpy.bench", "instructions"],
        capture_output=True, text=True, timeout=300)
    assert process.returncode == 1
    assert "skipped" in process.stdout

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
import sys
import types

import pytest

from piconumpy.bench import bindings, compilers
from piconumpy.bench.explain import instructions, profile
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

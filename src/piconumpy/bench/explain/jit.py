"""What PyPy's JIT leaves in the traces of the board and element_wise.

    python -m piconumpy.bench.explain.jit [--python PYPY ...] [--impl NAME]
        [--workload W] [--calls N] [--json FILE] [--logs DIR]
    python -m piconumpy.bench.explain.jit --render FILE.json
    python -m piconumpy.bench.explain.jit --parse LOG ... [--json] [--top N]

Each (implementation, workload) runs once, in a fresh PyPy process, with
``PYPYLOG=jit-summary,jit-log-opt:FILE``: ``jit-summary`` gives the loops,
bridges and aborts by reason; ``jit-log-opt`` (its ``-loop`` and
``-bridge`` sections) every compiled trace after optimisation.  The main
loop is the loop compiled for the workload's own ``for``: in the board,
the loop over time steps in ``solve`` (one iteration is one RK4 step, the
step and the right-hand side inlined), in element_wise its loop (the
arithmetic of one step).  What is left in its body (after the last
``label``: the iteration that repeats) is counted: allocations by
operation, residual calls by target, guards.

A residual call's target is read from the operation: ``ConstClass(name)``
is a function of the interpreter (named), a bare number is the address of
a C function (an extension's code), ``call_assembler`` enters another
compiled trace (a Python function the JIT did not inline),
``call_release_gil`` a C function called cffi-style.  The targets are
grouped by what they are (``TARGET_GROUPS``).
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

from .. import implementations

# --- the parser of PYPYLOG files ---------------------------------------------

_SECTION = re.compile(r"\{(jit-summary|jit-log-opt-loop|jit-log-opt-bridge)"
                      r"\n(.*?)\n\[[0-9a-f]+\] \1\}", re.S)
# An operation: "[+offset: ][result = ]name(arguments...)".
_OPERATION = re.compile(r"^(?:\+\d+: )?(?:[a-z]\d+ = )?([a-z_0-9]+)\((.*)")
_SIZE = re.compile(r"SizeDescr (\d+)")
_HEADER = re.compile(r"^# (Loop \d+|bridge out of Guard \S+)"
                     r"(?: \((?P<name>[^;)]*)(?P<where>[^)]*)\))?"
                     r"(?: : (?P<kind>[a-z ]+?))? with (?P<ops>\d+) ops")
_CONST_CLASS = re.compile(r"ConstClass\(([^)]+)\)")
_ENTERS = re.compile(r"call_assembler_\w+\(.*descr=<Loop(\d+)>")

ALLOCATIONS = ("new_with_vtable", "new", "new_array", "new_array_clear",
               "newstr", "newunicode")
CALL_KINDS = ("call_assembler", "call_may_force", "call_release_gil",
              "call_malloc", "call_loopinvariant", "call_pure", "call")

#: (group, pattern of the target's name), the first that matches wins.
TARGET_GROUPS = (
    ("GC/malloc", re.compile(r"malloc|gc_|alloc_with_del|ll_newlist"
                             r"|ll_newstr|ll_newunicode")),
    ("HPy", re.compile(r"hpy", re.I)),
    ("cpyext", re.compile(r"cpyext|cpy_call|as_pyobj|make_ref|from_ref|"
                          r"rawrefcount|decref|incref|^_?Py[A-Z]")),
    ("cffi", re.compile(r"cffi|W_CData|W_CType|ctypefunc")),
)


def call_kind(name):
    """The kind of a call operation, None for another operation."""
    for kind in CALL_KINDS:
        if name == kind or name.startswith(kind + "_"):
            return kind
    return None


def call_target(kind, arguments):
    """(group, target) of a call whose operation is ``kind`` and whose
    arguments start with ``arguments``."""
    if kind == "call_assembler":
        return "another trace", "call_assembler"
    if kind == "call_malloc":
        return "GC/malloc", "call_malloc"
    first = arguments.split(",", 1)[0].strip()
    if kind == "call_release_gil":  # (save_err, function, ...)
        parts = arguments.split(",")
        first = parts[1].strip() if len(parts) > 1 else first
    match = _CONST_CLASS.match(first)
    if match:
        name = match.group(1)
        for group, pattern in TARGET_GROUPS:
            if pattern.search(name):
                return group, name
        return "interpreter", name
    if first.isdigit():
        group = "C (release GIL)" if kind == "call_release_gil" else "C"
        return group, "C function"
    second = arguments.split(",", 2)[1].strip() if "," in arguments else ""
    if second.isdigit():
        # A function pointer read from memory, called with a constant
        # first argument: an HPy slot called with the context (HPy
        # universal on PyPy calls the extension's functions this way).
        return "HPy", "slot function(ctx, ...)"
    return "interpreter", "indirect"


def count_operations(lines):
    """Allocations, calls by kind and by target, guards and operations
    among ``lines``: (counts, targets)."""
    counts = collections.Counter()
    targets = collections.Counter()
    for line in lines:
        match = _OPERATION.match(line.strip())
        if not match or match.group(1) in ("debug_merge_point", "label"):
            continue
        name = match.group(1)
        counts["operations"] += 1
        kind = call_kind(name)
        if name in ALLOCATIONS or kind == "call_malloc":
            counts["allocations"] += 1
            counts[name if kind is None else "call_malloc"] += 1
            size = _SIZE.search(line)
            if name == "new_with_vtable" and size:
                # The size tells the objects apart (no class in the log).
                counts[f"new_with_vtable/{size.group(1)}"] += 1
        elif kind is not None:
            counts["calls"] += 1
            counts[kind] += 1
            group, target = call_target(kind, match.group(2))
            counts["calls/" + group] += 1
            targets[f"{group}: {target}"] += 1
        elif name.startswith("guard_"):
            counts["guards"] += 1
    return counts, targets


def parse_trace(text):
    """One jit-log-opt section: its header, counts and call targets."""
    lines = text.splitlines()
    header = next((line for line in lines if line.startswith("# ")), "")
    match = _HEADER.match(header)
    trace = {
        "trace": match.group(1) if match else header[2:60],
        "function": (match and match.group("name")) or "",
        "where": ((match and match.group("where")) or "").lstrip(";"),
        "kind": (match and match.group("kind")) or "bridge",
        "logged_ops": int(match.group("ops")) if match else 0,
    }
    labels = [i for i, line in enumerate(lines) if " label(" in line
              or line.startswith("label(")]
    body = lines[labels[-1] + 1:] if trace["kind"] == "loop" and labels \
        else lines
    counts, targets = count_operations(body)
    trace.update(counts)
    trace["targets"] = dict(targets)
    number = trace["trace"].split()[-1] if match else ""
    trace["number"] = int(number) if number.isdigit() else None
    trace["enters"] = [int(n) for line in body
                       for n in _ENTERS.findall(line)]
    return trace


def parse_summary(text):
    summary = {}
    for line in text.splitlines():
        if ":" not in line:
            continue
        key, _, value = line.rpartition(":")
        fields = value.split()
        if fields:
            try:
                summary[key.strip()] = int(fields[0])
            except ValueError:
                pass
    return summary


def parse(text):
    """{"summary": {...}, "traces": [...]} of the text of a PYPYLOG."""
    result = {"summary": {}, "traces": []}
    for section, body in _SECTION.findall(text):
        if section == "jit-summary":
            result["summary"] = parse_summary(body)
        else:
            result["traces"].append(parse_trace(body))
    return result


def read(path):
    """``parse`` of the PYPYLOG file at ``path``."""
    with open(path, errors="replace") as file:
        return parse(file.read())


def totals(traces):
    total = collections.Counter()
    for trace in traces:
        for key, value in trace.items():
            if isinstance(value, int):
                total[key] += value
    return total


def aborts(summary):
    """{reason: count} of the aborts jit-summary lists (non-zero only)."""
    return {key[len("abort: "):]: n for key, n in summary.items()
            if key.startswith("abort: ") and n}


# --- the main loop of a workload ---------------------------------------------

#: workload: (file of its Python code, function whose loop is the main one)
MAIN_LOOPS = {
    "board": ("board.py", ("solve", "solve_lists")),
    "element_wise": ("single_calls.py",
                     ("element_wise", "element_wise_lists")),
}


def main_loop(traces, workload):
    """The trace of the workload's main loop (the largest loop compiled
    for its function), None if the JIT compiled none."""
    path, functions = MAIN_LOOPS[workload]
    found = [t for t in traces if t["kind"] == "loop"
             and t["function"] in functions
             and path in t["where"]]
    return max(found, key=lambda t: t["operations"], default=None)


#: How deep ``with_entered`` follows call_assembler (a recursion of the
#: traced code would otherwise never end).
DEPTH = 4


def with_entered(trace, traces, depth=DEPTH):
    """The counts and targets of ``trace`` plus those of every trace it
    enters with call_assembler (each time it does), recursively: what one
    iteration executes in compiled code, if not in its bridges."""
    by_number = {t["number"]: t for t in traces if t.get("number")}
    counts = collections.Counter({k: v for k, v in trace.items()
                                  if isinstance(v, int) and k != "number"})
    targets = collections.Counter(trace.get("targets", {}))
    entered = 0
    if depth > 0:
        for number in trace.get("enters", []):
            inner = by_number.get(number)
            if inner is None:
                continue
            entered += 1
            inner_counts, inner_targets, inner_entered = with_entered(
                inner, traces, depth - 1)
            inner_counts.pop("logged_ops", None)
            counts.update(inner_counts)
            targets.update(inner_targets)
            entered += inner_entered
    return counts, targets, entered


def summarize(parsed, workload):
    """What the table shows of one run: loops, bridges, aborts, and the
    main loop's operations, guards, allocations and calls by target
    (the traces it enters included)."""
    summary = parsed["summary"]
    result = {
        "loops": summary.get("Total # of loops"),
        "bridges": summary.get("Total # of bridges"),
        "aborts": aborts(summary),
        "traces": len(parsed["traces"]),
    }
    loop = main_loop(parsed["traces"], workload)
    if loop is not None:
        counts, targets, entered = with_entered(loop, parsed["traces"])
        result["main_loop"] = dict(counts, trace=loop["trace"],
                                   function=loop["function"],
                                   targets=dict(targets),
                                   traces_entered=entered)
    return result


# --- running PyPy ------------------------------------------------------------

MODULE = "piconumpy.bench.explain.jit"
WORKLOADS = tuple(MAIN_LOOPS)
#: Calls of each workload: enough for the JIT to compile the main loop
#: (the board's first call already runs 2000 steps) and its bridges.
CALLS = 5


def default_names():
    """The implementations with a main loop to show: every piconumpy
    backend, numpy (cpyext on PyPy) and the lists (``python``)."""
    return [name for name in implementations.ALL
            if implementations.kind(name) in ("array", "python")]


def child(impl_name, workload, calls):
    """In the PyPy process: run the workload ``calls`` times."""
    from . import profile

    try:
        _, function = profile.bound_workload(impl_name, workload)
    except implementations.Unavailable as error:
        print(json.dumps({"unavailable": str(error)}))
        return
    for _ in range(calls):
        function()
    print(json.dumps({"calls": calls}))


def interpreter_info(python):
    """(name, None) of a PyPy, (None, why not) of anything else."""
    code = ("import sys, platform; print(sys.implementation.name, "
            "platform.python_version(), '.'.join(map(str, getattr(sys, "
            "'pypy_version_info', ())[:3])))")
    try:
        process = subprocess.run([python, "-c", code], capture_output=True,
                                 text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, f"{python} cannot run: {error}"
    fields = process.stdout.split()
    if process.returncode != 0 or len(fields) < 2:
        return None, f"{python} cannot run"
    if fields[0] != "pypy":
        return None, f"{python} is {fields[0]}, not PyPy: no JIT log"
    return f"PyPy {fields[2]} (Python {fields[1]})", None


def run_one(python, impl_name, workload, calls=CALLS, log_dir=None):
    """One fresh process with PYPYLOG: the row of the table."""
    row = {"impl": impl_name, "workload": workload, "calls": calls}
    # In the working directory, not /tmp: an interpreter run in a
    # container (tools/roots.py: bwrap, a /tmp of its own) sees only it.
    with tempfile.TemporaryDirectory(prefix=".pypylog-",
                                     dir=os.getcwd()) as tmp:
        log = os.path.join(log_dir or tmp, f"{impl_name}-{workload}.log")
        environment = dict(
            os.environ, PYPYLOG=f"jit-summary,jit-log-opt:{log}")
        command = [python, "-m", MODULE, "--child", impl_name, workload,
                   str(calls)]
        try:
            process = subprocess.run(command, capture_output=True,
                                     text=True, env=environment,
                                     timeout=900)
        except subprocess.TimeoutExpired:
            return dict(row, skipped="timed out after 900 s")
        lines = process.stdout.strip().splitlines()
        if process.returncode != 0 or not lines:
            tail = " | ".join(process.stderr.strip().splitlines()[-3:])
            return dict(row, skipped=f"the process failed: {tail}")
        report = json.loads(lines[-1])
        if "unavailable" in report:
            return dict(row, skipped=report["unavailable"])
        row.update(summarize(read(log), workload))
        if log_dir:
            row["log"] = log
    if "main_loop" not in row:
        row["note"] = "no loop compiled for the workload's own loop"
    return row


def measure(pythons, names=None, workloads=WORKLOADS, calls=CALLS,
            log_dir=None, echo=None):
    """{"calls", "interpreters": [{"python", "name", "rows"|"skipped"}]}."""
    names = names or default_names()
    data = {"calls": calls, "workloads": list(workloads),
            "interpreters": []}
    for python in pythons:
        name, why = interpreter_info(python)
        entry = {"python": python, "name": name}
        if why:
            entry["skipped"] = why
        else:
            entry["rows"] = []
            for impl_name in names:
                for workload in workloads:
                    if echo:
                        echo(f"jit: {name} {impl_name} {workload}")
                    entry["rows"].append(run_one(python, impl_name, workload,
                                                 calls, log_dir))
        data["interpreters"].append(entry)
    return data


# --- the tables --------------------------------------------------------------

#: Allocation operations shown, and call groups, in their columns' order.
SHOWN_ALLOCATIONS = ("new_with_vtable", "new", "new_array",
                     "new_array_clear", "call_malloc", "newstr",
                     "newunicode")
CALL_GROUPS = ("HPy", "cpyext", "cffi", "C", "C (release GIL)",
               "GC/malloc", "another trace", "interpreter")
HEADERS = ("implementation", "workload", "loops", "bridges", "aborts",
           "step ops", "traces entered", "guards", "allocations",
           "residual calls")


def _joined(pairs):
    return ", ".join(f"{name} {n}" for name, n in pairs if n) or "0"


def table_row(row):
    """The cells of one row (the skipped ones say why, once)."""
    if "skipped" in row:
        return None
    loop = row.get("main_loop")
    aborted = _joined(sorted(row["aborts"].items()))
    cells = [f"`{row['impl']}`", row["workload"], str(row["loops"]),
             str(row["bridges"]), aborted]
    if loop is None:
        return cells + ["no loop", "", "", "", ""]
    allocations = [(name, loop.get(name, 0)) for name in SHOWN_ALLOCATIONS]
    calls = [(group, loop.get("calls/" + group, 0))
             for group in CALL_GROUPS]
    return cells + [str(loop["operations"]),
                    str(loop.get("traces_entered", 0)),
                    str(loop.get("guards", 0)),
                    f"{loop.get('allocations', 0)}"
                    + (f" ({_joined(allocations)})"
                       if loop.get("allocations") else ""),
                    f"{loop.get('calls', 0)}"
                    + (f" ({_joined(calls)})" if loop.get("calls") else "")]


def render_interpreter(entry, calls):
    """One PyPy's table, Markdown."""
    title = f"### The JIT's view, {entry['name'] or entry['python']}"
    if "skipped" in entry:
        return f"{title}\n\nSkipped: {entry['skipped']}."
    lines = [title, "", "| " + " | ".join(HEADERS) + " |",
             "|---|---|" + "--:|" * (len(HEADERS) - 2)]
    notes = []
    targets = []
    for row in entry["rows"]:
        cells = table_row(row)
        if cells is None:
            note = f"- `{row['impl']}`: skipped, {row['skipped']}"
            if note not in notes:  # once for both workloads
                notes.append(note)
            continue
        lines.append("| " + " | ".join(cells) + " |")
        loop = row.get("main_loop") or {}
        named = [(name, n) for name, n in sorted(
            loop.get("targets", {}).items(), key=lambda i: (-i[1], i[0]))
            if not name.startswith("another trace")]
        if named:
            targets.append(f"- `{row['impl']}` {row['workload']}: "
                           + "; ".join(f"{name} x{n}" for name, n in named))
    lines += ["", f"Each row: one fresh process, {calls} calls, PYPYLOG="
              "jit-summary,jit-log-opt.  Loops, bridges and aborts are the "
              "whole process's (its start-up included, the same for every "
              "row).  The other columns count one iteration of the "
              "workload's main loop after optimisation (one RK4 step of "
              "the board, one step's arithmetic in element_wise): the "
              "loop's body and, each time it enters one with "
              "call_assembler, the compiled trace of a function the JIT "
              "did not inline (`traces entered`: the right-hand side, the "
              "RK4 step).  Residual calls by target: `HPy` the extension's "
              "slot functions called with the context (the HPy context "
              "functions they call run in C, out of the JIT's sight), "
              "`cpyext` PyPy's C-API emulation (handles to PyObject* and "
              "back, the C function, PyErr_Occurred), `C (release GIL)` a "
              "C function called by cffi, `GC/malloc` allocations made by "
              "a call, `another trace` call_assembler, `interpreter` "
              "PyPy's own helpers."]
    if targets:
        lines += ["", "Residual calls of the main loop, by target:", ""]
        lines += targets
    if notes:
        lines += [""] + notes
    return "\n".join(lines)


def render(data):
    """A Markdown table per PyPy."""
    if not data.get("interpreters"):
        return "The JIT's view: no PyPy in this run."
    return "\n\n".join(render_interpreter(entry, data["calls"])
                       for entry in data["interpreters"])


# --- the command line --------------------------------------------------------

#: The figures of jit-summary shown by --parse, under shorter names.
SUMMARY_KEYS = {
    "Total # of loops": "loops", "Total # of bridges": "bridges",
    "abort: trace too long": "aborts (trace too long)",
    "abort: compiling": "aborts (compiling)",
    "abort: vable escape": "aborts (virtualizable escape)",
    "recorded ops": "traced ops", "opt ops": "optimised ops",
    "forcings": "forcings",
}
COLUMNS = ("operations", "guards", "allocations", "new_with_vtable",
           "new_array", "new_array_clear", "call_malloc", "calls", "call",
           "call_may_force", "call_assembler", "call_release_gil")


def print_logs(paths, top=8, sizes=False):
    """The traces of PYPYLOG files, largest first, as a text table."""
    for path in paths:
        result = read(path)
        print(f"== {path}")
        summary = result["summary"]
        print("  " + ", ".join(f"{short} {summary[key]}"
                               for key, short in SUMMARY_KEYS.items()
                               if key in summary))
        traces = sorted(result["traces"], key=lambda t: -t["operations"])
        print(f"  {'trace':44} " + " ".join(f"{c[:9]:>9}" for c in COLUMNS))
        rows = [(f"{t['kind'][:11]} {t['function']}"[:44], t)
                for t in traces[:top]]
        rows.append((f"all {len(traces)} traces", totals(traces)))
        for label, counts in rows:
            print(f"  {label:44} " + " ".join(
                f"{counts.get(c, 0):>9}" for c in COLUMNS))
            if sizes:
                print(" " * 47 + "new_with_vtable by size: " + ", ".join(
                    f"{key.split('/')[1]} bytes x{counts[key]}"
                    for key in sorted(counts) if key.startswith("new_with_")
                    and "/" in key))


def write_json(data, path):
    """``data`` into the file ``path``, or on stdout if it is -."""
    if path == "-":
        json.dump(data, sys.stdout, indent=1)
        print()
        return
    with open(path, "w", encoding="utf-8") as file:
        json.dump(data, file, indent=1)


def parser():
    p = argparse.ArgumentParser(
        prog="python -m piconumpy.bench jit",
        description=__doc__.split("\n")[0])
    p.add_argument("--interpreter", "--python", action="append",
                   dest="pythons", metavar="PYPY",
                   help="a PyPy (repeatable; default: this interpreter)")
    p.add_argument("--impl", action="append",
                   help="an implementation (repeatable; default: the "
                   "piconumpy backends, numpy and python)")
    p.add_argument("--workload", action="append", choices=WORKLOADS,
                   help="board and/or element_wise (default: both)")
    p.add_argument("--calls", type=int, default=CALLS,
                   help=f"calls of each workload (default {CALLS})")
    p.add_argument("--json", nargs="?", const="-", metavar="FILE",
                   help="also write the data here (alone or -: print it "
                   "instead of the tables)")
    p.add_argument("--logs", metavar="DIR",
                   help="keep the PYPYLOG files in DIR")
    p.add_argument("--render", metavar="JSON",
                   help="print the tables of a --json file, running nothing")
    p.add_argument("--parse", nargs="+", metavar="LOG",
                   help="only read these PYPYLOG files: their traces, "
                   "largest first (--top, --sizes, --json to print JSON)")
    p.add_argument("--top", type=int, default=8,
                   help="--parse: traces listed (default 8)")
    p.add_argument("--sizes", action="store_true",
                   help="--parse: new_with_vtable by object size")
    p.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    if args.calls < 1:
        parser().error("--calls must be at least 1")
    if args.child:
        impl_name, workload, calls = args.child
        child(impl_name, workload, int(calls))
        return 0
    if args.parse:
        if args.json:
            write_json({path: read(path) for path in args.parse}, args.json)
        else:
            print_logs(args.parse, args.top, args.sizes)
        return 0
    if args.render:
        with open(args.render, encoding="utf-8") as file:
            print(render(json.load(file)))
        return 0
    if args.logs:
        os.makedirs(args.logs, exist_ok=True)
    data = measure(args.pythons or [sys.executable], args.impl,
                   args.workload or WORKLOADS, args.calls, args.logs,
                   echo=lambda line: print(line, file=sys.stderr))
    if args.json:
        write_json(data, args.json)
    if args.json != "-":
        print(render(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())

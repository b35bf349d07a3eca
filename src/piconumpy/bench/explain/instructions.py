"""Instructions per operation and per board call, counted by callgrind.

    python -m piconumpy.bench.explain.instructions [--impl NAME ...]
        [--python PATH] [--json FILE]
    python -m piconumpy.bench.explain.instructions --render FILE.json

Instruction counts are deterministic where timings are noisy: the same
code on the same interpreter executes the same instructions.  One process
per implementation runs under valgrind's callgrind
(``--collect-atstart=no``): each measured region is a call through
``operator.call``, and callgrind is told to collect only inside its C
function (``--toggle-collect=_operator_call``) and to write one dump per
region as it leaves it (``--dump-after``).  That is the measured region
and nothing else, without a C extension of our own for client requests
(a marker in our backends would not mark numpy or the native reference).

Each operation is the bench's own workload (bindings.WORKLOADS: the ``op``
loops of workloads/micro.py on 4-item arrays, the ``board`` solver), run
for two repeat counts after a warm-up; the difference of their counts over
the difference of repeats is the cost of one operation: the loop's fixed
costs (the call, the first iteration, ``operator.call`` itself) cancel.
The board is given per RK4 step (the same difference, over steps) and per
call of the classic board (10 sleds x 200 steps, one region, everything).
The garbage collector is disabled in the measured process (no cycles are
made; a collection would fall in one region and not the other) and
PYTHONHASHSEED is fixed.  Only CPython: a JIT's counts would measure the
compiler.
"""

import argparse
import gc
import glob
import json
import operator
import os
import shutil
import subprocess
import sys
import tempfile

from .. import bindings, cases, implementations

#: (op name in bindings, column heading)
OPERATIONS = (
    ("construct", "array(4 floats)"),
    ("mul", "a * s"),
    ("rmul", "s * a"),
    ("div", "a / s"),
    ("add", "a + b"),
    ("neg", "-a"),
    ("getitem", "a[i]"),
    ("len", "len(a)"),
    ("cos", "cos(x)"),
)
BOARD_STEP = "board, per RK4 step"
BOARD_CALL = "board call (10 sleds x 200 steps)"
COLUMNS = tuple(heading for _, heading in OPERATIONS) + (BOARD_STEP,
                                                         BOARD_CALL)
#: Two repeat counts per operation, two step counts for the board.
REPEATS = (100, 200)
BOARD_STEPS = (10, 20)
ARRAY_SIZE = 4
MARKER = "_operator_call"
MODULE = "piconumpy.bench.explain.instructions"


# --- in the measured process -------------------------------------------------


def regions(name):
    """(column, units, function) for every region measured for ``name``.

    ``units`` is the repeat (or step) count of a differenced pair, None for
    a region counted whole.  Raise implementations.Unavailable.
    """
    impl = implementations.load(name)
    kind = implementations.kind(name)
    found = []
    op_workload = bindings.WORKLOADS["op"]
    for op, heading in OPERATIONS:
        params = {"op": op, "n": ARRAY_SIZE, "repeat": REPEATS[0]}
        if kind not in op_workload.kinds(params):
            continue
        data = op_workload.inputs(params)
        for repeat in REPEATS:
            params = dict(params, repeat=repeat)
            found.append((heading, repeat,
                          op_workload.bind(kind, impl, data, params)))
    board = bindings.WORKLOADS["board"]
    n_sleds, n_time = cases.Sizes().board
    params = {"n_sleds": n_sleds, "n_time": n_time}
    if kind in board.kinds(params):
        data = board.inputs({"n_sleds": 1})
        for steps in BOARD_STEPS:
            found.append((BOARD_STEP, steps, board.bind(
                kind, impl, data, {"n_sleds": 1, "n_time": steps})))
        found.append((BOARD_CALL, None, board.bind(
            kind, impl, board.inputs(params), params)))
    return found


def child(name):
    """Run every region of ``name``, each through the marker; print them."""
    try:
        measured = regions(name)
    except implementations.Unavailable as error:
        print(json.dumps({"unavailable": str(error)}))
        return
    gc.disable()
    for _, _, function in measured:  # warm-up: specialise, fill caches
        function()
        function()
    for _, _, function in measured:
        operator.call(function)
    print(json.dumps({"regions": [[column, units]
                                  for column, units, _ in measured]}))


# --- the driver --------------------------------------------------------------


def parse_totals(text):
    """The instruction count (Ir) of one callgrind dump."""
    for key in ("totals:", "summary:"):
        for line in text.splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    raise ValueError("no totals: or summary: line in the callgrind dump")


def dumps_in_order(prefix):
    """The region dumps ``prefix``.1, .2, ... in order (not the final)."""
    paths = glob.glob(glob.escape(prefix) + ".*")
    numbered = [p for p in paths if p.rsplit(".", 1)[1].isdigit()]
    return sorted(numbered, key=lambda p: int(p.rsplit(".", 1)[1]))


def per_unit(regions_, counts):
    """{column: instructions per unit} from the regions and their counts.

    A differenced pair gives (count2 - count1) / (units2 - units1); a whole
    region gives its count.
    """
    if len(regions_) != len(counts):
        raise ValueError(f"{len(regions_)} regions but {len(counts)} dumps")
    pairs = {}
    result = {}
    for (column, units), count in zip(regions_, counts):
        if units is None:
            result[column] = count
        else:
            pairs.setdefault(column, []).append((units, count))
    for column, points in pairs.items():
        (u1, c1), (u2, c2) = points
        result[column] = (c2 - c1) / (u2 - u1)
    return result


def why_no_callgrind(python):
    code = "import sys; print(sys.implementation.name)"
    try:
        name = subprocess.run([python, "-c", code], capture_output=True,
                              text=True).stdout.strip()
    except OSError as error:  # a missing interpreter: a skipped row
        return f"{python} cannot run ({error.strerror})"
    if name != "cpython":
        return (f"instruction counts are for CPython only ({python} is "
                f"{name or 'not runnable'}: a JIT's counts measure the "
                "compiler)")
    if shutil.which("valgrind") is None:
        return ("valgrind is not installed (Debian: apt-get install "
                "valgrind)")
    return None


def count(name, python=sys.executable):
    """{"impl", "counts": {column: instructions}} or {"impl", "skipped"}."""
    with tempfile.TemporaryDirectory(prefix="callgrind-") as tmp:
        prefix = os.path.join(tmp, "callgrind.out")
        command = [
            "valgrind", "--tool=callgrind", "--collect-atstart=no",
            f"--toggle-collect={MARKER}", f"--dump-after={MARKER}",
            f"--callgrind-out-file={prefix}",
            f"--log-file={os.path.join(tmp, 'valgrind.log')}",
            python, "-m", MODULE, "--child", name,
        ]
        environment = dict(os.environ, PYTHONHASHSEED="0")
        process = subprocess.run(command, capture_output=True, text=True,
                                 env=environment)
        if process.returncode != 0:
            return {"impl": name, "skipped": "the measured process failed: "
                    + (process.stderr or process.stdout)[-800:]}
        report = json.loads(process.stdout.strip().splitlines()[-1])
        if "unavailable" in report:
            return {"impl": name, "skipped": report["unavailable"]}
        counts = []
        for path in dumps_in_order(prefix):
            with open(path, encoding="utf-8") as file:
                counts.append(parse_totals(file.read()))
        return {"impl": name, "counts": per_unit(report["regions"], counts)}


def default_names():
    """Every implementation the per-operation table has: array and lists."""
    return [name for name in implementations.ALL
            if implementations.kind(name) in ("array", "python", "native")]


def measure(names=None, python=sys.executable):
    """The instruction-count table's data, one row per implementation."""
    names = names or default_names()
    reason = why_no_callgrind(python)
    version = subprocess.run(
        [python, "-c", "import sys; print(sys.version.split()[0])"],
        capture_output=True, text=True).stdout.strip()
    data = {"python": python, "version": version, "method":
            f"callgrind --toggle-collect={MARKER} --dump-after={MARKER}, "
            f"repeats {REPEATS}, board steps {BOARD_STEPS}"}
    if reason:
        data["skipped"] = reason
        data["rows"] = []
        return data
    valgrind = subprocess.run(["valgrind", "--version"], capture_output=True,
                              text=True).stdout.strip()
    data["valgrind"] = valgrind
    data["rows"] = [count(name, python) for name in names]
    return data


def _cell(value, column):
    if value is None:
        return "-"
    if column == BOARD_CALL:
        return f"{value / 1e6:.1f} M"
    return f"{value:,.0f}"


def render(data):
    """The instruction-count table as Markdown, skipped rows said why."""
    title = (f"Instructions per operation (4-item arrays), callgrind, "
             f"CPython {data.get('version', '?')}")
    if data.get("skipped"):
        return f"{title}: skipped, {data['skipped']}."
    lines = [title + ":", "",
             "| implementation | " + " | ".join(COLUMNS) + " |",
             "|---|" + "--:|" * len(COLUMNS)]
    notes = []
    for row in data["rows"]:
        if "skipped" in row:
            notes.append(f"- `{row['impl']}`: skipped, {row['skipped']}")
            continue
        cells = [_cell(row["counts"].get(column), column)
                 for column in COLUMNS]
        lines.append(f"| `{row['impl']}` | " + " | ".join(cells) + " |")
    lines += ["", f"Counted with {data['method']} ({data.get('valgrind')})."
              " An operation's figure includes its loop's own work (the "
              "`for`, the store or the `total +=`), the same for every "
              "implementation: compare differences.  '-': the bench has no "
              "such case for this implementation (`python`: lists)."]
    return "\n".join(lines + ([""] + notes if notes else []))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--impl", action="append",
                        help="an implementation (repeatable); default: all")
    parser.add_argument("--python", default=sys.executable,
                        help="the CPython to count (default: this one)")
    parser.add_argument("--json", help="also write the data here")
    parser.add_argument("--render", metavar="JSON",
                        help="print the table of a --json file, measuring "
                        "nothing")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return
    if args.render:
        with open(args.render, encoding="utf-8") as file:
            print(render(json.load(file)))
        return
    data = measure(args.impl, args.python)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as file:
            json.dump(data, file, indent=1)
    print(render(data))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""What PyPy's JIT made of a run: counts read from a PYPYLOG file.

    PYPYLOG=jit-summary,jit-log-opt:run.log pypy3 program.py
    python3 tools/jit_view.py run.log [--json] [--top N]

From ``jit-summary``: loops, bridges, aborts (trace too long...), traced and
optimised operations.  From ``jit-log-opt``: every compiled trace (a loop,
an "entry bridge", the compiled body of a function the JIT would not inline,
or a bridge out of a guard), with what is left in it after optimisation:

* allocations: ``new_with_vtable`` (an object), ``new`` (a struct),
  ``new_array``/``new_array_clear``, ``newstr``/``newunicode``,
  ``call_malloc_*``;
* residual calls, by kind: ``call_*`` (a function of the interpreter or of
  a C library), ``call_may_force_*`` (which may force virtual objects),
  ``call_assembler_*`` (into another compiled trace: a Python function the
  JIT did not inline), ``call_release_gil_*`` (a C function, cffi-style);
* guards.

For a loop, the counts are of its body after the last ``label`` (the
iteration that repeats; the preamble before it runs once per entry).
"""

import argparse
import collections
import json
import re
import sys

_SECTION = re.compile(r"\{(jit-summary|jit-log-opt-loop|jit-log-opt-bridge)"
                      r"\n(.*?)\n\[[0-9a-f]+\] \1\}", re.S)
# An operation: "[+offset: ][result = ]name(arguments...)".
_OPERATION = re.compile(r"^(?:\+\d+: )?(?:[a-z]\d+ = )?([a-z_0-9]+)\(")
_SIZE = re.compile(r"SizeDescr (\d+)")
_HEADER = re.compile(r"^# (Loop \d+|bridge out of Guard \S+)"
                     r"(?: \((?P<name>[^;)]*)[^)]*\))?"
                     r"(?: : (?P<kind>[a-z ]+?))? with (?P<ops>\d+) ops")

ALLOCATIONS = ("new_with_vtable", "new", "new_array", "new_array_clear",
               "newstr", "newunicode")
CALL_KINDS = ("call_assembler", "call_may_force", "call_release_gil",
              "call_malloc", "call_loopinvariant", "call_pure", "call")


def call_kind(name):
    """The kind of a call operation, None for another operation."""
    for kind in CALL_KINDS:
        if name == kind or name.startswith(kind + "_"):
            return kind
    return None


def count_operations(lines):
    """Allocations, calls by kind, guards and operations among ``lines``."""
    counts = collections.Counter()
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
        elif name.startswith("guard_"):
            counts["guards"] += 1
    return counts


def parse_trace(text):
    """One jit-log-opt section: its header and counts."""
    lines = text.splitlines()
    header = next((line for line in lines if line.startswith("# ")), "")
    match = _HEADER.match(header)
    trace = {
        "trace": match.group(1) if match else header[2:60],
        "function": (match and match.group("name")) or "",
        "kind": (match and match.group("kind")) or "bridge",
        "logged_ops": int(match.group("ops")) if match else 0,
    }
    labels = [i for i, line in enumerate(lines) if " label(" in line
              or line.startswith("label(")]
    body = lines[labels[-1] + 1:] if trace["kind"] == "loop" and labels \
        else lines
    trace.update(count_operations(body))
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


def read(path):
    """{"summary": {...}, "traces": [...]} of one PYPYLOG file."""
    with open(path, errors="replace") as file:
        text = file.read()
    result = {"summary": {}, "traces": []}
    for section, body in _SECTION.findall(text):
        if section == "jit-summary":
            result["summary"] = parse_summary(body)
        else:
            result["traces"].append(parse_trace(body))
    return result


def totals(traces):
    total = collections.Counter()
    for trace in traces:
        for key, value in trace.items():
            if isinstance(value, int):
                total[key] += value
    return total


#: The figures of jit-summary shown, under shorter names.
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("logs", nargs="+", help="PYPYLOG files")
    parser.add_argument("--json", action="store_true",
                        help="print the figures as JSON")
    parser.add_argument("--sizes", action="store_true",
                        help="break new_with_vtable down by object size")
    parser.add_argument("--top", type=int, default=8,
                        help="traces listed, largest first (default 8)")
    args = parser.parse_args(argv)
    results = {path: read(path) for path in args.logs}
    if args.json:
        json.dump(results, sys.stdout, indent=1)
        print()
        return 0
    for path, result in results.items():
        print(f"== {path}")
        summary = result["summary"]
        print("  " + ", ".join(f"{short} {summary[key]}"
                               for key, short in SUMMARY_KEYS.items()
                               if key in summary))
        traces = sorted(result["traces"], key=lambda t: -t["operations"])
        print(f"  {'trace':44} " + " ".join(f"{c[:9]:>9}" for c in COLUMNS))
        rows = [(f"{t['kind'][:11]} {t['function']}"[:44], t)
                for t in traces[:args.top]]
        rows.append((f"all {len(traces)} traces", totals(traces)))
        for label, counts in rows:
            print(f"  {label:44} " + " ".join(
                f"{counts.get(c, 0):>9}" for c in COLUMNS))
            if args.sizes:
                print(" " * 47 + "new_with_vtable by size: " + ", ".join(
                    f"{key.split('/')[1]} bytes x{counts[key]}"
                    for key in sorted(counts) if key.startswith("new_with_")
                    and "/" in key))
    return 0


if __name__ == "__main__":
    sys.exit(main())

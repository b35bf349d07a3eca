"""The explanations a benchmark run adds beside its timings.

After the timings, ``python -m piconumpy.bench`` (so ``make bench``) counts
instructions with callgrind on CPython (``instructions``) and reads the
JIT's traces on each PyPy (``jit``), and writes both into a side file of
the results file, ``<folder>/explain/<results name>.json``, which the
report reads (reports are rebuilt from files, never from memory).  What
was skipped, and why, is in the file too, so the report can say it.

Budget (a full ``make bench`` must stay under 45 minutes): instruction
counts run a process under valgrind per implementation, slow, so by
default only the first CPython is counted (``--instructions all``: every
one); the JIT's view is one short PyPy process per implementation and
workload, cheap, so every PyPy gets it (``estimate`` says how long).
``--quick`` shrinks both to a few implementations (a smoke test of the
code path, not a measurement).  ``--instructions none`` and ``--no-jit``
turn them off.
"""

import json
import os

from . import instructions, jit

#: --quick: the implementations counted or traced.
QUICK_INSTRUCTIONS = ("cpython_capi",)
QUICK_JIT = ("hpy_universal", "cpython_capi", "python")
CHOICES = ("first", "all", "none")


def side_path(results_path):
    """Where the explanations of the results file ``results_path`` go."""
    folder, name = os.path.split(os.path.abspath(results_path))
    return os.path.join(folder, "explain", name)


def _cpythons(pythons):
    """The interpreters callgrind can count, and why each other cannot."""
    counted, skipped = [], []
    for python in pythons:
        reason = instructions.why_no_callgrind(python)
        if reason:
            skipped.append({"python": python, "skipped": reason})
        else:
            counted.append(python)
    return counted, skipped


def collect(pythons, which="first", with_jit=True, quick=False,
            echo=print):
    """{"instructions": {...}, "jit": {...}} for a run on ``pythons``."""
    data = {"quick": quick, "instructions": {"which": which, "runs": [],
                                             "skipped": []}}
    if which == "none":
        data["instructions"]["off"] = "turned off (--instructions none)"
    else:
        counted, skipped = _cpythons(pythons)
        data["instructions"]["skipped"] = skipped
        if which == "first" and len(counted) > 1:
            data["instructions"]["not_counted"] = counted[1:]
            counted = counted[:1]
        names = list(QUICK_INSTRUCTIONS) if quick else None
        for python in counted:
            echo(f"instructions: {python}")
            data["instructions"]["runs"].append(
                instructions.measure(names, python))
    if not with_jit:
        data["jit"] = {"off": "turned off (--no-jit)"}
        return data
    pypys = [p for p in pythons if jit.interpreter_info(p)[0]]
    # Not fewer calls with --quick: the process's start costs more than
    # they do, and with fewer the JIT may not have compiled the loop yet.
    data["jit"] = jit.measure(pypys, list(QUICK_JIT) if quick else None,
                              echo=echo)
    return data


#: Seconds, measured on the 2-core machine of the project: one
#: implementation's instruction counts (a process under callgrind), one
#: row of the JIT's view (a PyPy process with PYPYLOG).
SECONDS_PER_COUNT = 10.0
SECONDS_PER_TRACE = 0.5


def estimate(pythons, which="first", with_jit=True, quick=False):
    """A line saying how long the explanations will take."""
    counted = [] if which == "none" else _cpythons(pythons)[0]
    if which == "first":
        counted = counted[:1]
    names = QUICK_INSTRUCTIONS if quick else instructions.default_names()
    seconds = SECONDS_PER_COUNT * len(names) * len(counted)
    pypys = [p for p in pythons if with_jit and jit.interpreter_info(p)[0]]
    rows = len(QUICK_JIT if quick else jit.default_names()) * len(
        jit.WORKLOADS)
    seconds += SECONDS_PER_TRACE * rows * len(pypys)
    return (f"then the explanations: instruction counts on "
            f"{len(counted)} CPython, the JIT's view on {len(pypys)} PyPy: "
            f"about {seconds / 60:.1f} min")


def write(results_path, data):
    path = side_path(results_path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as file:
        json.dump(data, file, indent=1)
    return path


def load(results_path):
    """The explanations of a results file, None if it has none (an older
    run, or one made with ``--no-explain``) or they cannot be read."""
    try:
        with open(side_path(results_path), encoding="utf-8") as file:
            return json.load(file)
    except (OSError, ValueError):
        return None


def instructions_section(data):
    """Markdown: each counted CPython's table, then what was not counted
    and why."""
    part = data["instructions"]
    if part.get("off"):
        return f"Instruction counts: {part['off']}."
    blocks = [instructions.render(run) for run in part["runs"]]
    if data.get("quick"):
        blocks.append("Quick run: only " + ", ".join(
            f"`{name}`" for name in QUICK_INSTRUCTIONS) + " counted.")
    if part.get("not_counted"):
        blocks.append("Not counted (by default only the first CPython is, "
                      "to keep `make bench` under 45 minutes; "
                      "`--instructions all` counts every one): "
                      + ", ".join(f"`{p}`" for p in part["not_counted"])
                      + ".")
    for entry in part["skipped"]:
        blocks.append(f"Not counted on `{entry['python']}`: "
                      f"{entry['skipped']}.")
    return "\n\n".join(blocks) or "Instruction counts: no interpreter."


def jit_section(data):
    part = data["jit"]
    if part.get("off"):
        return f"The JIT's view: {part['off']}."
    text = jit.render(part)
    if data.get("quick"):
        text += ("\n\nQuick run: only " + ", ".join(
            f"`{name}`" for name in QUICK_JIT) + ".")
    return text


def markdown(data):
    """The report's sections (lines), or [] without explanations."""
    if data is None:
        return []
    return ["## Instructions per operation (callgrind)", "",
            instructions_section(data), "",
            "## The JIT's view (PYPYLOG)", "", jit_section(data), ""]

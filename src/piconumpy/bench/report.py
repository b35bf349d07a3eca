"""The report: terminal tables, results/report.md and plots, from the JSON.

    python -m piconumpy.bench report results/2025-01-01-120000-host.json

Reads only the results document (see results.py), so a report can be
rebuilt from old results.  Every ratio is to the native reference of the
same case on the same interpreter (another interpreter's if it has none).
Figures are medians of the per-process medians; key ratios carry a 95%
bootstrap interval over processes (intervals.py), and one whose interval
contains 1 is "no measurable difference".
"""

import os

import piconumpy

from . import intervals, modes, published
from .explain import collect as explain
from . import results as results_file
from .tables import Results

PICONUMPY = tuple(piconumpy.BACKENDS)


# --- formatting -------------------------------------------------------------


def format_time(seconds):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def format_ratio(ratio):
    return f"{ratio:.3g}x" if ratio < 100 else f"{ratio:,.0f}x"


def table(headers, rows, markdown=False):
    """Text of a table: aligned columns, or a Markdown pipe table."""
    if markdown:
        lines = ["| " + " | ".join(headers) + " |",
                 "|" + "|".join(["---"] + ["--:"] * (len(headers) - 1)) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(str(row[i])) for row in [headers] + rows)
              for i in range(len(headers))]
    def line(row):
        cells = [str(row[0]).ljust(widths[0])]
        cells += [str(c).rjust(w) for c, w in zip(row[1:], widths[1:])]
        return "  ".join(cells).rstrip()
    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule] + [line(row) for row in rows])


class Notes:
    """Numbered footnotes for the cells without a number."""

    def __init__(self):
        self.texts = []

    def ref(self, text):
        if text not in self.texts:
            self.texts.append(text)
        return f"[{self.texts.index(text) + 1}]"

    def render(self):
        return "\n".join(f"  [{i}] {text}"
                         for i, text in enumerate(self.texts, 1))


def _no_number(results, case, interpreter, impl, notes):
    why = results.why_not(case, interpreter, impl)
    label = why.split(":", 1)[0] if why else "?"
    return f"{label} {notes.ref(why)}"


def case_table(results, case, markdown=False):
    """One case: rows = implementations (fastest first), columns =
    interpreters, cells = ratio to native and median time per call."""
    notes = Notes()
    rows = []
    for impl in results.sorted_impls(case):
        row = [impl]
        for interpreter in results.interpreters:
            median = results.median(case, interpreter, impl)
            if median is None:
                row.append(_no_number(results, case, interpreter, impl, notes))
                continue
            ratio = results.ratio(case, interpreter, impl)
            text = format_time(median)
            row.append(f"{format_ratio(ratio)} · {text}" if ratio else text)
        rows.append(row)
    headers = ["implementation"] + results.interpreters
    return table(headers, rows, markdown), notes


def unit_table(results, cases, interpreter, column_names, markdown=False):
    """Rows = implementations, columns = cases; cells = time per unit."""
    notes = Notes()
    impls = []
    for case in cases:
        impls += [i for i in results.impls_of(case) if i not in impls]
    impls = [i for i in results.implementations if i in impls]
    rows = []
    for impl in impls:
        row = [impl]
        for case in cases:
            if results.record(case, interpreter, impl) is None:
                row.append("")
                continue
            per_unit = results.per_unit(case, interpreter, impl)
            if per_unit is None:
                row.append(_no_number(results, case, interpreter, impl, notes))
            else:
                row.append(format_time(per_unit))
        rows.append(row)
    return table(["implementation"] + column_names, rows, markdown), notes


def details_table(results, case):
    """Markdown: the statistics behind each median of one case."""
    rows = []
    for impl in results.sorted_impls(case):
        for interpreter in results.interpreters:
            record = results.record(case, interpreter, impl)
            if not record or record["status"] != "ok":
                continue
            s = record["stats"]
            warmups = [p.get("warmup") for p in record["processes"]]
            warmup = "?"
            if all(warmups):
                calls = sum(w["calls"] for w in warmups) // len(warmups)
                seconds = sum(w["seconds"] for w in warmups) / len(warmups)
                unsettled = sum(not w["settled"] for w in warmups)
                warmup = f"{calls} in {seconds:.2g} s" + (
                    f" ({unsettled} not settled)" if unsettled else "")
            medians = [p["stats"]["median"] for p in record["processes"]]
            between = (f"{format_time(min(medians))} – "
                       f"{format_time(max(medians))}"
                       if len(medians) > 1 else "")
            rows.append([
                impl, interpreter, format_time(s["median"]), between,
                format_time(s["iqr"]), format_time(s["mad"]),
                str(len(medians)), str(s["n"]), warmup,
            ])
    headers = ["implementation", "interpreter", "median of medians",
               "process medians", "IQR", "MAD", "processes", "calls",
               "warm-up (mean)"]
    return table(headers, rows, markdown=True)


def multimodal(results, cases=None):
    """Lines naming each measurement whose timings fall into two modes
    (within a process or between processes), and where its median is."""
    lines = []
    for case in cases or results.cases:
        for impl in results.impls_of(case):
            for interpreter in results.interpreters:
                found = results.modes(case, interpreter, impl)
                text = modes.describe(found, format_time) if found else ""
                if text:
                    lines.append(f"{case} {interpreter} {impl}: {text}")
    return lines


# --- the summary -------------------------------------------------------------


def _fraction(results, case, a, b, labels=None):
    """Sentence comparing two (interpreter kind, implementation) rows, on
    ``labels`` (two interpreter labels) or the first interpreter of each
    kind."""
    (kind_a, impl_a), (kind_b, impl_b) = a, b
    label_a, label_b = labels or (results.interpreter_named(kind_a),
                                  results.interpreter_named(kind_b))
    name_a = f"{label_a or kind_a} {impl_a}"
    name_b = f"{label_b or kind_b} {impl_b}"
    missing = []
    for label, kind, impl in ((label_a, kind_a, impl_a),
                              (label_b, kind_b, impl_b)):
        if label is None:
            missing.append(f"{kind}: no such interpreter in this run")
        elif results.median(case, label, impl) is None:
            why = results.why_not(case, label, impl).split(":", 1)[0]
            missing.append(f"{kind} {impl}: {why}, see the tables")
    if missing:
        missing = list(dict.fromkeys(missing))  # each reason once
        return f"{name_a} vs {name_b}: not measured ({'; '.join(missing)})"
    t_a = results.median(case, label_a, impl_a)
    t_b = results.median(case, label_b, impl_b)
    ratio, low, high = results.interval(case, (label_a, impl_a),
                                        (label_b, impl_b))
    verdict = intervals.verdict(ratio, low, high)
    if verdict[0].isdigit():
        verdict = f"{name_a} is {verdict}"
    return (f"{name_a} / {name_b} = "
            f"{intervals.format_interval(ratio, low, high)} ({verdict}; "
            f"{format_time(t_a)} vs {format_time(t_b)})")


def comparison_labels(results, case, a, b):
    """The interpreter label pairs to compare rows ``a`` and ``b`` on: when
    both are of one kind, every interpreter of that kind that measured both
    (the first of the kind if none did, to say why not); else the first
    interpreter of each kind."""
    (kind_a, impl_a), (kind_b, impl_b) = a, b
    if kind_a != kind_b:
        return [(results.interpreter_named(kind_a),
                 results.interpreter_named(kind_b))]
    measured = [(label, label) for label in results.interpreters_of(kind_a)
                if results.median(case, label, impl_a) is not None
                and results.median(case, label, impl_b) is not None]
    first = results.interpreter_named(kind_a)
    return measured or [(first, first)]


KEY_COMPARISONS = (
    (("pypy", "hpy_universal"), ("pypy", "cpython_capi")),
    (("pypy", "hpy_universal"), ("pypy", "purepy")),
    # The ceiling: an array the JIT can see through.
    (("pypy", "purepy_fields"), ("pypy", "purepy")),
    (("pypy", "purepy_fields"), ("pypy", "python")),
    # HPy or cffi: which serves PyPy better?
    (("pypy", "hpy_universal"), ("pypy", "cffi")),
    (("pypy", "cffi"), ("pypy", "purepy")),
    (("pypy", "hpy_universal"), ("cpython", "cpython_capi")),
    (("cpython", "cpython_capi"), ("cpython", "numpy")),
    (("cpython", "hpy_cpython_abi"), ("cpython", "cpython_capi")),
    (("cpython", "hpy_universal"), ("cpython", "cpython_capi")),
)


def best_piconumpy(results, case):
    best = None
    for interpreter in results.interpreters:
        for impl in PICONUMPY:
            ratio = results.ratio(case, interpreter, impl)
            if ratio is not None and (best is None or ratio < best[0]):
                best = (ratio, interpreter, impl)
    if best is None:
        return "best piconumpy configuration / native: not measured"
    ratio, interpreter, impl = best
    return (f"best piconumpy configuration / native = {ratio:.3g} "
            f"({interpreter} {impl})")


def summary(results, case="board"):
    """The key ratios, one sentence each, on ``case``."""
    if case not in results.cases:
        return [f"no {case!r} results in this run"]
    lines = [_fraction(results, case, a, b, labels)
             for a, b in KEY_COMPARISONS
             for labels in comparison_labels(results, case, a, b)]
    lines.append(best_piconumpy(results, case))
    control = _fraction(results, "callbacks", ("pypy", "python"),
                        ("cpython", "python"))
    if "callbacks" in results.cases:
        lines.append("control (callbacks, no array): " + control)
    return lines


# --- the published figures beside ours ---------------------------------------


def hpy_runtime(results, label):
    info = results.document["interpreters"][label].get("info") or {}
    runtime = info.get("hpy_runtime")
    if isinstance(runtime, list) and runtime:
        return f"HPy {runtime[0]}"
    return "no HPy"


def published_table(results, markdown=False):
    """Each published ratio, its interpreter and HPy version, and ours on
    each of our interpreters of the same kind, with its interval."""
    ours = [label for label in results.interpreters
            if results.implementation_of(label)]
    rows = []
    for entry in published.RATIOS:
        row = [entry.case, f"{entry.numerator} / {entry.denominator}",
               f"{entry.value:.3g}", entry.interpreter, entry.hpy,
               entry.source]
        for label in ours:
            if results.implementation_of(label) != entry.kind:
                row.append("")
                continue
            found = None
            if entry.case in results.cases:
                found = results.interval(
                    entry.case, (label, entry.numerator),
                    (label, entry.denominator))
            row.append(intervals.format_interval(*found) if found
                       else "not measured")
        rows.append(row)
    headers = ["case", "ratio", "published", "their interpreter", "HPy",
               "source"] + [f"{label} ({results.describe_interpreter(label)}"
                            f", {hpy_runtime(results, label)})"
                            for label in ours]
    return table(headers, rows, markdown)


# --- the outputs -------------------------------------------------------------


def _unit_sections(results, markdown):
    """(title, table, notes) of the per-operation and scaling tables."""
    sections = []
    ops = results.cases_in("ops")
    present = [i for i in results.interpreters
               if results.implementation_of(i) is not None]
    for interpreter in present:
        if ops:
            names = [case[len("op_"):] for case in ops]
            text, notes = unit_table(results, ops, interpreter, names,
                                     markdown)
            sections.append((f"Per-operation cost on a 4-element array, "
                             f"{interpreter} (time per operation)",
                             text, notes))
    scaling = results.cases_in("scaling")
    families = []
    for case in scaling:
        family = case.split("[")[0]
        if family not in families:
            families.append(family)
    for family in families:
        cases = [c for c in scaling if c.startswith(family + "[")]
        names = [f"n={results.params[c]['n']}" for c in cases]
        for interpreter in present:
            text, notes = unit_table(results, cases, interpreter, names,
                                     markdown)
            sections.append((f"Scaling of {family[len('scale_'):]}, "
                             f"{interpreter} (time per element)", text, notes))
    return sections


def _header(results):
    doc = results.document
    host = doc.get("host", {})
    lines = [f"Run of {doc.get('started', '?')} on {host.get('hostname', '?')}"
             f" ({host.get('cpu_model', '?')}, {host.get('cpu_count', '?')} "
             "CPUs)"]
    git = doc.get("git", {})
    lines.append(f"Source: git {git.get('describe') or git.get('commit')}"
                 if git.get("commit") else "Source: not a git checkout")
    if doc.get("settings", {}).get("quick"):
        lines.append("QUICK MODE: tiny sizes, a smoke test, not a measurement")
    if not results.complete:
        lines.append("INCOMPLETE: the run was interrupted; partial results")
    for label, entry in doc.get("interpreters", {}).items():
        info = entry.get("info")
        if info is None:
            lines.append(f"{label}: MISSING ({entry.get('missing')})")
            continue
        packages = ", ".join(f"{name} {version}" for name, version in
                             info["packages"].items() if version)
        version = info["python_version"]
        if info.get("pypy_version"):
            version = f"{info['pypy_version']} (Python {version})"
        lines.append(f"{label}: {info['implementation']} {version}; HPy "
                     f"runtime {info['hpy_runtime']}; {packages}")
    return lines


INTERVALS_NOTE = (
    "Figures are medians of the per-process medians; `ratio [lo, hi]` is "
    "a ratio of two of them with its 95% bootstrap interval (processes "
    "resampled, then calls within them); an interval containing 1 is "
    "\"no measurable difference\".")


def _processes_line(results):
    counts = sorted({len(r["processes"]) for r in results.records.values()
                     if r.get("status") == "ok"})
    if not counts:
        return "no measurement"
    span = (str(counts[0]) if len(counts) == 1
            else f"{counts[0]}-{counts[-1]}")
    plural = "es" if counts[-1] > 1 else ""
    return f"{span} fresh process{plural} per measurement"


def single_process_note(results):
    """A warning when measurements ran in one process each, else ''."""
    counts = [len(r["processes"]) for r in results.records.values()
              if r.get("status") == "ok"]
    if counts and max(counts) == 1:
        return ("One process per measurement: the intervals cover the "
                "noise between calls only, not between processes (a JIT "
                "may settle differently in each); `make bench` runs the "
                "headline cases in several.")
    return ""


def terminal(results, explained=None):
    """All tables as text, for the terminal; ``explained``: the run's
    explanations (explain/collect.py), if any."""
    parts = ["\n".join(_header(results)), ""]
    for case in results.cases:
        if results.groups.get(case) in ("ops", "scaling"):
            continue
        text, notes = case_table(results, case)
        parts += [f"== {case} {results.params.get(case, '')}: ratio to "
                  "native · median per call", text]
        if notes.texts:
            parts.append(notes.render())
        parts.append("")
    for title, text, notes in _unit_sections(results, markdown=False):
        parts += [f"== {title}", text]
        if notes.texts:
            parts.append(notes.render())
        parts.append("")
    parts += ["== The published ratios beside ours (ratio [95% interval])",
              published_table(results), ""]
    flagged = multimodal(results)
    if flagged:
        parts.append("== Timings in two modes")
        parts += ["  " + line for line in flagged]
        parts.append("")
    parts.append(f"== Summary (board; {_processes_line(results)}; "
                 "ratio [95% interval])")
    parts += ["  " + line for line in summary(results)]
    if single_process_note(results):
        parts.append("  " + single_process_note(results))
    for line in explain.markdown(explained):
        parts.append("== " + line[3:] if line.startswith("## ") else line)
    return "\n".join(parts)


def markdown(results, plots, explained=None):
    """The text of report.md; ``plots``: {title: file name};
    ``explained``: the run's explanations (explain/collect.py), if any."""
    out = ["# piconumpy benchmark report", ""]
    out += ["- " + line for line in _header(results)]
    out += ["", "## Summary", ""]
    out += ["- " + line for line in summary(results)]
    out += ["", "Ratios are to the native reference (plain C, no allocation "
            "per step) of the same case on the same interpreter; "
            f"{_processes_line(results)}, each a median of many calls after "
            "a warm-up.  " + INTERVALS_NOTE + "  Compare ratios within one "
            "run, never absolute times across runs.  "
            + single_process_note(results), ""]
    out += ["## The published figures beside ours", "",
            "Ratios between two implementations (time of the first over "
            "the second) as the earlier piconumpy projects published them "
            "(PUBLISHED.md: their floor was Julia, ours is C; only ratios "
            "between implementations compare), and ours on each of our "
            "interpreters of the same kind, with 95% intervals.", "",
            published_table(results, markdown=True), ""]
    flagged = multimodal(results)
    out += ["## Timings in two modes", ""]
    out += ["- " + line for line in flagged] if flagged else [
        "No measurement's timings fall into two modes."]
    out.append("")
    for title, name in plots.items():
        out += [f"![{title}]({name})", ""]
    for case in results.cases:
        if results.groups.get(case) in ("ops", "scaling"):
            continue
        text, notes = case_table(results, case, markdown=True)
        out += [f"## {case} `{results.params.get(case, '')}`", "", text, ""]
        out += [f"{line.strip()}  " for line in notes.render().splitlines()]
        out += ["", "<details><summary>statistics</summary>", "",
                details_table(results, case), "", "</details>", ""]
    for title, text, notes in _unit_sections(results, markdown=True):
        out += [f"## {title}", "", text, ""]
        out += [f"{line.strip()}  " for line in notes.render().splitlines()]
        out.append("")
    out += explain.markdown(explained)
    return "\n".join(out)


def write(json_path, output_dir=None, echo=print):
    """Print the tables, write report.md and the plots; the report's path."""
    results = Results(results_file.load(json_path))
    explained = explain.load(json_path)
    output_dir = output_dir or os.path.dirname(os.path.abspath(json_path))
    os.makedirs(output_dir, exist_ok=True)
    echo(terminal(results, explained))
    try:
        from . import plots
        made = plots.make_all(results, output_dir)
    except ImportError as error:
        made = {}
        echo(f"(no plots: {error})")
    path = os.path.join(output_dir, "report.md")
    with open(path, "w") as file:
        file.write(markdown(results, made, explained))
        file.write(f"\nFrom `{os.path.basename(json_path)}`.\n")
    echo(f"report: {path}")
    return path

"""The README's generated parts: the answer paragraph and the latest
results section, each between its markers, made from one results file.

    python -m piconumpy.bench report RESULTS.json --readme README.md

Every number in them comes from the results file named in the section, so
``sections_of`` (and the test that uses it) can tell whether a README and
the committed results still agree.
"""

import os
import re
import textwrap

from . import intervals
from . import results as results_file
from .report import (_header, _processes_line, case_table, hpy_runtime,
                     single_process_note, summary)
from .tables import Results

COMMAND = "python -m piconumpy.bench report RESULTS.json --readme README.md"
ANSWER = ("<!-- answer:start (" + COMMAND + ") -->", "<!-- answer:end -->")
LATEST = ("<!-- latest-results:start (" + COMMAND + ") -->",
          "<!-- latest-results:end -->")
#: How the latest-results section names its results file.
SOURCE_LINE = "Results file: "


def _compare(results, case, label, a, b):
    """('2.1x faster than', 'a / b = r [lo, hi]') for two implementations
    on the interpreter ``label``; words for a missing number."""
    found = label and results.interval(case, (label, a), (label, b))
    if not found:
        return "(not measured) against", f"{a} / {b}: not measured"
    ratio, low, high = found
    words = intervals.verdict(ratio, low, high)
    words = ("with no measurable difference from"
             if words == "no measurable difference" else words + " than")
    return words, f"{a} / {b} = {intervals.format_interval(*found)}"


def _interpreter(results, label):
    described = results.describe_interpreter(label)
    return f"{described} ({hpy_runtime(results, label)})"


def _on_pypy(results, label):
    """One bullet: what HPy, cpyext and a see-through array do on one PyPy."""
    name = _interpreter(results, label)
    fields = _compare(results, "board", label, "purepy_fields", "purepy")
    seen_through = (f"an array the JIT sees through runs it {fields[0]} "
                    f"the list-based one ({fields[1]})")
    if results.median("board", label, "hpy_universal") is None:
        why = results.why_not("board", label, "hpy_universal")
        return f"- {name}: no HPy backend ({why}); {seen_through}."
    capi = _compare(results, "board", label, "hpy_universal", "cpython_capi")
    lists = _compare(results, "board", label, "hpy_universal", "purepy")
    return (f"- {name}: the HPy backend runs the board **{capi[0]} the "
            f"same code through cpyext** ({capi[1]}) and **{lists[0]} the "
            f"pure-Python array over a list** ({lists[1]}); {seen_through}.")


def _closest(results, labels, other):
    """(label, ratio) of the PyPy where hpy_universal / ``other`` is the
    smallest, or None."""
    found = [(results.interval("board", (label, "hpy_universal"),
                               (label, other)), label) for label in labels]
    found = [(interval[0], label) for interval, label in found if interval]
    return min(found) if found else None


def answer(results):
    """The paragraph that answers the project's question, from the run."""
    pypys = results.interpreters_of("pypy")
    date = str(results.document.get("started", "?"))[:10]
    lines = [f"The answer from the run of {date} below "
             f"({_processes_line(results)}; time ratios with their 95% "
             "intervals in brackets), on each PyPy:", ""]
    lines += [_on_pypy(results, label) for label in pypys]
    closest = [(other, _closest(results, pypys, other))
               for other in ("purepy", "cpython_capi")]
    said = [f"hpy_universal / {other} is smallest on "
            f"{results.describe_interpreter(found[1])} ({found[0]:.3g})"
            for other, found in closest if found]
    if said:
        lines += ["", "Of these PyPys, " + "; ".join(said) + "."]
    with_hpy = [label for label in results.interpreters_of("cpython")
                if results.median("board", label, "hpy_universal")]
    if with_hpy:
        label = with_hpy[0]
        universal = _compare(results, "board", label, "hpy_universal",
                             "cpython_capi")
        abi = _compare(results, "board", label, "hpy_cpython_abi",
                       "cpython_capi")
        lines += ["", f"On {results.describe_interpreter(label)} the HPy "
                  f"universal build runs it {universal[0]} the hand-written "
                  f"C-API backend ({universal[1]}), the HPy CPython-ABI "
                  f"build {abi[0]} it ({abi[1]})."]
    note = single_process_note(results)
    lines += ["", (note + " " if note else "")
              + "Why, per operation: [What we learned](#what-we-learned)."]
    return "\n".join(lines)


def latest(results, report_dir, json_name):
    """The run's header, board table, key ratios and chart; paths are
    relative to the README's folder."""
    out = [f"{line}  " for line in _header(results)[:2]]
    out += [f"{SOURCE_LINE}[{json_name}]({json_name})", "",
            "Board (the main benchmark, classic size): time relative to "
            "the native C reference, and the median of the per-process "
            "median times per call.", ""]
    text, notes = case_table(results, "board", markdown=True)
    out += [text, ""]
    out += [f"{line.strip()}  " for line in notes.render().splitlines()]
    out += ["", "Key ratios (time of the first over the second, with its "
            "95% bootstrap interval over processes; an interval containing "
            "1 is no measurable difference):", ""]
    out += ["- " + line for line in summary(results)]
    if single_process_note(results):
        out += ["", single_process_note(results)]
    out += ["", f"![board: time relative to native (log scale)]"
            f"({report_dir}/board.png)", "",
            f"Every table, the statistics and the other plots: "
            f"[{report_dir}/report.md]({report_dir}/report.md)."]
    return "\n".join(out)


def _fill(text):
    """Each line of ``text`` (a paragraph, or a bullet) wrapped at 79."""
    return "\n".join(
        textwrap.fill(line, width=79, subsequent_indent="  " * (
            line.startswith("- ")), break_long_words=False,
            break_on_hyphens=False) if line else ""
        for line in text.split("\n"))


def sections(results, report_dir, json_name):
    """{markers: text between them} for this run."""
    return {ANSWER: _fill(answer(results)),
            LATEST: latest(results, report_dir, json_name)}


def _replace(text, markers, body):
    start, end = markers
    i, j = text.find(start), text.find(end)
    if i < 0 or j < i:
        raise ValueError(f"no markers {start} ... {end}")
    return text[:i + len(start)] + "\n\n" + body + "\n\n" + text[j:]


def update(readme_path, json_path, report_dir):
    """Replace the README's generated parts by those of this run."""
    readme_dir = os.path.dirname(os.path.abspath(readme_path))
    json_name = os.path.relpath(os.path.abspath(json_path), readme_dir)
    results = Results(results_file.load(json_path))
    with open(readme_path) as file:
        text = file.read()
    for markers, body in sections(results, report_dir, json_name).items():
        try:
            text = _replace(text, markers, body)
        except ValueError as error:
            raise ValueError(f"{readme_path}: {error}") from None
    with open(readme_path, "w") as file:
        file.write(text)


def disagreements(readme_path):
    """The generated parts of the README that differ from what its named
    results file gives now (an empty list when they agree)."""
    readme_dir = os.path.dirname(os.path.abspath(readme_path))
    with open(readme_path) as file:
        text = file.read()
    found = re.search(re.escape(SOURCE_LINE) + r"\[([^\]]+)\]", text)
    if not found:
        return [f"{readme_path} names no results file ({SOURCE_LINE}...)"]
    json_name = found.group(1)
    results = Results(results_file.load(os.path.join(readme_dir,
                                                     json_name)))
    report_dir = os.path.dirname(json_name) or "."
    wrong = []
    for markers, body in sections(results, report_dir, json_name).items():
        if _replace(text, markers, body) != text:
            wrong.append(f"{markers[0]} differs from {json_name}")
    return wrong

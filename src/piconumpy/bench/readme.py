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
from .report import (_header, _processes_line, case_table,
                     single_process_note, summary)
from .tables import Results

COMMAND = "python -m piconumpy.bench report RESULTS.json --readme README.md"
ANSWER = ("<!-- answer:start (" + COMMAND + ") -->", "<!-- answer:end -->")
LATEST = ("<!-- latest-results:start (" + COMMAND + ") -->",
          "<!-- latest-results:end -->")
#: How the latest-results section names its results file.
SOURCE_LINE = "Results file: "


def _compare(results, case, kind, a, b):
    """('2.1x faster than', 'a / b = r [lo, hi]') for two implementations
    on the first interpreter of ``kind``; words for a missing number."""
    label = results.interpreter_named(kind)
    found = label and results.interval(case, (label, a), (label, b))
    if not found:
        return "(not measured) against", f"{a} / {b}: not measured"
    ratio, low, high = found
    words = intervals.verdict(ratio, low, high)
    words = ("with no measurable difference from"
             if words == "no measurable difference" else words + " than")
    return words, f"{a} / {b} = {intervals.format_interval(*found)}"


def answer(results):
    """The paragraph that answers the project's question, from the run."""
    pypy = results.interpreter_named("pypy")
    cpython = results.interpreter_named("cpython")
    date = str(results.document.get("started", "?"))[:10]
    capi = _compare(results, "board", "pypy", "hpy_universal", "cpython_capi")
    numpy = _compare(results, "board", "pypy", "hpy_universal", "numpy")
    lists = _compare(results, "board", "pypy", "hpy_universal", "purepy")
    cffi = _compare(results, "board", "pypy", "cffi", "purepy")
    universal = _compare(results, "board", "cpython", "hpy_universal",
                         "cpython_capi")
    abi = _compare(results, "board", "cpython", "hpy_cpython_abi",
                   "cpython_capi")
    on_pypy = results.describe_interpreter(pypy) if pypy else "PyPy"
    on_cpython = (results.describe_interpreter(cpython) if cpython
                  else "CPython")
    return (
        f"The answer from the run of {date} below ({_processes_line(results)}"
        f"; time ratios with their 95% intervals in brackets): on {on_pypy} "
        "the HPy "
        f"backend runs the board **{capi[0]} the same code through "
        f"cpyext** ({capi[1]}) and {numpy[0]} numpy ({numpy[1]}), and "
        f"**{lists[0]} the pure-Python array over a list**, which PyPy's "
        f"JIT sees through ({lists[1]}); a cffi-based array runs it "
        f"{cffi[0]} that pure-Python array ({cffi[1]}). On {on_cpython} "
        f"the HPy universal build runs it {universal[0]} the hand-written "
        f"C-API backend ({universal[1]}), the HPy CPython-ABI build "
        f"{abi[0]} it ({abi[1]}). "
        + (single_process_note(results) + " " if single_process_note(results)
           else "")
        + "Why, per operation: [What we learned](#what-we-learned).")


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


def sections(results, report_dir, json_name):
    """{markers: text between them} for this run."""
    paragraph = textwrap.fill(answer(results), width=79,
                              break_long_words=False, break_on_hyphens=False)
    return {ANSWER: paragraph,
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

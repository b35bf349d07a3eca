"""The command line of the experiment.

    python -m piconumpy.bench [options]            measure, then report
    python -m piconumpy.bench --estimate [options] how long that would take
    python -m piconumpy.bench report RESULTS.json  rebuild a report
    python -m piconumpy.bench export-pyperf RESULTS.json OUT.json
    python -m piconumpy.bench list                 cases and implementations
    python -m piconumpy.bench profile --impl NAME [--workload W]
        [--interpreter I]                          cProfile/vmprof, picture
    python -m piconumpy.bench instructions [--interpreter I]  callgrind
    python -m piconumpy.bench api [--check README.md|--write README.md]
    python -m piconumpy.bench jit [--interpreter I ...]  PyPy's traces

A run ends with the instruction counts (first CPython) and the JIT's view
(each PyPy) beside the timings (explain/collect.py; --instructions,
--no-jit).

``report`` and ``export-pyperf`` of a file they cannot read say why in one
line and exit with status 2.
"""

import argparse
import dataclasses
import datetime
import glob
import json
import os
import signal
import socket
import subprocess
import sys

from . import cases as cases_module
from . import compilers, estimate, implementations, orchestrate, readme
from . import report, runner
from . import results as results_file
from .explain import collect as explain
from .results import ResultsError

#: Processes per headline measurement in a full run (--quick: 1).
PROCESSES = 5
#: Exit status of a command given a file it cannot read.
BAD_FILE = 2

QUICK_SETTINGS = {"warmup_min": 0.0, "warmup_max": 0.05, "min_calls": 3,
                  "min_time": 0.0, "max_calls": 5}
# Compiling for them costs seconds per process: not in a smoke test unless
# asked for by name.
NOT_QUICK = compilers.KINDS


def _names(values):
    """Names given as repeated and/or comma-separated arguments."""
    return [name for value in values or [] for name in value.split(",")
            if name]


def _pair(text):
    n_sleds, _, n_time = text.partition("x")
    return int(n_sleds), int(n_time)


def run_parser():
    p = argparse.ArgumentParser(
        prog="python -m piconumpy.bench",
        description=(
            "Measure the piconumpy workloads with every implementation on "
            "every interpreter, one fresh process per measurement, then "
            "print the tables and write results/<date>-<host>.json, "
            "results/report.md and plots.  Other commands: "
            "`report RESULTS.json [--output DIR]` rebuilds a report from "
            "a results file; `export-pyperf RESULTS.json OUT.json` writes "
            "it as a pyperf suite; `list` shows the cases and "
            "implementations."),
    )
    p.add_argument("--interpreters", "-i", nargs="+", metavar="PYTHON",
                   default=[sys.executable],
                   help="interpreters to measure on (default: this one)")
    p.add_argument("--workloads", "-w", nargs="+", metavar="NAME",
                   help="cases, workloads or groups (board, board_long, "
                   "callbacks, loops, ops, op_add, scaling, scale_add, ...; "
                   "default: all but board_long, a few with --quick; all: "
                   "every one); see `list`")
    p.add_argument("--implementations", "-m", nargs="+", metavar="NAME",
                   help="implementations, or all (default: all, less "
                   "pythran and numba with --quick; every one that cannot "
                   "run is shown as a skipped row): "
                   + ", ".join(implementations.ALL))
    p.add_argument("--sizes", metavar="N,N,...",
                   help="array sizes of the scaling cases "
                   "(default 4,64,1024,16384,262144)")
    p.add_argument("--board", type=_pair, metavar="SLEDSxSTEPS",
                   help="size of board and board_own_trig (default 10x200)")
    p.add_argument("--board-long", type=_pair, metavar="SLEDSxSTEPS",
                   help="size of board_long (default 100x2000)")
    p.add_argument("--micro-n", type=int, metavar="N",
                   help="array size of the loops (default 10000)")
    p.add_argument("--op-repeat", type=int, metavar="N",
                   help="operations per timed call in the per-operation "
                   "cases (default 1000)")
    p.add_argument("--output", "-o", default="results", metavar="DIR",
                   help="folder of the results (default: results)")
    p.add_argument("--quick", action="store_true",
                   help="smoke test: tiny sizes, short warm-up, few calls, "
                   "a few cases; well under a minute")
    for name, value in runner.DEFAULTS.items():
        p.add_argument("--" + name.replace("_", "-"), type=type(value),
                       metavar="X",
                       help=f"{runner.HELP[name]} (default {value})")
    p.add_argument("--processes", "-p", type=int, metavar="N",
                   help="fresh processes per measurement of the headline "
                   "cases (board, board_own_trig, callbacks, board_rhs, "
                   f"instantiate, element_wise; default {PROCESSES}, 1 "
                   "with --quick); the others run in one")
    p.add_argument("--estimate", action="store_true",
                   help="only print how long the run would take (probes "
                   "the interpreters, measures nothing)")
    p.add_argument("--timeout", type=float, default=orchestrate.TIMEOUT,
                   help="seconds before one measurement is killed")
    p.add_argument("--progress", choices=("auto", "rich", "tqdm", "plain"),
                   default="auto", help="live progress display")
    p.add_argument("--no-report", action="store_true",
                   help="only write the JSON")
    p.add_argument("--instructions", choices=explain.CHOICES,
                   default="first",
                   help="after the timings, count instructions with "
                   "callgrind on the first CPython (default), all of them, "
                   "or none")
    p.add_argument("--no-jit", action="store_true",
                   help="after the timings, do not read the JIT's traces "
                   "of board and element_wise on each PyPy")
    return p


def selected(args):
    sizes = dataclasses.replace(
        cases_module.QUICK_SIZES if args.quick else cases_module.Sizes())
    if args.sizes:
        sizes.scaling = tuple(int(n) for n in args.sizes.split(","))
    if args.board:
        sizes.board = args.board
    if args.board_long:
        sizes.board_long = args.board_long
    if args.micro_n:
        sizes.micro = args.micro_n
    if args.op_repeat:
        sizes.op_repeat = args.op_repeat
    names = _names(args.workloads)
    if not names and args.quick:
        names = list(cases_module.QUICK_SELECTION)
    cases = cases_module.select(cases_module.all_cases(sizes), names)
    impls = _names(args.implementations)
    if "all" in impls:
        impls = list(implementations.ALL)
    unknown = set(impls) - set(implementations.ALL)
    if unknown:
        raise ValueError(f"unknown implementations {sorted(unknown)}; "
                         f"known: {', '.join(implementations.ALL)}")
    if not impls:
        impls = [i for i in implementations.ALL
                 if not (args.quick and i in NOT_QUICK)]
    impls = [i for i in implementations.ALL if i in impls]  # fixed order
    settings = dict(QUICK_SETTINGS if args.quick else runner.DEFAULTS)
    for name in runner.DEFAULTS:
        if getattr(args, name) is not None:
            settings[name] = getattr(args, name)
    return cases, impls, settings


def results_path(output, quick):
    stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H%M%S")
    host = socket.gethostname().split(".")[0] or "host"
    suffix = "-quick" if quick else ""
    return os.path.join(output, f"{stamp}-{host}{suffix}.json")


def call_times(output):
    """estimate.call_times of the newest full run in ``output``, or {}."""
    found = sorted(glob.glob(os.path.join(output, "*.json")))
    for path in reversed([p for p in found if not p.endswith("-quick.json")]):
        try:
            return estimate.call_times(results_file.load(path))
        except ResultsError:
            continue
    return {}


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main_run(argv):
    parser = run_parser()
    args = parser.parse_args(argv)
    try:
        cases, impls, settings = selected(args)
    except ValueError as error:
        parser.error(str(error))
    processes = args.processes or (1 if args.quick else PROCESSES)
    if processes < 1:
        parser.error("--processes must be at least 1")
    if args.estimate:
        for line in orchestrate.estimate(args.interpreters, impls, cases,
                                         settings, processes,
                                         call_times(args.output)):
            print(line)
        print(explain.estimate(args.interpreters, args.instructions,
                               not args.no_jit, args.quick))
        return 0
    path = results_path(args.output, args.quick)
    print(f"results: {path}", file=sys.stderr)
    # A polite kill (SIGTERM) stops the run like Ctrl-C: partial results.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        orchestrate.run(args.interpreters, impls, cases, settings, path,
                        display=args.progress, quick=args.quick,
                        timeout=args.timeout, processes=processes,
                        calls=call_times(args.output))
    except KeyboardInterrupt:
        print(f"\ninterrupted: partial results in {path}", file=sys.stderr)
        if not args.no_report:
            report.write(path, args.output)
        return 130
    explain.write(path, explain.collect(
        args.interpreters, args.instructions, not args.no_jit, args.quick,
        echo=lambda line: print(line, file=sys.stderr)))
    if not args.no_report:
        report.write(path, args.output)
    return 0


def main_report(argv):
    parser = argparse.ArgumentParser(
        prog="python -m piconumpy.bench report",
        description="Print the tables and write report.md and the plots "
        "from a results file (complete or interrupted).")
    parser.add_argument("results", help="a results JSON file")
    parser.add_argument("--output", "-o", metavar="DIR",
                        help="where to write (default: the file's folder)")
    parser.add_argument("--readme", metavar="README",
                        help="also replace the latest-results section of "
                        "this README (between its markers) by this run's")
    args = parser.parse_args(argv)
    try:
        path = report.write(args.results, args.output)
        if args.readme:
            report_dir = os.path.relpath(
                os.path.dirname(os.path.abspath(path)),
                os.path.dirname(os.path.abspath(args.readme)))
            readme.update(args.readme, args.results, report_dir)
            print(f"updated: {args.readme}")
    except ResultsError as error:
        print(f"error: {error}", file=sys.stderr)
        return BAD_FILE
    return 0


def main_export_pyperf(argv):
    parser = argparse.ArgumentParser(
        prog="python -m piconumpy.bench export-pyperf",
        description="Write a results file as a pyperf BenchmarkSuite: one "
        "benchmark per case/implementation/interpreter, one run per "
        "process, for `python -m pyperf stats|hist|compare_to`.")
    parser.add_argument("results", help="a results JSON file")
    parser.add_argument("output", help="the pyperf JSON file to write")
    parser.add_argument("--values-per-run", type=int, metavar="N",
                        help="N evenly spaced quantiles of each process's "
                        "timings instead of all of them, so that "
                        "compare_to's significance test (it needs as many "
                        "values on both sides) can compare two runs")
    args = parser.parse_args(argv)
    if args.values_per_run is not None and args.values_per_run < 1:
        parser.error("--values-per-run must be at least 1")
    try:
        from . import pyperf_export
    except ImportError as error:
        print(f"error: export-pyperf needs pyperf ({error}); "
              "pip install pyperf", file=sys.stderr)
        return BAD_FILE
    try:
        count = pyperf_export.export(args.results, args.output,
                                     args.values_per_run)
    except ResultsError as error:
        print(f"error: {error}", file=sys.stderr)
        return BAD_FILE
    print(f"{args.output}: {count} benchmarks")
    return 0


def main_list(argv):
    for case in cases_module.all_cases(cases_module.Sizes()):
        print(f"{case.id:<24} group {case.group:<10} {case.params}")
    print("implementations:", ", ".join(implementations.ALL))
    return 0


def _interpreter_parser(command, description):
    parser = argparse.ArgumentParser(
        prog=f"python -m piconumpy.bench {command}", description=description)
    parser.add_argument("--interpreter", "-i", default=sys.executable,
                        metavar="PYTHON",
                        help="the interpreter (default: this one)")
    return parser


def main_profile(argv):
    """Runs explain.profile in the interpreter asked for: its own options
    (--calls, --seconds, --top, --native, --output) pass through."""
    parser = _interpreter_parser(
        "profile", "Profile one implementation on one workload (cProfile "
        "on CPython, vmprof on PyPy), print its top functions and draw "
        "its call graph into results/profiles/.  Other options: those of "
        "python -m piconumpy.bench.explain.profile.")
    parser.add_argument("--impl", required=True, choices=implementations.ALL,
                        metavar="NAME", help="an implementation: "
                        + ", ".join(implementations.ALL))
    parser.add_argument("--workload", "-w", default="board",
                        help="a case id (default: board); see `list`")
    args, rest = parser.parse_known_args(argv)
    command = [args.interpreter, "-m", "piconumpy.bench.explain.profile",
               "--impl", args.impl, "--workload", args.workload, *rest]
    try:
        return subprocess.run(command).returncode
    except OSError as error:
        print(f"error: cannot run {args.interpreter}: {error}",
              file=sys.stderr)
        return BAD_FILE


def main_instructions(argv):
    from .explain import instructions

    parser = _interpreter_parser(
        "instructions", "Instructions per operation and per board call, "
        "counted with callgrind (CPython only).")
    parser.add_argument("--impl", action="append", metavar="NAME",
                        choices=implementations.ALL,
                        help="an implementation (repeatable; default: all)")
    parser.add_argument("--json", metavar="FILE",
                        help="also write the data here")
    args = parser.parse_args(argv)
    data = instructions.measure(args.impl, args.interpreter)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as file:
            json.dump(data, file, indent=1)
    print(instructions.render(data))
    return 1 if data.get("skipped") else 0


def main_api(argv):
    from .explain import api

    return api.main(argv, prog="python -m piconumpy.bench api")


def main_jit(argv):
    from .explain import jit

    return jit.main(argv)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    commands = {"report": main_report, "list": main_list, "run": main_run,
                "export-pyperf": main_export_pyperf,
                "profile": main_profile, "instructions": main_instructions,
                "api": main_api, "jit": main_jit}
    if argv and argv[0] in commands:
        return commands[argv[0]](argv[1:])
    return main_run(argv)


if __name__ == "__main__":
    sys.exit(main())

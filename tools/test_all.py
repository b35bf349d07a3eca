#!/usr/bin/env python3
"""Set up and test every interpreter named, then sum up.

    python3 tools/test_all.py [--jobs 2] python3 pypy@trixie ... \
        [-- pytest args]

For each interpreter (named as tools/venvs.py names them): its venv with
piconumpy and the test extras (tools/venvs.py), then the test suite there.
``--jobs`` interpreters at a time; each one's output is kept and printed
whole, in the order named.  The summary gives, per interpreter, its version
and HPy runtime, the backends tested and why any backend is missing
(``piconumpy.why_unavailable``), and the result.  Exits non-zero if a run
failed, or an interpreter could not be set up (with PICONUMPY_REQUIRE_ALL=1,
also if one is missing; tools/venvs.py says which may be skipped).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENVS = Path(__file__).resolve().parent / "venvs.py"

DESCRIBE = (
    "import json, piconumpy\n"
    "from piconumpy.bench import probe\n"
    "numpy = probe.package_versions()['numpy']\n"
    "print(json.dumps({'label': probe.label(),\n"
    "                  'numpy': numpy,\n"
    "                  'tested': piconumpy.available_backends(),\n"
    "                  'missing': {name: piconumpy.why_unavailable(name)\n"
    "                              for name in piconumpy.BACKENDS\n"
    "                              if piconumpy.why_unavailable(name)}}))\n"
)


def split_arguments(arguments):
    """(names, pytest arguments) of ``NAME ... [-- PYTEST ARGUMENTS]``."""
    if "--" in arguments:
        split = arguments.index("--")
        return arguments[:split], arguments[split + 1:]
    return arguments, []


SUMMARY = re.compile(r"^=* ?(\d+ (passed|failed|errors?|skipped|deselected"
                     r"|xfailed|xpassed|warnings?|no tests ran)\b.* in "
                     r"[\d.]+s.*?) ?=*$")


def pytest_outcome(log):
    """pytest's last summary line (``== 12 passed in 3.2s ==``), bare."""
    for line in reversed(log.splitlines()):
        match = SUMMARY.match(line.strip())
        if match:
            return match[1]
    return None


class Job:
    """One interpreter: set-up, description, tests; output kept."""

    def __init__(self, name, extras, pytest_args):
        self.name, self.extras, self.pytest_args = name, extras, pytest_args
        # Appending (O_APPEND): our writes and the children's interleave
        # in order, whatever the file position.
        descriptor, path = tempfile.mkstemp(prefix="test_all-", suffix=".log")
        os.close(descriptor)
        self.log = open(path, "a+")
        os.unlink(path)
        self.info = None
        self.status = "not run"
        self.failed = False
        self.seconds = 0.0
        self.done = threading.Event()

    def write(self, text):
        self.log.write(text)
        self.log.flush()

    def run(self):
        start = time.monotonic()
        try:
            self._steps()
        except Exception as error:  # report it with the others, go on
            self.status, self.failed = f"ERROR: {error!r}", True
        self.seconds = time.monotonic() - start
        self.done.set()

    def _steps(self):
        self.write(f"\n===== {self.name}: set-up =====\n")
        setup = subprocess.run(
            [sys.executable, str(VENVS), "--extras", self.extras, self.name],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=self.log, text=True)
        if setup.returncode == 2:
            self.status = "SKIPPED: " + self._last("SKIPPED: ")
            return
        if setup.returncode != 0 or not setup.stdout.strip():
            self.status = "FAILED: set-up: " + self._last("ERROR: ")
            self.failed = True
            return
        python = setup.stdout.strip().splitlines()[-1]
        described = subprocess.run([python, "-c", DESCRIBE], cwd=ROOT,
                                   capture_output=True, text=True)
        if described.returncode == 0:
            self.info = json.loads(described.stdout.splitlines()[-1])
        else:
            self.write(described.stderr)
        label = self.info["label"] if self.info else python
        self.write(f"\n===== {self.name}: tests on {label} =====\n")
        code = subprocess.run([python, "-m", "pytest"] + self.pytest_args,
                              cwd=ROOT, stdout=self.log,
                              stderr=subprocess.STDOUT).returncode
        self.failed = code != 0 or self.info is None
        outcome = self._outcome() or f"pytest exit {code}"
        self.status = (("FAILED: " if self.failed else "") + outcome)

    def _last(self, marker):
        """What follows ``marker`` in the last line of tools/venvs.py's
        output that has it (why it skipped or failed)."""
        found = [line.split(marker, 1)[1].strip()
                 for line in self.output().splitlines()
                 if line.startswith("[venvs]") and marker in line]
        return found[-1] if found else "see above"

    def _outcome(self):
        return pytest_outcome(self.output())

    def output(self):
        self.log.seek(0)
        return self.log.read()

    def summary(self, width):
        lines = [f"{self.name:<{width}} {self.status} "
                 f"[{self.seconds / 60:.1f} min]"]
        if self.info:
            numpy = self.info["numpy"]
            lines.append(f"{'':<{width}} {self.info['label']}, "
                         + (f"numpy {numpy}" if numpy else "no numpy"))
            lines.append(f"{'':<{width}} tested: "
                         + " ".join(self.info["tested"]))
            for backend, reason in self.info["missing"].items():
                lines.append(f"{'':<{width}} missing: {backend}: {reason}")
        return "\n".join(lines)


def run_all(jobs, parallel):
    """Run ``jobs``, ``parallel`` at a time; print each one's output whole,
    in order, as soon as it and those before it are done."""
    pending = list(jobs)
    running = []

    def start_next():
        while pending and len([j for j in running if not j.done.is_set()]) \
                < parallel:
            job = pending.pop(0)
            print(f"[test_all] {job.name}: started", file=sys.stderr,
                  flush=True)
            thread = threading.Thread(target=job.run, daemon=True)
            running.append(job)
            thread.start()

    start_next()
    for job in jobs:
        while not job.done.wait(timeout=1):
            start_next()
        start_next()
        print(job.output(), end="", flush=True)
        print(f"[test_all] {job.name}: {job.status} "
              f"({job.seconds / 60:.1f} min)", file=sys.stderr, flush=True)


def main():
    arguments, pytest_args = split_arguments(sys.argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("interpreters", nargs="+")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--extras", default="test")
    args = parser.parse_args(arguments)
    start = time.monotonic()
    jobs = [Job(name, args.extras, pytest_args)
            for name in args.interpreters]
    run_all(jobs, max(1, args.jobs))
    width = max(len(job.name) for job in jobs)
    print(f"\n===== per interpreter: version, HPy runtime, backends tested "
          f"({(time.monotonic() - start) / 60:.1f} min in all) =====")
    for job in jobs:
        print(job.summary(width))
    sys.exit(1 if any(job.failed for job in jobs) else 0)


if __name__ == "__main__":
    main()

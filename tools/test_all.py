#!/usr/bin/env python3
"""Run the test suite with each environment's python, then sum up.

    python3 tools/test_all.py .venv/cpython3.11/bin/python ... [-- pytest args]

Prints which backends were tested on which interpreter and exits non-zero if
any run failed (a backend that an interpreter should have but cannot load
fails tests/test_registry.py).
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LIST_BACKENDS = (
    "import sys, piconumpy; "
    "print(sys.implementation.name, sys.version.split()[0], "
    "sys.implementation.cache_tag); "
    "print(' '.join(piconumpy.available_backends()))"
)


def main():
    arguments = sys.argv[1:]
    if "--" in arguments:
        split = arguments.index("--")
        pythons, pytest_args = arguments[:split], arguments[split + 1:]
    else:
        pythons, pytest_args = arguments, []
    summary, failed = [], False
    for python in pythons:
        listing = subprocess.run([python, "-c", LIST_BACKENDS], cwd=ROOT,
                                 capture_output=True, text=True)
        header, backends = (listing.stdout.splitlines() + ["?", "?"])[:2]
        print(f"\n===== tests on {header} =====", flush=True)
        code = subprocess.run([python, "-m", "pytest"] + pytest_args,
                              cwd=ROOT).returncode
        failed |= code != 0
        summary.append((header, backends, "passed" if code == 0
                        else f"FAILED (pytest exit {code})"))
    print("\n===== backends tested, per interpreter =====")
    for header, backends, status in summary:
        print(f"{header}: {status}\n    backends: {backends}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

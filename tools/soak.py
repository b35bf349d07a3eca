#!/usr/bin/env python3
"""Leaks under load: the board workload and every error path, for minutes.

    python tools/soak.py [--seconds 20] [--backends cython,...] [--json FILE]

For each backend available on the running interpreter (or those named), a
child process runs, until its time is up, rounds of:

* the board workload (``piconumpy.bench.workloads.board``: RK4 steps of the
  sleds, ~100 small-array operations and calls per step);
* every operation and every error path of the leak tests' workload
  (tests/support/leaks.py, about 90: wrong types, overflows, conversions
  that raise, foreign operands, ...), the same list tests/test_leaks.py
  uses.

It samples the resident set size (RSS) every half second, and on CPython
the memory tracemalloc traces (after a garbage collection; tracemalloc is
started after the warm-up, as it slows everything down).  After the warm-up
(the first quarter of the time, at least 2 s) memory must stay flat: the
RSS of the last third of the run may exceed that of the first third after
the warm-up by at most --rss-bound MB, and the traced memory by at most
--traced-bound kB.  A leak of one small object per operation grows by tens
of MB over such a run.

Prints, per backend: rounds, operations run, peak RSS, growth; exits 1 if a
backend grew beyond the bounds, crashed or failed an operation.
"""

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IS_PYPY = sys.implementation.name == "pypy"
SAMPLE_EVERY = 0.5  # seconds
BOARD_STEPS = 20
#: Calls of the backend in one RK4 step of the board with its own cos/sin:
#: 4 calls of the right-hand side (4 a[i], 10 cos/sin of a float, 1 array()
#: each) and 16 array operations (* / + and the scalar products).
BOARD_OPERATIONS_PER_STEP = 4 * 15 + 16


def child(name, seconds):
    """Run the load on backend ``name``; print one JSON line of figures."""
    # The workload lives with the tests (tests/support), not in the package.
    sys.path.insert(0, str(ROOT / "tests"))
    import piconumpy
    from piconumpy.bench.workloads import board
    from support.leaks import resident_bytes, workload

    m = piconumpy.load_backend(name)
    operations, _ = workload(m)
    if IS_PYPY:
        # numpy.asarray of anything that exports a buffer leaks on PyPy
        # 7.3.11 with numpy 2.0 (the standard array.array too: 40 MB/s),
        # outside piconumpy: left out here (README, Hardening).
        operations.pop("numpy.asarray(a)", None)
    y0s = [0.5, 1.5]
    warm_up = max(2.0, seconds / 4)
    tracemalloc = None
    start = time.monotonic()
    deadline = start + seconds
    next_sample = start
    samples = []  # (time since start, rss, traced or None)
    rounds = calls = 0
    while True:
        now = time.monotonic()
        if now >= next_sample:
            traced = None
            if tracemalloc is not None:
                gc.collect()
                traced = tracemalloc.get_traced_memory()[0]
            samples.append((now - start, resident_bytes(), traced))
            next_sample = now + SAMPLE_EVERY
            if now >= deadline:
                break
        if (not IS_PYPY and tracemalloc is None
                and now - start >= warm_up):
            import tracemalloc

            tracemalloc.start()
        finals = board.solve(m, y0s, n_time=BOARD_STEPS, dt=0.02,
                             own_trig=True)
        assert all(len(x) == 4 for x in finals)
        calls += len(y0s) * (1 + BOARD_STEPS * BOARD_OPERATIONS_PER_STEP)
        for operation in operations.values():
            operation()
        calls += len(operations)
        rounds += 1
    if tracemalloc is not None:
        tracemalloc.stop()

    after_warm_up = [s for s in samples if s[0] >= warm_up]
    third = max(1, len(after_warm_up) // 3)
    first, last = after_warm_up[:third], after_warm_up[-third:]
    rss_growth = max(s[1] for s in last) - max(s[1] for s in first)
    traced = [s for s in after_warm_up if s[2] is not None]
    traced_growth = None
    if len(traced) >= 3:
        third = max(1, len(traced) // 3)
        traced_growth = (min(s[2] for s in traced[-third:])
                         - min(s[2] for s in traced[:third]))
    print(json.dumps({
        "backend": name,
        "interpreter": f"{sys.implementation.name} {sys.version.split()[0]}",
        "seconds": round(samples[-1][0], 1),
        "rounds": rounds,
        "operations": calls,
        "samples": len(samples),
        "rss_at_warm_up_mb": round(first[0][1] / 2**20, 1),
        "peak_rss_mb": round(max(s[1] for s in samples) / 2**20, 1),
        "max_rss_mb": round(resource.getrusage(
            resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rss_growth_mb": round(rss_growth / 2**20, 2),
        "traced_growth_kb": (None if traced_growth is None
                             else round(traced_growth / 1024, 1)),
        "rss_samples_mb": [round(s[1] / 2**20, 1) for s in samples],
    }))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float,
                        default=float(os.environ.get("SOAK_SECONDS", 20)),
                        help="per backend (default 20, or $SOAK_SECONDS)")
    parser.add_argument("--backends", default="",
                        help="comma-separated (default: every available)")
    parser.add_argument("--rss-bound", type=float, default=None,
                        help="MB (default 4 on CPython, 16 on PyPy)")
    parser.add_argument("--traced-bound", type=float, default=256,
                        help="kB of traced memory growth (CPython)")
    parser.add_argument("--json", help="append the figures to this file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.seconds)
        return
    # PyPy's GC lets its heap breathe by several MB between collections.
    rss_bound = args.rss_bound if args.rss_bound is not None else (
        16 if IS_PYPY else 4)

    import piconumpy

    names = ([name for name in args.backends.split(",") if name]
             or piconumpy.available_backends())
    interpreter = f"{sys.implementation.name} {sys.version.split()[0]}"
    print(f"soak on {interpreter}: {args.seconds:g} s per backend, "
          f"backends {', '.join(names)}", flush=True)
    failed = False
    results = []
    for name in names:
        completed = subprocess.run(
            [sys.executable, __file__, "--child", name,
             "--seconds", str(args.seconds)],
            capture_output=True, text=True, cwd=ROOT,
        )
        if completed.returncode != 0:
            failed = True
            print(f"  {name}: FAILED (exit {completed.returncode})\n"
                  + completed.stdout + completed.stderr, flush=True)
            continue
        figures = json.loads(completed.stdout.strip().splitlines()[-1])
        problems = []
        if figures["rss_growth_mb"] > rss_bound:
            problems.append(f"RSS grew {figures['rss_growth_mb']} MB "
                            f"> {rss_bound} MB")
        traced = figures["traced_growth_kb"]
        if traced is not None and traced > args.traced_bound:
            problems.append(f"traced memory grew {traced} kB "
                            f"> {args.traced_bound} kB")
        figures["status"] = "; ".join(problems) or "flat"
        failed |= bool(problems)
        results.append(figures)
        print(f"  {name:16} {figures['rounds']:7} rounds "
              f"{figures['operations']:10} operations  "
              f"peak RSS {figures['peak_rss_mb']:6.1f} MB  "
              f"growth {figures['rss_growth_mb']:+6.2f} MB"
              + ("" if traced is None else f", traced {traced:+7.1f} kB")
              + f"  {figures['status']}", flush=True)
    if args.json:
        with open(args.json, "a") as out:
            for figures in results:
                out.write(json.dumps(figures) + "\n")
    print(f"soak on {interpreter}: " + ("FAILED" if failed else "passed"))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

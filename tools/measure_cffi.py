#!/usr/bin/env python3
"""The short measurements behind the cffi backend's design (API mode).

    python3 tools/measure_cffi.py [--seconds 0.3] PYTHON [PYTHON ...]

For each interpreter (a venv's python with piconumpy installed), measures
purepy, the cffi backend (C kernels, API mode) and a variant of it whose
element-wise operations are Python loops over the cdata (what ABI mode,
without a compiled module, would do): construction, a * 2.0, a + b and a[i]
on 4-element arrays, the board workload, and a * 2.0 and a + b on larger
arrays.  Each (interpreter, variant) runs in its own
process, each figure is the best of 5 timed runs after a warm-up (PyPy's
JIT); the table gives times relative to purepy (lower is faster).  A few
seconds per interpreter: not a benchmark, a guide for the threshold.
"""

import argparse
import json
import subprocess
import time

VARIANTS = ("purepy", "cffi-loops", "cffi-kernels")
SIZES = (4, 16, 64, 256, 1024)


def cases(ns):
    """name -> function of a repeat count, each a loop of one operation."""
    from piconumpy.bench.workloads import board, micro

    values = [0.5, 1.5, -2.0, 3.25]
    a, b = ns.array(values), ns.array(values[::-1])
    result = {
        "construct[4]": lambda r: micro.op_construct(ns, values, r),
        "getitem[4]": lambda r: micro.op_getitem(ns, a, r),
        "board(1 sled x 200 steps)": lambda r: [
            board.solve(ns, [0.5], 200, 0.01) for _ in range(r)],
    }
    for n in SIZES:
        big_a = ns.array([float(i) for i in range(n)])
        big_b = ns.array([float(-i) for i in range(n)])
        result[f"mul[{n}]"] = (
            lambda r, x=big_a: micro.op_mul(ns, x, r))
        result[f"add[{n}]"] = (
            lambda r, x=big_a, y=big_b: micro.op_add(ns, x, y, r))
    return result


def _loop_mul(a, s, out, n):
    for i in range(n):
        out[i] = a[i] * s


def _loop_div(a, s, out, n):
    from piconumpy import _rules

    for i in range(n):
        # Python's x / 0.0 raises; _rules.divide gives IEEE's result.
        out[i] = a[i] / s if s != 0.0 else _rules.divide(a[i], s)


def _loop_add(a, b, out, n):
    for i in range(n):
        out[i] = a[i] + b[i]


def loops_variant():
    """The cffi backend with Python loops over the cdata instead of kernels,
    for the operations the cases use (*, /, + and the reflected *): its
    array, with the loops above in place of the kernels."""
    import types

    from piconumpy.backends import cffi as kernels

    class array(kernels.array):
        __slots__ = ()

        def __mul__(self, other):
            return self._with_scalar(other, _loop_mul)

        __rmul__ = __mul__

        def __truediv__(self, other):
            return self._with_scalar(other, _loop_div)

        def __add__(self, other):
            return self._with_array(other, _loop_add)

    return types.SimpleNamespace(array=array, cos=kernels.cos,
                                 sin=kernels.sin)


def best_time(function, seconds):
    """Seconds per repetition: calibrated, warmed up, best of 5 runs."""
    repeat = 1
    while True:
        start = time.perf_counter()
        function(repeat)
        elapsed = time.perf_counter() - start
        if elapsed > seconds / 10:
            break
        repeat *= 2
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:  # warm-up, JIT compilation
        function(repeat)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        function(repeat)
        times.append((time.perf_counter() - start) / repeat)
    return min(times)


def child(variant, seconds):
    import piconumpy

    if variant == "cffi-loops":
        ns = loops_variant()
    else:
        ns = piconumpy.load_backend(variant.partition("-")[0])
    print(json.dumps({name: best_time(function, seconds)
                      for name, function in cases(ns).items()}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pythons", nargs="*")
    parser.add_argument("--seconds", type=float, default=0.3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.seconds)
    for python in args.pythons:
        times = {}
        for variant in VARIANTS:
            output = subprocess.run(
                [python, __file__, "--child", variant,
                 "--seconds", str(args.seconds)],
                check=True, capture_output=True, text=True).stdout
            times[variant] = json.loads(output)
        version = subprocess.run(
            [python, "-c", "import sys; print(sys.implementation.name, "
             "sys.version.split()[0])"],
            capture_output=True, text=True).stdout.strip()
        print(f"\n{version}: time / purepy's (purepy's time)")
        print(f"{'case':26} {'loops':>8} {'kernels':>8} {'purepy':>10}")
        for name, reference in times["purepy"].items():
            print(f"{name:26} {times['cffi-loops'][name] / reference:8.2f} "
                  f"{times['cffi-kernels'][name] / reference:8.2f} "
                  f"{reference * 1e9:8.0f}ns")


if __name__ == "__main__":
    main()

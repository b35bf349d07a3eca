#!/usr/bin/env python3
"""Coverage-guided fuzzing of every backend with atheris (CPython only).

    python -m pip install atheris
    python tools/fuzz_atheris.py [libFuzzer options, e.g. -runs=100000
                                  -max_total_time=600 CORPUS_DIR]

Optional, not part of `make test` or `make check`.  The inputs are the same
as the tests of tests/fuzz/: libFuzzer's bytes drive hypothesis's strategies
(``fuzz_one_input``), the first byte choosing which of the differential
tests runs, so everything they compare is compared here (values and
exception types against purepy, numpy's values, the hostile calls, warnings,
the state of lists and arrays afterwards), with libFuzzer's coverage of the
Python code (piconumpy's rules, purepy and the test itself) steering the
search.  A difference is a Python exception, which libFuzzer reports with
the input that gives it; a crash of a C backend is a deadly signal, also
reported with its input.  A corpus directory keeps the interesting inputs
between runs; `-runs=N` bounds a run.
"""

import sys
from pathlib import Path

import atheris
from hypothesis import given

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

with atheris.instrument_imports():
    import piconumpy  # noqa: F401  (instrumented: the rules, purepy)
    from fuzz import test_operations, test_unspecified
    from fuzz.differential import Counts, Differential
    from support import backends

#: What the ``differential`` fixture gives the tests under pytest.
DIFFERENTIAL = Differential(backends.everything(), Counts())


def with_differential(test):
    """``test`` with its ``differential`` fixture bound: a hypothesis test
    of its strategies alone, as ``fuzz_one_input`` needs."""
    inner = test.hypothesis.inner_test

    def bound(**drawn):
        return inner(differential=DIFFERENTIAL, **drawn)

    # (_given_kwargs: the strategies by name, which hypothesis keeps.)
    return given(**test.hypothesis._given_kwargs)(bound)


TESTS = [with_differential(test) for test in (
    test_operations.test_construction,
    test_operations.test_wrong_calls,
    test_operations.test_sizes,
    test_operations.test_scalar_operations,
    test_operations.test_array_operations,
    test_operations.test_unary_operations,
    test_operations.test_items,
    test_operations.test_iteration_sees_assignments,
    test_operations.test_trig,
    test_unspecified.test_unspecified_operations_do_not_crash,
)]


def one_input(data):
    if not data:
        return
    test = TESTS[data[0] % len(TESTS)]
    test.hypothesis.fuzz_one_input(data[1:])


def main():
    print(f"fuzzing {', '.join(backends.LABELS)} against purepy",
          file=sys.stderr)
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()  # libFuzzer prints the number of inputs run, and exits


if __name__ == "__main__":
    main()

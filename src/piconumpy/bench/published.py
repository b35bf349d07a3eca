"""The ratios the earlier piconumpy projects published, beside ours.

Source: ../shared/PUBLISHED.md (the project's summary of their READMEs,
pull requests and issues).  They published times relative to a Julia
version; a ratio between two of their implementations is comparable with
ours between the same two, which is all this module sets side by side.
Each entry keeps the two published multiples the ratio is made of.
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Ratio:
    case: str           # our case measuring the same work
    kind: str           # "pypy" or "cpython": on which of ours to compare
    numerator: str      # our implementation names
    denominator: str
    published: tuple    # (numerator, denominator) as published (x Julia)
    interpreter: str    # theirs
    hpy: str            # their HPy version, as stated
    source: str

    @property
    def value(self):
        return self.published[0] / self.published[1]


_README_2021 = ("PyPy 7.3.6", "CPython 3.8", "0.0.3",
                "hpyproject/piconumpy README (Oct 2021)")
_PR_8 = "hpyproject/piconumpy PR 8 (2023)"
_PR_9 = "hpyproject/piconumpy PR 9 (2025)"
_MICRO = "paugier/piconumpy microbench_loop_sum (Dec 2021)"
_NOT_STATED = "not stated"

RATIOS = (
    # The full board (RK4, 10 sleds x 200 steps).
    Ratio("board", "pypy", "hpy_universal", "cpython_capi", (13.1, 39.2),
          _README_2021[0], _README_2021[2], _README_2021[3]),
    Ratio("board", "pypy", "hpy_universal", "purepy", (13.1, 5.59),
          _README_2021[0], _README_2021[2], _README_2021[3]),
    Ratio("board", "cpython", "hpy_universal", "cpython_capi", (12.1, 11.1),
          _README_2021[1], _README_2021[2], _README_2021[3]),
    Ratio("board", "cpython", "hpy_cpython_abi", "cpython_capi",
          (11.6, 11.1), _README_2021[1], _README_2021[2], _README_2021[3]),
    Ratio("board", "cpython", "cpython_capi", "numpy", (11.1, 33.8),
          _README_2021[1], _README_2021[2], _README_2021[3]),
    Ratio("board", "cpython", "hpy_universal", "cpython_capi", (11.7, 10.4),
          "CPython (CI)", "0.9.0", _PR_8),
    Ratio("board", "cpython", "cpython_capi", "numpy", (10.4, 31.7),
          "CPython (CI)", "0.9.0", _PR_8),
    Ratio("board", "cpython", "hpy_universal", "cpython_capi", (12.0, 10.2),
          "CPython 3.12.10", _NOT_STATED, _PR_9),
    Ratio("board", "cpython", "cpython_capi", "numpy", (10.2, 36.6),
          "CPython 3.12.10", _NOT_STATED, _PR_9),
    # One call of the right-hand side, and the instantiation.
    Ratio("board_rhs", "pypy", "hpy_universal", "cpython_capi",
          (33.8, 148.6), "PyPy 7.3.7", _NOT_STATED, _MICRO),
    Ratio("board_rhs", "pypy", "hpy_universal", "purepy", (33.8, 36.9),
          "PyPy 7.3.7", _NOT_STATED, _MICRO),
    Ratio("board_rhs", "cpython", "hpy_universal", "cpython_capi",
          (15.9, 15.0), "CPython 3.9.7", _NOT_STATED, _MICRO),
    Ratio("board_rhs", "cpython", "cpython_capi", "numpy", (15.0, 27.1),
          "CPython 3.9.7", _NOT_STATED, _MICRO),
    Ratio("instantiate", "pypy", "hpy_universal", "cpython_capi",
          (13.1, 118.3), "PyPy 7.3.7", _NOT_STATED, _MICRO),
    Ratio("instantiate", "pypy", "hpy_universal", "purepy", (13.1, 0.7),
          "PyPy 7.3.7", _NOT_STATED, _MICRO),
    Ratio("instantiate", "cpython", "hpy_universal", "cpython_capi",
          (14.3, 10.5), "CPython 3.9.7", _NOT_STATED, _MICRO),
)

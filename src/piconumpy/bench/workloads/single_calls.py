"""The single calls the earlier piconumpy projects published (PUBLISHED.md,
BENCHMARKS.md section 3), so that our ratios stand beside theirs on the
same work: one call of the board's right-hand side, an instantiation, and
the array arithmetic of one RK4 step.  One call takes about a microsecond,
too short to time alone: each function repeats it ``repeat`` times and
returns the last result.
"""

from .board import runge_kutta_step_lists

#: The time step of element_wise, as in the published micro-benchmark.
DT = 0.1


def board_rhs(board, X, repeat):
    """``board(t, X)`` (workloads/board.py's make_board) ``repeat`` times."""
    out = None
    for _ in range(repeat):
        out = board(0.0, X)
    return out


def instantiate(array, a, repeat):
    result = None
    for _ in range(repeat):
        x = a[0]
        result = array([x, 3 * x, 6 * x, 9 * x])
        result[0] = 2 * result[1]
    return result


def element_wise(x0, repeat):
    """The arithmetic of board.runge_kutta_step without the right-hand
    side, on the 4-item array ``x0``."""
    dt = DT
    out = None
    for _ in range(repeat):
        k1 = x0 * dt
        k2 = (x0 + k1 / 2) * dt
        k3 = (x0 + k2 / 2) * dt
        k4 = (x0 + k3) * dt
        out = x0 + (k1 + 2 * k2 + 2 * k3 + k4) / 6
    return out


def _same(t, X):
    return X


def element_wise_lists(x0, repeat):
    """``element_wise`` on lists: the list RK4 step with ``f(t, X) = X``."""
    out = None
    for _ in range(repeat):
        out = runge_kutta_step_lists(_same, x0, DT, 0.0)
    return out

"""``board``: sleds sliding on a bumpy board (BENCHMARKS.md, section 1).

The hot loop calls a tiny right-hand side that does a few float operations
and builds a 4-element array, the pattern of ``scipy.integrate`` callbacks.
It is written once against the small array API: ``solve`` takes a backend
namespace (``array``, ``cos``, ``sin``) and knows nothing about timing.
The expressions keep the order of the original benchmark (piconumpy's
``bench_array1d.py``), including the integer constants of the Runge-Kutta
step, so that every implementation rounds the same way.
"""

import math

G = 9.81
C = 0.5
A = 0.25
B = 0.5
P = 2 * math.pi / 10
Q = 2 * math.pi / 4
U0 = 3.5


def make_board(array, cos, sin):
    """The right-hand side ``board(t, X)``, with these array/cos/sin.

    They are closed over (not looked up on a namespace at each call) so that
    every implementation pays the same, small, price to reach them.
    """

    def board(t, X):
        x = X[0]
        y = X[1]
        u = X[2]
        v = X[3]
        H_x = -A + B * P * sin(P * x) * cos(Q * y)
        H_xx = B * P**2 * cos(P * x) * cos(Q * y)
        H_y = B * Q * cos(P * x) * sin(Q * y)
        H_yy = B * Q**2 * cos(P * x) * cos(Q * y)
        H_xy = -B * Q * P * sin(P * x) * sin(Q * y)
        F = (G + H_xx * u**2 + 2 * H_xy * u * v + H_yy * v**2) / (
            1 + H_x**2 + H_y**2
        )
        dU = -F * H_x - C * u
        dV = -F * H_y - C * v
        return array([u, v, dU, dV])

    return board


def runge_kutta_step(f, x0, dt, t):
    """One classic RK4 step, with array arithmetic only."""
    k1 = f(t, x0) * dt
    k2 = f(t, x0 + k1 / 2) * dt
    k3 = f(t, x0 + k2 / 2) * dt
    k4 = f(t, x0 + k3) * dt
    return x0 + (k1 + 2 * k2 + 2 * k3 + k4) / 6


def solve(ns, y0s, n_time, dt, own_trig=False):
    """The final state of each sled, one array per sled.

    ``own_trig``: use ``ns.cos``/``ns.sin`` on floats instead of
    ``math.cos``/``math.sin`` (the ``board_own_trig`` variant).
    """
    if own_trig:
        f = make_board(ns.array, ns.cos, ns.sin)
    else:
        f = make_board(ns.array, math.cos, math.sin)
    finals = []
    for y0 in y0s:
        x = ns.array([0.0, y0, U0, 0.0])
        t = 0.0
        for _ in range(n_time):
            x = runge_kutta_step(f, x, dt, t)
            t += dt
        finals.append(x)
    return finals


# --- the same algorithm on plain Python lists (the "python" implementation) --
# Lists cannot do arithmetic, so the element-wise operations are spelled out;
# each one is the list comprehension purepy's array uses, without the class.

def _mul(a, s):
    return [x * s for x in a]


def _div(a, s):
    return [x / s for x in a]


def _add(a, b):
    return [x + y for x, y in zip(a, b)]


def runge_kutta_step_lists(f, x0, dt, t):
    """``runge_kutta_step`` on lists, same operations in the same order."""
    k1 = _mul(f(t, x0), dt)
    k2 = _mul(f(t, _add(x0, _div(k1, 2))), dt)
    k3 = _mul(f(t, _add(x0, _div(k2, 2))), dt)
    k4 = _mul(f(t, _add(x0, k3)), dt)
    return _add(x0, _div(_add(_add(_add(k1, _mul(k2, 2)), _mul(k3, 2)), k4), 6))


def solve_lists(y0s, n_time, dt):
    """``solve`` with Python lists for arrays and math.cos/math.sin."""
    f = make_board(list, math.cos, math.sin)
    finals = []
    for y0 in y0s:
        x = [0.0, y0, U0, 0.0]
        t = 0.0
        for _ in range(n_time):
            x = runge_kutta_step_lists(f, x, dt, t)
            t += dt
        finals.append(x)
    return finals

"""``board`` for compilers, through Transonic: the numpy dialect they accept.

One source for every accelerator, as in the original piconumpy: ``solve``
is decorated with Transonic's ``@boost`` and annotated with its types, and
Transonic makes from this module a Pythran extension, a Numba module, a
Cython extension or plain Python (bench/compilers.py runs it and loads the
result).  No accelerator takes a namespace argument, so this is board.py's
``make_board``/``runge_kutta_step``/``solve`` with ``array`` bound to
``numpy.array`` and ``cos``/``sin`` to ``math.cos``/``math.sin``: the same
expressions in the same order, nothing else.

Imported as is (without a compiled version), it is plain Python and numpy.
"""

import math

import numpy as np
from transonic import Array, boost

# The types Transonic gives the accelerators.  dt is a float64: Transonic
# makes a ``float`` annotation a C float (single precision) for Cython.
Floats = Array[np.float64, "1d"]

G = 9.81
C = 0.5
A = 0.25
B = 0.5
P = 2 * math.pi / 10
Q = 2 * math.pi / 4
U0 = 3.5


def board(t, X):
    x = X[0]
    y = X[1]
    u = X[2]
    v = X[3]
    H_x = -A + B * P * math.sin(P * x) * math.cos(Q * y)
    H_xx = B * P**2 * math.cos(P * x) * math.cos(Q * y)
    H_y = B * Q * math.cos(P * x) * math.sin(Q * y)
    H_yy = B * Q**2 * math.cos(P * x) * math.cos(Q * y)
    H_xy = -B * Q * P * math.sin(P * x) * math.sin(Q * y)
    F = (G + H_xx * u**2 + 2 * H_xy * u * v + H_yy * v**2) / (
        1 + H_x**2 + H_y**2
    )
    dU = -F * H_x - C * u
    dV = -F * H_y - C * v
    return np.array([u, v, dU, dV])


def runge_kutta_step(x0, dt, t):
    k1 = board(t, x0) * dt
    k2 = board(t, x0 + k1 / 2) * dt
    k3 = board(t, x0 + k2 / 2) * dt
    k4 = board(t, x0 + k3) * dt
    return x0 + (k1 + 2 * k2 + 2 * k3 + k4) / 6


@boost
def solve(y0s: Floats, n_time: int, dt: np.float64):
    """The final states, one row [x, y, u, v] per sled."""
    finals = np.empty((y0s.shape[0], 4))
    for k in range(y0s.shape[0]):
        x = np.array([0.0, y0s[k], U0, 0.0])
        t = 0.0
        for _ in range(n_time):
            x = runge_kutta_step(x, dt, t)
            t += dt
        finals[k] = x
    return finals

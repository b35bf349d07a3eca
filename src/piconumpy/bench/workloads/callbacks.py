"""``callbacks``: many calls of a tiny function on tuples, no array at all.

The control experiment (BENCHMARKS.md, section 2): what PyPy does with the
callback pattern when no extension object is involved.  The ROBER chemical
kinetics right-hand side, applied to its own result ``n`` times.
"""


def rober(u):
    k1, k2, k3 = 0.04, 3e7, 1e4
    y1, y2, y3 = u
    dy1 = -k1 * y1 + k3 * y2 * y3
    dy2 = k1 * y1 - k2 * y2 * y2 - k3 * y2 * y3
    dy3 = k2 * y2 * y2
    return dy1, dy2, dy3


def run(n):
    """``rober`` applied ``n`` times to (1, 0, 0); the final tuple."""
    u = (1.0, 0.0, 0.0)
    for _ in range(n):
        u = rober(u)
    return u

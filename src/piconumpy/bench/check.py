"""Does a result agree with the native reference's, to rounding?

A benchmark whose result is wrong is not a result: the runner compares
every implementation's result with the native reference's and reports an
error instead of a timing when they differ.
"""

import math

#: Relative tolerance: implementations may round differently (libm vs
#: numpy's cos, x**2 vs x*x), but over a few thousand steps never by more.
RTOL = 1e-9


def to_floats(result):
    """A result (float, array, list of arrays, 2-D numpy array) as floats."""
    if isinstance(result, (int, float)):
        return [float(result)]
    try:
        # iter(), not __iter__: a type may iterate by the sequence protocol
        items = iter(result)
    except TypeError:
        return [float(result)]  # a scalar of another type (numpy.float32)
    values = []
    for item in items:
        values.extend(to_floats(item))
    return values


def compare(values, reference, rtol=RTOL):
    """None if ``values`` agree with ``reference`` (lists of floats), else why.

    Each value must be within ``rtol`` of the reference value, relative to
    the largest reference magnitude (so components that should be 0.0 are
    compared at the scale of the others).  NaN agrees only with NaN: the
    ``callbacks`` workload, like the original benchmark, ends in NaN.
    """
    if len(values) != len(reference):
        return (f"{len(values)} values where the native reference has "
                f"{len(reference)}")
    finite = [abs(r) for r in reference if math.isfinite(r)]
    scale = max(finite, default=0.0)
    for i, (value, expected) in enumerate(zip(values, reference)):
        if math.isnan(expected) or math.isnan(value):
            if math.isnan(expected) and math.isnan(value):
                continue
        elif math.isclose(value, expected, rel_tol=rtol, abs_tol=rtol * scale):
            continue
        return (f"value {i} is {value!r}, the native reference gives "
                f"{expected!r} (tolerance {rtol:g} relative)")
    return None


def max_relative_error(values, reference):
    """The largest |value - reference| / scale, for the record (0.0 if equal)."""
    finite = [abs(r) for r in reference if math.isfinite(r)]
    scale = max(finite, default=0.0) or 1.0
    errors = [abs(v - r) / scale for v, r in zip(values, reference)
              if math.isfinite(v) and math.isfinite(r)]
    return max(errors, default=0.0)

"""Comparable descriptions of results: what "the same as purepy" means.

Shared by the fuzzer, the property tests and the conformance suite: floats
bit for bit (nan equal to nan, -0.0 apart from 0.0), arrays of the backend's
own type item by item, errors by their type.
"""

import math

try:
    import numpy
except ImportError:  # numpy is optional: its arrays are described if there
    numpy = None


def key(x):
    """A float as a comparable key: nan equals nan, -0.0 differs from 0.0."""
    return "nan" if math.isnan(x) else (x, math.copysign(1.0, x))


def same(values_a, values_b):
    """Equal as float64, nan equal to nan, the sign of zero included."""
    assert all(type(x) is float for x in values_a), values_a
    assert all(type(y) is float for y in values_b), values_b
    assert list(map(key, values_a)) == list(map(key, values_b))


def describe(value, module):
    """A comparable description of a result (or of an object afterwards)
    of backend ``module``."""
    cls = type(value)
    if cls is float:
        return ("float", key(value))
    if cls is module.array:
        # The type's tolist: on PyPy an HPy array's own attribute may hide it
        # (the fuzzer's KNOWN_DIFFERENCES).
        return ("array", tuple(map(key, cls.tolist(value))))
    if cls in (int, bool, str, type(None)) or value is NotImplemented:
        return (cls.__name__, value)
    if isinstance(value, (list, tuple)):  # ListSub too, without its __iter__
        items = list.__iter__(value) if isinstance(value, list) else value
        return (cls.__name__, tuple(describe(x, module) for x in items))
    if numpy is not None and cls is numpy.ndarray:
        return ("ndarray", str(value.dtype),
                tuple(map(key, value.astype(numpy.float64).tolist()))
                if value.dtype.kind == "f" else tuple(value.tolist()))
    if hasattr(value, "env") and hasattr(value, "tag"):  # fuzz/hostile.py's
        return ("hostile", cls.__name__, value.tag)
    # Anything else (another backend's array, an iterator...): its type.
    return ("object", cls.__name__)


def outcome(function, module, errors=Exception):
    """``(result, description)`` of calling ``function`` on backend
    ``module``: the result is None on an error (of the ``errors`` types),
    which is described by its type, part of the behaviour."""
    try:
        result = function()
    except errors as error:
        return None, ("raises", type(error).__name__)
    return result, describe(result, module)

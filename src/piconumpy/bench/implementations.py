"""The implementations a workload can run with, and how to load each.

Kinds of implementation:

- ``array``: a namespace with ``array``, ``zeros``, ``empty``, ``cos``,
  ``sin``, on which the workloads' Python code runs unchanged: every
  piconumpy backend, and numpy;
- ``python``: plain Python lists and tuples, where a workload has such a
  version (``list`` stands for ``array`` where only indexing, iteration and
  ``len`` are used);
- ``native``: piconumpy.bench._native, the workloads in plain C, the
  reference of every check and every ratio;
- ``pythran``, ``numba``, ``transonic_cython``, ``transonic_python``: board
  made by Transonic from one ``@boost`` source (bench/compilers.py).

Loading is done in the process that measures; nothing is imported here
until asked for.
"""

import importlib
import math
import types

import piconumpy

from . import compilers

EXTRA = ("numpy", "python", "native", "pythran", "numba",
         "transonic_cython", "transonic_python")
#: Every implementation, in the fixed order of listings.
ALL = tuple(piconumpy.BACKENDS) + EXTRA


class Unavailable(Exception):
    """This implementation cannot run here; str() says why."""


def kind(name):
    if name in piconumpy.BACKENDS or name == "numpy":
        return "array"
    if name in EXTRA:
        return name
    raise ValueError(f"unknown implementation {name!r}; known: {', '.join(ALL)}")


def _numpy_namespace():
    import numpy

    return types.SimpleNamespace(
        array=numpy.array, zeros=numpy.zeros, empty=numpy.empty,
        cos=numpy.cos, sin=numpy.sin,
    )


def _python_namespace():
    return types.SimpleNamespace(
        array=list, zeros=lambda n: [0.0] * n, empty=lambda n: [0.0] * n,
        cos=math.cos, sin=math.sin,
    )


def load(name):
    """The object a workload is bound to: a namespace or a module.

    Raise Unavailable with the reason if ``name`` cannot run here.
    """
    k = kind(name)
    try:
        if name in piconumpy.BACKENDS:
            return piconumpy.load_backend(name)
        if name == "numpy":
            return _numpy_namespace()
        if name == "python":
            return _python_namespace()
        if name == "native":
            return importlib.import_module("piconumpy.bench._native")
        return compilers.load(k)
    except ImportError as error:
        raise Unavailable(_reason(name, error)) from error
    except Exception as error:  # a loader that fails otherwise: say how
        raise Unavailable(
            f"{name} fails to load: {type(error).__name__}: {error}"
        ) from error


def _reason(name, error):
    if name == "native":
        return (f"the native reference is not built ({error}); rebuild the "
                "package (`python -m pip install .` or `make`)")
    return str(error)


def why_unavailable(name):
    """None if ``name`` can run here, else the reason.

    Loads it to know, except the compilers, whose availability is checked
    without compiling (see compilers.py).
    """
    if kind(name) in compilers.KINDS:
        return compilers.why_unavailable(name)
    try:
        load(name)
    except Unavailable as error:
        return str(error)
    return None

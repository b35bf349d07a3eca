"""Backend names -> modules, and why a backend cannot be loaded here.

The specification, ``purepy``, is ``piconumpy.purepy``; every other backend
NAME is the module ``piconumpy.backends.NAME``.  A backend module is the
backend's namespace (array, zeros, empty, cos, sin), unless it defines
``load(debug=False)``, which returns the namespace (hpy_universal: its binary
is loaded by the HPy runtime, not imported).

Nothing is imported until it is asked for: ``import piconumpy`` loads only
the default backend, ``available_backends()`` tries the others.
"""

import importlib
import os
import sys

IS_PYPY = sys.implementation.name == "pypy"

#: Every backend, in the fixed order used by listings and reports.
BACKENDS = (
    "purepy",
    "purepy_array",
    "purepy_fields",
    "cython",
    "cpython_capi",
    "hpy_cpython_abi",
    "hpy_universal",
    "cffi",
)

# Fastest first on the board benchmark, per interpreter: the order of the
# latest `make bench` (see the README's latest results).
_PREFERENCE = {
    "cpython": ("cpython_capi", "cython", "hpy_cpython_abi", "hpy_universal",
                "purepy_fields", "purepy", "cffi", "purepy_array"),
    "pypy": ("purepy_fields", "purepy", "cffi", "hpy_universal",
             "purepy_array", "cpython_capi", "cython"),
}

SPECIFICATION = "purepy"

_REINSTALL = "rebuild the package with `python -m pip install .` (or `make`)"

_loaded = {}


class Unsupported(ImportError):
    """A backend's loader refuses: this interpreter cannot have the backend
    (not a broken build); the message says why.  E.g. a PyPy built without
    an HPy runtime."""


def expected_backends():
    """The backends that should load here: all but those this interpreter
    cannot have (``why_unavailable`` says why)."""
    return tuple(name for name in BACKENDS if not _cannot_have(name))


def _cannot_have(name):
    if _unsupported_reason(name):
        return True
    try:
        load_backend(name)
    except Unsupported:
        return True
    except ImportError:
        return False
    return False


def _unsupported_reason(name):
    if name == "hpy_cpython_abi" and IS_PYPY:
        return ("hpy_cpython_abi is an ordinary CPython extension and exists "
                "only on CPython; on PyPy use hpy_universal")
    return None


def module_name(name):
    """The module of backend ``name``."""
    if name == SPECIFICATION:
        return f"{__package__}.{name}"
    return f"{__package__}.backends.{name}"


def _load(name, hpy_debug):
    if name not in BACKENDS:
        raise ImportError(
            f"unknown piconumpy backend {name!r}; the backends are "
            + ", ".join(BACKENDS)
        )
    reason = _unsupported_reason(name)
    if reason:
        raise Unsupported(f"backend {name!r} is not supported here: {reason}")
    if hpy_debug and name != "hpy_universal":
        raise ImportError("only hpy_universal has an HPy debug mode")
    try:
        module = importlib.import_module(module_name(name))
        load = getattr(module, "load", None)
        return module if load is None else load(debug=hpy_debug)
    except Unsupported as error:
        raise Unsupported(
            f"backend {name!r} is not supported here: {error}"
        ) from error
    except ImportError as error:
        raise ImportError(
            f"backend {name!r} is not built for "
            f"{sys.implementation.name} {sys.version.split()[0]} "
            f"({error}); {_REINSTALL}"
        ) from error
    except Exception as error:
        # A loader that fails otherwise (an HPy runtime refusing a binary
        # raises RuntimeError, a module's initialisation may raise anything)
        # makes the backend unavailable here, for this reason: listing the
        # backends must not raise it.
        raise ImportError(
            f"backend {name!r} cannot be loaded on "
            f"{sys.implementation.name} {sys.version.split()[0]}: "
            f"{type(error).__name__}: {error}"
        ) from error


def load_backend(name, *, hpy_debug=False):
    """The namespace of backend ``name``: array, zeros, empty, cos, sin.

    ``hpy_debug=True`` (hpy_universal only) loads a separate copy of the
    module in HPy's debug mode, which checks every handle.
    Raise ImportError saying why if the backend cannot be loaded here.
    """
    key = (name, hpy_debug)
    if key not in _loaded:
        _loaded[key] = _load(name, hpy_debug)
    return _loaded[key]


def why_unavailable(name, *, hpy_debug=False):
    """None if backend ``name`` loads here, else the reason it does not."""
    try:
        load_backend(name, hpy_debug=hpy_debug)
    except ImportError as error:
        return str(error)
    return None


def available_backends():
    """The names of the backends usable on this interpreter, in fixed order."""
    return [name for name in BACKENDS if why_unavailable(name) is None]


def default_backend():
    """``PICONUMPY_BACKEND`` if set, else the fastest backend that loads."""
    requested = os.environ.get("PICONUMPY_BACKEND")
    if requested:
        load_backend(requested)  # an explicit request that fails must raise
        return requested
    implementation = "pypy" if IS_PYPY else "cpython"
    for name in _PREFERENCE[implementation]:
        if why_unavailable(name) is None:
            return name
    return "purepy"

"""piconumpy: a tiny numpy-like package implemented several times over.

    import piconumpy as pnp
    a = pnp.array([1.0, 2.0, 3.0])      # the default backend
    pnp.zeros(n), pnp.empty(n), pnp.cos(x), pnp.sin(x)
    pnp.backend                          # name of the default backend
    pnp.available_backends()             # backends usable on this interpreter
    m = pnp.load_backend("hpy_universal")

Every backend behaves exactly like ``purepy``, the executable specification.
"""

from ._registry import (
    BACKENDS,
    available_backends,
    default_backend,
    expected_backends,
    load_backend,
    why_unavailable,
)

__all__ = [
    "array", "zeros", "empty", "cos", "sin", "backend", "BACKENDS",
    "available_backends", "expected_backends", "load_backend",
    "why_unavailable",
]
__version__ = "0.1.0"

#: Name of the default backend (``PICONUMPY_BACKEND`` overrides the choice).
backend = default_backend()

_default = load_backend(backend)
array = _default.array
zeros = _default.zeros
empty = _default.empty
cos = _default.cos
sin = _default.sin
del _default

"""``hpy_cpython_abi``: hpy.c built for HPy's CPython ABI, and its loader.

The binary, ``_hpy_cpython_abi``, is an ordinary CPython extension; this
module imports it and hands it out only if the HPy runtime compiled into it
can work on this interpreter (see _hpy_runtime.py).
"""

from . import _hpy_runtime


def load(debug=False):
    """The hpy_cpython_abi backend (HPy's debug mode is hpy_universal's)."""
    if debug:
        raise ImportError("only hpy_universal has an HPy debug mode")
    try:
        from . import _hpy_cpython_abi as module
    except ImportError:
        _hpy_runtime.require_hpy_package()
        raise
    _hpy_runtime.check_type_flags(module.array)
    return module

"""The mark of the tests that compare with numpy: skipped where numpy is
missing, with the reason (pyproject.toml's test extra leaves numpy out
where it cannot be installed)."""

import sys

import pytest


def why_numpy_missing():
    """None if numpy imports, else the reason to give a skipped test."""
    try:
        import numpy  # noqa: F401
    except ImportError as error:
        if (sys.implementation.name == "pypy"
                and sys.implementation.version >= (8,)):
            return ("numpy has no wheel for PyPy 8 and does not build "
                    "there: not installed")
        return f"numpy not installed ({error})"
    return None


_REASON = why_numpy_missing()
needs_numpy = pytest.mark.skipif(_REASON is not None,
                                 reason=_REASON or "numpy imports")

"""Why numpy is missing here, for the skips of the tests that compare
with it (pyproject.toml's test extra leaves it out where it cannot be
installed)."""

import sys


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

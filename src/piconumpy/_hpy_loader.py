"""Load an HPy universal binary of this package with the running interpreter.

An HPy universal module is not imported like a CPython extension: the
interpreter's HPy runtime loads it.  hpy 0.9 on CPython provides
``hpy.universal.load(name, path, spec, debug=...)``; PyPy's built-in runtime
provides ``_hpy_universal.load(name, path, debug)``.  The binary for each
interpreter carries its cache tag (see setup.py), because the two are not
interchangeable.
"""

import importlib.util
import os
import sys

IS_PYPY = sys.implementation.name == "pypy"


def binary_path(name):
    tag = sys.implementation.cache_tag
    return os.path.join(os.path.dirname(__file__), f"{name}.{tag}.hpy.so")


def load(name, debug=False):
    """Load ``piconumpy.<name>`` from its universal binary; ImportError if absent.

    ``debug=True`` loads a separate instance in HPy's debug mode.
    """
    path = binary_path(name)
    if not os.path.exists(path):
        raise ImportError(f"no HPy universal binary at {path}")
    fullname = f"{__package__}.{name}"
    if IS_PYPY:
        import _hpy_universal

        return _hpy_universal.load(fullname, path, debug)
    try:
        import hpy.universal
    except ImportError as error:
        raise ImportError(
            f"the hpy package (hpy==0.9.0) is needed to load {path}: {error}"
        ) from error
    spec = importlib.util.spec_from_file_location(fullname, path)
    return hpy.universal.load(fullname, path, spec, debug=debug)

"""``hpy_universal``: hpy.c built for HPy's universal ABI, and its loader.

``load()`` gives the backend's namespace (the registry calls it);
``load(debug=True)`` a separate instance in HPy's debug mode.

An HPy universal module is not imported like a CPython extension: the
interpreter's HPy runtime loads it.

hpy 0.9 on CPython provides
``hpy.universal.load(name, path, spec, debug=...)``; PyPy's built-in runtime
provides ``_hpy_universal.load(name, path, debug)``.

The binary for each interpreter carries its cache tag, because the two are
not interchangeable (see ``hpy_universal_suffix`` in setup.py):
``_hpy_universal.cpython-311.hpy0.so`` (hpy 0.9 requires its ABI tag,
``hpy0``, in the name) and ``_hpy_universal.pypy39.hpy.so``.
"""

import glob
import importlib.util
import os
import shutil
import sys
import tempfile

IS_PYPY = sys.implementation.name == "pypy"


def binary_path(name, directory=None):
    """The universal binary of ``piconumpy.backends.<name>`` for this interpreter,
    in this package's directory or in ``directory``."""
    if directory is None:
        directory = os.path.dirname(os.path.abspath(__file__))
    stem = os.path.join(directory, f"{name}.{sys.implementation.cache_tag}")
    if IS_PYPY:
        return stem + ".hpy.so"
    # hpy<N>: whatever HPy ABI version the installed hpy built it with.
    found = sorted(glob.glob(glob.escape(stem) + ".hpy[0-9]*.so"))
    return found[-1] if found else stem + ".hpy0.so"


def load(debug=False):
    """The hpy_universal backend: its universal binary, loaded."""
    return load_binary("_hpy_universal", debug)


def load_binary(name, debug=False, directory=None):
    """Load ``piconumpy.backends.<name>`` from its universal binary.

    ImportError if the binary is absent.

    ``debug=True`` loads a separate instance in HPy's debug mode, which
    checks every handle (see hpy.debug.LeakDetector).  ``directory`` is where
    the binary is, if not in this package (a test build).
    """
    path = binary_path(name, directory)
    if not os.path.exists(path):
        raise ImportError(f"no HPy universal binary at {path}")
    if not debug:
        return _load(name, path, debug)
    # The debug instance must come from a copy of the binary: loading the
    # same file twice gives one copy of its C globals (the HPyGlobals, the
    # context of the trampolines), which the second load would take over
    # from the first.
    directory = tempfile.mkdtemp(prefix="piconumpy-hpy-debug-")
    try:
        copy = os.path.join(directory, os.path.basename(path))
        shutil.copyfile(path, copy)
        return _load(name, copy, debug)
    finally:
        # A loaded library needs no file (POSIX); elsewhere it stays.
        shutil.rmtree(directory, ignore_errors=True)


def _load(name, path, debug):
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

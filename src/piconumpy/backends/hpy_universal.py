"""``hpy_universal``: hpy.c built for HPy's universal ABI, and its loader.

``load()`` gives the backend's namespace (the registry calls it);
``load(debug=True)`` a separate instance in HPy's debug mode.

An HPy universal module is not imported like a CPython extension: the
interpreter's HPy runtime loads it (_hpy_runtime.universal_runtime: PyPy's
built-in ``_hpy_universal``, hpy 0.9's ``hpy.universal`` on CPython).  The
runtimes of HPy 0.9 (hpy 0.9.0, PyPy 7.3.19's 0.9.1.dev) take
``load(name, path, spec, debug=...)``; PyPy 7.3.11's, HPy 0.0.4, takes
``load(name, path, debug)``.

The binary for each interpreter carries its cache tag, because they are not
interchangeable, and the HPy ABI tag its runtime requires in the name (see
``hpy_universal_suffix`` in setup.py): ``_hpy_universal.cpython-311.hpy0.so``,
``_hpy_universal.pypy311.hpy0.so``; HPy 0.0.4 has no ABI tag:
``_hpy_universal.pypy39.hpy.so``.
"""

import glob
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile

from . import _hpy_runtime


def binary_path(name, directory=None):
    """The universal binary of ``piconumpy.backends.<name>`` for this
    interpreter, in this package's directory or in ``directory``."""
    if directory is None:
        directory = os.path.dirname(os.path.abspath(__file__))
    stem = os.path.join(directory, f"{name}.{sys.implementation.cache_tag}")
    # hpy<N>: whatever HPy ABI version the interpreter's hpy.devel built it
    # with; plain .hpy.so for HPy 0.0.4.
    found = sorted(glob.glob(glob.escape(stem) + ".hpy[0-9]*.so"))
    if found:
        return found[-1]
    return stem + ".hpy.so"


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
    runtime = _hpy_runtime.universal_runtime()
    path = binary_path(name, directory)
    if not os.path.exists(path):
        raise ImportError(f"no HPy universal binary at {path}")
    if debug:
        # The debug instance must come from a copy of the binary: loading
        # the same file twice gives one copy of its C globals (the
        # HPyGlobals, the context of the trampolines), which the second
        # load would take over from the first.
        module = _load_copy(runtime, name, path)
    else:
        module = _load(runtime, name, path, debug)
    _hpy_runtime.check_type_flags(module.array)
    if debug:
        _check_debug_mode_reentry(runtime, name, path)
    return module


# A function of the debug instance entered again while another one runs:
# array() calls the element's __float__, which calls cos().
_REENTRY_PROBE = """
import sys
from piconumpy.backends import hpy_universal as loader
runtime = loader._hpy_runtime.universal_runtime()
module = loader._load_copy(runtime, sys.argv[1], sys.argv[2])
class Reenters:
    def __float__(self):
        return module.cos(0.0)
assert module.array([Reenters()]).tolist() == [1.0]
"""

_reentry_refusals = {}


def _check_debug_mode_reentry(runtime, name, path):
    """Raise Unsupported if this runtime's debug mode kills the process when
    a function of the module is entered again while another one runs.

    PyPy 7.3.19's does ("Error: Wrong HPy Context!", then abort): any
    __float__ or iteration that calls back into the module, e.g. array(a).
    Observed once per binary, in a child process.
    """
    if path not in _reentry_refusals:
        package_parent = os.path.dirname(os.path.dirname(
            os.path.dirname(os.path.abspath(__file__))))
        environment = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [package_parent] + os.environ.get("PYTHONPATH", "").split(
                os.pathsep)))
        child = subprocess.run(
            [sys.executable, "-c", _REENTRY_PROBE, name, path],
            env=environment, capture_output=True, text=True,
        )
        refusal = None
        if child.returncode != 0:
            first = (child.stderr.strip().splitlines() or ["no message"])[0]
            refusal = (
                "this HPy runtime's debug mode "
                f"(HPy {_hpy_runtime.api_version(runtime)}) kills the "
                "process when a function of the module is entered again "
                "while another one runs (a __float__ calling cos() inside "
                f"array(), in a child process: exit {child.returncode}, "
                f"{first!r})"
            )
        _reentry_refusals[path] = refusal
    if _reentry_refusals[path]:
        raise _hpy_runtime.Unsupported(_reentry_refusals[path])



def _load_copy(runtime, name, path):
    """Load a copy of the binary at path in debug mode."""
    directory = tempfile.mkdtemp(prefix="piconumpy-hpy-debug-")
    try:
        copy = os.path.join(directory, os.path.basename(path))
        shutil.copyfile(path, copy)
        return _load(runtime, name, copy, True)
    finally:
        # A loaded library needs no file (POSIX); elsewhere it stays.
        shutil.rmtree(directory, ignore_errors=True)


def _load(runtime, name, path, debug):
    fullname = f"{__package__}.{name}"
    if _hpy_runtime.api_version(runtime).startswith("0.0."):
        return runtime.load(fullname, path, debug)
    spec = importlib.util.spec_from_file_location(fullname, path)
    return runtime.load(fullname, path, spec, debug=debug)

"""board compiled by Pythran (ahead of time, cached) or Numba (just in time).

Both compile workloads/board_compiled.py, the board code in the numpy
dialect.  ``load(kind)`` returns a module-like object with
``solve(y0s, n_time, dt)``; ``why_unavailable(kind)`` says cheaply (without
compiling) why it cannot work here.  Compilation happens outside the timed
calls: Pythran's once per source version (a few seconds, cached on disk),
Numba's in the first, warm-up, call.
"""

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import types

# Its path only: importing it needs numpy, which some interpreters (PyPy 8)
# cannot have, and the benchmark runs there without it.
SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      "workloads", "board_compiled.py")


def _cache_dir():
    """~/.cache/piconumpy-bench, or a temporary folder if it is read-only."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache")
    path = os.path.join(base, "piconumpy-bench")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        path = os.path.join(tempfile.gettempdir(),
                            f"piconumpy-bench-{os.getuid()}")
    return path


def why_unavailable(kind):
    """None if ``kind`` ('pythran' or 'numba') should work, else why not."""
    if sys.implementation.name != "cpython":
        return f"{kind} works on CPython only"
    try:
        importlib.import_module(kind)
    except Exception as error:  # a broken install raises anything
        return (f"{kind} is not installed or does not import "
                f"({type(error).__name__}: {error})")
    if kind == "pythran" and shutil.which(os.environ.get("CXX", "c++")) is None:
        return "pythran needs a C++ compiler (c++ or $CXX) and none was found"
    return None


def load(kind):
    reason = why_unavailable(kind)
    if reason:
        raise ImportError(reason)
    if kind == "pythran":
        return _load_pythran()
    if kind == "numba":
        return _load_numba()
    raise ValueError(f"unknown compiler {kind!r}")


def _load_pythran():
    import pythran

    with open(SOURCE, "rb") as file:
        source = file.read()
    key = hashlib.sha256(
        source + pythran.__version__.encode() + sys.version.encode()
    ).hexdigest()[:16]
    name = f"pythran_board_{key}"
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    path = os.path.join(_cache_dir(), name + suffix)
    if not os.path.exists(path):
        _compile_pythran(name, suffix, path)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _compile_pythran(name, suffix, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with tempfile.TemporaryDirectory(dir=os.path.dirname(path)) as tmp:
        # Pythran names the module after the file: copy the source there.
        source = os.path.join(tmp, name + ".py")
        shutil.copyfile(SOURCE, source)
        built = os.path.join(tmp, name + suffix)
        # In a subprocess: pythran prints, and our stdout may be the
        # runner's JSON channel.
        process = subprocess.run(
            [sys.executable, "-m", "pythran.run", source, "-o", built],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        if process.returncode != 0 or not os.path.exists(built):
            raise ImportError(
                "pythran failed to compile board_compiled.py:\n"
                + process.stdout[-2000:]
            )
        os.replace(built, path)  # atomic: a reader never sees half a file


def _load_numba():
    import numba

    # A private copy of the module, whose functions are replaced by their
    # jitted versions: Numba resolves the calls between them through the
    # module's globals when it compiles, in the first call.
    spec = importlib.util.spec_from_file_location("numba_board", SOURCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("board", "runge_kutta_step", "solve"):
        setattr(module, name, numba.njit(getattr(module, name)))
    return types.SimpleNamespace(solve=module.solve)

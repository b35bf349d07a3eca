"""board compiled through Transonic, from one ``@boost``-decorated source.

workloads/board_compiled.py is the board in the numpy dialect, its
``solve`` decorated with Transonic's ``@boost``, as the original piconumpy
compared itself with Transonic-Pythran.  From it Transonic makes one
implementation per backend: ``pythran`` (an extension, ahead of time),
``numba`` (a module of ``@njit(cache=True, fastmath=True)`` functions,
compiled in the first, warm-up, call), and ``transonic_cython`` (Cython
extension) and ``transonic_python`` (Transonic's plain Python output,
which shows what the accelerators start from).

``load(kind)`` returns a module-like object with ``solve(y0s, n_time, dt)``
and ``build_seconds`` (the time the build took in this call, None when it
came from the cache); ``why_unavailable(kind)`` says cheaply, without
building, why it cannot work here.  Builds are cached: the source is
copied into ``~/.cache/piconumpy-bench/transonic-<key>/`` (the key digests
the source and the versions of Python, Transonic and the accelerator) and
Transonic's files (``__pythran__/``, ``__numba__/``, ...) are made there by
``python -m transonic.run -b BACKEND``, once, under a file lock so that
concurrent processes build once.
"""

import contextlib
import fcntl
import hashlib
import importlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import types

#: implementation name -> (Transonic backend, module the accelerator is)
BACKENDS = {
    "pythran": ("pythran", "pythran"),
    "numba": ("numba", "numba"),
    "transonic_cython": ("cython", "Cython"),
    "transonic_python": ("python", None),
}
KINDS = tuple(BACKENDS)
SOURCE = os.path.join(os.path.dirname(__file__), "workloads",
                      "board_compiled.py")
MODULE = "board_compiled"
BUILD_RECORD = "builds.json"


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


def _version(module_name):
    if module_name is None:
        return ""
    return getattr(importlib.import_module(module_name), "__version__", "")


def why_unavailable(kind):
    """None if ``kind`` (one of KINDS) should work here, else why not."""
    if kind not in BACKENDS:
        return f"unknown compiler {kind!r}; known: {', '.join(KINDS)}"
    backend, accelerator = BACKENDS[kind]
    if sys.implementation.name != "cpython":
        return f"{kind} (Transonic-{backend}) works on CPython only"
    for needed in ("transonic", accelerator):
        if needed is None:
            continue
        try:
            importlib.import_module(needed)
        except Exception as error:  # a broken install raises anything
            return (f"{needed} is not installed or does not import "
                    f"({type(error).__name__}: {error}); pip install "
                    "'.[explain]' installs it")
    if backend == "cython" and importlib.util.find_spec("black") is None:
        return ("Transonic-cython needs black: Transonic 0.4.8 formats its "
                "Cython output with autopep8 otherwise, which breaks it")
    if backend == "pythran" and shutil.which(
            os.environ.get("CXX", "c++")) is None:
        return "pythran needs a C++ compiler (c++ or $CXX) and none was found"
    if backend == "cython" and shutil.which(
            sysconfig.get_config_var("CC").split()[0]) is None:
        return "Cython needs the C compiler CPython was built with"
    return None


def load(kind):
    reason = why_unavailable(kind)
    if reason:
        raise ImportError(reason)
    backend, accelerator = BACKENDS[kind]
    folder = _build_folder(backend, accelerator)
    with _locked(folder):
        build_seconds = None
        record = _read_record(folder)
        if backend not in record:
            build_seconds = _transonic_run(folder, backend)
            record = _read_record(folder)
            record[backend] = build_seconds
            _write_record(folder, record)
        module = _import(folder, backend)
    return types.SimpleNamespace(solve=module.solve,
                                 build_seconds=build_seconds,
                                 folder=folder)


def _build_folder(backend, accelerator):
    import transonic

    with open(SOURCE, "rb") as file:
        source = file.read()
    versions = (sys.version, transonic.__version__, backend,
                _version(accelerator))
    key = hashlib.sha256(source + repr(versions).encode()).hexdigest()[:16]
    folder = os.path.join(_cache_dir(), f"transonic-{key}")
    os.makedirs(folder, exist_ok=True)
    target = os.path.join(folder, MODULE + ".py")
    if not os.path.exists(target):
        partial = target + f".{os.getpid()}"
        shutil.copyfile(SOURCE, partial)
        os.replace(partial, target)  # atomic: never half a file
    return folder


@contextlib.contextmanager
def _locked(folder):
    with open(os.path.join(folder, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _read_record(folder):
    try:
        with open(os.path.join(folder, BUILD_RECORD)) as file:
            return json.load(file)
    except (OSError, ValueError):
        return {}


def _write_record(folder, record):
    with open(os.path.join(folder, BUILD_RECORD), "w") as file:
        json.dump(record, file)


def _transonic_run(folder, backend):
    """Transonic makes and compiles the backend's files; seconds taken.

    In a subprocess: Transonic prints, and our stdout may be the runner's
    JSON channel.  Transonic starts ``pythran`` from PATH: this
    interpreter's scripts folder goes first.
    """
    environment = dict(os.environ)
    environment["PATH"] = (os.path.dirname(sys.executable) + os.pathsep
                           + environment.get("PATH", ""))
    environment.pop("TRANSONIC_COMPILE_AT_IMPORT", None)
    start = time.perf_counter()
    process = subprocess.run(
        [sys.executable, "-m", "transonic.run", "-b", backend,
         MODULE + ".py"],
        cwd=folder, env=environment, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise ImportError(f"transonic -b {backend} failed:\n"
                          + process.stdout[-2000:])
    return seconds


def _import(folder, backend):
    """The source module, imported with ``backend`` as its Transonic
    backend: ``@boost`` replaces ``solve`` with the backend's version.

    ImportError if Transonic found no built version (it would silently
    keep the Python function).
    """
    from transonic import aheadoftime
    from transonic.backends import backend_default_modules

    backend_default_modules[MODULE] = backend
    spec = importlib.util.spec_from_file_location(
        MODULE, os.path.join(folder, MODULE + ".py"))
    module = importlib.util.module_from_spec(spec)
    # Transonic names the module from sys.modules (else from its path
    # relative to sys.path, which the cache folder is not on).
    previous = sys.modules.get(MODULE)
    sys.modules[MODULE] = module
    try:
        with contextlib.redirect_stdout(sys.stderr):
            spec.loader.exec_module(module)
    finally:
        if previous is None:
            del sys.modules[MODULE]
        else:
            sys.modules[MODULE] = previous
    transonic_module = aheadoftime.modules_backends[backend].get(MODULE)
    if transonic_module is None or not transonic_module.is_compiled:
        raise ImportError(
            f"Transonic has no {backend} build of {MODULE} in {folder} "
            "(see the output of `python -m transonic.run -b "
            f"{backend} {MODULE}.py` there)")
    return module

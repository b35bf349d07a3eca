"""The public API of the package and its registry of backends."""

import os
import subprocess
import sys

import types

import pytest

import piconumpy
from piconumpy import _registry


def test_every_expected_backend_is_available():
    """A backend this interpreter should have but cannot load is a failure."""
    missing = {
        name: piconumpy.why_unavailable(name)
        for name in piconumpy.expected_backends()
        if name not in piconumpy.available_backends()
    }
    assert not missing


def test_available_backends_fixed_order():
    available = piconumpy.available_backends()
    assert available == [n for n in piconumpy.BACKENDS if n in available]
    assert available[:2] == ["purepy", "purepy_array"]


def test_namespace_of_each_backend():
    for name in piconumpy.available_backends():
        module = piconumpy.load_backend(name)
        for attribute in ("array", "zeros", "empty", "cos", "sin"):
            assert callable(getattr(module, attribute)), (name, attribute)
        assert piconumpy.load_backend(name) is module  # loaded once


def test_default_backend_is_exported():
    assert piconumpy.backend in piconumpy.available_backends()
    default = piconumpy.load_backend(piconumpy.backend)
    assert piconumpy.array is default.array
    assert piconumpy.cos is default.cos
    assert piconumpy.array([1.0, 2.0]).tolist() == [1.0, 2.0]


def test_unknown_backend():
    with pytest.raises(ImportError, match="unknown piconumpy backend"):
        piconumpy.load_backend("fortran")
    assert "unknown" in piconumpy.why_unavailable("fortran")


@pytest.fixture
def failing_loader(monkeypatch):
    """Backend cffi's module replaced by one whose load() raises
    RuntimeError, as an HPy runtime refusing a binary does; nothing of it
    cached."""
    def load(debug=False):
        raise RuntimeError("planted: the runtime refuses this binary")

    planted = types.ModuleType("piconumpy.backends.cffi")
    planted.load = load
    monkeypatch.setitem(sys.modules, "piconumpy.backends.cffi", planted)
    # Only cffi forgotten: loading a binary again would be a second instance
    # (an HPy universal module's C globals are shared by its loads).
    monkeypatch.delitem(_registry._loaded, ("cffi", False), raising=False)
    return "cffi"


def test_any_loader_exception_makes_the_backend_unavailable(failing_loader):
    with pytest.raises(ImportError, match="RuntimeError: planted") as info:
        piconumpy.load_backend(failing_loader)
    assert isinstance(info.value.__cause__, RuntimeError)
    reason = piconumpy.why_unavailable(failing_loader)
    assert "cannot be loaded" in reason and "planted" in reason
    available = piconumpy.available_backends()   # must not raise
    assert failing_loader not in available
    assert "purepy" in available


@pytest.mark.skipif(sys.implementation.name != "pypy", reason="PyPy only")
def test_cpython_abi_is_refused_on_pypy():
    with pytest.raises(ImportError, match="only on CPython"):
        piconumpy.load_backend("hpy_cpython_abi")


def test_hpy_debug_only_for_universal():
    with pytest.raises(ImportError, match="debug"):
        piconumpy.load_backend("purepy", hpy_debug=True)


def _default_in_subprocess(value):
    environment = dict(os.environ, PICONUMPY_BACKEND=value)
    return subprocess.run(
        [sys.executable, "-c", "import piconumpy; print(piconumpy.backend)"],
        env=environment, capture_output=True, text=True,
    )


@pytest.mark.parametrize("name", ["purepy", "purepy_array"])
def test_environment_variable_chooses_the_default(name):
    process = _default_in_subprocess(name)
    assert process.returncode == 0, process.stderr
    assert process.stdout.strip() == name


def test_environment_variable_naming_a_bad_backend_fails_loudly():
    process = _default_in_subprocess("fortran")
    assert process.returncode != 0
    assert "ImportError" in process.stderr and "fortran" in process.stderr

"""What only the ``cffi`` backend (src/piconumpy/backends/cffi.py) promises.

The shared behaviour is in test_conformance.py, on arrays of a few items;
here: the storage is a cffi ``double[]``, every element-wise operation is a
C kernel of ``piconumpy.backends._cffi_kernels``, the kernels agree bit for
bit with the specification on large arrays too, cffi's allocation failures are the
specification's MemoryError, and the kernels' C compiles without warnings.
"""

import math
import os
import random
import shutil
import subprocess

import pytest

import piconumpy

_reason = piconumpy.why_unavailable("cffi")
if _reason:
    pytest.skip(f"cffi is not available: {_reason}", allow_module_level=True)

from piconumpy.backends import cffi as cffi_backend  # noqa: E402
from piconumpy.backends._cffi_kernels import ffi, lib  # noqa: E402

backend = piconumpy.load_backend("cffi")
spec = piconumpy.load_backend("purepy")

KERNELS = ("pnp_mul", "pnp_div", "pnp_add", "pnp_sub", "pnp_neg", "pnp_cos",
           "pnp_sin")


def bits(values):
    """Floats as comparable keys: nan equals nan, -0.0 differs from 0.0."""
    return [("nan",) if math.isnan(x) else (x, math.copysign(1.0, x))
            for x in values]


# --- the storage ---------------------------------------------------------

def test_backend_is_this_module():
    assert backend is cffi_backend


def test_storage_is_a_cffi_double_array():
    a = backend.array([1.0, 2.0, 3.0])
    assert isinstance(a._data, ffi.CData)
    assert ffi.typeof(a._data) is ffi.typeof("double[]")
    assert len(a._data) == 3 and ffi.sizeof(a._data) == 3 * 8
    assert list(a._data) == [1.0, 2.0, 3.0]


def test_every_result_has_its_own_buffer():
    a, b = backend.array([1.0, 2.0]), backend.array([3.0, 4.0])
    results = [a * 2.0, 2.0 * a, a / 2.0, a + b, a - b, -a, backend.cos(a),
               backend.sin(a), backend.array(a), backend.zeros(2),
               backend.empty(2)]
    addresses = {int(ffi.cast("intptr_t", r._data)) for r in results + [a, b]}
    assert len(addresses) == len(results) + 2


def test_zeros_are_zero_even_in_reused_memory():
    """empty() does not clear its memory; zeros() must, whatever malloc
    hands back (here, probably, the buffers just freed)."""
    for _ in range(20):
        dirty = [backend.array([1.5] * 100) for _ in range(10)]
        del dirty
        assert backend.zeros(100).tolist() == [0.0] * 100


def test_writes_go_to_the_buffer():
    a = backend.array([1.0, 2.0])
    a[-1] = 7
    assert a._data[1] == 7.0


# --- the kernels ---------------------------------------------------------

def test_the_header_declares_every_kernel():
    assert set(KERNELS) <= set(dir(lib))


class Spy:
    """Stands for ``lib``: records the kernels called, then calls them."""

    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        kernel = getattr(lib, name)

        def call(*args):
            self.calls.append((name, args[-1]))
            return kernel(*args)

        return call


@pytest.mark.parametrize("n", [0, 1, 4, 1000])
def test_every_elementwise_operation_is_one_kernel_call(monkeypatch, n):
    spy = Spy()
    monkeypatch.setattr(cffi_backend, "lib", spy)
    a, b = backend.array([0.5] * n), backend.array([2.0] * n)
    for operation, kernel in [
        (lambda: a * 3.0, "pnp_mul"), (lambda: 3.0 * a, "pnp_mul"),
        (lambda: a / 3.0, "pnp_div"), (lambda: a / 0.0, "pnp_div"),
        (lambda: a + b, "pnp_add"), (lambda: a - b, "pnp_sub"),
        (lambda: -a, "pnp_neg"), (lambda: backend.cos(a), "pnp_cos"),
        (lambda: backend.sin(a), "pnp_sin"),
    ]:
        spy.calls.clear()
        result = operation()
        assert spy.calls == [(kernel, n)]
        assert len(result) == n
    spy.calls.clear()
    assert backend.cos(0.5) == math.cos(0.5)  # a float: no kernel
    assert spy.calls == []


SPECIALS = [0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, -5e-324,
            1.7976931348623157e308, -1.7976931348623157e308, 1e-310]


@pytest.fixture(scope="module")
def large():
    """Two arrays of 10,000 floats (the specials, random magnitudes), and
    the same in the specification."""
    rng = random.Random(1)
    xs = SPECIALS + [rng.uniform(-1, 1) * 10.0 ** rng.randint(-320, 308)
                     for _ in range(10_000 - len(SPECIALS))]
    ys = xs[::-1]
    return (backend.array(xs), backend.array(ys), spec.array(xs),
            spec.array(ys))


@pytest.mark.parametrize("s", [2.5, -3.0, 0.0, -0.0, math.inf, math.nan,
                               1e-300, 1e300])
def test_scalar_kernels_agree_with_the_spec(large, s):
    a, _, r, _ = large
    for result, expected in [(a * s, r * s), (s * a, s * r), (a / s, r / s)]:
        assert bits(result.tolist()) == bits(expected.tolist())


def test_array_kernels_agree_with_the_spec(large):
    a, b, ra, rb = large
    pairs = [(a + b, ra + rb), (a - b, ra - rb), (-a, -ra),
             (backend.cos(a), spec.cos(ra)), (backend.sin(a), spec.sin(ra))]
    for result, expected in pairs:
        assert bits(result.tolist()) == bits(expected.tolist())


# --- allocation failures -------------------------------------------------

@pytest.mark.parametrize("error", [MemoryError, OverflowError])
@pytest.mark.parametrize("function, allocator",
                         [("zeros", "_zeroed"), ("empty", "_uninitialised")])
def test_cffi_allocation_failures_are_memory_errors(monkeypatch, error,
                                                    function, allocator):
    def refuse(ctype, n):
        raise error("refused by cffi")

    monkeypatch.setattr(cffi_backend, allocator, refuse)
    with pytest.raises(MemoryError,
                       match=rf"^{function}\(\) cannot allocate 1000 float64"):
        getattr(backend, function)(1000)


# --- the C ---------------------------------------------------------------

def test_kernels_compile_without_warnings():
    """_cffi_kernels.c (installed with the package) under -Wall -Wextra."""
    compiler = shutil.which(os.environ.get("CC", "cc"))
    if compiler is None:
        pytest.skip("no C compiler")
    source = os.path.join(os.path.dirname(cffi_backend.__file__),
                          "_cffi_kernels.c")
    process = subprocess.run(
        [compiler, "-Wall", "-Wextra", "-Werror", "-std=c99", "-O2",
         "-fsyntax-only", source],
        capture_output=True, text=True,
    )
    assert process.returncode == 0, process.stderr
    assert process.stderr == ""

"""The HPy backends on whatever HPy runtime this interpreter has: usable,
or refused with the true reason, never a crash.

Runs on every interpreter: CPython with hpy 0.9.0 (3.11, 3.12), CPython
3.13+ (hpy's type flag clashes: refused), CPython 3.14+ (no hpy package:
refused), PyPy 7.3.11 (HPy 0.0.4), PyPy 7.3.19 (HPy 0.9.1.dev), PyPy 8.0
built without _hpy_universal (refused).
"""

import subprocess
import sys
import types

import pytest

import piconumpy
from piconumpy.backends import _hpy_runtime

HPY_BACKENDS = ("hpy_cpython_abi", "hpy_universal")
IS_PYPY = sys.implementation.name == "pypy"


def _plain_class_has_hpy_flag():
    class Plain:
        pass

    return bool(Plain.__flags__ & _hpy_runtime.HPY_TYPE_FLAG)


def _has_pypy_hpy_runtime():
    try:
        import _hpy_universal  # noqa: F401
    except ImportError:
        return False
    return True


def test_every_backend_array_from_an_iterator_in_a_child():
    """What crashed on CPython 3.13 (bus error, SystemError): every backend
    that loads, array(iter(...)) and arithmetic, in a process of its own so
    that a crash is a failure and not the end of the run."""
    code = (
        "import piconumpy\n"
        "for name in piconumpy.available_backends():\n"
        "    m = piconumpy.load_backend(name)\n"
        "    a = m.array(iter([1.0, 2.0]))\n"
        "    b = 2.0 * a + a * 3 - (-a)\n"
        "    print(name, b.tolist(), m.array(iterable=(x for x in b))[1])\n"
    )
    child = subprocess.run([sys.executable, "-c", code],
                           capture_output=True, text=True)
    assert child.returncode == 0, child.stderr
    lines = child.stdout.splitlines()
    assert [line.split()[0] for line in lines] == \
        piconumpy.available_backends()
    for line in lines:
        assert line.split(None, 1)[1] == "[6.0, 12.0] 12.0", line


@pytest.mark.parametrize("name", HPY_BACKENDS)
def test_hpy_backend_usable_or_refused_with_the_reason(name):
    reason = piconumpy.why_unavailable(name)
    if name == "hpy_cpython_abi" and IS_PYPY:
        assert "only on CPython" in reason
    elif IS_PYPY and not _has_pypy_hpy_runtime():
        assert name == "hpy_universal"
        assert "this PyPy has no HPy runtime" in reason
    elif not IS_PYPY and _plain_class_has_hpy_flag():
        # Refused: by the flag clash if hpy is installed, else because
        # pyproject.toml could not install hpy on this CPython.
        assert reason is not None
        assert ("type flag bit 2" in reason
                or "the hpy package is not installed" in reason), reason
    else:
        assert reason is None, reason
    if reason is not None:
        assert name not in piconumpy.expected_backends()
        assert name not in piconumpy.available_backends()


@pytest.mark.skipif(IS_PYPY, reason="hpy's type flag is hpy 0.9.0's, "
                    "on CPython")
def test_the_flag_clash_is_what_the_refusal_says():
    """The refusal rests on what the runtime does: the created type carries
    bit 2, and this CPython puts bit 2 on an ordinary class.  Observed on
    the raw CPython ABI module, which makes no instance on import."""
    try:
        from piconumpy.backends import _hpy_cpython_abi as raw
    except ImportError:
        pytest.skip("hpy_cpython_abi is not built here: "
                    f"{piconumpy.why_unavailable('hpy_cpython_abi')}")
    created_with_flag = bool(raw.array.__flags__ & _hpy_runtime.HPY_TYPE_FLAG)
    assert created_with_flag   # hpy 0.9.0 marks every type it creates
    refused = piconumpy.why_unavailable("hpy_cpython_abi") is not None
    assert refused == _plain_class_has_hpy_flag()


def test_check_type_flags_refuses_only_a_clash():
    marked = types.SimpleNamespace(__flags__=_hpy_runtime.HPY_TYPE_FLAG,
                                   __qualname__="array")
    unmarked = types.SimpleNamespace(__flags__=0, __qualname__="array")
    if _plain_class_has_hpy_flag():
        with pytest.raises(piconumpy._registry.Unsupported,
                           match="type flag bit 2"):
            _hpy_runtime.check_type_flags(marked)
    else:
        assert _hpy_runtime.check_type_flags(marked) is None
    assert _hpy_runtime.check_type_flags(unmarked) is None


@pytest.mark.skipif(not IS_PYPY, reason="PyPy's HPy runtime")
def test_pypy_runtime_level_and_binary_name():
    """The binary is named for the runtime's ABI: .hpy0.so for HPy 0.9,
    .hpy.so for HPy 0.0.4 (which has no ABI tag)."""
    if not _has_pypy_hpy_runtime():
        pytest.skip("this PyPy has no HPy runtime")
    import _hpy_universal

    from piconumpy.backends import hpy_universal

    path = hpy_universal.binary_path("_hpy_universal")
    version = _hpy_runtime.api_version(_hpy_universal)
    expected = ".hpy.so" if version.startswith("0.0.") else ".hpy0.so"
    assert path.endswith(expected), (version, path)

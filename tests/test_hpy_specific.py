"""HPy-specific tests: HPy's debug mode, and the HPy backend's own ways.

1. Every suite runs ``hpy_universal`` in HPy's debug mode too, inside a
   ``LeakDetector`` (the ``backend`` fixture, tests/support/backends.py): no
   test may leave a handle open.  A use of a closed handle is a fatal error
   in debug mode (the default of both hpy 0.9 and PyPy, whose debug mode has
   no hook to report it otherwise): it would abort the run.
2. A copy of hpy.c built with PICONUMPY_HPY_TEST_HOOKS contains two
   deliberate misuses; debug mode must catch both, so that the silence of 1.
   means something.
3. What the HPy backend does its own way: the list fast path of array(), the
   inline/heap storage boundary, the memory of large arrays on PyPy, the
   separate debug instance.

On CPython, debug mode is hpy 0.9's (hpy.debug); on PyPy it is PyPy's own
_hpy_universal debug mode, reached through the same hpy.debug names.
"""

import operator
import os
import subprocess
import sys
from pathlib import Path

import pytest

import piconumpy
from support import backends
from support.numbers import Mutating

if "hpy_universal" not in piconumpy.available_backends():
    pytest.skip(
        "hpy_universal is not available: "
        f"{piconumpy.why_unavailable('hpy_universal')}",
        allow_module_level=True,
    )

from hpy.debug import HPyLeakError, LeakDetector  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


# --- 1. the debug-mode module ----------------------------------------------

@pytest.fixture(scope="module")
def debug_module():
    reason = piconumpy.why_unavailable("hpy_universal", hpy_debug=True)
    if reason:
        pytest.skip(f"no HPy debug mode here: {reason}")
    return piconumpy.load_backend("hpy_universal", hpy_debug=True)


# --- 2. the checks bite -----------------------------------------------------

@pytest.fixture(scope="module")
def hooked_build(tmp_path_factory):
    """This project's HPy build of hpy.c, plus the test-only misuses."""
    if not (ROOT / "setup.py").exists():
        pytest.skip("needs the source tree (setup.py)")
    debug_refused = piconumpy.why_unavailable("hpy_universal", hpy_debug=True)
    if debug_refused:
        pytest.skip(f"no HPy debug mode here: {debug_refused}")
    build = tmp_path_factory.mktemp("hpy-test-hooks")
    flags = os.environ.get("PICONUMPY_CFLAGS", "")
    env = dict(os.environ, PICONUMPY_BUILD="hpy",
               PICONUMPY_CFLAGS=f"{flags} -DPICONUMPY_HPY_TEST_HOOKS")
    completed = subprocess.run(
        [sys.executable, "setup.py", "build_ext",
         "--build-lib", str(build / "lib"),
         "--build-temp", str(build / "temp")],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return build / "lib" / "piconumpy" / "backends"


def run_with_hooked_module(hooked_build, code):
    """Run ``code`` in a child process (a misuse caught by debug mode aborts
    it) with ``module``, the test-hooked build loaded in debug mode."""
    package_parent = str(Path(piconumpy.__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [package_parent] + os.environ.get("PYTHONPATH", "").split(os.pathsep)
    ))
    prologue = (
        "import sys\n"
        "from hpy.debug import HPyLeakError, LeakDetector\n"
        "from piconumpy.backends import hpy_universal\n"
        "module = hpy_universal.load_binary('_hpy_universal', debug=True, "
        "directory=sys.argv[1])\n"
    )
    return subprocess.run(
        [sys.executable, "-c", prologue + code, str(hooked_build)],
        env=env, capture_output=True, text=True,
    )


def test_debug_mode_catches_a_leaked_handle(hooked_build):
    completed = run_with_hooked_module(hooked_build, (
        "try:\n"
        "    with LeakDetector():\n"
        "        module._leak_a_handle()\n"
        "except HPyLeakError as error:\n"
        "    print('leaks', len(error.leaks))\n"
    ))
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout == "leaks 1\n"


def test_debug_mode_catches_a_closed_handle_used(hooked_build):
    completed = run_with_hooked_module(hooked_build, (
        "print('before', flush=True)\n"
        "module._use_after_close([1.0])\n"
        "print('after')\n"
    ))
    assert completed.returncode != 0
    assert completed.stdout == "before\n"
    assert "Invalid usage of already closed handle" in completed.stderr


def test_installed_module_has_no_test_hooks(debug_module):
    normal = piconumpy.load_backend("hpy_universal")
    for module in (normal, debug_module):
        assert not hasattr(module, "_leak_a_handle")
        assert not hasattr(module, "_use_after_close")


def test_leak_detector_reports_open_handles(debug_module):
    """The detector as used above: silent for the real module's calls."""
    with LeakDetector():
        debug_module.array([1.0, 2.0]) * 2.0
    with pytest.raises(ValueError):
        LeakDetector().stop()   # not started: the API we rely on is there
    assert issubclass(HPyLeakError, Exception)


# --- 3. the HPy backend's own ways ------------------------------------------

def test_debug_instance_is_separate(debug_module):
    """The debug module is a second copy: each keeps its own types."""
    normal = piconumpy.load_backend("hpy_universal")
    assert normal.array is not debug_module.array
    assert (normal.array([1.0]) * 2.0).tolist() == [2.0]
    with pytest.raises(TypeError):
        normal.array([1.0]) + debug_module.array([1.0])


#: The HPy backends, hpy_universal in debug mode too.
hpy_backend = backends.fixture(backends.is_hpy)


@pytest.mark.parametrize("size", [0, 1, 7, 8, 9, 1000])
def test_inline_and_heap_storage(hpy_backend, spec, size):
    """Arrays of up to 8 items live inline, larger ones in a heap buffer."""
    xs = [float(i) - 3.5 for i in range(size)]
    for make in (lambda m: m.array(xs), lambda m: m.array(iter(xs)),
                 lambda m: m.zeros(size)):
        a, r = make(hpy_backend), make(spec)
        assert a.tolist() == r.tolist()
        assert (a * 2.0).tolist() == (r * 2.0).tolist()
        assert (0.5 * a).tolist() == (0.5 * r).tolist()
        assert (a / 3.0).tolist() == (r / 3.0).tolist()
        assert (a + a - a).tolist() == (r + r - r).tolist()
        assert (-a).tolist() == (-r).tolist()
        assert hpy_backend.cos(a).tolist() == spec.cos(r).tolist()
        assert list(a) == list(r)
        assert repr(a) == repr(r)
        assert len(hpy_backend.empty(size)) == size


@pytest.mark.parametrize("action", [
    lambda lst: lst.append(5.0),
    lambda lst: lst.extend([6.0, 7.0]),
    lambda lst: lst.pop(),
    lambda lst: lst.clear(),
], ids=["append", "extend", "pop", "clear"])
def test_list_resized_during_conversion(hpy_backend, spec, action):
    """array(list) reads the list as a list iterator does."""
    def values():
        lst = [1.0, 2.0, 3.0]
        lst.insert(1, Mutating(lst, action))
        return lst

    assert hpy_backend.array(values()).tolist() == spec.array(
        values()).tolist()


def test_list_subclass_uses_its_own_iter(hpy_backend, spec):
    class Reversed(list):
        def __iter__(self):
            return reversed(self[:])

    values = Reversed([1.0, 2.0, 3.0])
    assert hpy_backend.array(values).tolist() == spec.array(values).tolist()


def test_iteration_protocol(hpy_backend):
    """No tp_iter in HPy: iteration goes through the sequence protocol."""
    a = hpy_backend.array([1.0, 2.0])
    iterator = iter(a)
    assert [next(iterator), next(iterator)] == [1.0, 2.0]
    with pytest.raises(StopIteration):
        next(iterator)
    assert operator.getitem(a, -1) == a[-1] == 2.0


def test_reflected_multiply(hpy_backend):
    """PyPy's HPy does not route reversed number slots: __rmul__ is ours."""
    a = hpy_backend.array([1.0, 2.0])
    assert (3 * a).tolist() == (a * 3).tolist() == [3.0, 6.0]
    assert type(a).__mul__(a, 2.0).tolist() == [2.0, 4.0]


LARGE_ARRAYS = """
import sys
sys.path.insert(0, sys.argv[2])
from support import backends, leaks
m = backends.load(sys.argv[1])

before = leaks.resident_bytes()
for _ in range(1000):     # 800 MB in all, 800 kB at a time
    m.zeros(100_000)
print((leaks.resident_bytes() - before) / 2**20)
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"),
                    reason="reads the resident set size from /proc")
def test_large_arrays_do_not_pile_up(hpy_backend):
    """PyPy's GC cannot see the malloc'd items of large arrays; it is told
    about them, else thousands of dead ones pile up between collections
    (2.3 GB for 3000 arrays of 800 kB before the fix).  In a process of its
    own: the resident size of this one depends on the tests run before (on
    PyPy, after the MemoryError of a huge list, such as purepy's
    zeros(2**40), the GC collects much later: 765 MB here instead of 17)."""
    completed = subprocess.run(
        [sys.executable, "-c", LARGE_ARRAYS, backends.label_of(hpy_backend),
         str(Path(__file__).resolve().parent)],
        capture_output=True, text=True,
    )
    assert completed.returncode == 0, completed.stderr
    assert float(completed.stdout) < 400

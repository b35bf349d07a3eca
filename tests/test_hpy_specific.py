"""HPy-specific tests: the hpy_universal backend in HPy's debug mode.

1. The conformance suite (tests/test_conformance.py) and the property suite
   (tests/test_properties.py) run again here with the universal module
   loaded in HPy's debug mode, each test inside a ``LeakDetector``: no test
   may leave a handle open.  A use of a closed handle is a fatal error in
   debug mode (the default of both hpy 0.9 and PyPy, whose debug mode has
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
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

import piconumpy
import test_conformance
import test_properties

if "hpy_universal" not in piconumpy.available_backends():
    pytest.skip(
        "hpy_universal is not available: "
        f"{piconumpy.why_unavailable('hpy_universal')}",
        allow_module_level=True,
    )

from hpy.debug import HPyLeakError, LeakDetector  # noqa: E402

HPY_BACKENDS = [name for name in ("hpy_cpython_abi", "hpy_universal")
                if name in piconumpy.available_backends()]
ROOT = Path(__file__).resolve().parents[1]


# --- 1. the shared suites in debug mode -------------------------------------

@pytest.fixture(scope="module")
def debug_module():
    reason = piconumpy.why_unavailable("hpy_universal", hpy_debug=True)
    if reason:
        pytest.skip(f"no HPy debug mode here: {reason}")
    return piconumpy.load_backend("hpy_universal", hpy_debug=True)


@pytest.fixture
def handle_checks():
    """Fail the test if it leaves a handle open (HPyLeakError)."""
    with LeakDetector():
        yield


@pytest.fixture
def backend(debug_module, handle_checks):
    """Overrides conftest's ``backend`` for the tests of this module only."""
    return debug_module


# Every test of the conformance suite, collected again in this module, where
# ``backend`` is the debug-mode module above.
for _name in dir(test_conformance):
    if _name.startswith("test_"):
        globals()[_name] = getattr(test_conformance, _name)
del _name

PROPERTY_TESTS = [name for name in dir(test_properties)
                  if name.startswith("test_") and name !=
                  "test_operation_sequences"]


@pytest.mark.parametrize("name", PROPERTY_TESTS)
def test_properties_in_debug_mode(debug_module, handle_checks, monkeypatch,
                                  name):
    monkeypatch.setattr(test_properties, "BACKENDS", [debug_module])
    getattr(test_properties, name)()


def test_operation_sequences_in_debug_mode(debug_module, handle_checks):
    class InDebugMode(test_properties.SameOnEveryBackend):
        modules = [test_properties.SPEC, debug_module]

    run_state_machine_as_test(
        InDebugMode,
        settings=settings(max_examples=30, stateful_step_count=25,
                          deadline=None),
    )


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


@pytest.fixture(params=HPY_BACKENDS + ["hpy_universal_debug"])
def hpy_backend(request, handle_checks):
    if request.param == "hpy_universal_debug":
        return request.getfixturevalue("debug_module")
    return piconumpy.load_backend(request.param)


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


class Resizing:
    """A number whose conversion resizes the list being converted."""

    def __init__(self, target, action):
        self.target, self.action = target, action

    def __float__(self):
        self.action(self.target)
        return 1.0


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
        lst.insert(1, Resizing(lst, action))
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
import os, sys, piconumpy
name = sys.argv[1]
m = piconumpy.load_backend(name.replace("_debug", ""),
                           hpy_debug=name.endswith("_debug"))

def resident_mb():
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20

before = resident_mb()
for _ in range(1000):     # 800 MB in all, 800 kB at a time
    m.zeros(100_000)
print(resident_mb() - before)
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"),
                    reason="reads the resident set size from /proc")
@pytest.mark.parametrize("name", HPY_BACKENDS + ["hpy_universal_debug"])
def test_large_arrays_do_not_pile_up(name):
    """PyPy's GC cannot see the malloc'd items of large arrays; it is told
    about them, else thousands of dead ones pile up between collections
    (2.3 GB for 3000 arrays of 800 kB before the fix).  In a process of its
    own: the resident size of this one depends on the tests run before (on
    PyPy, after the MemoryError of a huge list, such as purepy's
    zeros(2**40), the GC collects much later: 765 MB here instead of 17)."""
    debug_refused = piconumpy.why_unavailable("hpy_universal", hpy_debug=True)
    if name == "hpy_universal_debug" and debug_refused:
        pytest.skip(f"no HPy debug mode here: {debug_refused}")
    completed = subprocess.run([sys.executable, "-c", LARGE_ARRAYS, name],
                               capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    assert float(completed.stdout) < 400

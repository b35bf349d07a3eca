"""The backends under test: one list, one way to load each, one fixture.

Every backend available on this interpreter is a *label*, its name, and
``hpy_universal`` runs a second time in HPy's debug mode, as
``hpy_universal[debug]``, where hpy.debug can load it.  As HPy's own suite
does with its ``hpy_abi`` fixture, the leak detector is switched on inside
the fixture for the debug label: a test that leaves a handle open fails,
and no test has to remember it.

Test modules never name backends: they take the ``backend`` fixture
(tests/conftest.py), or make one for a subset with ``fixture()``.
"""

import contextlib

import pytest

import piconumpy

DEBUG = "hpy_universal[debug]"
#: The executable specification every backend is compared with.
SPECIFICATION = "purepy"

#: Backends written in Python over Python objects: no C memory to leak.
PURE_PYTHON = frozenset({"purepy", "purepy_array"})


def _debug_mode_reason():
    """None if hpy_universal loads in HPy's debug mode here, else why not."""
    reason = piconumpy.why_unavailable("hpy_universal", hpy_debug=True)
    if reason is not None:
        return reason
    try:
        import hpy.debug  # noqa: F401  (the LeakDetector the fixture uses)
    except ImportError as error:
        return f"no hpy.debug for the leak detector: {error}"
    return None


#: Why hpy_universal[debug] is not among the labels, or None.
WHY_NO_DEBUG_MODE = _debug_mode_reason()
#: Every backend available here, in the registry's order, then the debug
#: mode.
LABELS = piconumpy.available_backends() + (
    [] if WHY_NO_DEBUG_MODE else [DEBUG])


def name_of(label):
    """The backend name of a label (hpy_universal for the debug mode)."""
    return "hpy_universal" if label == DEBUG else label


def load(label):
    """The namespace (array, zeros, empty, cos, sin) of ``label``."""
    return piconumpy.load_backend(name_of(label), hpy_debug=label == DEBUG)


def label_of(module):
    """The label of a namespace that ``load`` gave."""
    return next(label for label in LABELS if load(label) is module)


def everything():
    """``(label, namespace)`` of every label, the specification first."""
    return [(label, load(label)) for label in
            sorted(LABELS, key=lambda label: label != SPECIFICATION)]


def foreign(module):
    """Another backend than ``module``, whose arrays are not its operands."""
    spec = piconumpy.load_backend(SPECIFICATION)
    return piconumpy.load_backend("purepy_array") if module is spec else spec


@contextlib.contextmanager
def checks(labels):
    """HPy's leak detector around the block if ``labels`` hold the debug
    mode: HPyLeakError at its end if a handle is left open."""
    if DEBUG not in labels:
        yield
        return
    from hpy.debug import LeakDetector

    with LeakDetector():
        yield


def is_compiled(name):
    """A backend with code or memory in C (cffi: C buffers and kernels)."""
    return name not in PURE_PYTHON


def is_hpy(name):
    return name.startswith("hpy_")


def fixture(where=None, *, not_in_debug_mode=None):
    """A fixture: each label whose backend name satisfies ``where`` (every
    one by default), loaded, inside ``checks``.

    ``not_in_debug_mode``: why the tests cannot run in HPy's debug mode;
    its parameter is then skipped with that reason.
    """
    params = []
    for label in LABELS:
        if where is not None and not where(name_of(label)):
            continue
        marks = ()
        if label == DEBUG and not_in_debug_mode:
            marks = pytest.mark.skip(reason=not_in_debug_mode)
        params.append(pytest.param(label, id=label, marks=marks))

    @pytest.fixture(params=params)
    def backend(request):
        with checks([request.param]):
            yield load(request.param)

    return backend

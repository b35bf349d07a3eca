"""The ``backend`` fixture: one test body, run against every backend.

Like HPy's own test suite runs each test in every ABI, every test that takes
``backend`` runs once per backend available on this interpreter.  A backend
that this interpreter should have but cannot load is a failure
(tests/test_registry.py), not a silent skip.
"""

import pytest

import piconumpy

AVAILABLE = piconumpy.available_backends()


def pytest_report_header(config):
    import sys

    lines = [
        f"piconumpy backends on {sys.implementation.name} "
        f"{sys.version.split()[0]}: {', '.join(AVAILABLE)}"
    ]
    for name in piconumpy.BACKENDS:
        reason = piconumpy.why_unavailable(name)
        if reason:
            lines.append(f"  not tested: {name}: {reason}")
    return lines


@pytest.fixture(params=AVAILABLE)
def backend(request):
    """The namespace (array, zeros, empty, cos, sin) of one backend."""
    return piconumpy.load_backend(request.param)


@pytest.fixture
def spec():
    """The executable specification every backend is compared with."""
    return piconumpy.load_backend("purepy")


def pytest_terminal_summary(terminalreporter):
    """The size of the differential fuzzing run (tests/test_fuzz.py)."""
    import sys

    fuzz = sys.modules.get("test_fuzz")
    if fuzz is None or not fuzz.OPERATIONS:
        return
    counts = ", ".join(f"{label} {count}"
                       for label, count in fuzz.OPERATIONS.items())
    terminalreporter.write_line(
        f"fuzz: operations run per backend: {counts}; "
        f"floats compared with numpy: {fuzz.NUMPY_CHECKS['values']}"
    )

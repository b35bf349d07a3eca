"""The ``backend`` fixture: one test body, run against every backend.

Like HPy's own test suite runs each test in every ABI, every test that takes
``backend`` runs once per backend available on this interpreter, and once
more with ``hpy_universal`` in HPy's debug mode, inside hpy's leak detector
(tests/support/backends.py).  A backend that this interpreter should have
but cannot load is a failure (tests/test_registry.py), not a silent skip.
"""

import sys

import pytest

import piconumpy
from support import backends


def pytest_report_header(config):
    lines = [
        f"piconumpy backends on {sys.implementation.name} "
        f"{sys.version.split()[0]}: {', '.join(backends.LABELS)}"
    ]
    for name in piconumpy.BACKENDS:
        reason = piconumpy.why_unavailable(name)
        if reason:
            lines.append(f"  not tested: {name}: {reason}")
    if backends.WHY_NO_DEBUG_MODE and not piconumpy.why_unavailable(
            "hpy_universal"):
        lines.append(f"  not tested: {backends.DEBUG}: "
                     f"{backends.WHY_NO_DEBUG_MODE}")
    return lines


#: The namespace (array, zeros, empty, cos, sin) of one backend.
backend = backends.fixture()


@pytest.fixture
def spec():
    """The executable specification every backend is compared with."""
    return piconumpy.load_backend(backends.SPECIFICATION)

"""The ``differential`` fixture, and the size of the run in the summary.

The counts live in the session's ``config.stash``: the fixture hands them to
the runner, ``pytest_terminal_summary`` prints them.
"""

import pytest

from support import backends

from .differential import Counts, Differential

COUNTS = pytest.StashKey[Counts]()


def pytest_configure(config):
    config.stash[COUNTS] = Counts()


@pytest.fixture
def differential(request):
    """Every backend (tests/support/backends.py), purepy first, inside hpy's
    leak detector when HPy's debug mode is among them."""
    modules = backends.everything()
    with backends.checks([label for label, _ in modules]):
        yield Differential(modules, request.config.stash[COUNTS])


def pytest_terminal_summary(terminalreporter, config):
    counts = config.stash.get(COUNTS, None)
    if counts is None or not counts.operations:
        return
    operations = ", ".join(f"{label} {count}"
                           for label, count in counts.operations.items())
    terminalreporter.write_line(
        f"fuzz: operations run per backend: {operations}; "
        f"floats compared with numpy: {counts.numpy_floats}"
    )

"""An iterator made by calling its type, ``type(iter(a))()``, is empty.

The ``cython`` backend's iterator segfaulted there on PyPy 7.3.19 and 8.0.1
(found by tests/fuzz/test_unspecified.py).  A crash would take the test
process with it, so each backend is tried in a child process.
"""

import pathlib
import subprocess
import sys
import textwrap

import pytest

from support import backends

#: The operations of the iterator, printed as the child sees them.
CHILD = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv[2])
    from support import backends
    module = backends.load(sys.argv[1])
    iterator_type = type(iter(module.array([1.0, 2.0])))
    for operation in (
        lambda: list(iterator_type()),
        lambda: next(iterator_type(), "empty"),
        lambda: list(iter(iterator_type())),
        lambda: iterator_type().__next__(),
    ):
        try:
            print(repr(operation()))
        except Exception as error:
            print(type(error).__name__)
""")


@pytest.mark.parametrize("label", backends.LABELS)
def test_iterator_made_by_its_type_is_empty_in_a_child(label):
    tests = pathlib.Path(__file__).parent
    process = subprocess.run(
        [sys.executable, "-c", CHILD, label, str(tests)],
        capture_output=True, text=True, timeout=300,
    )
    assert process.returncode == 0, process.stderr
    lines = process.stdout.split()
    # Calling the type may be refused (TypeError) or give an empty
    # iterator: never anything else, never a crash.
    if lines[0] == "TypeError":
        assert lines == ["TypeError"] * 4, lines
    else:
        assert lines == ["[]", "'empty'", "[]", "StopIteration"], lines

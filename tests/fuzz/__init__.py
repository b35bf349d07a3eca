"""Differential fuzzing: hostile programs run on every backend at once.

Hypothesis draws *recipes* (plain tuples) for the inputs of one operation or
of whole sequences of operations: numbers of every kind (nan, infinities,
subnormals, signed zeros, ints beyond the double range, float and int
subclasses, numpy scalars, Fraction and Decimal), objects whose ``__float__``
or ``__index__`` raises (any exception, StopIteration and a BaseException
included), returns a non-float or a non-int, mutates the list being converted
or the array being operated on, re-enters the backend or runs the garbage
collector; iterables that raise, lie, or mutate themselves; huge, negative
and non-integer sizes and indices; wrong argument counts and keywords; and
operations the API does not define.

Each backend builds its own objects from the same recipe and runs the same
operation; then everything observable must be what ``purepy`` (the
specification) gives:

* the result: the same floats bit for bit (nan equal to nan, -0.0 apart from
  0.0), of the backend's own array type, or the same exception *type*;
* the calls made to the hostile objects' methods, in order (a backend that
  calls ``__float__`` twice, or not at all, differs);
* the warnings emitted (their categories), and the content afterwards of
  every list and array involved.

Values are also compared with numpy (where it is installed): every array or
float that ``purepy`` computes by arithmetic or cos/sin must be numpy's.

A few operations have no specified result (``a.__init__`` again, calling a
slot with a foreign ``self``, subclassing, copying, pickling...): they run on
every backend, and must neither crash nor leave an array malformed.

Every backend of tests/support/backends.py runs, ``hpy_universal`` in HPy's
debug mode too, inside hpy's LeakDetector: a handle left open fails the
test.  The test modules take the ``differential`` fixture
(tests/fuzz/conftest.py): the runner over every backend, which counts the
operations it runs.

Size of the run: ``PICONUMPY_FUZZ_EXAMPLES`` examples per test (default:
600 on CPython, 100 on PyPy, about 15 s each; ``make fuzz`` runs 2000); the
stateful test makes a tenth as many sequences of up to
``PICONUMPY_FUZZ_STEPS`` (30) steps.  The number of operations each backend
ran is printed at the end of the session.

The package: ``hostile`` (the objects, and ``Env``, which builds them from
recipes), ``recipes`` (hypothesis strategies), ``operations`` (what the
tests apply), ``compare`` (comparable descriptions, shared with
tests/test_properties.py and tests/test_conformance.py), ``differential``
(one operation on every backend, compared with purepy and numpy), and the
test modules.
"""

import os
import sys

from hypothesis import HealthCheck, settings

IS_PYPY = sys.implementation.name == "pypy"

#: make test's size: about 15 s on each interpreter (hypothesis itself is
#: slower on PyPy, and the debug-mode backend more so).
DEFAULT_EXAMPLES = 100 if IS_PYPY else 600
EXAMPLES = int(os.environ.get("PICONUMPY_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))
STEPS = int(os.environ.get("PICONUMPY_FUZZ_STEPS", "30"))

#: The ``differential`` fixture is made once per test, not per example: the
#: backends do not change between examples, and the leak detector it holds
#: spans all of them.
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much,
                           HealthCheck.function_scoped_fixture],
)

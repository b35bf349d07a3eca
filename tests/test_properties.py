"""Property-based tests: every backend against ``purepy`` on random input.

Hypothesis draws values (nan, infinities, subnormals and signed zeros
included), scalars of every accepted kind, indices in and out of range, and
whole sequences of operations; each backend (the ``backend`` fixture) must
give what ``purepy`` gives: the same floats (bit for bit, nan for nan) or
the same exception type (tests/fuzz/compare.py).
"""

import sys
import operator

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

import piconumpy
from fuzz.compare import outcome
from support.backends import SPECIFICATION

SPEC = piconumpy.load_backend(SPECIFICATION)

#: The ``backend`` fixture is made once per test, not per example: a backend
#: namespace does not change, and the leak detector it holds in HPy's debug
#: mode spans every example.  No timing threshold (hypothesis's deadline and
#: too_slow check): the machines running the suite are shared.
PER_TEST_FIXTURE = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture,
                           HealthCheck.too_slow])

floats = st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True)
values = st.lists(floats, max_size=12)
scalars = st.one_of(
    floats,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.booleans(),
    st.sampled_from([None, "2.0", 1j, [1.0]]),
)


def assert_like_spec(backend, make_call):
    """``make_call(m)`` returns a thunk; ``backend`` matches ``purepy``."""
    expected = outcome(make_call(SPEC), SPEC)[1]
    assert outcome(make_call(backend), backend)[1] == expected


@PER_TEST_FIXTURE
@given(values)
def test_construction(backend, xs):
    assert_like_spec(backend, lambda m: lambda: m.array(xs))


@PER_TEST_FIXTURE
@given(values, scalars)
def test_scalar_operations(backend, xs, s):
    for operation in (operator.mul, operator.truediv):
        assert_like_spec(backend, lambda m: lambda: operation(m.array(xs), s))
    assert_like_spec(backend, lambda m: lambda: s * m.array(xs))


@PER_TEST_FIXTURE
@given(values, values)
def test_array_operations(backend, xs, ys):
    for operation in (operator.add, operator.sub):
        assert_like_spec(backend, 
            lambda m: lambda: operation(m.array(xs), m.array(ys)))
    assert_like_spec(backend, lambda m: lambda: -m.array(xs))


@PER_TEST_FIXTURE
@given(values, st.integers(min_value=-20, max_value=20) | st.integers(),
       scalars)
def test_indexing(backend, xs, i, value):
    assert_like_spec(backend, lambda m: lambda: m.array(xs)[i])

    def assign(m):
        def call():
            a = m.array(xs)
            a[i] = value
            return a
        return call

    assert_like_spec(backend, assign)


@PER_TEST_FIXTURE
@given(st.one_of(values, scalars))
def test_trig(backend, x):
    for name in ("cos", "sin"):
        def call(m):
            function = getattr(m, name)
            return lambda: function(m.array(x) if isinstance(x, list) else x)
        assert_like_spec(backend, call)


@PER_TEST_FIXTURE
@given(st.integers(min_value=-5, max_value=50)
       | st.integers(min_value=sys.maxsize // 8 + 1)
       | st.integers(max_value=-1)
       | floats)
def test_zeros(backend, n):
    assert_like_spec(backend, lambda m: lambda: m.zeros(n))
    assert_like_spec(backend, lambda m: lambda: len(m.empty(n)))


class SameAsSpec(RuleBasedStateMachine):
    """Random sequences of operations on arrays held by the specification
    and a backend at once (``modules``: set by the test).

    Each bundle entry is a tuple: one array per module, the specification's
    first.  After every step both must hold the same floats.
    """

    arrays = Bundle("arrays")
    modules = None

    def _apply(self, operation, *operands):
        """Run ``operation(module, *arrays of that module)`` on every backend.

        Return the tuple of resulting arrays, or None if it gave no array.
        """
        results, descriptions = [], []
        for position, module in enumerate(self.modules):
            args = [operand[position] for operand in operands]
            result, description = outcome(
                lambda: operation(module, *args), module)
            results.append(result)
            descriptions.append(description)
        for description in descriptions[1:]:
            assert description == descriptions[0]
        if descriptions[0][0] != "array":
            return None
        self.created.append(tuple(results))
        return self.created[-1]

    def __init__(self):
        super().__init__()
        self.created = []

    @initialize(target=arrays, xs=values)
    def first(self, xs):
        return self._apply(lambda m: m.array(xs))

    @rule(target=arrays, xs=values)
    def construct(self, xs):
        return self._apply(lambda m: m.array(xs)) or self.first(xs)

    @rule(target=arrays, a=arrays, s=scalars,
          operation=st.sampled_from([operator.mul, operator.truediv]))
    def scale(self, a, s, operation):
        return self._apply(lambda m, x: operation(x, s), a) or a

    @rule(target=arrays, a=arrays, b=arrays,
          operation=st.sampled_from([operator.add, operator.sub]))
    def combine(self, a, b, operation):
        return self._apply(lambda m, x, y: operation(x, y), a, b) or a

    @rule(target=arrays, a=arrays, name=st.sampled_from(["cos", "sin"]))
    def trig(self, a, name):
        return self._apply(lambda m, x: getattr(m, name)(x), a) or a

    @rule(target=arrays, a=arrays)
    def negate(self, a):
        return self._apply(lambda m, x: -x, a) or a

    @rule(a=arrays, i=st.integers(min_value=-15, max_value=15), value=scalars)
    def assign(self, a, i, value):
        def operation(m, x):
            x[i] = value
            return x
        self._apply(operation, a)

    @rule(a=arrays, i=st.integers(min_value=-15, max_value=15))
    def read(self, a, i):
        self._apply(lambda m, x: x[i], a)

    @invariant()
    def nothing_changes_behind_our_back(self):
        for entry in self.created:
            descriptions = [outcome(lambda: x, module)[1]
                            for module, x in zip(self.modules, entry)]
            for description in descriptions[1:]:
                assert description == descriptions[0]


def test_operation_sequences(backend):
    class WithThisBackend(SameAsSpec):
        modules = [SPEC, backend]

    run_state_machine_as_test(WithThisBackend, settings=settings(
        max_examples=60, stateful_step_count=25, deadline=None))

"""Property-based tests: every backend against ``purepy`` on random input.

Hypothesis draws values (nan, infinities, subnormals and signed zeros
included), scalars of every accepted kind, indices in and out of range, and
whole sequences of operations; each backend must give what ``purepy`` gives:
the same floats (bit for bit, nan for nan) or the same exception type.
"""

import math
import sys
import operator

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

import piconumpy

BACKENDS = [piconumpy.load_backend(name)
            for name in piconumpy.available_backends()]
SPEC = piconumpy.load_backend("purepy")

floats = st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True)
values = st.lists(floats, max_size=12)
scalars = st.one_of(
    floats,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.booleans(),
    st.sampled_from([None, "2.0", 1j, [1.0]]),
)


def run(function):
    """``(result, description)`` of calling ``function``; result None on error.

    The description is comparable across backends: the exception type (part
    of the behaviour), or the floats computed.
    """
    try:
        result = function()
    except Exception as error:
        return None, ("raises", type(error).__name__)
    return result, describe(result)


def outcome(function):
    return run(function)[1]


def describe(result):
    if isinstance(result, float):
        return ("float", _key(result))
    if hasattr(result, "tolist"):
        return ("array", tuple(map(_key, result.tolist())))
    return ("value", result)


def _key(x):
    """A float as a comparable key: nan equals nan, -0.0 differs from 0.0."""
    return "nan" if math.isnan(x) else (x, math.copysign(1.0, x))


def assert_all_like_spec(make_call):
    """``make_call(backend)`` returns a thunk; all backends match ``purepy``."""
    expected = outcome(make_call(SPEC))
    for backend in BACKENDS:
        assert outcome(make_call(backend)) == expected, backend.__name__


@given(values)
def test_construction(xs):
    assert_all_like_spec(lambda m: lambda: m.array(xs))


@given(values, scalars)
def test_scalar_operations(xs, s):
    for operation in (operator.mul, operator.truediv):
        assert_all_like_spec(lambda m: lambda: operation(m.array(xs), s))
    assert_all_like_spec(lambda m: lambda: s * m.array(xs))


@given(values, values)
def test_array_operations(xs, ys):
    for operation in (operator.add, operator.sub):
        assert_all_like_spec(
            lambda m: lambda: operation(m.array(xs), m.array(ys)))
    assert_all_like_spec(lambda m: lambda: -m.array(xs))


@given(values, st.integers(min_value=-20, max_value=20) | st.integers(),
       scalars)
def test_indexing(xs, i, value):
    assert_all_like_spec(lambda m: lambda: m.array(xs)[i])

    def assign(m):
        def call():
            a = m.array(xs)
            a[i] = value
            return a
        return call

    assert_all_like_spec(assign)


@given(st.one_of(values, scalars))
def test_trig(x):
    for name in ("cos", "sin"):
        def call(m):
            function = getattr(m, name)
            return lambda: function(m.array(x) if isinstance(x, list) else x)
        assert_all_like_spec(call)


@given(st.integers(min_value=-5, max_value=50)
       | st.integers(min_value=sys.maxsize // 8 + 1)
       | st.integers(max_value=-1)
       | floats)
def test_zeros(n):
    assert_all_like_spec(lambda m: lambda: m.zeros(n))
    assert_all_like_spec(lambda m: lambda: len(m.empty(n)))


class SameOnEveryBackend(RuleBasedStateMachine):
    """Random sequences of operations on arrays held by every backend at once.

    Each bundle entry is a tuple: one array per backend, the specification's
    first.  After every step all of them must hold the same floats.
    """

    arrays = Bundle("arrays")
    modules = [SPEC] + BACKENDS

    def _apply(self, operation, *operands):
        """Run ``operation(module, *arrays of that module)`` on every backend.

        Return the tuple of resulting arrays, or None if it gave no array.
        """
        results, descriptions = [], []
        for position, module in enumerate(self.modules):
            args = [operand[position] for operand in operands]
            result, description = run(lambda: operation(module, *args))
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
            reference = outcome(lambda: entry[0])
            for x in entry[1:]:
                assert outcome(lambda: x) == reference


SameOnEveryBackend.TestCase.settings = settings(
    max_examples=60, stateful_step_count=25, deadline=None
)
test_operation_sequences = SameOnEveryBackend.TestCase

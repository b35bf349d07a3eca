"""Sequences of hostile operations on arrays of every backend at once."""

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from . import EXAMPLES, FUZZ_SETTINGS, STEPS
from .compare import describe
from .differential import KNOWN_DIFFERENCES
from .operations import (
    ARRAY_OPERATIONS,
    CALLS,
    SCALAR_OPERATIONS,
    UNARY_OPERATIONS,
    construct,
    del_item,
    iterate_while_assigning,
    set_item,
)
from .recipes import (
    float_lists,
    indices,
    iterables,
    sizes,
    small_ints,
    values,
)

class HostileSequences(RuleBasedStateMachine):
    """Random sequences of hostile operations on every backend at once.

    ``self.arrays`` holds the arrays made so far, each a tuple with one
    array per backend (purepy's first); after every step they must all hold
    the same floats as purepy's.
    """

    #: The ``differential`` fixture of the test.
    differential = None

    def __init__(self):
        super().__init__()
        self.arrays = []

    def _keep(self, results):
        if type(results[0]) is self.differential.modules[0][1].array:
            self.arrays.append(tuple(results))

    def _pick(self, i):
        return self.arrays[i % len(self.arrays)]

    @initialize(xs=float_lists)
    def start(self, xs):
        self.arrays.append(self.differential.copies(xs))

    @rule(recipe=iterables)
    def construct(self, recipe):
        self._keep(self.differential(lambda env: construct(env, recipe)))

    @rule(call=st.sampled_from(sorted(CALLS)), recipe=iterables)
    def wrong_call(self, call, recipe):
        self._keep(self.differential(
            lambda env: CALLS[call](env.module, env.build(recipe))))

    @rule(recipe=sizes)
    def zeros(self, recipe):
        self._keep(self.differential(lambda env: env.module.zeros(
            env.build(recipe))))

    @rule(recipe=sizes)
    def empty(self, recipe):
        self.differential(lambda env: len(env.module.empty(env.build(recipe))))

    @rule(i=st.integers(0, 1000), name=st.sampled_from(
        sorted(SCALAR_OPERATIONS)), recipe=values)
    def scalar_operation(self, i, name, recipe):
        operation = SCALAR_OPERATIONS[name]
        self._keep(self.differential(
            lambda env, a: operation(a, env.build(recipe)), [self._pick(i)]))

    @rule(i=st.integers(0, 1000), j=st.integers(0, 1000),
          name=st.sampled_from(sorted(ARRAY_OPERATIONS)))
    def array_operation(self, i, j, name):
        self._keep(self.differential(ARRAY_OPERATIONS[name],
                                     [self._pick(i), self._pick(j)]))

    @rule(i=st.integers(0, 1000), name=st.sampled_from(
        sorted(UNARY_OPERATIONS)))
    def unary_operation(self, i, name):
        operation = UNARY_OPERATIONS[name]
        exempt = KNOWN_DIFFERENCES.get(name, [()])[0]
        operand = self._pick(i)
        if exempt:  # the known difference may stay: not on a kept array
            operand = self.differential.copies(operand[0].tolist())
        self._keep(self.differential(lambda env, a: operation(a), [operand],
                                     exempt))

    @rule(i=st.integers(0, 1000), name=st.sampled_from(["cos", "sin"]))
    def trig_of_array(self, i, name):
        self._keep(self.differential(
            lambda env, a: getattr(env.module, name)(a), [self._pick(i)]))

    @rule(name=st.sampled_from(["cos", "sin"]), recipe=values)
    def trig_of_value(self, name, recipe):
        self.differential(
            lambda env: getattr(env.module, name)(env.build(recipe)))

    @rule(i=st.integers(0, 1000), index=indices)
    def get_item(self, i, index):
        self.differential(lambda env, a: a[env.build(index)], [self._pick(i)])

    @rule(i=st.integers(0, 1000), index=indices, value=values)
    def set_item(self, i, index, value):
        self.differential(lambda env, a: set_item(a, env.build(index),
                                                  env.build(value)),
                          [self._pick(i)])

    @rule(i=st.integers(0, 1000), index=indices)
    def del_item(self, i, index):
        self.differential(lambda env, a: del_item(a, env.build(index)),
                          [self._pick(i)])

    @rule(i=st.integers(0, 1000), j=small_ints, value=values)
    def iterate_while_assigning(self, i, j, value):
        self.differential(lambda env, a: iterate_while_assigning(
            a, j, env.build(value)), [self._pick(i)])

    @rule(i=st.integers(0, 1000))
    def copy_through_array(self, i):
        self._keep(self.differential(lambda env, a: env.module.array(a),
                                     [self._pick(i)]))

    @invariant()
    def same_floats_everywhere(self):
        for entry in self.arrays:
            descriptions = [(label, describe(a, module)) for (label, module), a
                            in zip(self.differential.modules, entry)]
            for label, description in descriptions[1:]:
                assert description == descriptions[0][1], label


#: Hypothesis keeps what it drew in one run until the run ends (about 1 MB
#: per sequence here): a long run is made of runs of at most this many.
SEQUENCES_PER_RUN = 100


def test_hostile_sequences(differential):
    class OnTheseBackends(HostileSequences):
        pass

    OnTheseBackends.differential = differential
    remaining = max(1, EXAMPLES // 10)
    while remaining > 0:
        run_state_machine_as_test(OnTheseBackends, settings=settings(
            FUZZ_SETTINGS, max_examples=min(remaining, SEQUENCES_PER_RUN),
            stateful_step_count=STEPS,
        ))
        remaining -= SEQUENCES_PER_RUN

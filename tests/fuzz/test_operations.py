"""Single operations, each on every backend at once (``differential``)."""

from hypothesis import given
from hypothesis import strategies as st

from . import FUZZ_SETTINGS
from .compare import numpy
from .differential import KNOWN_DIFFERENCES, numpy_array, plain_value
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

@FUZZ_SETTINGS
@given(iterables)
def test_construction(differential, recipe):
    results = differential(lambda env: construct(env, recipe))
    if recipe[0] in ("list", "tuple") and all(
            item[0] in ("float", "int", "bool") for item in recipe[1]):
        plain = [item[1] for item in recipe[1]]
        differential.check_numpy(results[0], lambda: numpy_array(plain))


@FUZZ_SETTINGS
@given(st.sampled_from(sorted(CALLS)), iterables)
def test_wrong_calls(differential, call, recipe):
    differential(lambda env: CALLS[call](env.module, env.build(recipe)))


@FUZZ_SETTINGS
@given(st.sampled_from(["zeros", "empty"]), sizes)
def test_sizes(differential, function, recipe):
    def operation(env):
        result = getattr(env.module, function)(env.build(recipe))
        # empty()'s items are undefined: only its length is compared.
        return len(result) if function == "empty" else result

    differential(operation)


@FUZZ_SETTINGS
@given(float_lists, st.sampled_from(sorted(SCALAR_OPERATIONS)), values)
def test_scalar_operations(differential, xs, name, recipe):
    operation = SCALAR_OPERATIONS[name]
    operands = differential.copies(xs)
    results = differential(
        lambda env, a: operation(a, env.build(recipe)), [operands])
    s = plain_value(recipe)
    # The operand as the operation read it (s.__float__ may write into it).
    used = operands[0].tolist()
    if s is not None and name in ("a * s", "s * a", "a *= s"):
        differential.check_numpy(
            results[0], lambda: numpy_array(used) * numpy.float64(s))
    if s is not None and name in ("a / s", "a /= s"):
        differential.check_numpy(
            results[0], lambda: numpy_array(used) / numpy.float64(s))


@FUZZ_SETTINGS
@given(float_lists, st.sampled_from(sorted(ARRAY_OPERATIONS)),
       st.one_of(float_lists, st.tuples(st.just("foreign"), float_lists),
                 st.tuples(st.just("same"))))
def test_array_operations(differential, xs, name, other):
    operation = ARRAY_OPERATIONS[name]
    a = differential.copies(xs)
    if isinstance(other, list):  # another array, maybe of another length
        ys = other
        b = differential.copies(ys)
    elif other[0] == "same":
        ys, b = xs, a
    else:
        ys = other[1]
        b = differential.foreign_copies(ys)
    results = differential(operation, [a, b])
    if (isinstance(other, list) or other[0] == "same") and len(xs) == len(ys):
        if name in ("a + b", "a += b"):
            differential.check_numpy(
                results[0], lambda: numpy_array(xs) + numpy_array(ys))
        if name in ("a - b", "a -= b"):
            differential.check_numpy(
                results[0], lambda: numpy_array(xs) - numpy_array(ys))


@FUZZ_SETTINGS
@given(float_lists, st.sampled_from(sorted(UNARY_OPERATIONS)))
def test_unary_operations(differential, xs, name):
    operation = UNARY_OPERATIONS[name]
    exempt = KNOWN_DIFFERENCES.get(name, [()])[0]
    results = differential(lambda env, a: operation(a),
                           [differential.copies(xs)], exempt)
    if name == "-a":
        differential.check_numpy(results[0], lambda: -numpy_array(xs))


@FUZZ_SETTINGS
@given(float_lists, indices, values)
def test_items(differential, xs, index, value):
    differential(lambda env, a: a[env.build(index)], [differential.copies(xs)])
    differential(lambda env, a: set_item(a, env.build(index),
                                         env.build(value)),
                 [differential.copies(xs)])
    differential(lambda env, a: del_item(a, env.build(index)),
                 [differential.copies(xs)])


@FUZZ_SETTINGS
@given(float_lists, small_ints, values)
def test_iteration_sees_assignments(differential, xs, j, value):
    differential(lambda env, a: iterate_while_assigning(a, j,
                                                        env.build(value)),
                 [differential.copies(xs)])


@FUZZ_SETTINGS
@given(st.sampled_from(["cos", "sin"]),
       st.one_of(values, st.tuples(st.just("same_array"), float_lists),
                 st.tuples(st.just("foreign_array"), float_lists)))
def test_trig(differential, name, recipe):
    results = differential(
        lambda env: getattr(env.module, name)(env.build(recipe)))
    ufunc = getattr(numpy, name) if numpy is not None else None
    if recipe[0] == "same_array":
        differential.check_numpy(
            results[0], lambda: ufunc(numpy_array(recipe[1])))
    else:
        x = plain_value(recipe)
        if x is not None:
            differential.check_numpy(
                results[0], lambda: ufunc(numpy.float64(x)))

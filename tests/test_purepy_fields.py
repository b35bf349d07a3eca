"""What only ``purepy_fields`` promises: small arrays in slots, one code
path per size, the same results as the specification on either side of the
boundary between slots and list.

Everything else (values, errors, NotImplemented, threads) is checked on it
by the shared suites, through the ``backend`` fixture.
"""

import math
import operator

import pytest

import piconumpy
from piconumpy.backends import purepy_fields as fields

spec = piconumpy.load_backend("purepy")
SMALL = fields.SMALL
#: Every size with its own code path, and the first sizes held in a list.
SIZES = list(range(SMALL + 3))
BOUNDARY = [0, 1, SMALL, SMALL + 1]


def values_of(n):
    """n distinct floats, specials included once there is room."""
    specials = [-0.0, math.inf, math.nan, 1e-310]
    plain = [1.5 * k - 3.25 for k in range(n)]
    return (specials + plain)[:n] if n > 6 else plain


def same(a, b):
    """Equal as float64, nan equal to nan, the sign of zero included."""
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert type(x) is float
        assert (math.isnan(x) and math.isnan(y)) or (
            x == y and math.copysign(1, x) == math.copysign(1, y))


@pytest.mark.parametrize("n", SIZES)
def test_small_arrays_are_in_slots_large_ones_in_a_list(n):
    a = fields.array(values_of(n))
    results = [a, a * 2.0, 2 * a, a / 3, a / 0.0, a + a, a - a, -a,
               fields.cos(a), fields.sin(a), fields.zeros(n), fields.empty(n),
               fields.array(iter(values_of(n))), fields.array(a)]
    for r in results:
        assert type(r) is fields.array
        assert len(r) == n
        assert hasattr(r, "_data") == (n > SMALL)


@pytest.mark.parametrize("n", SIZES)
def test_each_size_computes_as_the_specification(n):
    values = values_of(n)
    other = [x * 0.5 + 1.0 for x in values_of(n)][::-1]
    a, b = fields.array(values), fields.array(other)
    ra, rb = spec.array(values), spec.array(other)
    pairs = [
        (a, ra), (fields.array(tuple(values)), ra), (a * 2.5, ra * 2.5),
        (2.5 * a, 2.5 * ra), (a * 3, ra * 3), (True * a, True * ra),
        (a / 7, ra / 7), (a / -0.0, ra / -0.0), (a / 0, ra / 0),
        (a + b, ra + rb), (a - b, ra - rb), (-a, -ra),
        (fields.cos(a), spec.cos(ra)), (fields.sin(a), spec.sin(ra)),
    ]
    for result, expected in pairs:
        same(result.tolist(), expected.tolist())
        assert repr(result) == repr(expected)
        same(list(result), expected.tolist())
    for i in range(-n, n):
        same([a[i]], [ra[i]])


@pytest.mark.parametrize("n", BOUNDARY)
def test_each_size_raises_as_the_specification(n):
    a, ra = fields.array(values_of(n)), spec.array(values_of(n))
    calls = [
        lambda m, x: x[n], lambda m, x: x[-n - 1], lambda m, x: x[1.0],
        lambda m, x: x.__setitem__(n, 1.0),
        lambda m, x: x.__setitem__(0 if n else n, "1"),
        lambda m, x: x + m.array([1.0] * (n + 1)),
        lambda m, x: x - m.array([1.0] * (n + 1)),
        lambda m, x: x * "2", lambda m, x: x / None,
        lambda m, x: m.array([1.0] * n + ["x"]),
        lambda m, x: m.array((1.0,) * n + (None,)),
    ]
    for call in calls:
        outcomes = []
        for module, x in ((fields, a), (spec, ra)):
            try:
                call(module, x)
            except Exception as error:
                outcomes.append((type(error), str(error)))
            else:
                outcomes.append(None)
        assert outcomes[0] == outcomes[1] and outcomes[0] is not None


@pytest.mark.parametrize("n", BOUNDARY)
def test_values_that_are_not_exact_floats_follow_the_rules(n):
    class MyFloat(float):
        pass

    mixed = [k if k % 2 else MyFloat(k + 0.5) for k in range(n)]
    for values in (mixed, tuple(mixed), [True] * n):
        a, ra = fields.array(values), spec.array(values)
        assert a.tolist() == ra.tolist()
        assert all(type(x) is float for x in a)


@pytest.mark.parametrize("n", BOUNDARY)
def test_setitem_and_iteration_at_each_size(n):
    a = fields.array(values_of(n))
    iterator = iter(a)
    for i in range(n):
        a[i] = float(i)
        a[-1] = -1.0
    expected = [float(i) for i in range(n - 1)] + [-1.0] if n else []
    assert a.tolist() == expected and list(iterator) == expected


@pytest.mark.parametrize("before, after", [(2, SMALL + 5), (SMALL + 5, 2),
                                           (SMALL, SMALL + 1), (0, 0)])
def test_init_again_across_the_boundary(before, after):
    a = fields.array(values_of(before))
    a.__init__(values_of(after))
    ra = spec.array(values_of(after))
    same(a.tolist(), ra.tolist())
    assert len(a) == a.size == after
    same((a * 2.0 + a).tolist(), (ra * 2.0 + ra).tolist())


@pytest.mark.parametrize("n", SIZES)
def test_generated_code_is_straight_line(n):
    """No loop, comprehension or list of items: what lets the JIT keep a
    small array in registers."""
    source = fields._source(n)
    compile(source, "<test>", "exec")
    for word in ("for ", "while ", "_data"):
        assert word not in source


def test_one_function_per_size():
    for name, functions in fields._PER_SIZE.items():
        assert len(functions) == SMALL + 1
        assert len(set(functions)) == SMALL + 1, name
        for n, function in enumerate(functions):
            assert function.__name__ == f"{name}_{n}"
            # Module globals, not a plain dict: the JIT folds their lookups.
            assert function.__globals__ is vars(fields)


def test_operator_functions_agree_on_a_subclass():
    """Subclassing is unspecified; results keep the subclass, as purepy's
    (``cls._wrap``) do, at every size."""
    class Sub(fields.array):
        __slots__ = ()

    for n in BOUNDARY:
        s = Sub(values_of(n))
        for result in (s * 2.0, s / 2.0, s + s, s - s, -s):
            assert type(result) is Sub and len(result) == n
        assert type(operator.neg(s)) is Sub

"""The shared behaviour, checked on every backend (the ``backend`` fixture).

Values are compared with the ``purepy`` specification and, where numpy is
installed, with numpy.  Every error case of the specification is here.
"""

import math
import operator
import sys

import pytest
from fuzz.compare import same
from support import backends
from support.needs import needs_numpy
from support.numbers import FloatReturnsStr, WithFloat, WithIndex

try:
    import numpy
except ImportError:  # numpy is optional: the comparisons with it are skipped
    numpy = None


class FloatRaises:
    def __float__(self):
        raise ZeroDivisionError("from __float__")


class MyFloat(float):
    def __float__(self):  # must not be called: float subclasses read directly
        raise AssertionError("__float__ of a float subclass was called")


class MyInt(int):
    pass


# --- construction -----------------------------------------------------------

@pytest.mark.parametrize(
    "values",
    [
        [1.0, 2.0, 3.0],
        [],
        [0.5],
        (1.0, -2.5),
        [1, 2, True, False],
        [WithFloat(1.5), WithIndex(7), MyFloat(2.5), MyInt(3)],
        [math.inf, -math.inf, math.nan, -0.0, 5e-324, 1.7976931348623157e308],
        [2**53 + 1, -(2**60)],
    ],
    ids=["floats", "empty", "one", "tuple", "ints-bools", "protocols",
         "ieee-specials", "big-ints"],
)
def test_array_from_values(backend, spec, values):
    a = backend.array(values)
    assert type(a) is backend.array
    same(a.tolist(), spec.array(values).tolist())
    assert len(a) == a.size == len(values)


def test_array_from_iterables(backend):
    assert backend.array(iter([1.0, 2.0])).tolist() == [1.0, 2.0]
    assert backend.array(x / 2 for x in range(3)).tolist() == [0.0, 0.5, 1.0]
    assert backend.array(range(3)).tolist() == [0.0, 1.0, 2.0]
    assert backend.array({4.0: None}).tolist() == [4.0]
    a = backend.array([1.0, 2.0])
    assert backend.array(a).tolist() == [1.0, 2.0]


@needs_numpy
def test_array_from_numpy(backend):
    values = numpy.array([1.5, -2.0, 3.25])
    assert backend.array(values).tolist() == [1.5, -2.0, 3.25]
    scalars = [numpy.float64(1.5), numpy.float32(0.5), numpy.int64(3),
               numpy.int8(-2), numpy.bool_(True)]
    assert backend.array(scalars).tolist() == [1.5, 0.5, 3.0, -2.0, 1.0]


@pytest.mark.parametrize(
    "values, position, culprit",
    [
        (["1.0"], 0, "str"),
        ([1.0, None], 1, "NoneType"),
        ([1.0, 2.0, [3.0]], 2, "list"),
        ([1.0, 1j], 1, "complex"),
        ([b"1"], 0, "bytes"),
    ],
)
def test_array_rejects_non_numbers(backend, values, position, culprit):
    with pytest.raises(TypeError, match=f"element {position}.*'{culprit}'"):
        backend.array(values)


@pytest.mark.parametrize("not_iterable", [1.0, 3, None, object()])
def test_array_rejects_non_iterables(backend, not_iterable):
    with pytest.raises(TypeError):
        backend.array(not_iterable)


def test_array_argument_count(backend):
    with pytest.raises(TypeError):
        backend.array()
    with pytest.raises(TypeError):
        backend.array([1.0], [2.0])


def test_array_propagates_conversion_errors(backend):
    with pytest.raises(ZeroDivisionError):
        backend.array([1.0, FloatRaises()])
    with pytest.raises(TypeError):
        backend.array([FloatReturnsStr()])
    with pytest.raises(OverflowError):
        backend.array([1.0, 10**400])

    def broken():
        yield 1.0
        raise KeyError("from the iterator")

    with pytest.raises(KeyError):
        backend.array(broken())


# --- zeros and empty --------------------------------------------------------

@pytest.mark.parametrize("function", ["zeros", "empty"])
def test_zeros_empty(backend, function):
    make = getattr(backend, function)
    for n in (0, 1, 4, 1000, True, WithIndex(3)):
        a = make(n)
        assert type(a) is backend.array
        assert len(a) == a.size == operator.index(n)
        if function == "zeros":
            assert a.tolist() == [0.0] * operator.index(n)
        assert all(type(x) is float for x in a.tolist())


@pytest.mark.parametrize("function", ["zeros", "empty"])
def test_zeros_empty_errors(backend, function):
    make = getattr(backend, function)
    for bad in (2.0, "3", None, [1]):
        with pytest.raises(TypeError):
            make(bad)
    with pytest.raises(ValueError, match="-1"):
        make(-1)
    with pytest.raises(ValueError):
        make(-(2**70))
    for huge in (sys.maxsize // 8 + 1, sys.maxsize, 2**64, 2**100):
        with pytest.raises(MemoryError):
            make(huge)
    # Below the limit, but no system grants 256 TB: the allocation fails.
    # (cpython_capi on PyPy crashed there: cpyext does not check it.)
    for too_much in (2**45, 2**50, sys.maxsize // 8):
        with pytest.raises(MemoryError):
            make(too_much)


# --- the sequence interface -------------------------------------------------

def test_len_size_tolist_iter_repr(backend):
    a = backend.array([1.0, -2.5, 3.0])
    assert len(a) == 3 and a.size == 3
    assert a.tolist() == [1.0, -2.5, 3.0]
    assert type(a.tolist()) is list
    assert list(a) == [1.0, -2.5, 3.0]
    assert all(type(x) is float for x in a)
    assert repr(a) == "array([1.0, -2.5, 3.0])"
    assert repr(backend.array([])) == "array([])"
    assert repr(backend.array([math.nan, -math.inf, 1e-300])) == (
        "array([nan, -inf, 1e-300])"
    )


def test_size_is_read_only(backend):
    a = backend.array([1.0])
    with pytest.raises(AttributeError):
        a.size = 3
    assert a.size == 1


def test_tolist_is_a_copy(backend):
    a = backend.array([1.0, 2.0])
    values = a.tolist()
    values[0] = 10.0
    assert a[0] == 1.0


def test_iteration_sees_assignments(backend):
    a = backend.array([1.0, 2.0, 3.0])
    iterator = iter(a)
    assert next(iterator) == 1.0
    a[1] = 20.0
    assert list(iterator) == [20.0, 3.0]


def test_getitem(backend):
    a = backend.array([1.0, 2.0, 3.0])
    assert [a[0], a[1], a[2]] == [1.0, 2.0, 3.0]
    assert [a[-1], a[-2], a[-3]] == [3.0, 2.0, 1.0]
    assert a[True] == 2.0 and a[WithIndex(2)] == 3.0
    assert type(a[0]) is float


@pytest.mark.parametrize("index", [3, -4, 10**30, -(10**30)])
def test_getitem_out_of_range(backend, index):
    a = backend.array([1.0, 2.0, 3.0])
    with pytest.raises(IndexError):
        a[index]
    with pytest.raises(IndexError):
        a[index] = 1.0
    with pytest.raises(IndexError):
        backend.array([])[0]


@pytest.mark.parametrize("index", [1.0, "0", None, slice(0, 1), (0,)])
def test_index_must_be_an_integer(backend, index):
    a = backend.array([1.0, 2.0, 3.0])
    with pytest.raises(TypeError):
        a[index]
    with pytest.raises(TypeError):
        a[index] = 1.0


def test_setitem(backend):
    a = backend.array([1.0, 2.0, 3.0])
    a[0] = 10.0
    a[-1] = 7
    a[1] = WithFloat(0.25)
    assert a.tolist() == [10.0, 0.25, 7.0]
    a[WithIndex(0)] = True
    assert a[0] == 1.0 and type(a[0]) is float


@pytest.mark.parametrize("value", ["1.0", None, [1.0], 1j])
def test_setitem_rejects_non_numbers(backend, value):
    a = backend.array([1.0, 2.0])
    with pytest.raises(TypeError):
        a[0] = value
    assert a.tolist() == [1.0, 2.0]


def test_setitem_propagates_conversion_errors(backend):
    a = backend.array([1.0, 2.0])
    with pytest.raises(ZeroDivisionError):
        a[0] = FloatRaises()
    with pytest.raises(OverflowError):
        a[1] = 10**400
    assert a.tolist() == [1.0, 2.0]


def test_item_deletion_is_a_type_error(backend):
    a = backend.array([1.0, 2.0])
    with pytest.raises(TypeError):
        del a[0]
    assert a.tolist() == [1.0, 2.0]


# --- arithmetic -------------------------------------------------------------

SCALARS = [2.0, 3, -0.5, True, WithFloat(0.1), WithIndex(5), MyFloat(1.5)]


@pytest.mark.parametrize("s", SCALARS, ids=repr)
def test_scalar_arithmetic(backend, spec, s):
    values = [1.0, -2.5, 0.0, 1e300, math.inf]
    a, r = backend.array(values), spec.array(values)
    for result, expected in [
        (a * s, r * s), (s * a, s * r), (a / s, r / s),
    ]:
        assert type(result) is backend.array
        same(result.tolist(), expected.tolist())
    assert a.tolist() == values  # the operands are not modified


def test_array_arithmetic(backend, spec):
    x, y = [1.0, -2.5, 1e308, math.nan], [0.5, 2.5, 1e308, 1.0]
    a, b = backend.array(x), backend.array(y)
    ra, rb = spec.array(x), spec.array(y)
    for result, expected in [(a + b, ra + rb), (a - b, ra - rb), (-a, -ra),
                             (a + a, ra + ra), (a - a, ra - ra)]:
        assert type(result) is backend.array
        assert result is not a and result is not b
        same(result.tolist(), expected.tolist())


def test_empty_arithmetic(backend):
    e = backend.array([])
    for result in (e * 2.0, 2.0 * e, e / 2.0, e + e, e - e, -e):
        assert type(result) is backend.array and len(result) == 0


def test_division_by_zero_is_ieee(backend, spec):
    values = [1.0, -1.0, 0.0, -0.0, math.inf, math.nan]
    a, r = backend.array(values), spec.array(values)
    for zero in (0.0, -0.0, 0, False):
        same((a / zero).tolist(), (r / zero).tolist())
    same((a / 0.0).tolist(), [math.inf, -math.inf, math.nan, math.nan,
                              math.inf, math.nan])


@needs_numpy
def test_arithmetic_agrees_with_numpy(backend):
    values = [0.1, -2.5, 3.0, 1e-310, 7.25]
    other = [3.0, 0.2, -1e10, 2.0, -7.25]
    a, b = backend.array(values), backend.array(other)
    na, nb = numpy.array(values), numpy.array(other)
    with numpy.errstate(divide="ignore", invalid="ignore"):
        pairs = [(a * 3.3, na * 3.3), (3.3 * a, 3.3 * na), (a / 3.3, na / 3.3),
                 (a / 0.0, na / 0.0), (a + b, na + nb), (a - b, na - nb),
                 (-a, -na), (backend.cos(a), numpy.cos(na)),
                 (backend.sin(a), numpy.sin(na))]
    for result, expected in pairs:
        same(result.tolist(), expected.tolist())


def test_different_lengths(backend):
    a, b = backend.array([1.0, 2.0, 3.0]), backend.array([1.0, 2.0])
    with pytest.raises(ValueError, match="3.*2"):
        a + b
    with pytest.raises(ValueError, match="2.*3"):
        b - a


@pytest.mark.parametrize(
    "operand", [1.0, 2, "x", None, [1.0, 2.0], (1.0, 2.0), 1j, object()],
    ids=repr,
)
def test_add_sub_need_an_array(backend, operand):
    a = backend.array([1.0, 2.0])
    for operation in (operator.add, operator.sub):
        with pytest.raises(TypeError):
            operation(a, operand)
        with pytest.raises(TypeError):
            operation(operand, a)


@pytest.mark.parametrize("operand", ["x", None, [1.0], 1j, object()],
                         ids=repr)
def test_mul_div_need_a_real_number(backend, operand):
    a = backend.array([1.0, 2.0])
    for operation in (operator.mul, operator.truediv):
        with pytest.raises(TypeError):
            operation(a, operand)
    with pytest.raises(TypeError):
        operand * a


def test_array_times_array_and_scalar_over_array(backend):
    a = backend.array([1.0, 2.0])
    with pytest.raises(TypeError):
        a * a
    with pytest.raises(TypeError):
        a / a
    with pytest.raises(TypeError):
        2.0 / a
    with pytest.raises(TypeError):
        1.0 - a


def test_foreign_operands_return_not_implemented(backend):
    a = backend.array([1.0, 2.0])
    assert a.__add__(1.0) is NotImplemented
    assert a.__mul__("x") is NotImplemented
    assert a.__truediv__(None) is NotImplemented
    assert a.__sub__([1.0, 2.0]) is NotImplemented


def test_foreign_operand_that_knows_arrays(backend):
    class Knows:
        def __radd__(self, other):
            return "radd"

        def __rmul__(self, other):
            return "rmul"

    a = backend.array([1.0])
    assert a + Knows() == "radd"
    assert a * Knows() == "rmul"


def test_scalar_conversion_errors_propagate(backend):
    a = backend.array([1.0, 2.0])
    with pytest.raises(ZeroDivisionError):
        a * FloatRaises()
    with pytest.raises(OverflowError):
        a * 10**400
    with pytest.raises(OverflowError):
        a / 10**400


def test_backends_do_not_mix(backend):
    a = backend.array([1.0, 2.0])
    for _, other in backends.everything():
        if other is backend:
            continue
        b = other.array([1.0, 2.0])
        for operation in (operator.add, operator.sub):
            with pytest.raises(TypeError):
                operation(a, b)
        with pytest.raises(TypeError):
            backend.cos(b)


@needs_numpy
def test_numpy_scalars_defer_to_the_array(backend):
    a = backend.array([1.0, 2.0])
    result = numpy.float64(2.0) * a
    assert type(result) is backend.array
    assert result.tolist() == [2.0, 4.0]
    assert (a * numpy.int64(3)).tolist() == [3.0, 6.0]


# --- cos and sin ------------------------------------------------------------

@pytest.mark.parametrize("name", ["cos", "sin"])
def test_trig_on_real_numbers(backend, spec, name):
    function, reference = getattr(backend, name), getattr(spec, name)
    for x in (0.0, 1.0, -2.5, 3, True, 1e300, WithFloat(0.5), WithIndex(2),
              MyFloat(0.5)):
        result = function(x)
        assert type(result) is float
        plain = float.__float__(x) if isinstance(x, float) else float(x)
        assert result == reference(x) == getattr(math, name)(plain)
    for x in (math.inf, -math.inf, math.nan):
        assert math.isnan(function(x))


@pytest.mark.parametrize("name", ["cos", "sin"])
def test_trig_on_arrays(backend, spec, name):
    values = [0.0, 1.0, -2.5, math.inf, math.nan, 1e-310]
    result = getattr(backend, name)(backend.array(values))
    assert type(result) is backend.array
    same(result.tolist(), getattr(spec, name)(spec.array(values)).tolist())


@pytest.mark.parametrize("name", ["cos", "sin"])
def test_trig_errors(backend, name):
    function = getattr(backend, name)
    for bad in ("1.0", None, [1.0], 1j):
        with pytest.raises(TypeError):
            function(bad)
    with pytest.raises(OverflowError):
        function(10**400)
    with pytest.raises(ZeroDivisionError):
        function(FloatRaises())
    with pytest.raises(TypeError):
        function()


def test_array_ufunc_is_none(backend):
    assert backend.array.__array_ufunc__ is None


# --- regressions found by the differential fuzzer (tests/fuzz/) -----

IS_PYPY = sys.implementation.name == "pypy"


def test_float_and_int_of_an_array_are_type_errors(backend):
    """Backends that export a buffer were taken for bytes by float() and
    int(), which parsed the doubles' raw bytes as text."""
    import struct

    spelled = struct.unpack("d", b"12345678")[0]
    a = backend.array([spelled])
    with pytest.raises(TypeError):
        float(a)
    with pytest.raises(TypeError):
        int(a)
    with pytest.raises(TypeError):
        backend.array([a])


def test_conversion_runs_once(backend):
    """A __float__ raising TypeError ran twice in HPy (4 times on PyPy)."""
    class Counting:
        calls = 0

        def __float__(self):
            Counting.calls += 1
            raise TypeError("no")

    m = backend
    for call in (lambda: m.array([Counting()]), lambda: m.cos(Counting()),
                 lambda: m.zeros(2).__setitem__(0, Counting()),
                 lambda: m.zeros(2) * Counting()):
        Counting.calls = 0
        with pytest.raises(TypeError):
            call()
        assert Counting.calls == 1


def test_int_subclass_uses_its_own_float(backend, spec):
    """HPy on PyPy read the int and skipped the subclass's __float__."""
    class Odd(int):
        def __float__(self):
            return 0.5

    assert backend.array([Odd(3)]).tolist() == spec.array([Odd(3)]).tolist()
    assert (backend.array([2.0]) * Odd(3)).tolist() == [1.0]


def test_complex_subclass_with_float(backend, spec):
    """cpython_capi refused it as a scalar too: _rules.scalar_or_none calls
    its __float__, only _rules.real refuses every complex."""
    class ComplexWithFloat(complex):
        def __float__(self):
            return 2.0

    assert (backend.array([1.0]) * ComplexWithFloat(1j)).tolist() == [2.0]
    for m in (spec, backend):
        with pytest.raises(TypeError, match="element 0.*ComplexWithFloat"):
            m.array([ComplexWithFloat(1j)])
        with pytest.raises(TypeError, match="real number"):
            m.cos(ComplexWithFloat(1j))
        with pytest.raises(TypeError, match="real number"):
            m.zeros(1)[0] = ComplexWithFloat(1j)


def test_float_subclass_index(backend):
    """cpyext (PyPy) skipped the __index__ of a float subclass."""
    class IndexFloat(float):
        def __index__(self):
            return 1

    a = backend.array([1.0, 2.0])
    assert a[IndexFloat(0.0)] == 2.0
    a[IndexFloat(0.0)] = 5.0
    assert a.tolist() == [1.0, 5.0]
    assert len(backend.zeros(IndexFloat(9.0))) == 1


def test_stop_iteration_from_float_propagates(backend):
    """purepy's generator turned it into RuntimeError (PEP 479)."""
    class Stop:
        def __float__(self):
            raise StopIteration

    with pytest.raises(StopIteration):
        backend.array([1.0, Stop()])


def test_functions_take_no_keywords(backend):
    for call in (lambda: backend.zeros(n=3), lambda: backend.empty(n=3),
                 lambda: backend.cos(x=1.0), lambda: backend.sin(x=1.0)):
        with pytest.raises(TypeError):
            call()
    assert backend.array(iterable=[1.0]).tolist() == [1.0]


def test_float_subclass_from_float_warns_as_the_interpreter(backend):
    """A __float__ returning a float subclass: every backend warns as this
    interpreter's float() does (CPython and PyPy's float() warn; PyPy
    7.3.11's PyFloat_AsDouble did not, and the backends used it)."""
    import warnings

    class Sub(float):
        pass

    class Returns:
        def __float__(self):
            return Sub(1.5)

    def categories_of(convert):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = convert()
        return result, [w.category for w in caught]

    value, expected = categories_of(lambda: float(Returns()))
    assert value == 1.5
    for convert, result in (
        (lambda: backend.array([Returns()]).tolist(), [1.5]),
        (lambda: (backend.array([2.0]) * Returns()).tolist(), [3.0]),
        (lambda: (backend.array([3.0]) / Returns()).tolist(), [2.0]),
    ):
        assert categories_of(convert) == (result, expected)


@needs_numpy
def test_numpy_array_of_an_array(backend):
    """numpy.array(a) failed on HPy/CPython (sq_item without sq_length)."""
    values = [1.5, -2.0, 3.25]
    result = numpy.array(backend.array(values), dtype=numpy.float64)
    assert result.tolist() == values


def test_no_attribute_can_be_set(backend):
    """cpyext (PyPy) gives instances of C types a __dict__."""
    if IS_PYPY and "hpy" in backend.__name__:
        pytest.skip("PyPy's HPy: instances have a __dict__ and HPy has no "
                    "tp_setattro slot to refuse it (README, Hardening)")
    a = backend.array([1.0])
    for name in ("anything", "tolist", "size"):
        with pytest.raises(AttributeError):
            setattr(a, name, 1)
        with pytest.raises(AttributeError):
            delattr(a, name)
    assert a.tolist() == [1.0] and a.size == 1


@pytest.mark.parametrize("call", [
    lambda t, x: t.__len__(x),
    lambda t, x: t.__getitem__(x, 0),
    lambda t, x: t.__setitem__(x, 0, 1.0),
    lambda t, x: t.__neg__(x),
    lambda t, x: t.__repr__(x),
    lambda t, x: list(t.__iter__(x)),
    lambda t, x: t.__init__(x, x),
    lambda t, x: t.__new__(list, x),
])
def test_slots_check_self(backend, call):
    """PyPy's slot wrappers pass any object as self: the C backends read
    (or wrote) a list's memory as an array's."""
    xs = [1.0] * 20
    try:
        call(backend.array, xs)
    except (TypeError, SystemError):
        # (PyPy gives SystemError for cython's array.__new__(list))
        pass
    except AttributeError:
        # CPython's __init__ of a C type without tp_init
        pass
    assert xs == [1.0] * 20


def test_iterator_made_by_array_new(backend):
    """Cython on PyPy: array.__new__(array_iterator) made an iterator with a
    NULL source, which next() dereferenced."""
    a = backend.array([1.0, 2.0])
    try:
        iterator = type(a).__new__(type(iter(a)))
    except TypeError:
        return  # refused, as CPython does
    assert list(iterator) == []


def test_huge_allocations_fail_cleanly(backend):
    """cpython_capi on PyPy crashed (cpyext does not check its allocation);
    test_zeros_empty_errors checks the MemoryError on every backend."""
    for n in (2**40, 2**45):
        with pytest.raises(MemoryError):
            backend.empty(n)

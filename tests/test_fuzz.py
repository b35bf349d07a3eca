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

``hpy_universal`` also runs in HPy's debug mode here, as one more backend,
inside hpy's LeakDetector: a handle left open fails the test.

Size of the run: ``PICONUMPY_FUZZ_EXAMPLES`` examples per test (default:
600 on CPython, 100 on PyPy, about 15 s each; ``make fuzz`` runs 2000); the
stateful test makes a tenth as many sequences of up to
``PICONUMPY_FUZZ_STEPS`` (30) steps.  The number of operations each backend
ran is printed at the end of the session (tests/conftest.py).
"""

import collections
import copy
import decimal
import fractions
import gc
import math
import operator
import os
import pickle
import sys
import warnings
import weakref

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

import piconumpy
from piconumpy import _rules

try:
    import numpy
except ImportError:  # numpy is optional: only the comparison with it goes
    numpy = None

IS_PYPY = sys.implementation.name == "pypy"

# --- the backends under test -------------------------------------------------

SPEC = piconumpy.load_backend("purepy")


def _fuzzed_modules():
    """(label, module) of every backend available here, purepy first, plus
    hpy_universal in HPy's debug mode where it is available."""
    modules = [(name, piconumpy.load_backend(name))
               for name in piconumpy.available_backends()]
    if piconumpy.why_unavailable("hpy_universal", hpy_debug=True) is None:
        modules.append(("hpy_universal[debug]",
                        piconumpy.load_backend("hpy_universal",
                                               hpy_debug=True)))
    modules.sort(key=lambda item: item[0] != "purepy")
    return modules


MODULES = _fuzzed_modules()
LABELS = [label for label, _ in MODULES]
assert LABELS[0] == "purepy"
_PUREPY_ARRAY = piconumpy.load_backend("purepy_array")


def foreign(module):
    """Another backend than ``module``, whose arrays are not its operands."""
    return SPEC if module is _PUREPY_ARRAY else _PUREPY_ARRAY


#: make test's size: about 15 s on each interpreter (hypothesis itself is
#: slower on PyPy, and the debug-mode backend more so).
DEFAULT_EXAMPLES = 100 if IS_PYPY else 600
EXAMPLES = int(os.environ.get("PICONUMPY_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))
STEPS = int(os.environ.get("PICONUMPY_FUZZ_STEPS", "30"))

#: Operations run, per backend label: printed by conftest at the end.
OPERATIONS = collections.Counter()
#: Floats compared with numpy's: also printed.
NUMPY_CHECKS = collections.Counter()

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)


@pytest.fixture(autouse=True)
def handle_checks():
    """With the HPy debug module among the backends, no test may leave an
    HPy handle open (hpy's LeakDetector raises HPyLeakError)."""
    if "hpy_universal[debug]" not in LABELS:
        yield
        return
    from hpy.debug import LeakDetector

    with LeakDetector():
        yield


# --- hostile objects ---------------------------------------------------------

class HostileError(Exception):
    """An exception no backend knows of."""


class HostileBaseError(BaseException):
    """Not an Exception, like KeyboardInterrupt: must propagate untouched."""


EXCEPTIONS = {
    cls.__name__: cls for cls in (
        ZeroDivisionError, TypeError, ValueError, OverflowError, IndexError,
        KeyError, StopIteration, MemoryError, RuntimeError, HostileError,
        HostileBaseError,
    )
}
EXCEPTION_NAMES = sorted(EXCEPTIONS)


class Env:
    """What one backend's run of one operation builds and observes."""

    def __init__(self, module):
        self.module = module
        self.log = []       # (tag, method) of every hostile call, in order
        self.targets = {}   # name -> list or array a hostile action can mutate
        self.mutated = set()  # (tag, action) done already
        self.tags = 0

    def tag(self):
        self.tags += 1
        return self.tags

    def act(self, tag, method, behaviour):
        """A hostile method ran: log it, then behave as the recipe says.

        Each object mutates at its first call only: an object that inserts
        an item before itself is met again by the list's iterator, forever
        if it inserted again (in every backend, purepy included)."""
        self.log.append((tag, method))
        while behaviour[0] == "mutate":
            _, action, behaviour = behaviour
            if (tag, action) not in self.mutated:
                self.mutated.add((tag, action))
                self.mutate(action)
        if behaviour[0] == "raise":
            raise EXCEPTIONS[behaviour[1]](f"from {method} of #{tag}")
        return self.build(behaviour[1])

    def mutate(self, action):
        target_name, _, what = action.partition(".")
        if target_name == "gc":
            # In the middle of an operation.  On PyPy a full collection
            # takes tens of ms: a minor one (which moves the young objects)
            # and one step of the major one.
            if IS_PYPY:
                gc.collect_step()
            else:
                gc.collect()
            return
        if target_name == "reenter":
            # Run the backend again inside the current operation.
            m = self.module
            a = m.array([0.5] * 12) * 2.0 + m.zeros(12)
            m.cos(a), m.sin(0.25), a.tolist(), repr(a)
            return
        target = self.targets.get(target_name)
        if target is None:
            return
        if target_name == "array":
            if len(target):
                target[0] = 99.5
            return
        lst = target
        if what == "append":
            lst.append(1.5)
        elif what == "extend":
            lst.extend([2.5, -3.5, 4.5])
        elif what == "pop":
            if lst:
                lst.pop()
        elif what == "clear":
            lst.clear()
        elif what == "insert0":
            lst.insert(0, 7.5)
        elif what == "del0":
            if lst:
                del lst[0]
        elif what == "reverse":
            lst.reverse()
        elif what == "last_str":
            if lst:
                lst[-1] = "not a number"
        elif what == "last_float":
            if lst:
                lst[-1] = 0.125
        else:
            raise AssertionError(action)

    # --- recipes -> objects ---

    def build(self, recipe):
        kind = recipe[0]
        builder = getattr(self, "build_" + kind)
        return builder(*recipe[1:])

    def build_float(self, x):
        return float(x)

    def build_int(self, n):
        return int(n)

    def build_bool(self, b):
        return bool(b)

    def build_myfloat(self, x):
        return MyFloat(x, self, self.tag())

    def build_myint(self, n, behaviour):
        return MyInt(n, self, self.tag(), behaviour)

    def build_plainint(self, n):
        return PlainInt(n)

    def build_with_float(self, behaviour):
        return WithFloat(self, self.tag(), behaviour)

    def build_with_index(self, behaviour):
        return WithIndex(self, self.tag(), behaviour)

    def build_with_both(self, float_behaviour, index_behaviour):
        return WithBoth(self, self.tag(), float_behaviour, index_behaviour)

    def build_float_is_none(self):
        return FloatIsNone()

    def build_str(self, s):
        return str(s)

    def build_none(self):
        return None

    def build_complex(self, real, imag):
        return complex(real, imag)

    def build_bytes(self, data):
        return bytes(data)

    def build_object(self):
        return object()

    def build_fraction(self, numerator, denominator):
        return fractions.Fraction(numerator, denominator)

    def build_decimal(self, text):
        return decimal.Decimal(text)

    def build_numpy(self, dtype, value):
        if numpy is None:
            return float(value) if dtype.startswith("float") else int(value)
        return getattr(numpy, dtype)(value)

    def build_ndarray(self, values):
        if numpy is None:
            return list(values)
        return numpy.array(values, dtype=numpy.float64)

    def build_slice(self, start, stop):
        return slice(start, stop)

    def build_tuple_value(self, items):
        return tuple(items)

    # --- iterables ---

    def _items(self, items):
        return [self.build(item) for item in items]

    def _register(self, lst):
        """The list hostile actions mutate (the first one built)."""
        self.targets.setdefault("list", lst)
        return lst

    def build_list(self, items):
        return self._register(self._items(items))

    def build_tuple(self, items):
        return tuple(self._items(items))

    def build_gen(self, items):
        lst = self._register(self._items(items))
        return (x for x in lst)

    def build_iter(self, items):
        return iter(self._register(self._items(items)))

    def build_listsub(self, items, mode):
        lst = ListSub(self._items(items))
        lst.mode = mode
        return self._register(lst)

    def build_raising_gen(self, items, exception):
        lst = self._register(self._items(items))

        def generate():
            yield from lst
            raise EXCEPTIONS[exception]("from the generator")

        return generate()

    def build_iter_raises(self, exception):
        return IterRaises(exception)

    def build_bad_iter(self):
        return BadIter()

    def build_getitem_seq(self, items):
        return GetItemSequence(self._register(self._items(items)))

    def build_range(self, start, stop, step):
        return range(start, stop, step)

    def build_dict(self, items):
        return dict.fromkeys(self._items(items))

    def build_same_array(self, values):
        return self.module.array(values)

    def build_foreign_array(self, values):
        return foreign(self.module).array(values)

    def build_scalar(self, value):
        return self.build(value)


class MyFloat(float):
    """A float subclass: read as a float, its __float__ never called."""

    def __new__(cls, x, env, tag):
        self = super().__new__(cls, x)
        self.env, self.tag = env, tag
        return self

    def __float__(self):
        self.env.log.append((self.tag, "MyFloat.__float__"))
        return 12345.0

    def __index__(self):
        self.env.log.append((self.tag, "MyFloat.__index__"))
        return 12345


class MyInt(int):
    """An int subclass whose __float__ is its own (the specification calls
    it: the type has a __float__); its __index__ is never called."""

    def __new__(cls, n, env, tag, behaviour):
        self = super().__new__(cls, n)
        self.env, self.tag, self.behaviour = env, tag, behaviour
        return self

    def __float__(self):
        return self.env.act(self.tag, "MyInt.__float__", self.behaviour)

    def __index__(self):
        self.env.log.append((self.tag, "MyInt.__index__"))
        return 54321


class PlainInt(int):
    pass


class WithFloat:
    __slots__ = ("env", "tag", "behaviour")

    def __init__(self, env, tag, behaviour):
        self.env, self.tag, self.behaviour = env, tag, behaviour

    def __float__(self):
        return self.env.act(self.tag, "__float__", self.behaviour)


class WithIndex:
    __slots__ = ("env", "tag", "behaviour")

    def __init__(self, env, tag, behaviour):
        self.env, self.tag, self.behaviour = env, tag, behaviour

    def __index__(self):
        return self.env.act(self.tag, "__index__", self.behaviour)


class WithBoth:
    __slots__ = ("env", "tag", "float_behaviour", "index_behaviour")

    def __init__(self, env, tag, float_behaviour, index_behaviour):
        self.env, self.tag = env, tag
        self.float_behaviour = float_behaviour
        self.index_behaviour = index_behaviour

    def __float__(self):
        return self.env.act(self.tag, "__float__", self.float_behaviour)

    def __index__(self):
        return self.env.act(self.tag, "__index__", self.index_behaviour)


class FloatIsNone:
    """A type whose __float__ is there but not callable."""
    __float__ = None


class ListSub(list):
    """A list subclass: array() must iterate it with its own __iter__."""

    mode = "plain"

    def __iter__(self):
        if self.mode == "reversed":
            return iter(list(list.__iter__(self))[::-1])
        if self.mode == "grows":
            # Mutates itself when iterated, once.
            self.mode = "plain"
            self.append(0.75)
        return list.__iter__(self)

    def __len__(self):
        if self.mode == "len_raises":
            raise HostileError("__len__ must not be needed")
        return list.__len__(self)


class IterRaises:
    def __init__(self, exception):
        self.exception = exception

    def __iter__(self):
        raise EXCEPTIONS[self.exception]("from __iter__")


class BadIter:
    def __iter__(self):
        return 5


class GetItemSequence:
    """The old sequence protocol: __getitem__ until IndexError."""

    def __init__(self, items):
        self.items = items

    def __getitem__(self, i):
        return self.items[i]


# --- describing what happened ------------------------------------------------

def key(x):
    """A float as a comparable key: nan equals nan, -0.0 differs from 0.0."""
    return "nan" if math.isnan(x) else (x, math.copysign(1.0, x))


def describe(value, module):
    """A comparable description of a result (or of an object afterwards)."""
    cls = type(value)
    if cls is float:
        return ("float", key(value))
    if cls is module.array:
        # The type's tolist: on PyPy an HPy array's own attribute may hide it
        # (KNOWN_DIFFERENCES).
        return ("array", tuple(map(key, cls.tolist(value))))
    if cls in (int, bool, str, type(None)) or value is NotImplemented:
        return (cls.__name__, value)
    if isinstance(value, (list, tuple)):  # ListSub too, without its __iter__
        items = list.__iter__(value) if isinstance(value, list) else value
        return (cls.__name__, tuple(describe(x, module) for x in items))
    if numpy is not None and cls is numpy.ndarray:
        return ("ndarray", str(value.dtype),
                tuple(map(key, value.astype(numpy.float64).tolist()))
                if value.dtype.kind == "f" else tuple(value.tolist()))
    if hasattr(value, "env") and hasattr(value, "tag"):
        return ("hostile", cls.__name__, value.tag)
    # Anything else (another backend's array, an iterator...): its type.
    return ("object", cls.__name__)


def observe(module, operation):
    """Run ``operation(env)`` on backend ``module``; everything observable.

    Returns ``(description, result)``; the result is None on an error.
    """
    env = Env(module)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = operation(env)
        except (Exception, HostileBaseError) as error:
            result = None
            outcome = ("raises", type(error).__name__)
        else:
            outcome = describe(result, module)
    after = tuple(sorted(
        (name, describe(target, module))
        for name, target in env.targets.items()
    ))
    warned = tuple(sorted({w.category.__name__ for w in caught}))
    return (outcome, tuple(env.log), warned, after), result


#: Differences that a backend cannot remove, by operation name: the labels
#: of the backends whose outcome is not compared, and why.
KNOWN_DIFFERENCES = {}
if IS_PYPY:
    for _name in ("a.nothing = 1", "a.tolist = 1"):
        KNOWN_DIFFERENCES[_name] = (
            {"hpy_universal", "hpy_universal[debug]"},
            "PyPy gives instances of HPy types a __dict__, and HPy has no "
            "tp_setattro slot to refuse attributes",
        )


def differential(operation, operands=(), exempt=()):
    """Run ``operation(env, *operands)`` on every backend, compare with purepy.

    ``operands`` are tuples with one object per backend (arrays of the
    state machine), in MODULES order.  Returns the results, in that order.
    """
    descriptions, results = [], []
    for position, (label, module) in enumerate(MODULES):
        args = [operand[position] for operand in operands]

        def call(env, args=args):
            if args and type(args[0]) is module.array:
                env.targets.setdefault("array", args[0])
            return operation(env, *args)

        description, result = observe(module, call)
        OPERATIONS[label] += 1
        descriptions.append(description)
        results.append(result)
    expected = descriptions[0]
    for (label, _), description in zip(MODULES, descriptions):
        if label in exempt:
            continue
        assert description == expected, (
            f"{label} differs from purepy:\n  purepy: {expected}\n"
            f"  {label}: {description}"
        )
    return results


def fresh_copies(values):
    """One array per backend holding ``values``: an operand tuple."""
    return tuple(module.array(values) for _, module in MODULES)


# --- comparison with numpy ---------------------------------------------------

def plain_value(recipe):
    """The float the specification makes of a value recipe, or None if it
    is no real number (built apart: its side effects are not observed)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _rules.as_real(Env(SPEC).build(recipe))
    except (Exception, HostileBaseError):
        return None


def check_numpy(result, reference):
    """``result`` (purepy's) must hold numpy's ``reference()`` floats."""
    if numpy is None or result is None:
        return
    with numpy.errstate(all="ignore"):
        expected = reference()
    if isinstance(result, float):
        got, want = [result], [float(expected)]
    else:
        got, want = result.tolist(), numpy.asarray(expected).tolist()
    NUMPY_CHECKS["values"] += len(got)
    assert list(map(key, got)) == list(map(key, want)), (got, want)


def numpy_array(values):
    return numpy.array(values, dtype=numpy.float64)


# --- strategies: recipes -----------------------------------------------------

floats = st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True)
special_floats = st.sampled_from([
    0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-310,
    1.7976931348623157e308, -1.7976931348623157e308, math.inf, -math.inf,
    math.nan, -math.nan, 1e300, 0.1, 1.0, -1.0,
])
any_floats = floats | special_floats
#: Around the double range: 2**1024 - 2**970 is the first int that rounds
#: to 2**1024, an OverflowError; one less is the largest double.
BIG_INTS = [2**53 + 1, 2**63 - 1, 2**63, -(2**63), 2**64, 10**30, -(10**30),
            2**1023, 2**1024 - 2**970 - 1, 2**1024 - 2**970, 2**1024,
            -(2**1024), 2**1100, 10**400, -(10**400)]
ints = (st.integers(min_value=-(2**70), max_value=2**70)
        | st.sampled_from(BIG_INTS) | st.integers())
small_ints = st.integers(min_value=-20, max_value=20)

ACTIONS = [
    "list.append", "list.extend", "list.pop", "list.clear", "list.insert0",
    "list.del0", "list.reverse", "list.last_str", "list.last_float",
    "array.set0", "reenter", "gc",
]

plain_number = st.one_of(
    st.tuples(st.just("float"), any_floats),
    st.tuples(st.just("int"), ints),
    st.tuples(st.just("bool"), st.booleans()),
)
#: What a __float__ may return: a float, a float subclass (deprecated), or
#: anything else (a TypeError).
float_results = st.one_of(
    st.tuples(st.just("float"), any_floats),
    st.tuples(st.just("myfloat"), any_floats),
    st.tuples(st.just("int"), small_ints),
    st.tuples(st.just("str"), st.just("1.5")),
    st.tuples(st.just("none")),
    st.tuples(st.just("bool"), st.booleans()),
)
#: What an __index__ may return: an int, a bool, an int subclass
#: (deprecated), or anything else (a TypeError).
index_results = st.one_of(
    st.tuples(st.just("int"), small_ints | st.sampled_from(BIG_INTS)),
    st.tuples(st.just("bool"), st.booleans()),
    st.tuples(st.just("plainint"), small_ints),
    st.tuples(st.just("float"), st.just(1.0)),
    st.tuples(st.just("none")),
)


def behaviours(results):
    ends = st.one_of(
        st.tuples(st.just("return"), results),
        st.tuples(st.just("raise"), st.sampled_from(EXCEPTION_NAMES)),
    )
    return ends | st.tuples(st.just("mutate"), st.sampled_from(ACTIONS), ends)


float_behaviours = behaviours(float_results)
index_behaviours = behaviours(index_results)

numpy_scalars = st.one_of(
    st.tuples(st.just("numpy"), st.just("float64"), any_floats),
    st.tuples(st.just("numpy"), st.just("float32"),
              st.floats(width=32, allow_nan=True, allow_infinity=True)),
    st.tuples(st.just("numpy"), st.sampled_from(["int64", "int8", "uint8"]),
              st.integers(min_value=0, max_value=100)),
    st.tuples(st.just("numpy"), st.just("bool_"), st.booleans()),
    st.tuples(st.just("ndarray"), st.lists(any_floats, max_size=2)),
)

#: Every kind of value: the operand of a * s, the value of a[i] = v, the
#: argument of cos(x), an element of array(...).
values = st.one_of(
    plain_number,
    st.tuples(st.just("myfloat"), any_floats),
    st.tuples(st.just("myint"), ints, float_behaviours),
    st.tuples(st.just("plainint"), ints),
    st.tuples(st.just("with_float"), float_behaviours),
    st.tuples(st.just("with_index"), index_behaviours),
    st.tuples(st.just("with_both"), float_behaviours, index_behaviours),
    st.tuples(st.just("float_is_none")),
    st.tuples(st.just("str"), st.sampled_from(["1.0", "x", ""])),
    st.tuples(st.just("none")),
    st.tuples(st.just("complex"), any_floats, any_floats),
    st.tuples(st.just("bytes"), st.binary(max_size=2)),
    st.tuples(st.just("object")),
    st.tuples(st.just("fraction"), st.integers(-10**20, 10**20),
              st.integers(1, 10**20)),
    st.tuples(st.just("decimal"), st.sampled_from(
        ["1.5", "-0", "1e400", "-1e-400", "nan", "snan", "inf", "-inf"])),
    numpy_scalars,
)
#: Mostly floats, as real programs have.
elements = st.one_of(st.tuples(st.just("float"), any_floats), values)
element_lists = st.lists(elements, max_size=12)
float_lists = st.lists(any_floats, max_size=12)

iterables = st.one_of(
    st.tuples(st.just("list"), element_lists),
    st.tuples(st.just("tuple"), element_lists),
    st.tuples(st.just("gen"), element_lists),
    st.tuples(st.just("iter"), element_lists),
    st.tuples(st.just("listsub"), element_lists,
              st.sampled_from(["plain", "reversed", "grows", "len_raises"])),
    st.tuples(st.just("raising_gen"), element_lists,
              st.sampled_from(EXCEPTION_NAMES)),
    st.tuples(st.just("iter_raises"), st.sampled_from(EXCEPTION_NAMES)),
    st.tuples(st.just("bad_iter")),
    st.tuples(st.just("getitem_seq"), element_lists),
    st.tuples(st.just("range"), st.integers(-5, 5),
              st.integers(-5, 1500), st.integers(1, 3)),
    st.tuples(st.just("dict"), element_lists),
    st.tuples(st.just("bytes"), st.binary(max_size=10)),
    st.tuples(st.just("str"), st.sampled_from(["", "12", "abc"])),
    st.tuples(st.just("same_array"), float_lists),
    st.tuples(st.just("foreign_array"), float_lists),
    st.tuples(st.just("ndarray"), float_lists),
    st.tuples(st.just("scalar"), values),
)

#: The n of zeros(n) and empty(n).  Sizes that would allocate gigabytes are
#: left out (they are legal); from 2**50 on no allocation can succeed.
MAX_SIZE = _rules.MAX_SIZE
sizes = st.one_of(
    st.tuples(st.just("int"), st.integers(min_value=-3, max_value=40)),
    st.tuples(st.just("int"), st.sampled_from(
        [100, 1000, 2**50, 2**59, MAX_SIZE, MAX_SIZE + 1, sys.maxsize,
         sys.maxsize + 1, 2**64, 10**30, -(2**63), -(2**64), -(10**30)])),
    st.tuples(st.just("bool"), st.booleans()),
    st.tuples(st.just("plainint"), st.integers(min_value=-3, max_value=40)),
    st.tuples(st.just("with_index"), behaviours(st.one_of(
        st.tuples(st.just("int"), st.integers(min_value=-3, max_value=40)),
        st.tuples(st.just("int"), st.sampled_from([2**59, MAX_SIZE + 1,
                                                   -(2**64), 10**30])),
        st.tuples(st.just("bool"), st.booleans()),
        st.tuples(st.just("plainint"), st.integers(0, 40)),
        st.tuples(st.just("float"), st.just(2.0)),
        st.tuples(st.just("none")),
    ))),
    st.tuples(st.just("float"), st.sampled_from([2.0, -1.0, math.nan])),
    st.tuples(st.just("str"), st.just("3")),
    st.tuples(st.just("none")),
    st.tuples(st.just("myfloat"), st.just(3.0)),
    st.tuples(st.just("numpy"), st.sampled_from(["int64", "uint8"]),
              st.integers(0, 40)),
    st.tuples(st.just("numpy"), st.just("float64"), st.just(3.0)),
    st.tuples(st.just("fraction"), st.just(3), st.just(1)),
)

#: The i of a[i].
indices = st.one_of(
    st.tuples(st.just("int"), small_ints),
    st.tuples(st.just("int"), st.sampled_from(
        [2**31, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**64, 10**30,
         -(10**30), sys.maxsize, -sys.maxsize - 1])),
    st.tuples(st.just("bool"), st.booleans()),
    st.tuples(st.just("plainint"), small_ints),
    st.tuples(st.just("myint"), small_ints, float_behaviours),
    st.tuples(st.just("with_index"), index_behaviours),
    st.tuples(st.just("with_both"), float_behaviours, index_behaviours),
    st.tuples(st.just("float"), st.sampled_from([0.0, 1.5, math.nan])),
    st.tuples(st.just("myfloat"), st.just(0.0)),
    st.tuples(st.just("str"), st.just("0")),
    st.tuples(st.just("none")),
    st.tuples(st.just("slice"), st.none() | small_ints,
              st.none() | small_ints),
    st.tuples(st.just("tuple_value"), st.just((0,))),
    st.tuples(st.just("numpy"), st.sampled_from(["int64", "int8"]),
              st.integers(-5, 5)),
    st.tuples(st.just("numpy"), st.just("float64"), st.just(0.0)),
)


# --- operations --------------------------------------------------------------

def construct(env, iterable):
    return env.module.array(env.build(iterable))


# The wrong ways (and the other right ways) to call array().
CALLS = {
    "array()": lambda m, x: m.array(),
    "array(x, x)": lambda m, x: m.array(x, x),
    "array(iterable=x)": lambda m, x: m.array(iterable=x),
    "array(values=x)": lambda m, x: m.array(values=x),
    "array(x, iterable=x)": lambda m, x: m.array(x, iterable=x),
    "type(a)(x)": lambda m, x: type(m.zeros(1))(x),
    "zeros()": lambda m, x: m.zeros(),
    "zeros(3, 3)": lambda m, x: m.zeros(3, 3),
    "zeros(n=3)": lambda m, x: m.zeros(n=3),
    "empty(n=3)": lambda m, x: len(m.empty(n=3)),
    "zeros(*[3])": lambda m, x: m.zeros(*[3]),
    "cos()": lambda m, x: m.cos(),
    "cos(0.5, 0.5)": lambda m, x: m.cos(0.5, 0.5),
    "sin(x=0.5)": lambda m, x: m.sin(x=0.5),
    "cos(*[0.5])": lambda m, x: m.cos(*[0.5]),
    "cos(x)": lambda m, x: m.cos(x),
}

# a (op) s and s (op) a, for a scalar s; only * and / are defined.
SCALAR_OPERATIONS = {
    "a * s": operator.mul,
    "s * a": lambda a, s: s * a,
    "a / s": operator.truediv,
    "s / a": lambda a, s: s / a,
    "a *= s": lambda a, s: operator.imul(a, s),
    "a /= s": lambda a, s: operator.itruediv(a, s),
    "a + s": operator.add,
    "s - a": lambda a, s: s - a,
    "a // s": operator.floordiv,
    "a % s": operator.mod,
    "a ** s": operator.pow,
    "a @ s": operator.matmul,
    "a < s": operator.lt,
    "a == s": operator.eq,
    "divmod(a, s)": divmod,
    "a.__mul__(s)": lambda a, s: a.__mul__(s),
    "a.__truediv__(s)": lambda a, s: a.__truediv__(s),
}

ARRAY_OPERATIONS = {
    "a + b": operator.add,
    "a - b": operator.sub,
    "a += b": lambda a, b: operator.iadd(a, b),
    "a -= b": lambda a, b: operator.isub(a, b),
    "a * b": operator.mul,
    "a / b": operator.truediv,
    "a @ b": operator.matmul,
    "a == b": operator.eq,
    "a != b": operator.ne,
    "a <= b": operator.le,
    "a is b": operator.is_,
    "a.__add__(b)": lambda a, b: a.__add__(b),
    "a.__sub__(b)": lambda a, b: a.__sub__(b),
}

UNARY_OPERATIONS = {
    "-a": operator.neg,
    "+a": operator.pos,
    "abs(a)": abs,
    "~a": operator.invert,
    "bool(a)": bool,
    "len(a)": len,
    "a.size": lambda a: a.size,
    "a.tolist()": lambda a: a.tolist(),
    "list(a)": list,
    "tuple(a)": tuple,
    "[*a]": lambda a: [*a],
    "repr(a)": repr,
    "str(a)": str,
    "f'{a}'": lambda a: f"{a}",
    "float(a)": float,
    "int(a)": int,
    "complex(a)": complex,
    "operator.index(a)": operator.index,
    "a < a": lambda a: a < a,
    "a == a": lambda a: a == a,
    "hash(a) is int": lambda a: type(hash(a)) is int,
    "a.tolist(1)": lambda a: a.tolist(1),
    "a.size = 3": lambda a: setattr(a, "size", 3),
    "del a.size": lambda a: delattr(a, "size"),
    "a.nothing": lambda a: a.nothing,
    "a.nothing = 1": lambda a: setattr(a, "nothing", 1),
    "a.tolist = 1": lambda a: setattr(a, "tolist", 1),
    "del a.tolist": lambda a: delattr(a, "tolist"),
    "del a.nothing": lambda a: delattr(a, "nothing"),
    "a.__array_ufunc__": lambda a: a.__array_ufunc__,
    "iter(a) twice": lambda a: (list(iter(a)), list(iter(a))),
    "exhausted iterator": lambda a: (lambda it: (list(it), list(it)))(iter(a)),
    "zip(a, a)": lambda a: list(zip(a, a)),
    "sum(a)": sum,
    "max(a)": max,
    "sorted(a)": sorted,
}
if numpy is not None:
    UNARY_OPERATIONS.update({
        "numpy.array(a)": lambda a: numpy.array(a, dtype=numpy.float64),
        "numpy.asarray(a, float64)": lambda a: numpy.asarray(
            a, dtype=numpy.float64).copy(),
        "numpy.fromiter(a)": lambda a: numpy.fromiter(a, numpy.float64),
        "numpy.add(a, a)": lambda a: numpy.add(a, a),
        "numpy.cos(a)": numpy.cos,
        "numpy.float64(2) * a": lambda a: numpy.float64(2.0) * a,
        "numpy.int64(3) * a": lambda a: numpy.int64(3) * a,
        "a * numpy.float32(0.5)": lambda a: a * numpy.float32(0.5),
    })


def iterate_while_assigning(a, j, value):
    """Assignments made during an iteration are seen by it."""
    seen = []
    for position, x in enumerate(a):
        seen.append(x)
        if position == 0:
            a[j] = value
    return seen


def set_item(a, i, value):
    a[i] = value
    return a


def del_item(a, i):
    del a[i]


# --- single operations -------------------------------------------------------

def arrays_of(values_):
    return st.tuples(st.just("list"), values_)


@FUZZ_SETTINGS
@given(iterables)
def test_construction(recipe):
    results = differential(lambda env: construct(env, recipe))
    if recipe[0] in ("list", "tuple") and all(
            item[0] in ("float", "int", "bool") for item in recipe[1]):
        plain = [item[1] for item in recipe[1]]
        check_numpy(results[0], lambda: numpy_array(plain))


@FUZZ_SETTINGS
@given(st.sampled_from(sorted(CALLS)), iterables)
def test_wrong_calls(call, recipe):
    differential(lambda env: CALLS[call](env.module, env.build(recipe)))


@FUZZ_SETTINGS
@given(st.sampled_from(["zeros", "empty"]), sizes)
def test_sizes(function, recipe):
    def operation(env):
        result = getattr(env.module, function)(env.build(recipe))
        # empty()'s items are undefined: only its length is compared.
        return len(result) if function == "empty" else result

    differential(operation)


@FUZZ_SETTINGS
@given(float_lists, st.sampled_from(sorted(SCALAR_OPERATIONS)), values)
def test_scalar_operations(xs, name, recipe):
    operation = SCALAR_OPERATIONS[name]
    operands = fresh_copies(xs)
    results = differential(
        lambda env, a: operation(a, env.build(recipe)), [operands])
    s = plain_value(recipe)
    # The operand as the operation read it (s.__float__ may write into it).
    used = operands[0].tolist()
    if s is not None and name in ("a * s", "s * a", "a *= s"):
        check_numpy(results[0], lambda: numpy_array(used) * numpy.float64(s))
    if s is not None and name in ("a / s", "a /= s"):
        check_numpy(results[0], lambda: numpy_array(used) / numpy.float64(s))


@FUZZ_SETTINGS
@given(float_lists, st.sampled_from(sorted(ARRAY_OPERATIONS)),
       st.one_of(float_lists, st.tuples(st.just("foreign"), float_lists),
                 st.tuples(st.just("same"))))
def test_array_operations(xs, name, other):
    operation = ARRAY_OPERATIONS[name]
    a = fresh_copies(xs)
    if isinstance(other, list):  # another array, maybe of another length
        ys = other
        b = fresh_copies(ys)
    elif other[0] == "same":
        ys, b = xs, a
    else:
        ys = other[1]
        b = tuple(foreign(module).array(ys) for _, module in MODULES)
    results = differential(operation, [a, b])
    if (isinstance(other, list) or other[0] == "same") and len(xs) == len(ys):
        if name in ("a + b", "a += b"):
            check_numpy(results[0], lambda: numpy_array(xs) + numpy_array(ys))
        if name in ("a - b", "a -= b"):
            check_numpy(results[0], lambda: numpy_array(xs) - numpy_array(ys))


@FUZZ_SETTINGS
@given(float_lists, st.sampled_from(sorted(UNARY_OPERATIONS)))
def test_unary_operations(xs, name):
    operation = UNARY_OPERATIONS[name]
    exempt = KNOWN_DIFFERENCES.get(name, [()])[0]
    results = differential(lambda env, a: operation(a), [fresh_copies(xs)],
                           exempt)
    if name == "-a":
        check_numpy(results[0], lambda: -numpy_array(xs))


@FUZZ_SETTINGS
@given(float_lists, indices, values)
def test_items(xs, index, value):
    differential(lambda env, a: a[env.build(index)], [fresh_copies(xs)])
    differential(lambda env, a: set_item(a, env.build(index),
                                         env.build(value)),
                 [fresh_copies(xs)])
    differential(lambda env, a: del_item(a, env.build(index)),
                 [fresh_copies(xs)])


@FUZZ_SETTINGS
@given(float_lists, small_ints, values)
def test_iteration_sees_assignments(xs, j, value):
    differential(lambda env, a: iterate_while_assigning(a, j,
                                                        env.build(value)),
                 [fresh_copies(xs)])


@FUZZ_SETTINGS
@given(st.sampled_from(["cos", "sin"]),
       st.one_of(values, st.tuples(st.just("same_array"), float_lists),
                 st.tuples(st.just("foreign_array"), float_lists)))
def test_trig(name, recipe):
    results = differential(
        lambda env: getattr(env.module, name)(env.build(recipe)))
    ufunc = getattr(numpy, name) if numpy is not None else None
    if recipe[0] == "same_array":
        check_numpy(results[0], lambda: ufunc(numpy_array(recipe[1])))
    else:
        x = plain_value(recipe)
        if x is not None:
            check_numpy(results[0], lambda: ufunc(numpy.float64(x)))


# --- operations without a specified result: they must not crash --------------

class Sneaky:
    """Its __float__ re-initialises, reads and writes the array it belongs
    to, then returns a float."""

    def __init__(self, array):
        self.array = array

    def __float__(self):
        a = self.array
        try:
            a.__init__([1.0] * 20)
        except Exception:
            pass
        try:
            a[0] = 2.0
            a.tolist()
        except Exception:
            pass
        return 3.0


def _subclass(m):
    class Sub(m.array):
        def __new__(cls, *args):
            return m.array.__new__(cls, [4.0, 5.0])

    return Sub


def _view_then_reinit(a):
    view = memoryview(a)
    try:
        a.__init__([1.0] * 30)
    finally:
        view.release()


UNSPECIFIED = {
    "a.__init__(xs)": lambda m, a, xs: a.__init__(xs),
    "a.__init__(sneaky)": lambda m, a, xs: a.__init__(
        [1.0, Sneaky(a), Sneaky(a)] + xs),
    "a[0] = sneaky": lambda m, a, xs: a.__setitem__(0, Sneaky(a)),
    "a[-1] = sneaky": lambda m, a, xs: a.__setitem__(-1, Sneaky(a)),
    "a * sneaky": lambda m, a, xs: a * Sneaky(a),
    "array([sneaky])": lambda m, a, xs: m.array([Sneaky(a)] * 3),
    "type(a).__new__(type(a))": lambda m, a, xs: _use(
        type(a).__new__(type(a))),
    "type(a).__new__(type(a), xs)": lambda m, a, xs: _use(
        type(a).__new__(type(a), xs)),
    "type(iter(a))()": lambda m, a, xs: list(type(iter(a))()),
    "type(a).__mul__(2.0, a)": lambda m, a, xs: type(a).__mul__(2.0, a),
    "type(a).__add__(xs, a)": lambda m, a, xs: type(a).__add__(xs, a),
    "type(a).__len__(xs)": lambda m, a, xs: type(a).__len__(xs),
    "type(a).__getitem__(xs, 0)": lambda m, a, xs: type(a).__getitem__(
        xs, 0),
    "type(a).tolist(xs)": lambda m, a, xs: type(a).tolist(xs),
    "type(a).__repr__(xs)": lambda m, a, xs: type(a).__repr__(xs),
    # PyPy's cpyext does not check self in these slot wrappers: the
    # backends must (they read, or wrote, the list's memory as an array).
    "type(a).__neg__(xs)": lambda m, a, xs: type(a).__neg__(xs),
    "type(a).__setitem__(xs, 0, 1.0)": lambda m, a, xs: type(a).__setitem__(
        xs, 0, 1.0),
    "type(a).__delitem__(xs, 0)": lambda m, a, xs: type(a).__delitem__(
        xs, 0),
    "type(a).__iter__(xs)": lambda m, a, xs: list(type(a).__iter__(xs)),
    "type(a).__init__(xs, xs)": lambda m, a, xs: type(a).__init__(xs, xs),
    "type(iter(a)).__next__(xs)": lambda m, a, xs: type(iter(a)).__next__(
        xs),
    "type(a).__float__(xs)": lambda m, a, xs: type(a).__float__(xs),
    "type(a).__setattr__(xs, 'x', 1)": lambda m, a, xs: type(
        a).__setattr__(xs, "x", 1),
    "type(a).size.__get__(xs)": lambda m, a, xs: type(a).size.__get__(xs),
    "type(a).__new__(list, xs)": lambda m, a, xs: type(a).__new__(list, xs),
    "type(a).__new__(type(iter(a)), xs)": lambda m, a, xs: list(
        type(a).__new__(type(iter(a)), xs)),
    "type(a).__mul__(xs, 2.0)": lambda m, a, xs: type(a).__mul__(xs, 2.0),
    "type(a).__rmul__(xs, 2.0)": lambda m, a, xs: type(a).__rmul__(xs, 2.0),
    "type(a).__truediv__(xs, 2.0)": lambda m, a, xs: type(
        a).__truediv__(xs, 2.0),
    "type(a).__sub__(xs, xs)": lambda m, a, xs: type(a).__sub__(xs, xs),
    "subclass": lambda m, a, xs: _use(_subclass(m)(xs)),
    "subclass arithmetic": lambda m, a, xs: _use(
        _subclass(m)(xs) * 2.0 + _subclass(m)(xs)),
    "reversed(a)": lambda m, a, xs: list(reversed(a)),
    "copy.copy(a)": lambda m, a, xs: _use(copy.copy(a)),
    "copy.deepcopy(a)": lambda m, a, xs: _use(copy.deepcopy(a)),
    "pickle": lambda m, a, xs: _use(pickle.loads(pickle.dumps(a))),
    "memoryview(a)": lambda m, a, xs: memoryview(a).tolist(),
    "memoryview then __init__": lambda m, a, xs: _view_then_reinit(a),
    "weakref": lambda m, a, xs: weakref.ref(a)(),
    "sys.getsizeof": lambda m, a, xs: sys.getsizeof(a),
    "gc.get_referents": lambda m, a, xs: gc.get_referents(a),
    "a.__reduce_ex__(2)": lambda m, a, xs: a.__reduce_ex__(2),
    "vars(a)": lambda m, a, xs: vars(a),
    "a.__class__ = object": lambda m, a, xs: setattr(a, "__class__", object),
    "type(a).size.__get__(None)": lambda m, a, xs: type(a).size.__get__(
        None, type(a)),
}
if numpy is not None:
    def _numpy_view(a):
        view = numpy.asarray(a)
        if view.size:
            view[0] = 6.5
        return a.tolist()

    UNSPECIFIED["numpy.asarray(a) written"] = lambda m, a, xs: _numpy_view(a)


def _use(a):
    """Every operation of an array whose state may be unusual."""
    results = []
    for operation in (len, lambda a: a.size, lambda a: a.tolist(), repr,
                      list, lambda a: a * 2.0, lambda a: a / 0.0, operator.neg,
                      lambda a: a + a, lambda a: a - a, lambda a: a[0],
                      lambda a: a.__setitem__(0, 1.0), lambda a: a[-1]):
        try:
            results.append(operation(a))
        except Exception as error:
            results.append(type(error))
    return results


def well_formed(a):
    """The array is usable and consistent: len, size, tolist, items agree."""
    items = a.tolist()
    assert len(a) == a.size == len(items)
    assert all(type(x) is float for x in items)
    keys = list(map(key, items))
    assert [key(a[i]) for i in range(len(items))] == keys
    assert list(map(key, a)) == keys


@FUZZ_SETTINGS
@given(float_lists, st.sampled_from(sorted(UNSPECIFIED)))
def test_unspecified_operations_do_not_crash(xs, name):
    for label, module in MODULES:
        a = module.array(xs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                UNSPECIFIED[name](module, a, list(xs))
            except Exception:
                pass
        OPERATIONS[label] += 1
        well_formed(a)


# --- sequences of operations -------------------------------------------------

class HostileSequences(RuleBasedStateMachine):
    """Random sequences of hostile operations on every backend at once.

    ``self.arrays`` holds the arrays made so far, each a tuple with one
    array per backend (purepy's first); after every step they must all hold
    the same floats as purepy's.
    """

    def __init__(self):
        super().__init__()
        self.arrays = []

    def _keep(self, results):
        if type(results[0]) is SPEC.array:
            self.arrays.append(tuple(results))

    def _pick(self, i):
        return self.arrays[i % len(self.arrays)]

    @initialize(xs=float_lists)
    def start(self, xs):
        self.arrays.append(fresh_copies(xs))

    @rule(recipe=iterables)
    def construct(self, recipe):
        self._keep(differential(lambda env: construct(env, recipe)))

    @rule(call=st.sampled_from(sorted(CALLS)), recipe=iterables)
    def wrong_call(self, call, recipe):
        self._keep(differential(
            lambda env: CALLS[call](env.module, env.build(recipe))))

    @rule(recipe=sizes)
    def zeros(self, recipe):
        self._keep(differential(lambda env: env.module.zeros(
            env.build(recipe))))

    @rule(recipe=sizes)
    def empty(self, recipe):
        differential(lambda env: len(env.module.empty(env.build(recipe))))

    @rule(i=st.integers(0, 1000), name=st.sampled_from(
        sorted(SCALAR_OPERATIONS)), recipe=values)
    def scalar_operation(self, i, name, recipe):
        operation = SCALAR_OPERATIONS[name]
        self._keep(differential(lambda env, a: operation(a, env.build(recipe)),
                                [self._pick(i)]))

    @rule(i=st.integers(0, 1000), j=st.integers(0, 1000),
          name=st.sampled_from(sorted(ARRAY_OPERATIONS)))
    def array_operation(self, i, j, name):
        self._keep(differential(ARRAY_OPERATIONS[name],
                                [self._pick(i), self._pick(j)]))

    @rule(i=st.integers(0, 1000), name=st.sampled_from(
        sorted(UNARY_OPERATIONS)))
    def unary_operation(self, i, name):
        operation = UNARY_OPERATIONS[name]
        exempt = KNOWN_DIFFERENCES.get(name, [()])[0]
        operand = self._pick(i)
        if exempt:  # the known difference may stay: not on a kept array
            operand = fresh_copies(operand[0].tolist())
        self._keep(differential(lambda env, a: operation(a), [operand],
                                exempt))

    @rule(i=st.integers(0, 1000), name=st.sampled_from(["cos", "sin"]))
    def trig_of_array(self, i, name):
        self._keep(differential(lambda env, a: getattr(env.module, name)(a),
                                [self._pick(i)]))

    @rule(name=st.sampled_from(["cos", "sin"]), recipe=values)
    def trig_of_value(self, name, recipe):
        differential(lambda env: getattr(env.module, name)(env.build(recipe)))

    @rule(i=st.integers(0, 1000), index=indices)
    def get_item(self, i, index):
        differential(lambda env, a: a[env.build(index)], [self._pick(i)])

    @rule(i=st.integers(0, 1000), index=indices, value=values)
    def set_item(self, i, index, value):
        differential(lambda env, a: set_item(a, env.build(index),
                                             env.build(value)),
                     [self._pick(i)])

    @rule(i=st.integers(0, 1000), index=indices)
    def del_item(self, i, index):
        differential(lambda env, a: del_item(a, env.build(index)),
                     [self._pick(i)])

    @rule(i=st.integers(0, 1000), j=small_ints, value=values)
    def iterate_while_assigning(self, i, j, value):
        differential(lambda env, a: iterate_while_assigning(
            a, j, env.build(value)), [self._pick(i)])

    @rule(i=st.integers(0, 1000))
    def copy_through_array(self, i):
        self._keep(differential(lambda env, a: env.module.array(a),
                                [self._pick(i)]))

    @invariant()
    def same_floats_everywhere(self):
        for entry in self.arrays:
            expected = describe(entry[0], SPEC)
            for (label, module), a in zip(MODULES[1:], entry[1:]):
                assert describe(a, module) == expected, label


#: Hypothesis keeps what it drew in one run until the run ends (about 1 MB
#: per sequence here): a long run is made of runs of at most this many.
SEQUENCES_PER_RUN = 100


def test_hostile_sequences():
    remaining = max(1, EXAMPLES // 10)
    while remaining > 0:
        run_state_machine_as_test(HostileSequences, settings=settings(
            FUZZ_SETTINGS, max_examples=min(remaining, SEQUENCES_PER_RUN),
            stateful_step_count=STEPS,
        ))
        remaining -= SEQUENCES_PER_RUN

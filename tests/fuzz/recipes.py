"""Hypothesis strategies that draw recipes (tests/fuzz/hostile.py builds
them): numbers of every kind (nan, infinities, subnormals, signed zeros,
ints beyond the double range, float and int subclasses, numpy scalars,
Fraction and Decimal), hostile behaviours, iterables, sizes and indices.
"""

import math
import sys

from hypothesis import strategies as st

from piconumpy import _rules

from .hostile import EXCEPTION_NAMES

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

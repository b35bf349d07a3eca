"""Hostile objects, and ``Env``, which builds them from recipes.

A recipe is a plain tuple (tests/fuzz/recipes.py draws them); each backend
builds its own objects from the same recipe, so that every backend meets
the same hostility: ``__float__`` or ``__index__`` that raise, return what
they must not, mutate the list being converted or the array being operated
on, re-enter the backend or run the garbage collector; iterables that raise,
lie, or mutate themselves.  ``Env`` logs every call of a hostile method.
"""

import decimal
import fractions
import gc

from support.backends import foreign

from . import IS_PYPY
from .compare import numpy

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
        keys = self._items(items)
        # Equal keys are compared while the dict is built, and numpy's
        # comparison of a float64 with a float subclass may call its
        # __float__, more often the first time it meets the type: calls of
        # the input's making, not of the operation under test.
        mark = len(self.log)
        built = dict.fromkeys(keys)
        del self.log[mark:]
        return built

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

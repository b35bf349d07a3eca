"""Operations without a specified result (``a.__init__`` again, calling a
slot with a foreign ``self``, subclassing, copying, pickling...): they run
on every backend, and must neither crash nor leave an array malformed."""

import copy
import gc
import operator
import pickle
import sys
import warnings
import weakref

from hypothesis import given
from hypothesis import strategies as st

from . import FUZZ_SETTINGS
from .compare import key, numpy
from .recipes import float_lists

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
def test_unspecified_operations_do_not_crash(differential, xs, name):
    for label, module in differential.modules:
        a = module.array(xs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                UNSPECIFIED[name](module, a, list(xs))
            except Exception:
                pass
        differential.counts.operations[label] += 1
        well_formed(a)

"""What only the ``cpython_capi`` backend (backends/cpython_capi.c) promises.

The shared behaviour is in test_conformance.py; here: the buffer protocol
(numpy shares the memory), the inline storage (one allocation per array),
the heap type, its module state and its part in the cyclic GC, and the
safety of the list fast path.
"""

import gc
import importlib.util
import math
import sys

import pytest

import piconumpy

IS_PYPY = sys.implementation.name == "pypy"

_reason = piconumpy.why_unavailable("cpython_capi")
if _reason:
    pytest.skip(f"cpython_capi is not available: {_reason}",
                allow_module_level=True)

capi = piconumpy.load_backend("cpython_capi")
spec = piconumpy.load_backend("purepy")

from support.needs import needs_numpy  # noqa: E402

try:
    import numpy
except ImportError:
    numpy = None

only_cpython = pytest.mark.skipif(
    IS_PYPY, reason="PyPy has no reference counts nor allocated blocks"
)


# --- the buffer protocol ----------------------------------------------------

def test_memoryview_describes_the_doubles():
    a = capi.array([1.0, 2.0, 3.0])
    view = memoryview(a)
    assert view.format == "d" and view.itemsize == 8
    assert view.ndim == 1 and view.shape == (3,) and view.strides == (8,)
    assert view.nbytes == 24 and not view.readonly
    assert view.c_contiguous and view.f_contiguous
    assert view.tolist() == [1.0, 2.0, 3.0]
    view[2] = -7.5
    assert a[2] == -7.5
    view.release()


def test_memoryview_of_an_empty_array():
    view = memoryview(capi.array([]))
    assert view.shape == (0,) and view.nbytes == 0 and view.tolist() == []


def test_buffer_keeps_the_array_alive():
    a = capi.array([4.0, 5.0])
    view = memoryview(a)
    del a
    gc.collect()
    assert view.tolist() == [4.0, 5.0]


def test_bytes_of_the_buffer():
    import struct

    a = capi.array([1.5, -0.0])
    assert bytes(memoryview(a)) == struct.pack("=2d", 1.5, -0.0)


@needs_numpy
def test_numpy_shares_the_memory():
    a = capi.array([1.0, 2.0, 3.0])
    n = numpy.asarray(a)
    assert n.dtype == numpy.float64 and n.shape == (3,)
    assert not n.flags.owndata and n.flags.writeable
    n[1] = 20.0  # written through numpy ...
    assert a[1] == 20.0  # ... read through the array
    a[0] = -1.0
    assert n[0] == -1.0
    assert numpy.frombuffer(a).tolist() == [-1.0, 20.0, 3.0]


@needs_numpy
def test_numpy_array_copies():
    a = capi.array([1.0, 2.0])
    n = numpy.array(a)
    n[0] = 10.0
    assert a[0] == 1.0


# --- the storage --------------------------------------------------------------

def test_doubles_are_stored_in_the_object():
    if IS_PYPY:
        pytest.skip("sys.getsizeof is not meaningful on PyPy")
    header = sys.getsizeof(capi.array([]))
    for n in (1, 4, 100):
        assert sys.getsizeof(capi.zeros(n)) == header + 8 * n


@only_cpython
def test_one_allocation_per_array():
    if sys.getallocatedblocks() == 0:
        pytest.skip("pymalloc is not in use (PYTHONMALLOC=malloc?)")
    a = capi.array([1.0, 2.0, 3.0, 4.0])
    results = [None] * 10_000  # allocated before the count starts
    gc.collect()
    before = sys.getallocatedblocks()
    for i in range(len(results)):
        results[i] = a * 2.0
    blocks = sys.getallocatedblocks() - before
    assert blocks == pytest.approx(len(results), rel=0.01)


def test_empty_gives_the_requested_size():
    a = capi.empty(5)
    assert len(a) == 5 and all(type(x) is float for x in a)


# --- the type -----------------------------------------------------------------

def test_type_names():
    assert capi.array.__name__ == "array"
    assert capi.array.__module__ == "piconumpy.backends.cpython_capi"
    assert capi.array.__dict__["__array_ufunc__"] is None


def test_array_cannot_be_subclassed():
    # CPython and PyPy 7.3.19's cpyext refuse the class statement; PyPy
    # 7.3.11's cpyext makes the class, so tp_new refuses its instances.
    try:
        sub = type("Sub", (capi.array,), {})
    except TypeError:
        return
    assert IS_PYPY, "only cpyext may make the class"
    with pytest.raises(TypeError, match="cannot be subclassed"):
        sub([1.0])


@pytest.mark.skipif(sys.version_info < (3, 10),
                    reason="Py_TPFLAGS_IMMUTABLETYPE is new in Python 3.10")
def test_type_is_immutable():
    try:
        capi.array.extra = 1
    except TypeError:
        pass
    else:
        del capi.array.extra
        assert IS_PYPY, "CPython honours Py_TPFLAGS_IMMUTABLETYPE"
        pytest.xfail("this PyPy's cpyext ignores Py_TPFLAGS_IMMUTABLETYPE")
    with pytest.raises(TypeError):
        capi.array.__array_ufunc__ = 1
    assert capi.array.__array_ufunc__ is None


def test_array_takes_its_argument_by_name_too():
    assert capi.array(iterable=[1.0]).tolist() == [1.0]
    for kwargs in ({"values": [1.0]}, {"iterable": [1.0], "other": 2}):
        with pytest.raises(TypeError):
            capi.array(**kwargs)
    with pytest.raises(TypeError):
        capi.array([1.0], iterable=[2.0])


def _signature(function):
    """inspect's signature of ``function``; an xfail where this PyPy's
    cpyext leaves inspect none (CPython reads it from the docstring)."""
    import inspect

    try:
        if function.__text_signature__ is not None:
            return str(inspect.signature(function))
    except ValueError:
        pass
    assert IS_PYPY, "CPython gives every function of ours a signature"
    pytest.xfail(f"this PyPy's cpyext gives {function.__name__} no signature "
                 "that inspect reads")


def test_signatures():
    assert _signature(capi.array) == "(iterable)"
    # PyPy 3.9 shows the "$module" of the text signature as "module".
    assert _signature(capi.zeros).endswith("n, /)")


# --- the cyclic GC: instances of a heap type visit their type ---------------

HAVE_GC = 1 << 14  # Py_TPFLAGS_HAVE_GC


def new_module():
    """A new module object of the backend, with types of its own."""
    spec_ = importlib.util.find_spec("piconumpy.backends.cpython_capi")
    module = importlib.util.module_from_spec(spec_)
    spec_.loader.exec_module(module)
    return module


@only_cpython
def test_array_and_iterator_are_gc_tracked():
    a = capi.array([1.0, 2.0])
    assert capi.array.__flags__ & HAVE_GC
    assert type(iter(a)).__flags__ & HAVE_GC
    for obj in (a, a * 2.0, a + a, -a, capi.zeros(3), capi.cos(a), iter(a)):
        assert gc.is_tracked(obj)
    assert capi.array in gc.get_referents(a)
    assert a in gc.get_referents(iter(a))


@only_cpython
def test_type_reference_released_with_the_arrays():
    # Counts taken apart from the asserts: pytest's rewritten asserts keep
    # what they evaluate (capi.array too) in variables of their own.
    before = sys.getrefcount(capi.array)
    arrays = [capi.array([1.0, 2.0]) for _ in range(100)]
    arrays += [x * 2.0 for x in arrays] + [iter(x) for x in arrays]
    during = sys.getrefcount(capi.array)
    del arrays
    after = sys.getrefcount(capi.array)
    assert during == before + 200 and after == before  # 200 arrays


@pytest.mark.skipif(IS_PYPY, reason="PyPy 7.3's cpyext collects no cycle "
                    "through C objects, whatever their tp_traverse")
@pytest.mark.parametrize("keep", ["array", "iterator"])
def test_cycle_through_an_array_is_collected(keep):
    # module -> its dict -> array (or iterator -> array) -> type -> module:
    # collected only if the GC sees the array's reference to its type.
    import weakref

    module = new_module()
    a = module.array([1.0, 2.0])
    module.kept = a if keep == "array" else iter(a)
    module_ref = weakref.ref(module)
    type_ref = weakref.ref(module.array)
    del module, a
    gc.collect()
    assert module_ref() is None and type_ref() is None


# --- the iterator -------------------------------------------------------------

def test_iterator_keeps_the_array_alive():
    a = capi.array([1.0, 2.0])
    iterator = iter(a)
    del a
    gc.collect()
    assert list(iterator) == [1.0, 2.0]
    assert list(iterator) == []  # stays exhausted
    assert iter(iterator) is iterator


def test_iterator_type_cannot_make_a_broken_iterator():
    iterator_type = type(iter(capi.array([])))
    try:
        iterator = iterator_type()
    except TypeError:  # Python >= 3.10: Py_TPFLAGS_DISALLOW_INSTANTIATION
        assert sys.version_info >= (3, 10)
    else:  # PyPy 3.9: an iterator over nothing, not a crash
        assert list(iterator) == []


# --- the module: multi-phase initialisation, state per module object --------

def test_each_module_object_has_its_own_type():
    other = new_module()
    assert other is not capi and other.array is not capi.array
    a, b = capi.array([1.0, 2.0]), other.array([1.0, 2.0])
    assert (b * 2.0).tolist() == [2.0, 4.0]
    assert type(other.cos(b)) is other.array
    assert type(other.zeros(2)) is other.array
    with pytest.raises(TypeError):
        a + b
    with pytest.raises(TypeError):
        capi.cos(b)


# --- the fast path of array(list): Python code may change the list ----------

class Shrinks:
    """An item whose __float__ empties the list being converted."""

    def __init__(self, values):
        self.values = values

    def __float__(self):
        self.values.clear()
        return 2.0


class Grows:
    def __init__(self, values):
        self.values = values

    def __float__(self):
        if len(self.values) < 4:
            self.values.append(7.0)
        return 2.0


@pytest.mark.parametrize("kind", [Shrinks, Grows])
def test_list_changed_by_an_item_during_array(kind):
    def values():
        result = [1.0]
        result.append(kind(result))
        result.append(3.0)
        return result

    expected = spec.array(values()).tolist()
    assert capi.array(values()).tolist() == expected


@pytest.mark.parametrize("method", ["__len__", "__length_hint__"])
def test_array_asks_only_for_the_items(method):
    def fails(self):
        raise ValueError("array() must not ask for the length")

    iterable_type = type("Iterable", (), {
        "__iter__": lambda self: iter([1.0, 2.0]), method: fails,
    })
    assert spec.array(iterable_type()).tolist() == [1.0, 2.0]
    assert capi.array(iterable_type()).tolist() == [1.0, 2.0]


def test_array_from_a_long_iterator():
    values = [x / 7 for x in range(100_000)]
    a = capi.array(iter(values))  # no length hint: the buffer grows
    assert len(a) == len(values) and a.tolist() == values


def test_array_from_a_list_of_ints_and_floats():
    values = [1.0, 2, 3.5, True, math.inf]
    assert capi.array(values).tolist() == [1.0, 2.0, 3.5, 1.0, math.inf]

"""What only the ``cython`` backend can get wrong: its storage.

Arrays of up to 4 items keep them inside the object, longer ones in memory
from PyMem_Malloc, and ``array()`` collects its input before storing it;
these tests cross each of those boundaries, compare with ``purepy`` and try
the inputs that run Python code in the middle of a construction.
"""

import gc
import sys

import pytest

import piconumpy
from support.numbers import Mutating

cython = pytest.importorskip("piconumpy.backends.cython")
purepy = piconumpy.load_backend("purepy")

IS_PYPY = sys.implementation.name == "pypy"

SIZES = [0, 1, 3, 4, 5, 8, 9, 17, 1000]


def values(n):
    return [0.5 * k - 1.0 for k in range(n)]


SOURCES = {
    "list": values,
    "tuple": lambda n: tuple(values(n)),
    "generator": lambda n: (x for x in values(n)),
}


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("source", SOURCES)
def test_construction_across_storage_sizes(n, source):
    a = cython.array(SOURCES[source](n))
    assert a.tolist() == values(n)
    assert len(a) == a.size == n


@pytest.mark.parametrize("n", SIZES)
def test_results_across_storage_sizes(n):
    a, b = cython.array(values(n)), cython.array(values(n))
    p, q = purepy.array(values(n)), purepy.array(values(n))
    for got, expected in [
        (a * 3.0, p * 3.0), (3.0 * a, 3.0 * p), (a / 3.0, p / 3.0),
        (a + b, p + q), (a - b, p - q), (-a, -p),
        (cython.cos(a), purepy.cos(p)), (cython.sin(a), purepy.sin(p)),
        (cython.array(a), purepy.array(p)), (cython.zeros(n), purepy.zeros(n)),
    ]:
        assert type(got) is cython.array
        assert got.tolist() == expected.tolist()
    assert len(cython.empty(n)) == n


def test_copy_is_independent():
    for n in SIZES:
        a = cython.array(values(n))
        b = cython.array(a)
        if n:
            b[0] = 42.0
            assert a[0] == values(n)[0]


@pytest.mark.parametrize("action, expected_length", [
    (lambda items: items.clear(), 2),  # the list shrinks to nothing
    # it grows past the inline room
    (lambda items: items.extend([2.0] * 10), 13),
    (lambda items: items.pop(), 2),
])
def test_list_changed_by_an_element(action, expected_length):
    for backend in (cython, purepy):
        items = [0.0, 0.0, 0.0]
        items[1] = Mutating(items, action)
        assert len(backend.array(items)) == expected_length


def test_element_dropped_by_its_own_conversion():
    items = [0.0, None, 0.0]
    # The element removes itself from the list while being converted: the
    # array must hold its own reference meanwhile.
    items[1] = Mutating(items, lambda lst: lst.__setitem__(1, 0.0))
    assert cython.array(items).tolist() == [0.0, 1.0, 0.0]


def test_reentrant_init():
    a = cython.array([1.0] * 20)

    class Reinit:
        def __float__(self):
            a.__init__([7.0] * 30)
            return 2.0

    a.__init__([3.0, Reinit(), 4.0])
    assert a.tolist() == [3.0, 2.0, 4.0]


def test_failed_init_keeps_the_data():
    for n in (2, 10):
        a = cython.array(values(n))
        with pytest.raises(TypeError):
            a.__init__([1.0] * 7 + ["x"])
        assert a.tolist() == values(n)


def test_init_refused_while_memory_is_exported():
    a = cython.array([1.0, 2.0])
    view = memoryview(a)
    with pytest.raises(BufferError):
        a.__init__([3.0])
    assert a.tolist() == [1.0, 2.0]
    view.release()
    # PyPy 7.3.11 calls bf_releasebuffer only when the released view is
    # collected (pypy/pypy#5148), not in memoryview.release().
    del view
    gc.collect()
    a.__init__([3.0])
    assert a.tolist() == [3.0]


@pytest.mark.parametrize("n", [0, 4, 5])
def test_buffer(n):
    a = cython.array(values(n))
    with memoryview(a) as view:
        assert view.format == "d"
        assert view.shape == (n,)
        assert view.strides == (8,)
        assert not view.readonly
        assert view.tolist() == values(n)


@pytest.mark.parametrize("n", [4, 5])
def test_numpy_shares_memory(n):
    numpy = pytest.importorskip("numpy")
    a = cython.array(values(n))
    view = numpy.asarray(a)
    assert view.dtype == numpy.float64
    view[0] = 42.0
    assert a[0] == 42.0
    del view
    gc.collect()


def test_array_made_without_init_is_empty():
    # array.__new__ without __init__: __cinit__ gave it its (empty) storage.
    a = cython.array.__new__(cython.array)
    assert len(a) == 0
    assert a.tolist() == []
    assert (a * 2.0).tolist() == []
    with memoryview(a) as view:
        assert view.nbytes == 0


def test_setitem_value_that_shrinks_the_array():
    for backend in (cython, purepy):
        a = backend.array([1.0] * 10)

        class Shrinking:
            def __float__(self):
                a.__init__([2.0])
                return 3.0

        with pytest.raises(IndexError):
            a[9] = Shrinking()
        assert a.tolist() == [2.0]
        a[0] = Shrinking()
        assert a.tolist() == [3.0]


def test_array_cannot_be_subclassed():
    """Final, like the types of the C backends (tests/test_capi_specific)."""
    # CPython and PyPy 7.3.19's cpyext refuse the class statement; PyPy
    # 7.3.11's cpyext makes the class, so __cinit__ refuses its instances.
    try:
        sub = type("Sub", (cython.array,), {})
    except TypeError:
        return
    assert IS_PYPY, "only cpyext may make the class"
    with pytest.raises(TypeError, match="cannot be subclassed"):
        sub([1.0])


def test_array_new_refuses_another_type():
    # CPython's tp_new wrapper checks the type; on PyPy, __cinit__ does.
    with pytest.raises(TypeError):
        cython.array.__new__(type(iter(cython.array([]))))


def test_iterator_made_by_its_type_is_empty():
    assert list(type(iter(cython.array([1.0])))()) == []

# cython: language_level=3
# cython: boundscheck=False, wraparound=False
# cython: cdivision=True
# cython: auto_pickle=False, autotestdict=False
# cython: c_api_binop_methods=False
# cython: binding=False, embedsignature=True, embedsignature.format=clinic
"""``cython``: the piconumpy array in Cython, its floats in a C array.

Behaves exactly like ``purepy`` (the specification, see ``_rules.py``).
Where Cython's own conversions differ from the rules, this file does the
conversion itself:

* ``cdivision=True`` makes ``x / 0.0`` IEEE (inf or nan) instead of
  Cython's ZeroDivisionError; no integer is divided anywhere in this file.
* ``boundscheck=False, wraparound=False``: every index is checked (and a
  negative one wrapped) by ``checked_index`` before any access; the loops
  go over raw pointers.
* indices are converted with ``PyNumber_AsSsize_t(i, IndexError)`` (a huge
  int is an IndexError, as in the rules) instead of Cython's
  ``<Py_ssize_t>``, which raises OverflowError.
* real numbers go through ``as_real`` (CPython's ``PyFloat_AsDouble``, also
  on PyPy) after the type has been checked, so that a non-number is a
  TypeError with the rules' message, and is NotImplemented in arithmetic
  without an exception being raised at all.

Speed (measured, see the commit messages): up to 4 items live inside the
object and a freelist recycles arrays, so ``a * 2.0`` on a 4-item array
allocates nothing; ``binding=False`` makes the module functions builtins,
which PyPy's cpyext calls much faster than Cython's own functions.

The class is final, as the C types are: ``array`` cannot be subclassed
(PyPy's cpyext lets the class statement through; ``__cinit__`` then
refuses to make its instances).

Its instances are not GC-tracked, and need not be: the type is a static
type (Cython makes heap types only with CYTHON_USE_TYPE_SPECS), so an
array holds no reference at all.
"""

cimport cython
from cpython.complex cimport PyComplex_Check
from cpython.object cimport Py_TYPE, PyTypeObject
from cpython.ref cimport PyObject
from cpython.float cimport (
    PyFloat_AS_DOUBLE, PyFloat_Check, PyFloat_CheckExact,
)
from cpython.list cimport PyList_CheckExact
from cpython.long cimport PyLong_AsDouble, PyLong_CheckExact
from cpython.mem cimport PyMem_Free, PyMem_Malloc, PyMem_Realloc
from cpython.number cimport (
    PyIndex_Check, PyNumber_AsSsize_t, PyNumber_Float, PyNumber_Index,
)
from cpython.buffer cimport PyBUF_FORMAT, PyBUF_ND, PyBUF_STRIDES
from cpython.pyport cimport PY_SSIZE_T_MAX
from cpython.sequence cimport (
    PySequence_Fast_GET_ITEM, PySequence_Fast_GET_SIZE,
)
from cpython.tuple cimport PyTuple_CheckExact
from libc.math cimport cos as c_cos, sin as c_sin
from libc.string cimport memcpy, memset

# The specification's own rules where no speed is at stake: _rules.size,
# _rules.not_iterable.
from piconumpy import _rules

__all__ = ["array", "zeros", "empty", "cos", "sin"]

# What cpython_capi.c needs too: cpyext_helpers.h says why each one exists.
cdef extern from "cpyext_helpers.h":
    bint has_float "piconumpy_has_float"(object value)
    bint has_index "piconumpy_has_index"(object value)
    int check_self "piconumpy_check_self"(
        object self, bint is_ours, const char *type, const char *name
    ) except -1

cdef extern from "Python.h":
    # PyObject_GenericSetAttr with NULL as value deletes.
    int generic_setattr "PyObject_GenericSetAttr"(
        object obj, object name, PyObject *value) except -1


cdef inline bint convertible(object value):
    """The objects PyFloat_AsDouble converts, or tries to: floats, and
    instances of a type with __float__ or __index__.  Checking the type
    first lets a caller reject anything else without raising, and with the
    rules' own message."""
    return PyFloat_Check(value) or has_float(value) or has_index(value)


cdef inline bint is_real(object value):
    """``_rules.is_real``: complex is not real, although Python 3.9 (PyPy)
    gives it a __float__ that raises TypeError."""
    return not PyComplex_Check(value) and convertible(value)


cdef inline int check_type(object self, type expected,
                           const char *name) except -1:
    """On PyPy, a TypeError if ``self`` is not an ``expected`` (see
    piconumpy_check_self); ``self`` is an ``object`` here, so that Cython
    takes nothing about its type for granted."""
    cdef PyTypeObject *expected_type = <PyTypeObject *>expected
    return check_self(self, Py_TYPE(self) == expected_type,
                      expected_type.tp_name, name)


cdef enum:
    # Arrays of up to SMALL items keep them inside the array object.
    SMALL = 4

# _rules.MAX_SIZE: above it, a size is a MemoryError (n * 8 would overflow).
cdef Py_ssize_t MAX_SIZE = PY_SSIZE_T_MAX // sizeof(double)
# The stride of every buffer we export (the buffer's strides point here).
cdef Py_ssize_t ITEM_SIZE = sizeof(double)


cdef inline str type_name(object value):
    return type(value).__name__


# --- conversions, following _rules.py ---------------------------------------

cdef double as_real(object value) except? -1.0:
    """``_rules.as_real``: CPython's ``PyFloat_AsDouble(value)``.

    ``value`` must be ``convertible``.  PyPy's PyFloat_AsDouble (cpyext)
    calls the ``__float__`` of a float subclass and ignores ``__index__``:
    those cases are done here, as CPython does them; a ``__float__`` is
    called as float() calls it.
    """
    if PyFloat_Check(value):
        return PyFloat_AS_DOUBLE(value)
    if PyLong_CheckExact(value):
        return PyLong_AsDouble(value)
    if has_float(value):
        # As float() does (_rules: the DeprecationWarning for a float
        # subclass returned, which PyPy 7.3.11's PyFloat_AsDouble skips).
        return PyFloat_AS_DOUBLE(PyNumber_Float(value))
    return PyLong_AsDouble(PyNumber_Index(value))


cdef double checked_real(object value, str what) except? -1.0:
    """``_rules.real``: ``value`` as a double, TypeError naming ``what``."""
    if PyFloat_CheckExact(value):
        return PyFloat_AS_DOUBLE(value)
    # An array is no number, though it has a __float__ (that refuses).
    if not is_real(value) or isinstance(value, array):
        raise TypeError(
            f"{what} must be a real number, not '{type_name(value)}'"
        )
    return as_real(value)


cdef inline double element_value(object value,
                                 Py_ssize_t position) except? -1.0:
    """An element of the input of ``array()`` (``_rules.iterate``)."""
    if PyFloat_CheckExact(value):
        return PyFloat_AS_DOUBLE(value)
    # The message is only formatted when there is an error.
    if not is_real(value) or isinstance(value, array):
        raise TypeError(
            f"array() element {position} must be a real number, "
            f"not '{type_name(value)}'"
        )
    return as_real(value)


cdef int scalar(object value, double *result) except -1:
    """``_rules.scalar_or_none``: 1 and ``*result`` set, or 0 (NotImplemented).

    Only a TypeError means "not a real number"; other errors propagate.
    """
    if PyFloat_Check(value):
        result[0] = PyFloat_AS_DOUBLE(value)
        return 1
    # Not is_real: like the rules, a complex (subclass) with a __float__
    # that returns a float is a scalar here.
    if not convertible(value):
        return 0
    try:
        result[0] = as_real(value)
    except TypeError:
        return 0
    return 1


cdef inline Py_ssize_t checked_index(array self, object i) except -1:
    """``_rules.index``: ``a[i]``'s index, wrapped and checked in range."""
    cdef Py_ssize_t k
    if PyLong_CheckExact(i):  # the usual index, first
        k = PyNumber_AsSsize_t(i, IndexError)
    # has_index, not PyIndex_Check: on PyPy, cpyext leaves nb_index empty
    # in a float subclass that defines __index__ in Python; and there
    # PyNumber_AsSsize_t refuses such a float without calling its __index__,
    # hence PyNumber_Index first.
    elif has_index(i):
        k = PyNumber_AsSsize_t(PyNumber_Index(i), IndexError)
    else:
        raise TypeError(
            f"array indices must be integers, not '{type_name(i)}'"
        )
    if k < 0:
        k += self.length
    # One unsigned comparison checks 0 <= k < length.
    if <size_t>k >= <size_t>self.length:
        raise IndexError("array index out of range")
    return k


# --- storage -----------------------------------------------------------------

cdef double *allocate(Py_ssize_t n) except NULL:
    """Room for ``n`` uninitialised doubles, to free with PyMem_Free."""
    cdef double *data
    if n > MAX_SIZE:
        raise MemoryError(f"cannot allocate {n} float64 items")
    # PyMem_Malloc(0) returns a unique non-NULL pointer: no special case.
    data = <double *>PyMem_Malloc(n * sizeof(double))
    if data == NULL:
        raise MemoryError()
    return data


cdef double *reallocate(double *data, Py_ssize_t n) except NULL:
    """``data`` resized to ``n`` doubles; on failure ``data`` is unchanged."""
    cdef double *resized
    if n > MAX_SIZE:
        raise MemoryError(f"cannot allocate {n} float64 items")
    resized = <double *>PyMem_Realloc(data, n * sizeof(double))
    if resized == NULL:
        raise MemoryError()
    return resized


@cython.final
cdef class _Owner:
    """Owns the PyMem_Malloc'd block that ``build`` fills, and frees it if
    an exception goes through ``build``.  (It was a try/except that freed
    and re-raised: on PyPy 7.3.11, Cython's except-and-raise leaked the
    exception, its traceback and frames, each time a ``__float__`` raised
    in ``array()``.)"""

    cdef double *data

    def __dealloc__(self):
        PyMem_Free(self.data)


cdef double *grow(_Owner owner, double *small, Py_ssize_t n,
                  Py_ssize_t capacity) except NULL:
    """Room for ``capacity`` doubles in ``owner``, starting with the ``n``
    doubles of ``small`` (if ``owner`` has no block yet) or of its block."""
    if owner.data == NULL:
        owner.data = allocate(capacity)
        memcpy(owner.data, small, n * sizeof(double))
    else:
        # On failure the block is unchanged, and still owned.
        owner.data = reallocate(owner.data, capacity)
    return owner.data


cdef Py_ssize_t build(object iterable, double *small,
                      double **result) except -1:
    """Collect the elements of ``iterable`` (``_rules.iterate``) as doubles.

    They go to ``small`` (room for SMALL doubles) if they fit, else to a new
    PyMem_Malloc'd C array; set ``*result`` to the one used and return the
    number of elements.  They are collected apart from any array: a
    ``__float__`` called on the way can do anything, even re-run
    ``__init__`` on the array being built.
    """
    cdef Py_ssize_t n = 0, capacity = SMALL
    cdef double *data = small
    cdef array source
    # Made when a block is allocated: it frees the block on an error.
    cdef _Owner owner = None
    if type(iterable) is array:
        source = iterable
        if source.length > SMALL:
            data = allocate(source.length)
        memcpy(data, source.data, source.length * sizeof(double))
        result[0] = data
        return source.length
    if PyList_CheckExact(iterable) or PyTuple_CheckExact(iterable):
        if PySequence_Fast_GET_SIZE(iterable) > SMALL:
            capacity = PySequence_Fast_GET_SIZE(iterable)
            owner = _Owner.__new__(_Owner)
            owner.data = data = allocate(capacity)
        # Read the items in place.  An item's __float__ can change a
        # list's size: like a list iterator, re-read it at every step.
        while n < PySequence_Fast_GET_SIZE(iterable):
            if n == capacity:
                if owner is None:
                    owner = _Owner.__new__(_Owner)
                data = grow(owner, small, n, 2 * capacity)
                capacity *= 2
            # <object> takes a reference: __float__ may drop the list's.
            data[n] = element_value(
                <object>PySequence_Fast_GET_ITEM(iterable, n), n
            )
            n += 1
        if owner is not None:
            owner.data = NULL  # the caller's now
        result[0] = data
        return n
    try:
        iterator = iter(iterable)
    except TypeError:
        raise _rules.not_iterable(iterable) from None
    for value in iterator:
        if n == capacity:
            if owner is None:
                owner = _Owner.__new__(_Owner)
            data = grow(owner, small, n, 2 * capacity)
            capacity *= 2
        data[n] = element_value(value, n)
        n += 1
    if owner is not None:
        owner.data = NULL  # the caller's now
    result[0] = data
    return n


cdef inline array new_array(Py_ssize_t n):
    """A new ``array`` with ``n`` uninitialised doubles.

    No Python code runs here (the type's tp_new, a freelist): the caller
    can keep pointers into other arrays across this call.
    """
    cdef array result = array.__new__(array)  # data is result.small
    if n > SMALL:
        result.data = allocate(n)
    result.length = n
    return result


# --- the array type ----------------------------------------------------------

# Arrays are short-lived and small in the benchmarks (4 items): a freelist
# recycles the objects, and up to SMALL items live inside the object, so
# that creating such an array allocates nothing.
@cython.final
@cython.freelist(32)
cdef class array:
    """A one-dimensional array of float64."""

    # ``data`` holds ``length`` doubles: it points to ``small`` or to memory
    # from PyMem_Malloc.
    cdef double *data
    cdef Py_ssize_t length
    # Buffers exported and not yet released: __init__ must not free the
    # memory they point to.
    cdef Py_ssize_t exports
    cdef double small[SMALL]

    # numpy must not turn ``numpy_scalar * a`` into a numpy array: with
    # __array_ufunc__ = None it returns NotImplemented, so our __rmul__ runs.
    __array_ufunc__ = None

    def __cinit__(self):
        """An empty array: every array has valid storage, even one that
        ``array.__new__(array)`` made without ``__init__``."""
        # PyPy: cpyext lets a class derive from this final type (CPython
        # refuses the class statement), and its tp_new wrapper does not
        # check that type(a).__new__(cls) gets a subtype: the layout of
        # such an object is not ours, refuse to make it before writing.
        if Py_TYPE(<object>self) != <PyTypeObject *>array:
            raise TypeError(
                f"cannot create '{type_name(self)}' instances: piconumpy "
                "arrays cannot be subclassed, nor made as another type"
            )
        self.data = self.small
        self.length = 0

    def __init__(self, iterable):
        cdef double small[SMALL]
        cdef double *data
        check_type(self, array, "__init__")
        cdef Py_ssize_t n = build(iterable, small, &data)
        if self.exports:
            # A buffer (numpy.asarray(a)) points to the current memory.
            if data != small:
                PyMem_Free(data)
            raise BufferError("cannot re-initialise an array whose memory "
                              "is exported")
        if self.data != self.small:
            PyMem_Free(self.data)
        if data == small:
            memcpy(self.small, small, n * sizeof(double))
            data = self.small
        self.data = data
        self.length = n

    def __dealloc__(self):
        if self.data != self.small:
            PyMem_Free(self.data)

    @property
    def size(self):
        return self.length

    def __len__(self):
        check_type(self, array, "__len__")
        return self.length

    def __getitem__(self, i):
        check_type(self, array, "__getitem__")
        return self.data[checked_index(self, i)]

    def __setitem__(self, i, value):
        check_type(self, array, "__setitem__")
        cdef Py_ssize_t k = checked_index(self, i)
        cdef double x = checked_real(value, "array item")
        # value.__float__ can have re-initialised this array: as in purepy
        # (a list assignment), the index must still be in range.
        if k >= self.length:
            raise IndexError("array assignment index out of range")
        self.data[k] = x

    def __delitem__(self, i):
        raise TypeError("array does not support item deletion")

    # An array has no attribute that can be set or deleted: refuse them
    # all with an AttributeError, as CPython's generic setattr does for an
    # object without a __dict__, except __class__, whose own checks give the
    # TypeError.  PyPy: cpyext gives the instances of a C type a dictionary,
    # where a.anything = 1 would work and a.tolist = 1 would hide the
    # method.  The type is not asked which attributes it has: on PyPy,
    # getting the descriptor of `size` into C crashes, and so does
    # PyObject_GenericSetAttr on it.
    def __setattr__(self, name, value):
        if name == "__class__":
            generic_setattr(self, name, <PyObject *>value)
        else:
            raise AttributeError(f"cannot set attribute '{name}' of "
                                 f"'{type_name(self)}' objects")

    def __delattr__(self, name):
        if name == "__class__":
            generic_setattr(self, name, NULL)
        else:
            raise AttributeError(f"cannot delete attribute '{name}' of "
                                 f"'{type_name(self)}' objects")

    def __iter__(self):
        check_type(self, array, "__iter__")
        cdef array_iterator iterator = array_iterator.__new__(array_iterator)
        iterator.source = self
        return iterator

    def tolist(self):
        """The items, as a list of floats."""
        cdef Py_ssize_t k = 0
        cdef list items = []
        # self.length is read at each step: the list's allocations can run
        # the garbage collector, hence any __del__, hence a.__init__().
        while k < self.length:
            items.append(self.data[k])
            k += 1
        return items

    def __repr__(self):
        return "array([" + ", ".join([repr(x) for x in self.tolist()]) + "])"

    # Cython 3 (c_api_binop_methods=False) calls __mul__ with the array on
    # the left and __rmul__ with the array on the right, as Python does.
    def __mul__(self, other):
        return scalar_operation(self, other, False)

    def __rmul__(self, other):
        return scalar_operation(self, other, False)

    def __truediv__(self, other):
        return scalar_operation(self, other, True)

    def __add__(self, other):
        return add_or_subtract(self, other, False)

    def __sub__(self, other):
        return add_or_subtract(self, other, True)

    # float(a) and int(a) are TypeErrors, as for purepy's arrays.  Without
    # these methods, float() and int() would take an array, which exports a
    # buffer, for a bytes-like object and parse its raw bytes as text: an
    # array whose 8 bytes spell "12345678" would convert to 12345678.0.
    def __float__(self):
        raise TypeError("float() argument must be a string or a real number, "
                        f"not '{type_name(self)}'")

    def __int__(self):
        raise TypeError("int() argument must be a string, a bytes-like object "
                        f"or a real number, not '{type_name(self)}'")

    def __neg__(self):
        cdef Py_ssize_t k
        check_type(self, array, "__neg__")
        cdef array result = new_array(self.length)
        for k in range(self.length):
            result.data[k] = -self.data[k]
        return result

    # The buffer protocol: numpy.asarray(a) shares the array's memory.
    def __getbuffer__(self, Py_buffer *view, int flags):
        view.obj = self
        view.buf = self.data
        view.len = self.length * sizeof(double)
        view.readonly = 0
        view.itemsize = sizeof(double)
        view.format = NULL
        if flags & PyBUF_FORMAT:
            view.format = b"d"  # a C string constant
        view.ndim = 1
        view.shape = &self.length if flags & PyBUF_ND else NULL
        strides = (flags & PyBUF_STRIDES) == PyBUF_STRIDES
        view.strides = &ITEM_SIZE if strides else NULL
        view.suboffsets = NULL
        view.internal = NULL
        self.exports += 1

    def __releasebuffer__(self, Py_buffer *view):
        self.exports -= 1


cdef object scalar_operation(array self, object other, bint divide):
    """``a * s`` (and ``s * a``) or ``a / s``: NotImplemented if ``s`` is
    not a real number."""
    cdef double s
    cdef Py_ssize_t k
    if not scalar(other, &s):
        return NotImplemented
    cdef array result = new_array(self.length)
    if divide:
        for k in range(self.length):
            result.data[k] = self.data[k] / s  # IEEE: cdivision
    else:
        for k in range(self.length):
            result.data[k] = self.data[k] * s
    return result


cdef object add_or_subtract(array self, object other, bint subtract):
    """``a + b`` or ``a - b``: NotImplemented unless ``b`` is an array."""
    cdef array b = check_operand(self, other)
    cdef Py_ssize_t k
    if b is None:
        return NotImplemented
    cdef array result = new_array(self.length)
    if subtract:
        for k in range(self.length):
            result.data[k] = self.data[k] - b.data[k]
    else:
        for k in range(self.length):
            result.data[k] = self.data[k] + b.data[k]
    return result


cdef array check_operand(array self, object other):
    """``other`` as an array if ``self + other`` is defined, else None."""
    if type(other) is not array:
        return None
    cdef array b = other
    if b.length != self.length:
        raise ValueError(
            f"operands have different lengths: {self.length} and {b.length}"
        )
    return b


@cython.final
cdef class array_iterator:
    """Iterator over an array's items, as floats."""

    cdef array source
    cdef Py_ssize_t position

    def __iter__(self):
        return self

    def __next__(self):
        check_type(self, array_iterator, "__next__")
        # None in an iterator made by calling its type: nothing to iterate.
        if self.source is None or self.position >= self.source.length:
            raise StopIteration
        self.position += 1
        return self.source.data[self.position - 1]


# --- functions -------------------------------------------------------------

cdef array filled(Py_ssize_t n, bint zero):
    cdef array result = new_array(n)
    if zero and n:
        memset(result.data, 0, n * sizeof(double))
    return result


def zeros(n, /):
    """A new array of ``n`` zeros."""
    return filled(_rules.size(n, "zeros"), True)


def empty(n, /):
    """A new array of ``n`` uninitialised float64 items."""
    return filled(_rules.size(n, "empty"), False)


ctypedef double (*unary_function)(double) noexcept nogil


cdef object elementwise(unary_function function, str name, object x):
    """``function`` of a real number, or of each item of an array."""
    cdef array source, result
    cdef Py_ssize_t k
    if PyFloat_CheckExact(x):
        return function(PyFloat_AS_DOUBLE(x))
    if type(x) is array:
        source = x
        result = new_array(source.length)
        for k in range(source.length):
            result.data[k] = function(source.data[k])
        return result
    return function(checked_real(x, name))


def cos(x, /):
    """The cosine of a real number (float), or of each item of an array."""
    # libm's cos(inf) is nan (errno is set, but Python does not look at it).
    return elementwise(c_cos, "cos() argument", x)


def sin(x, /):
    """The sine of a real number (float), or of each item of an array."""
    return elementwise(c_sin, "sin() argument", x)

/* piconumpy.backends.cpython_capi: the piconumpy array, hand-written with
   the CPython C-API.

   Meant to be read and copied.  The rules it follows:

   - one heap type per module object, made with PyType_FromModuleAndSpec and
     kept in the module state; multi-phase initialisation (PEP 489, 573), in
     the manner of CPython's Modules/xxlimited.c;
   - the instances take part in the cyclic GC and visit their type, as the
     "Isolating Extension Modules" HOWTO asks of heap types (see
     array_spec);
   - the doubles live inside the object (tp_itemsize = sizeof(double)), so an
     array of 4 floats is ONE allocation;
   - every call that can fail is checked, and every error path releases
     exactly the references it took ("new" and "borrowed" are noted where it
     is not obvious);
   - the behaviour is the one of the executable specification,
     src/piconumpy/_rules.py and purepy.py: same values, same exception
     types, the same messages where that is cheap;
   - it also runs on PyPy (7.3.11, Python 3.9) through cpyext; what PyPy
     lacks or does differently is marked "PyPy:".
*/

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "cpyext_helpers.h"

/* --- the objects --------------------------------------------------------- */

typedef struct {
    PyObject_VAR_HEAD  /* ob_size: the number of items, which never changes */
    double data[];
} ArrayObject;

/* The iterator of an array.  It reads the array at each step, so it sees
   assignments made during the iteration, as a list iterator does. */
typedef struct {
    PyObject_HEAD
    ArrayObject *array;    /* strong reference; NULL once exhausted */
    Py_ssize_t index;
} IteratorObject;

typedef struct {
    PyTypeObject *array_type;
    PyTypeObject *iterator_type;
} module_state;

/* The specification's limit (_rules.MAX_SIZE = sys.maxsize // 8): a larger
   size is a MemoryError. */
#define MAX_SIZE (PY_SSIZE_T_MAX / (Py_ssize_t)sizeof(double))
/* The largest array whose size in bytes, header included, fits a
   Py_ssize_t: PyObject_NewVar does not check the multiplication. */
#define MAX_ITEMS \
    ((PY_SSIZE_T_MAX - (Py_ssize_t)offsetof(ArrayObject, data)) / \
     (Py_ssize_t)sizeof(double))

#ifdef PYPY_VERSION
/* Arrays above this many items (8 MB) are tried with malloc first on PyPy
   (see new_array). */
#define PROBE_ITEMS ((Py_ssize_t)1 << 20)
#endif

static void array_dealloc(PyObject *self);

/* Whether obj is one of our arrays.  The number slots receive their operands
   in either order and have no module to ask for the type (before 3.11's
   PyType_GetModuleByDef, which PyPy 3.9 lacks), so they recognise an array
   by its deallocator: every array type of this file, one per module object,
   has it, and no other objects can, since the type has no subclass (no
   Py_TPFLAGS_BASETYPE; on PyPy, see array_new). */
static inline int
is_array(PyObject *obj)
{
    return Py_TYPE(obj)->tp_dealloc == array_dealloc;
}

/* A new array of `size` uninitialised items, or NULL with an exception. */
static ArrayObject *
new_array(PyTypeObject *type, Py_ssize_t size)
{
    if (size > MAX_ITEMS) {
        return (ArrayObject *)PyErr_NoMemory();
    }
#ifdef PYPY_VERSION
    /* PyPy: cpyext's PyObject_NewVar does not check its own allocation:
       when the system refuses it (more than the machine has), PyPy
       crashes instead of raising MemoryError.  So a large array is first
       tried with malloc, which says whether that much can be had now. */
    if (size > PROBE_ITEMS) {
        void *probe = malloc(offsetof(ArrayObject, data) +
                             (size_t)size * sizeof(double));
        if (probe == NULL) {
            return (ArrayObject *)PyErr_NoMemory();
        }
        free(probe);
    }
#endif
    /* Also sets ob_size and, the type being a heap type, takes the reference
       to it that array_dealloc releases. */
    ArrayObject *result = PyObject_GC_NewVar(ArrayObject, type, size);
    if (result != NULL) {
        /* Its only reference, to its type, is already set. */
        PyObject_GC_Track(result);
    }
    return result;
}

/* An instance of a heap type owns a reference to its type: the GC must see
   it, or a cycle through an array (a module holding one of its own arrays:
   module -> array -> type -> module) could never be collected. */
static int
array_traverse(PyObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    return 0;
}

static void
array_dealloc(PyObject *self)
{
    PyTypeObject *type = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    type->tp_free(self);
    Py_DECREF(type);
}

/* On PyPy, -1 with a TypeError if self is not one of our arrays (see
   piconumpy_check_self); else 0. */
static inline int
check_array(PyObject *self, const char *name)
{
    return piconumpy_check_self(self, is_array(self), "array", name);
}

/* --- real numbers: _rules.as_real ---------------------------------------- */

/* What as_real() gives besides 0 (success) and -1 (an exception is set). */
#define NOT_REAL 1

/* Convert obj to a double as PyFloat_AsDouble does: a float (subclasses read
   directly), else __float__ as float() calls it, else __index__.
   Return 0 and set *result; -1 with an exception if the conversion raised;
   NOT_REAL, with no exception set, if obj has none of these, so that each
   caller can raise its own error or return NotImplemented. */
static int
as_real(PyObject *obj, double *result)
{
    double value;

    if (PyFloat_Check(obj)) {
        *result = PyFloat_AS_DOUBLE(obj);
        return 0;
    }
    if (is_array(obj)) {
        /* Its nb_float only refuses (see array_float): not a number. */
        return NOT_REAL;
    }
    if (PyLong_CheckExact(obj)) {
        value = PyLong_AsDouble(obj);  /* OverflowError beyond the doubles */
    }
    else if (piconumpy_has_float(obj)) {
        /* As float() does (_rules: its DeprecationWarning for a float
           subclass returned, which PyPy 7.3.11's PyFloat_AsDouble skips;
           its TypeError for a non-float): a new float, on this slow path
           only. */
        PyObject *number = PyNumber_Float(obj);  /* new reference */
        if (number == NULL) {
            return -1;
        }
        value = PyFloat_AS_DOUBLE(number);
        Py_DECREF(number);
    }
    else if (piconumpy_has_index(obj)) {
        /* PyPy: its PyFloat_AsDouble does not fall back on __index__ (3.8's
           float() does), so do it here, the same way on both. */
        PyObject *index = PyNumber_Index(obj);  /* new reference */
        if (index == NULL) {
            return -1;
        }
        value = PyLong_AsDouble(index);
        Py_DECREF(index);
    }
    else {
        return NOT_REAL;
    }
    if (value == -1.0 && PyErr_Occurred()) {
        return -1;
    }
    *result = value;
    return 0;
}

/* _rules.real: as_real, except that a complex is no real number, even one
   with a __float__ (Python 3.9's complex has one that raises TypeError; a
   subclass may define one that works, which as_real then calls, as
   _rules.scalar_or_none does). */
static int
real_number(PyObject *obj, double *result)
{
    if (PyComplex_Check(obj)) {
        return NOT_REAL;
    }
    return as_real(obj, result);
}

/* The operand s of a * s, s * a and a / s: _rules.scalar_or_none.  Return 0
   and set *result; NOT_REAL if the operation must return NotImplemented
   (s is not a real number, or its conversion raised TypeError); -1 with an
   exception for any other error. */
static int
scalar_operand(PyObject *obj, double *result)
{
    if (PyFloat_CheckExact(obj)) {  /* the common case, first */
        *result = PyFloat_AS_DOUBLE(obj);
        return 0;
    }
    int status = as_real(obj, result);
    if (status < 0 && PyErr_ExceptionMatches(PyExc_TypeError)) {
        PyErr_Clear();
        return NOT_REAL;
    }
    return status;
}

/* --- construction -------------------------------------------------------- */

/* The floats of array(iterable) on their way: a buffer that grows. */
typedef struct {
    double *items;  /* from PyMem_Malloc */
    Py_ssize_t size;
    Py_ssize_t capacity;
} FloatBuffer;

/* A first guess at the size of array(iterable): that of an exact list or
   tuple, read without running Python code.  Other objects are not asked:
   their __len__ or __length_hint__ is Python code that the specification
   does not run, and that could fail. */
static Py_ssize_t
size_guess(PyObject *iterable)
{
    if (PyList_CheckExact(iterable)) {
        return PyList_GET_SIZE(iterable);
    }
    if (PyTuple_CheckExact(iterable)) {
        return PyTuple_GET_SIZE(iterable);
    }
    return 16;
}

/* Room for one more item: 0, or -1 with a MemoryError (the buffer is then
   unchanged, and still to be freed). */
static int
buffer_reserve(FloatBuffer *buffer)
{
    Py_ssize_t capacity = buffer->capacity;
    if (buffer->size < capacity) {
        return 0;
    }
    if (capacity >= MAX_ITEMS - capacity / 2 - 8) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t larger = capacity + capacity / 2 + 8;
    /* Not PyMem_Resize, which would overwrite the pointer with NULL on
       failure, and leak the block. */
    double *grown = PyMem_Realloc(buffer->items, larger * sizeof(double));
    if (grown == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    buffer->items = grown;
    buffer->capacity = larger;
    return 0;
}

/* Append the items of iterator to buffer, as _rules.iterate converts them:
   0, or -1 with an exception. */
static int
collect_floats(PyObject *iterator, FloatBuffer *buffer)
{
    PyObject *item;
    while ((item = PyIter_Next(iterator)) != NULL) {  /* new reference */
        int status = buffer_reserve(buffer);
        if (status == 0) {
            status = real_number(item, &buffer->items[buffer->size]);
        }
        if (status == NOT_REAL) {
            PyErr_Format(PyExc_TypeError,
                         "array() element %zd must be a real number, "
                         "not '%s'", buffer->size, piconumpy_type_name(item));
        }
        Py_DECREF(item);
        if (status != 0) {
            return -1;
        }
        buffer->size++;
    }
    /* PyIter_Next: NULL is the end, or an error. */
    return PyErr_Occurred() ? -1 : 0;
}

/* The general case of array(iterable): collect the floats in a growing
   buffer, then copy them into an array of the right size. */
static PyObject *
array_from_iterator(PyTypeObject *type, PyObject *iterable)
{
    PyObject *iterator = PyObject_GetIter(iterable);  /* new reference */
    if (iterator == NULL) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Format(PyExc_TypeError,
                         "array() argument must be an iterable of real "
                         "numbers, not '%s'",
                         piconumpy_type_name(iterable));
        }
        return NULL;
    }
    FloatBuffer buffer = {NULL, 0, size_guess(iterable)};
    /* NULL only for a failure: 0 bytes give a valid pointer. */
    buffer.items = PyMem_New(double, buffer.capacity);
    if (buffer.items == NULL) {
        Py_DECREF(iterator);
        return PyErr_NoMemory();
    }
    int status = collect_floats(iterator, &buffer);
    Py_DECREF(iterator);
    ArrayObject *result = NULL;
    if (status == 0) {
        result = new_array(type, buffer.size);
    }
    if (result != NULL) {
        memcpy(result->data, buffer.items, buffer.size * sizeof(double));
    }
    PyMem_Free(buffer.items);
    return (PyObject *)result;
}

/* Whether array(obj) may read the items of obj in place.  PyPy: handing a
   list's items to C converts the whole list to PyObject pointers (cpyext's
   list strategy), which costs more than iterating it, even for 4 floats;
   tuples are built as C tuples anyway. */
static inline int
has_items_in_place(PyObject *obj)
{
#ifdef PYPY_VERSION
    return PyTuple_CheckExact(obj);
#else
    return PyList_CheckExact(obj) || PyTuple_CheckExact(obj);
#endif
}

/* array(iterable), shared by tp_new and the vectorcall. */
static PyObject *
array_from_iterable(PyTypeObject *type, PyObject *iterable)
{
    /* Fast path: an exact list or tuple of exact floats, like the 4-element
       lists of the board benchmark, without the growing buffer of the
       general path.  Nothing here runs Python code, so the list cannot
       change between the check of its items and their copy.  Other items
       take the general path, which runs Python code (__float__, __index__)
       safely. */
    if (has_items_in_place(iterable)) {
        Py_ssize_t size = PySequence_Fast_GET_SIZE(iterable);
        PyObject **items = PySequence_Fast_ITEMS(iterable);  /* borrowed */
        Py_ssize_t floats = 0;
        while (floats < size && PyFloat_CheckExact(items[floats])) {
            floats++;
        }
        if (floats == size) {
            ArrayObject *result = new_array(type, size);
            if (result == NULL) {
                return NULL;
            }
            for (Py_ssize_t i = 0; i < size; i++) {
                result->data[i] = PyFloat_AS_DOUBLE(items[i]);
            }
            return (PyObject *)result;
        }
    }
    return array_from_iterator(type, iterable);
}

/* array(iterable): one argument, by position or by name, as purepy's
   __init__(self, iterable) takes it. */
static PyObject *
array_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"iterable", NULL};
    PyObject *iterable;  /* borrowed from args or kwargs */

#ifdef PYPY_VERSION
    /* PyPy: cpyext lets a class derive from a type that lacks
       Py_TPFLAGS_BASETYPE, where CPython refuses the class statement.  The
       layout of its instances is not ours to know: refuse to make them.
       (The array type derives from object; a subclass, from the array.) */
    /* Nor those of any other type: PyPy's wrapper of tp_new does not
       check that type(a).__new__(cls) gets a subtype, as CPython's does,
       and an array's items would then be written into a `cls` object. */
    if (type->tp_base != &PyBaseObject_Type ||
        type->tp_dealloc != array_dealloc)
    {
        PyErr_Format(PyExc_TypeError,
                     "cannot create '%s' instances: piconumpy arrays cannot "
                     "be subclassed, nor made as another type",
                     type->tp_name);
        return NULL;
    }
#endif
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O:array", keywords,
                                     &iterable)) {
        return NULL;
    }
    return array_from_iterable(type, iterable);
}

#ifndef PYPY_VERSION
/* CPython calls array(...) through this (PEP 590) rather than tp_new, which
   spares building a tuple of the arguments, a large part of the cost of
   array(4 floats).  A type spec can name it only from 3.14
   (Py_tp_vectorcall), so module_exec stores it in the type.
   PyPy: cpyext ignores tp_vectorcall when calling a type; tp_new serves. */
static PyObject *
array_vectorcall(PyObject *type, PyObject *const *args, size_t nargsf,
                 PyObject *kwnames)
{
    /* The values of the keyword arguments follow the positional ones. */
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    Py_ssize_t nkwargs = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);

    if (nargs + nkwargs != 1) {
        PyErr_Format(PyExc_TypeError,
                     "array() takes exactly one argument (%zd given)",
                     nargs + nkwargs);
        return NULL;
    }
    if (nkwargs == 1) {
        PyObject *name = PyTuple_GET_ITEM(kwnames, 0);  /* borrowed */
        if (!PyUnicode_Check(name) ||
            PyUnicode_CompareWithASCIIString(name, "iterable") != 0)
        {
            PyErr_Format(PyExc_TypeError,
                         "array() got an unexpected keyword argument '%S'",
                         name);
            return NULL;
        }
    }
    return array_from_iterable((PyTypeObject *)type, args[0]);
}
#endif

/* --- the sequence interface ---------------------------------------------- */

static Py_ssize_t
array_length(PyObject *self)
{
    if (check_array(self, "__len__") < 0) {
        return -1;
    }
    return Py_SIZE(self);
}

static PyObject *
array_get_size(PyObject *self, void *Py_UNUSED(closure))
{
    return PyLong_FromSsize_t(Py_SIZE(self));
}

/* _rules.index: the offset of a[key] in the data, or -1 with an exception. */
static Py_ssize_t
item_offset(PyObject *self, PyObject *key)
{
    Py_ssize_t i;

    if (PyLong_CheckExact(key)) {  /* the common case: no __index__ */
        i = PyLong_AsSsize_t(key);
        if (i == -1 && PyErr_Occurred()) {
            /* Its only error, OverflowError: an int beyond Py_ssize_t is
               out of range, an IndexError like any other. */
            PyErr_Clear();
            i = PY_SSIZE_T_MAX;
        }
    }
    else if (piconumpy_has_index(key)) {
        /* PyNumber_Index first: PyPy's PyNumber_AsSsize_t refuses a float
           subclass without calling its __index__. */
        PyObject *index = PyNumber_Index(key);  /* new reference */
        if (index == NULL) {  /* raised by the __index__ */
            return -1;
        }
        /* With NULL as second argument, an int beyond Py_ssize_t is
           clipped, and then out of range too. */
        i = PyNumber_AsSsize_t(index, NULL);
        Py_DECREF(index);
        if (i == -1 && PyErr_Occurred()) {
            return -1;
        }
    }
    else {
        PyErr_Format(PyExc_TypeError,
                     "array indices must be integers, not '%s'",
                     piconumpy_type_name(key));
        return -1;
    }
    if (i < 0) {
        i += Py_SIZE(self);
    }
    if (i < 0 || i >= Py_SIZE(self)) {
        PyErr_SetString(PyExc_IndexError, "array index out of range");
        return -1;
    }
    return i;
}

static PyObject *
array_subscript(PyObject *self, PyObject *key)
{
    if (check_array(self, "__getitem__") < 0) {
        return NULL;
    }
    Py_ssize_t i = item_offset(self, key);
    if (i < 0) {
        return NULL;
    }
    return PyFloat_FromDouble(((ArrayObject *)self)->data[i]);
}

static int
array_ass_subscript(PyObject *self, PyObject *key, PyObject *value)
{
    double x;

    const char *name = value == NULL ? "__delitem__" : "__setitem__";
    if (check_array(self, name) < 0) {
        return -1;
    }
    if (value == NULL) {  /* del a[key] */
        PyErr_SetString(PyExc_TypeError,
                        "array does not support item deletion");
        return -1;
    }
    Py_ssize_t i = item_offset(self, key);
    if (i < 0) {
        return -1;
    }
    int status = real_number(value, &x);
    if (status == NOT_REAL) {
        PyErr_Format(PyExc_TypeError,
                     "array item must be a real number, not '%s'",
                     piconumpy_type_name(value));
    }
    if (status != 0) {
        return -1;
    }
    ((ArrayObject *)self)->data[i] = x;
    return 0;
}

static PyObject *
array_tolist(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    ArrayObject *array = (ArrayObject *)self;
    PyObject *list = PyList_New(Py_SIZE(array));
    if (list == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < Py_SIZE(array); i++) {
        PyObject *item = PyFloat_FromDouble(array->data[i]);
        if (item == NULL) {
            Py_DECREF(list);  /* a list with NULL items is safe to release */
            return NULL;
        }
        PyList_SET_ITEM(list, i, item);  /* steals the reference */
    }
    return list;
}

/* repr(a) is "array(" + repr(a.tolist()) + ")": the repr of each float,
   exactly as _rules.format_repr writes it. */
static PyObject *
array_repr(PyObject *self)
{
    if (check_array(self, "__repr__") < 0) {
        return NULL;
    }
    PyObject *list = array_tolist(self, NULL);
    if (list == NULL) {
        return NULL;
    }
    PyObject *result = PyUnicode_FromFormat("array(%R)", list);
    Py_DECREF(list);
    return result;
}

static PyObject *
array_iter(PyObject *self)
{
    if (check_array(self, "__iter__") < 0) {
        return NULL;
    }
    module_state *state = PyType_GetModuleState(Py_TYPE(self));
    if (state == NULL) {
        return NULL;
    }
    IteratorObject *iterator = PyObject_GC_New(IteratorObject,
                                               state->iterator_type);
    if (iterator == NULL) {
        return NULL;
    }
    Py_INCREF(self);
    iterator->array = (ArrayObject *)self;
    iterator->index = 0;
    PyObject_GC_Track(iterator);
    return (PyObject *)iterator;
}

/* --- the buffer protocol ------------------------------------------------- */

/* Export the data as a 1-D, contiguous, writable buffer of doubles (format
   "d"), so that numpy.asarray(a) and memoryview(a) share it without a copy.
   The array cannot be resized, so the buffer stays valid as long as the view
   holds its reference: nothing to count, no bf_releasebuffer. */
static int
array_getbuffer(PyObject *self, Py_buffer *view, int flags)
{
    ArrayObject *array = (ArrayObject *)self;

    if (view == NULL) {
        PyErr_SetString(PyExc_BufferError, "array: NULL view in getbuffer");
        return -1;
    }
    view->buf = array->data;
    Py_INCREF(self);
    view->obj = self;
    view->len = Py_SIZE(array) * (Py_ssize_t)sizeof(double);
    view->readonly = 0;
    view->itemsize = sizeof(double);
    view->format = (flags & PyBUF_FORMAT) == PyBUF_FORMAT ? "d" : NULL;
    view->ndim = 1;
    /* shape and strides point to memory that lives as long as the view:
       the array's own size, and the view's own itemsize (the data is
       contiguous), as PyBuffer_FillInfo and the array module do. */
    view->shape =
        (flags & PyBUF_ND) == PyBUF_ND ? &array->ob_base.ob_size : NULL;
    view->strides =
        (flags & PyBUF_STRIDES) == PyBUF_STRIDES ? &view->itemsize : NULL;
    view->suboffsets = NULL;
    view->internal = NULL;
    return 0;
}

/* --- attributes --------------------------------------------------------- */

/* a.name = value and del a.name: an array has no attribute that can be
   set or deleted, so this refuses them all with an AttributeError, as
   CPython's generic setattr does for an object without a __dict__, except
   __class__, whose own checks give the TypeError.
   PyPy: cpyext gives the instances of a C type a dictionary, where
   a.anything = 1 would work and a.tolist = 1 would hide the method.  The
   type is not asked which attributes it has: on PyPy, getting the getset
   descriptor of `size` into C (_PyType_Lookup, PyObject_GetAttr) crashes,
   and so does PyObject_GenericSetAttr on it. */
static int
array_setattro(PyObject *self, PyObject *name, PyObject *value)
{
    if (PyUnicode_Check(name) &&
        PyUnicode_CompareWithASCIIString(name, "__class__") == 0)
    {
        return PyObject_GenericSetAttr(self, name, value);
    }
    PyErr_Format(PyExc_AttributeError,
                 "cannot %s attribute '%S' of '%s' objects",
                 value == NULL ? "delete" : "set", name,
                 piconumpy_type_name(self));
    return -1;
}

/* --- conversions -------------------------------------------------------- */

/* float(a) and int(a) are TypeErrors, as for purepy's arrays.  Without
   these slots, float() and int() would take an array, which exports a
   buffer, for a bytes-like object and parse its raw bytes as text: an array
   whose 8 bytes spell "12345678" would convert to 12345678.0. */
static PyObject *
array_float(PyObject *self)
{
    PyErr_Format(PyExc_TypeError,
                 "float() argument must be a string or a real number, "
                 "not '%s'", piconumpy_type_name(self));
    return NULL;
}

static PyObject *
array_int(PyObject *self)
{
    PyErr_Format(PyExc_TypeError,
                 "int() argument must be a string, a bytes-like object or a "
                 "real number, not '%s'", piconumpy_type_name(self));
    return NULL;
}

/* --- arithmetic ---------------------------------------------------------- */

/* The binary slots get (a, s) for a * s and (s, a) for s * a; foreign
   operands give NotImplemented, so that Python tries the other operand and
   then raises TypeError. */

/* array * scalar or array / scalar, once the array operand is known;
   NotImplemented if the scalar is no real number. */
static PyObject *
scalar_operation(PyObject *array, PyObject *scalar, int divide)
{
    double s;
    int status = scalar_operand(scalar, &s);
    if (status == NOT_REAL) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    if (status < 0) {
        return NULL;
    }
    Py_ssize_t size = Py_SIZE(array);
    ArrayObject *result = new_array(Py_TYPE(array), size);
    if (result == NULL) {
        return NULL;
    }
    const double *data = ((ArrayObject *)array)->data;
    if (divide) {
        for (Py_ssize_t i = 0; i < size; i++) {
            /* IEEE 754: x / 0.0 is inf or nan */
            result->data[i] = data[i] / s;
        }
    }
    else {
        for (Py_ssize_t i = 0; i < size; i++) {
            result->data[i] = data[i] * s;
        }
    }
    return (PyObject *)result;
}

static PyObject *
array_multiply(PyObject *left, PyObject *right)
{
    PyObject *array, *scalar;
    if (is_array(left)) {
        array = left;
        scalar = right;
    }
    else if (is_array(right)) {
        array = right;
        scalar = left;
    }
    else {
        Py_RETURN_NOTIMPLEMENTED;
    }
    return scalar_operation(array, scalar, 0);
}

static PyObject *
array_true_divide(PyObject *left, PyObject *right)
{
    if (!is_array(left)) {  /* s / a is not defined */
        Py_RETURN_NOTIMPLEMENTED;
    }
    return scalar_operation(left, right, 1);
}

/* a + b and a - b need two arrays of the same type (not merely two arrays of
   this file: each module object has its own type) and the same length.
   Return 1 if they are; 0 if the operation must return NotImplemented; -1
   with a ValueError if the lengths differ. */
static int
check_two_arrays(PyObject *left, PyObject *right)
{
    if (!is_array(left) || Py_TYPE(left) != Py_TYPE(right)) {
        return 0;
    }
    if (Py_SIZE(left) != Py_SIZE(right)) {
        PyErr_Format(PyExc_ValueError,
                     "operands have different lengths: %zd and %zd",
                     Py_SIZE(left), Py_SIZE(right));
        return -1;
    }
    return 1;
}

/* a + b and a - b: one loop each, one body for the checks and the result. */
static PyObject *
add_or_subtract(PyObject *left, PyObject *right, int subtract)
{
    int status = check_two_arrays(left, right);
    if (status == 0) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    if (status < 0) {
        return NULL;
    }
    Py_ssize_t size = Py_SIZE(left);
    ArrayObject *result = new_array(Py_TYPE(left), size);
    if (result == NULL) {
        return NULL;
    }
    const double *a = ((ArrayObject *)left)->data;
    const double *b = ((ArrayObject *)right)->data;
    if (subtract) {
        for (Py_ssize_t i = 0; i < size; i++) {
            result->data[i] = a[i] - b[i];
        }
    }
    else {
        for (Py_ssize_t i = 0; i < size; i++) {
            result->data[i] = a[i] + b[i];
        }
    }
    return (PyObject *)result;
}

static PyObject *
array_add(PyObject *left, PyObject *right)
{
    return add_or_subtract(left, right, 0);
}

static PyObject *
array_subtract(PyObject *left, PyObject *right)
{
    return add_or_subtract(left, right, 1);
}

static PyObject *
array_negative(PyObject *self)
{
    if (check_array(self, "__neg__") < 0) {
        return NULL;
    }
    ArrayObject *result = new_array(Py_TYPE(self), Py_SIZE(self));
    if (result == NULL) {
        return NULL;
    }
    const double *data = ((ArrayObject *)self)->data;
    for (Py_ssize_t i = 0; i < Py_SIZE(result); i++) {
        result->data[i] = -data[i];
    }
    return (PyObject *)result;
}

/* --- the array type ------------------------------------------------------ */

static PyMethodDef array_methods[] = {
    {"tolist", array_tolist, METH_NOARGS,
     PyDoc_STR("tolist($self, /)\n--\n\n"
               "The items, as a new list of floats.")},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef array_getset[] = {
    /* No setter: a.size = 3 is an AttributeError. */
    {"size", array_get_size, NULL, PyDoc_STR("The number of items."), NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyDoc_STRVAR(array_doc,
"array(iterable)\n--\n\n"
"A one-dimensional array of float64, made from an iterable of real numbers.");

static PyType_Slot array_slots[] = {
    {Py_tp_doc, (void *)array_doc},
    {Py_tp_new, array_new},
    {Py_tp_dealloc, array_dealloc},
    {Py_tp_traverse, array_traverse},
    {Py_tp_repr, array_repr},
    {Py_tp_iter, array_iter},
    {Py_tp_methods, array_methods},
    {Py_tp_getset, array_getset},
    {Py_tp_setattro, array_setattro},
    {Py_nb_multiply, array_multiply},
    {Py_nb_true_divide, array_true_divide},
    {Py_nb_add, array_add},
    {Py_nb_subtract, array_subtract},
    {Py_nb_negative, array_negative},
    {Py_nb_float, array_float},
    {Py_nb_int, array_int},
    /* len() looks at sq_length first, the mapping slots serve a[i]. */
    {Py_sq_length, array_length},
    {Py_mp_length, array_length},
    {Py_mp_subscript, array_subscript},
    {Py_mp_ass_subscript, array_ass_subscript},
    {Py_bf_getbuffer, array_getbuffer},
    {0, NULL},
};

/* Py_TPFLAGS_IMMUTABLETYPE (3.10): the type's attributes cannot be set,
   like those of a static type.  PyPy 3.9 does not have it. */
#ifdef Py_TPFLAGS_IMMUTABLETYPE
#define IMMUTABLE Py_TPFLAGS_IMMUTABLETYPE
#else
#define IMMUTABLE 0
#endif

static PyType_Spec array_spec = {
    .name = "piconumpy.backends.cpython_capi.array",
    .basicsize = offsetof(ArrayObject, data),
    .itemsize = sizeof(double),
    /* No Py_TPFLAGS_BASETYPE (see is_array).  Py_TPFLAGS_HAVE_GC: the
       reference to the type (see array_traverse).  No tp_clear: that
       reference is the array's only one, and it must keep it till its
       deallocation; clearing the module and the type breaks the cycles. */
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | IMMUTABLE,
    .slots = array_slots,
};

/* --- the iterator type --------------------------------------------------- */

/* Its type, and its array until it is exhausted. */
static int
iterator_traverse(PyObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(((IteratorObject *)self)->array);
    return 0;
}

static int
iterator_clear(PyObject *self)
{
    Py_CLEAR(((IteratorObject *)self)->array);
    return 0;
}

static void
iterator_dealloc(PyObject *self)
{
    PyTypeObject *type = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    iterator_clear(self);
    type->tp_free(self);
    Py_DECREF(type);
}

static PyObject *
iterator_next(PyObject *self)
{
    /* type(iter(a)).__next__(x): see piconumpy_check_self. */
    int is_ours = Py_TYPE(self)->tp_dealloc == iterator_dealloc;
    if (piconumpy_check_self(self, is_ours, "array_iterator",
                             "__next__") < 0) {
        return NULL;
    }
    IteratorObject *iterator = (IteratorObject *)self;
    ArrayObject *array = iterator->array;

    if (array == NULL) {  /* exhausted (or made by calling the type) */
        return NULL;
    }
    if (iterator->index < Py_SIZE(array)) {
        return PyFloat_FromDouble(array->data[iterator->index++]);
    }
    iterator->array = NULL;  /* release the array as soon as possible */
    Py_DECREF(array);
    return NULL;  /* the end, without an exception: StopIteration */
}

static PyType_Slot iterator_slots[] = {
    {Py_tp_dealloc, iterator_dealloc},
    {Py_tp_traverse, iterator_traverse},
    {Py_tp_clear, iterator_clear},
    {Py_tp_iter, PyObject_SelfIter},
    {Py_tp_iternext, iterator_next},
    {0, NULL},
};

/* Py_TPFLAGS_DISALLOW_INSTANTIATION (3.10) forbids type(iter(a))().  PyPy
   3.9 lacks it: there such an iterator is empty (iterator_next checks). */
#ifdef Py_TPFLAGS_DISALLOW_INSTANTIATION
#define NOT_CALLABLE Py_TPFLAGS_DISALLOW_INSTANTIATION
#else
#define NOT_CALLABLE 0
#endif

static PyType_Spec iterator_spec = {
    .name = "piconumpy.backends.cpython_capi.array_iterator",
    .basicsize = sizeof(IteratorObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | IMMUTABLE |
             NOT_CALLABLE,
    .slots = iterator_slots,
};

/* --- the module functions ------------------------------------------------ */

/* _rules.size: the n of zeros(n) and empty(n), or -1 with an exception. */
static Py_ssize_t
size_argument(PyObject *arg, const char *function)
{
    if (!piconumpy_has_index(arg)) {
        PyErr_Format(PyExc_TypeError,
                     "%s() size must be an integer, not '%s'",
                     function, piconumpy_type_name(arg));
        return -1;
    }
    PyObject *index = PyNumber_Index(arg);  /* new reference */
    if (index == NULL) {
        return -1;
    }
    /* With NULL as second argument, an int beyond Py_ssize_t is clipped
       (and then too large, or negative), it raises nothing. */
    Py_ssize_t n = PyNumber_AsSsize_t(index, NULL);
    if (n == -1 && PyErr_Occurred()) {
        Py_DECREF(index);
        return -1;
    }
    if (n < 0) {
        PyErr_Format(PyExc_ValueError,
                     "%s() size must be non-negative, got %S",
                     function, index);
    }
    else if (n > MAX_SIZE) {
        PyErr_Format(PyExc_MemoryError,
                     "%s() cannot allocate %S float64 items",
                     function, index);
    }
    Py_DECREF(index);
    return n < 0 || n > MAX_SIZE ? -1 : n;
}

static PyObject *
piconumpy_zeros(PyObject *module, PyObject *arg)
{
    Py_ssize_t n = size_argument(arg, "zeros");
    if (n < 0) {
        return NULL;
    }
    module_state *state = PyModule_GetState(module);
    ArrayObject *result = new_array(state->array_type, n);
    if (result == NULL) {
        return NULL;
    }
    /* All bits zero is 0.0 in IEEE 754. */
    memset(result->data, 0, n * sizeof(double));
    return (PyObject *)result;
}

static PyObject *
piconumpy_empty(PyObject *module, PyObject *arg)
{
    Py_ssize_t n = size_argument(arg, "empty");
    if (n < 0) {
        return NULL;
    }
    module_state *state = PyModule_GetState(module);
    /* Uninitialised, like numpy.empty: any doubles may come out. */
    return (PyObject *)new_array(state->array_type, n);
}

/* cos(x) and sin(x): a real number gives a float, an array of this module a
   new array.  libm follows IEEE 754: cos(inf) is nan, without an error. */
static PyObject *
elementwise(PyObject *module, PyObject *x, double (*function)(double),
            const char *name)
{
    double value;

    if (PyFloat_CheckExact(x)) {  /* the common case, first */
        return PyFloat_FromDouble(function(PyFloat_AS_DOUBLE(x)));
    }
    module_state *state = PyModule_GetState(module);
    if (Py_TYPE(x) == state->array_type) {
        ArrayObject *result = new_array(state->array_type, Py_SIZE(x));
        if (result == NULL) {
            return NULL;
        }
        const double *data = ((ArrayObject *)x)->data;
        for (Py_ssize_t i = 0; i < Py_SIZE(x); i++) {
            result->data[i] = function(data[i]);
        }
        return (PyObject *)result;
    }
    int status = real_number(x, &value);
    if (status == NOT_REAL) {
        PyErr_Format(PyExc_TypeError,
                     "%s() argument must be a real number, not '%s'",
                     name, piconumpy_type_name(x));
    }
    if (status != 0) {
        return NULL;
    }
    return PyFloat_FromDouble(function(value));
}

static PyObject *
piconumpy_cos(PyObject *module, PyObject *x)
{
    return elementwise(module, x, cos, "cos");
}

static PyObject *
piconumpy_sin(PyObject *module, PyObject *x)
{
    return elementwise(module, x, sin, "sin");
}

static PyMethodDef module_methods[] = {
    {"zeros", piconumpy_zeros, METH_O,
     PyDoc_STR("zeros($module, n, /)\n--\n\nAn array of n zeros.")},
    {"empty", piconumpy_empty, METH_O,
     PyDoc_STR("empty($module, n, /)\n--\n\n"
               "An array of n uninitialised floats.")},
    {"cos", piconumpy_cos, METH_O,
     PyDoc_STR("cos($module, x, /)\n--\n\n"
               "The cosine of a real number (a float) or of each item of "
               "an array.")},
    {"sin", piconumpy_sin, METH_O,
     PyDoc_STR("sin($module, x, /)\n--\n\n"
               "The sine of a real number (a float) or of each item of "
               "an array.")},
    {NULL, NULL, 0, NULL},
};

/* --- the module ---------------------------------------------------------- */

static int
module_exec(PyObject *module)
{
    module_state *state = PyModule_GetState(module);

    /* On failure the module is released, and module_clear releases what
       this function stored in the state. */
    state->array_type = (PyTypeObject *)PyType_FromModuleAndSpec(
        module, &array_spec, NULL);
    if (state->array_type == NULL) {
        return -1;
    }
    /* __array_ufunc__ = None makes numpy defer: numpy.float64(2.0) * a then
       returns NotImplemented and our nb_multiply runs.  It must be a plain
       class attribute (numpy reads it on the type), and the type is
       immutable, so it goes into the new type's dict, followed by the
       PyType_Modified that any direct change of a type requires. */
    if (PyDict_SetItemString(state->array_type->tp_dict, "__array_ufunc__",
                             Py_None) < 0) {
        return -1;
    }
    PyType_Modified(state->array_type);
#ifndef PYPY_VERSION
    state->array_type->tp_vectorcall = array_vectorcall;
#endif

    state->iterator_type = (PyTypeObject *)PyType_FromModuleAndSpec(
        module, &iterator_spec, NULL);
    if (state->iterator_type == NULL) {
        return -1;
    }
    /* Takes its own reference; the module namespace gets "array". */
    return PyModule_AddType(module, state->array_type);
}

static int
module_traverse(PyObject *module, visitproc visit, void *arg)
{
    module_state *state = PyModule_GetState(module);
    Py_VISIT(state->array_type);
    Py_VISIT(state->iterator_type);
    return 0;
}

static int
module_clear(PyObject *module)
{
    module_state *state = PyModule_GetState(module);
    Py_CLEAR(state->array_type);
    Py_CLEAR(state->iterator_type);
    return 0;
}

static void
module_free(void *module)
{
    module_clear((PyObject *)module);
}

static PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, module_exec},
    {0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "piconumpy.backends.cpython_capi",
    .m_doc = PyDoc_STR("piconumpy's array, written with the CPython C-API."),
    .m_size = sizeof(module_state),
    .m_methods = module_methods,
    .m_slots = module_slots,
    .m_traverse = module_traverse,
    .m_clear = module_clear,
    .m_free = module_free,
};

PyMODINIT_FUNC
PyInit_cpython_capi(void)
{
    return PyModuleDef_Init(&module_def);
}

/* cpyext_helpers.h: what the two C-API backends (cpython_capi.c and
   cython.pyx) need to behave on PyPy's cpyext as they do on CPython.

   Each helper is one C-API question whose answer differs on cpyext: the
   CPython build asks the type's slots, the PyPy build asks what the rules
   (src/piconumpy/_rules.py) ask.  Included once per extension, after
   <Python.h>; Cython includes it through `cdef extern from`. */

#ifndef PICONUMPY_CPYEXT_HELPERS_H
#define PICONUMPY_CPYEXT_HELPERS_H

#include <Python.h>
#include <string.h>

/* The short name of obj's type ("float64", not "numpy.float64"), as
   _rules.type_name gives it.  Borrowed from the type. */
static inline const char *
piconumpy_type_name(PyObject *obj)
{
    const char *name = Py_TYPE(obj)->tp_name;
    const char *dot = strrchr(name, '.');
    return dot == NULL ? name : dot + 1;
}

#ifdef PYPY_VERSION
/* PyPy: cpyext fills nb_float of every class defined in Python, whatever
   its methods, and leaves nb_index empty in a float subclass that defines
   __index__ in Python: ask the type itself, as the rules do (hasattr). */
static inline int
piconumpy_type_has(PyObject *obj, const char *name)
{
    return PyObject_HasAttrString((PyObject *)Py_TYPE(obj), name);
}
#endif

/* Whether the type of obj has __float__ (nb_float). */
static inline int
piconumpy_has_float(PyObject *obj)
{
#ifdef PYPY_VERSION
    return piconumpy_type_has(obj, "__float__");
#else
    PyNumberMethods *number = Py_TYPE(obj)->tp_as_number;
    return number != NULL && number->nb_float != NULL;
#endif
}

/* Whether the type of obj has __index__ (PyIndex_Check). */
static inline int
piconumpy_has_index(PyObject *obj)
{
#ifdef PYPY_VERSION
    return piconumpy_type_has(obj, "__index__");
#else
    return PyIndex_Check(obj);
#endif
}

/* PyPy: cpyext's slot wrappers do not check the type of self, as CPython's
   do: type(a).__len__(x), type(a).__getitem__(x, 0), type(a).__neg__(x)...
   would hand any object x to a slot function as an array, which would read
   (or write!) its memory as doubles.  Each slot that takes self alone calls
   this first, with is_ours saying whether self is of the expected type
   (named `type` in the message).  PyPy checks the binary number slots' and
   the ordinary methods' operands itself.  Returns 0, or -1 with a
   TypeError like CPython's; on CPython always 0. */
static inline int
piconumpy_check_self(PyObject *self, int is_ours, const char *type,
                     const char *name)
{
#ifdef PYPY_VERSION
    if (!is_ours) {
        PyErr_Format(PyExc_TypeError,
                     "descriptor '%s' requires a '%s' object but "
                     "received a '%s'", name, type,
                     piconumpy_type_name(self));
        return -1;
    }
#else
    (void)self;
    (void)is_ours;
    (void)type;
    (void)name;
#endif
    return 0;
}

#endif /* PICONUMPY_CPYEXT_HELPERS_H */

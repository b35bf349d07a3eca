/* hpy_runtime.h: what the HPy runtimes do differently from CPython's (hpy
 * 0.9.0), and how hpy.c copes.  Runtime behaviour only: API spelling is in
 * hpy_compat.h, included first.
 *
 * Where the behaviour can be seen cheaply at run time, hpy.c looks at it
 * there: whether the binary number slots serve the reflected operation
 * (`2.0 * a`; not on PyPy 7.3.11 nor 7.3.19, PyPy issue 3509) is read from
 * the array type once created (module_exec).  What cannot be seen so (a
 * leak, a bug of HPyGlobal_Store, a conversion rule) follows the runtime
 * that showed it, tested on each runtime by the suites named below:
 * PNP_RUNTIME_HPY_0_0 is PyPy 7.3.11's HPy 0.0.4, the only runtime of that
 * API level.  PyPy 7.3.19's HPy 0.9.1.dev behaves as hpy 0.9.0 in each of
 * these (its own conformance and leak runs).
 */
#ifndef PICONUMPY_HPY_RUNTIME_H
#define PICONUMPY_HPY_RUNTIME_H

#include "hpy_compat.h"

#ifndef HPY_ABI_VERSION
#define PNP_RUNTIME_HPY_0_0 1
#else
#define PNP_RUNTIME_HPY_0_0 0
#endif

#if !PNP_RUNTIME_HPY_0_0
/* ---- hpy 0.9.0 and PyPy 7.3.19's HPy 0.9.1.dev ------------------------ */

/* HPyListBuilder works. */
#define PNP_LIST_BUILDER_LEAKS 0

/* PyFloat_AsDouble: a float, __float__, or __index__. */
static inline double
pnp_float_as_double(HPyContext *ctx, HPy h)
{
    return HPyFloat_AsDouble(ctx, h);
}

/* Store h in *global; h is consumed (neither used nor closed afterwards).
 * Here the global holds its own reference, so h is closed. */
static inline void
pnp_global_adopt(HPyContext *ctx, HPyGlobal *global, HPy h)
{
    HPyGlobal_Store(ctx, global, h);
    HPy_Close(ctx, h);
}

/* Item i of an exact list or tuple (a new handle; IndexError past the end).
 * hpy 0.9's HPy_GetItem_i makes an int key and goes through
 * PyObject_GetItem: ~150 instructions an item, and array([u, v, du, dv])
 * cost 240 ns instead of the C-API backend's 40 ns.  In the CPython ABI a
 * handle is a PyObject *, so that build asks the sequence directly
 * (PySequence_GetItem: sq_item); the universal build has no such way. */
#ifdef HPY_ABI_CPYTHON
static inline HPy
pnp_sequence_item(HPyContext *ctx, HPy seq, HPy_ssize_t i)
{
    PyObject *sequence = HPy_AsPyObject(ctx, seq);   /* a new reference */
    PyObject *item = PySequence_GetItem(sequence, i);
    HPy h_item = HPy_FromPyObject(ctx, item);        /* HPy_NULL for NULL */
    Py_XDECREF(item);
    Py_DECREF(sequence);
    return h_item;
}
#else
#define pnp_sequence_item HPy_GetItem_i
#endif

/* HPy has no tp_iter slot, and CPython's iter() takes the sequence protocol
 * only from a type with sq_item (mp_subscript is not enough). */
#define PNP_NEEDS_SQ_ITEM 1

#else
/* ---- PyPy 7.3.11's HPy 0.0.4 ------------------------------------------ */

/* PyPy 7.3.11's HPyListBuilder leaks about 170 bytes per list built, even
 * across full collections (a.tolist() 2 million times: 340 MB): lists are
 * built with HPyList_New and HPyList_Append there (tools/soak.py found it). */
#define PNP_LIST_BUILDER_LEAKS 1

/* PyFloat_AsDouble: a float, __float__, or __index__.  PyPy 7.3.11's
 * HPyFloat_AsDouble lacks the __index__ fallback CPython has since 3.8, so
 * it is added here: a value whose type has __index__ but no __float__ is
 * converted through its index (an int too large for a double is an
 * OverflowError, as in CPython).  The type is looked at before converting,
 * never after a failure: a __float__ or __index__ runs once, whatever it
 * raises.  Floats and ints, the usual values, need no look. */
static inline double
pnp_call_float_method(HPyContext *ctx, HPy h_type, HPy h);

static inline double
pnp_float_as_double(HPyContext *ctx, HPy h)
{
    HPy h_type, h_index;
    int index_only;
    double x;
    if (HPy_TypeCheck(ctx, h, ctx->h_FloatType))
        return HPyFloat_AsDouble(ctx, h);    /* subclasses read directly */
    h_type = HPy_Type(ctx, h);
    if (HPy_IsNull(h_type))
        return -1.0;
    if (HPy_TypeCheck(ctx, h, ctx->h_LongType)) {
        /* An int subclass converts with its type's __float__, which it may
         * override (CPython calls nb_float); PyPy's HPyFloat_AsDouble would
         * read the int and skip it. */
        if (HPy_Is(ctx, h_type, ctx->h_LongType)
            || HPy_Is(ctx, h_type, ctx->h_BoolType))
            x = HPyFloat_AsDouble(ctx, h);
        else
            x = pnp_call_float_method(ctx, h_type, h);
        HPy_Close(ctx, h_type);
        return x;
    }
    index_only = !HPy_HasAttr_s(ctx, h_type, "__float__")
                 && HPy_HasAttr_s(ctx, h_type, "__index__");
    HPy_Close(ctx, h_type);
    if (!index_only)
        return HPyFloat_AsDouble(ctx, h);
    h_index = HPy_Index(ctx, h);
    if (HPy_IsNull(h_index))
        return -1.0;
    x = HPyLong_AsDouble(ctx, h_index);
    HPy_Close(ctx, h_index);
    return x;
}

/* type(h).__float__(h), which must return a float (a float subclass is
 * read as a float), as PyFloat_AsDouble calls nb_float.  -1.0 with an
 * error set on failure. */
static inline double
pnp_call_float_method(HPyContext *ctx, HPy h_type, HPy h)
{
    double x = -1.0;
    HPy h_args, h_result;
    HPy h_method = HPy_GetAttr_s(ctx, h_type, "__float__");
    if (HPy_IsNull(h_method))
        return -1.0;
    h_args = HPyTuple_FromArray(ctx, &h, 1);
    if (!HPy_IsNull(h_args)) {
        h_result = HPy_CallTupleDict(ctx, h_method, h_args, HPy_NULL);
        HPy_Close(ctx, h_args);
        if (!HPy_IsNull(h_result)) {
            if (HPy_TypeCheck(ctx, h_result, ctx->h_FloatType))
                x = HPyFloat_AsDouble(ctx, h_result);
            else
                HPyErr_SetString(ctx, ctx->h_TypeError,
                                 "__float__ returned non-float");
            HPy_Close(ctx, h_result);
        }
    }
    HPy_Close(ctx, h_method);
    return x;
}

/* Store h in *global; h is consumed (neither used nor closed afterwards).
 * PyPy 7.3.11's HPyGlobal_Store makes the global an alias of the handle it
 * is given (same index) instead of a reference of its own: closing that
 * handle frees the index, the next handle reuses it and the next global
 * stored gets the same index, so two globals end up loading one object.
 * So here h is not closed: the global keeps it, for the process's lifetime,
 * which is what a global is.  (Seen: storing builtins.iter then
 * builtins.next made both globals load next.) */
static inline void
pnp_global_adopt(HPyContext *ctx, HPyGlobal *global, HPy h)
{
    HPyGlobal_Store(ctx, global, h);
}

/* Item i of an exact list or tuple: see the hpy 0.9 section. */
#define pnp_sequence_item HPy_GetItem_i

/* PyPy's iter() falls back on __getitem__, which mp_subscript provides; an
 * sq_item would only be a second __getitem__. */
#define PNP_NEEDS_SQ_ITEM 0

#endif

#endif /* PICONUMPY_HPY_RUNTIME_H */

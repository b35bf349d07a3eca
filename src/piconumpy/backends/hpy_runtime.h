/* hpy_runtime.h: what the HPy runtimes do differently from CPython's (hpy
 * 0.9.0), and how hpy.c copes.  Runtime behaviour only: API spelling is in
 * hpy_compat.h, included first.
 *
 * Where the behaviour can be seen cheaply at run time, it is looked at
 * when the module is created: whether the binary number slots serve the
 * reflected operation (`2.0 * a`; not on PyPy 7.3.11 nor 7.3.19, PyPy issue
 * 3509: hpy.c's create_array_type), whether HPyFloat_AsDouble has
 * PyFloat_AsDouble's fallbacks (pnp_probe_float_as_double, here).  What
 * cannot be seen so follows the runtimes that showed it, each tested on
 * every runtime by the suite named at it: HPyListBuilder's leak is PyPy's
 * (7.3.11 and 7.3.19: pnp_list_builder_leaks); HPyGlobal_Store's aliasing
 * is PyPy 7.3.11's only, PNP_RUNTIME_HPY_0_0, the only runtime of the 0.0.4
 * API (PyPy 7.3.19 passes the conformance suite with globals closed).
 */
#ifndef PICONUMPY_HPY_RUNTIME_H
#define PICONUMPY_HPY_RUNTIME_H

#include "hpy_compat.h"

#ifndef HPY_ABI_VERSION
#define PNP_RUNTIME_HPY_0_0 1
#else
#define PNP_RUNTIME_HPY_0_0 0
#endif

/* ---- building lists ---------------------------------------------------- */

/* Whether HPyListBuilder leaks: PyPy's runtimes (7.3.11 and 7.3.19) leak
 * about 170 bytes per list built, even across full collections (a.tolist()
 * 2 million times: 340 MB; tools/soak.py found it, test_leaks'
 * test_pypy_leaks_found_by_the_soak shows it on each), so lists are built
 * with HPyList_New and HPyList_Append there.  A leak cannot be seen when
 * the module is created: set for PyPy by hpy.c's module_exec. */
static int pnp_list_builder_leaks = 0;

/* ---- converting to a double: every runtime, as observed ------------- */

/* Whether this runtime's HPyFloat_AsDouble converts as PyFloat_AsDouble:
 * an object with __index__ and no __float__ through its index (CPython
 * since 3.8), an int subclass through its own __float__.  hpy 0.9.0 does
 * (it calls PyFloat_AsDouble); PyPy 7.3.11's and 7.3.19's HPy do neither.
 * Observed by pnp_probe_float_as_double when the module is created. */
static int pnp_float_as_double_is_complete = 0;

static inline double
pnp_call_float_method(HPyContext *ctx, HPy h_type, HPy h);

/* PyFloat_AsDouble where HPyFloat_AsDouble lacks its fallbacks: a value
 * whose type has __index__ but no __float__ is converted through its index
 * (an int too large for a double is an OverflowError, as in CPython).  The
 * type is looked at before converting, never after a failure: a __float__
 * or __index__ runs once, whatever it raises. */
static double
pnp_float_as_double_emulated(HPyContext *ctx, HPy h)
{
    HPy h_type, h_index;
    int index_only;
    double x;
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

/* PyFloat_AsDouble: a float, __float__, or __index__.  Floats (subclasses
 * read directly), the usual values, need no look at their type. */
static inline double
pnp_float_as_double(HPyContext *ctx, HPy h)
{
    if (pnp_float_as_double_is_complete
        || HPy_TypeCheck(ctx, h, ctx->h_FloatType)) {
        return HPyFloat_AsDouble(ctx, h);
    }
    return pnp_float_as_double_emulated(ctx, h);
}

/* Set pnp_float_as_double_is_complete by converting two objects made by
 * Python code: one with __index__ (2) and no __float__, an int subclass
 * (1) whose __float__ gives 0.5.  0 or -1. */
static int
pnp_probe_float_as_double(HPyContext *ctx)
{
    static const char probes[] =
        "(type('I', (), {'__index__': lambda self: 2})(),"
        " type('S', (int,), {'__float__': lambda self: 0.5})(1))";
    HPy h_builtins, h_eval, h_source, h_args, h_pair = HPy_NULL;
    HPy h_index = HPy_NULL, h_subclass = HPy_NULL;
    double index_value, subclass_value;
    h_builtins = HPyImport_ImportModule(ctx, "builtins");
    if (HPy_IsNull(h_builtins)) {
        return -1;
    }
    h_eval = HPy_GetAttr_s(ctx, h_builtins, "eval");
    HPy_Close(ctx, h_builtins);
    if (HPy_IsNull(h_eval)) {
        return -1;
    }
    h_source = HPyUnicode_FromString(ctx, probes);
    if (!HPy_IsNull(h_source)) {
        h_args = HPyTuple_FromArray(ctx, &h_source, 1);
        HPy_Close(ctx, h_source);
        if (!HPy_IsNull(h_args)) {
            h_pair = HPy_CallTupleDict(ctx, h_eval, h_args, HPy_NULL);
            HPy_Close(ctx, h_args);
        }
    }
    HPy_Close(ctx, h_eval);
    if (HPy_IsNull(h_pair)) {
        return -1;
    }
    h_index = HPy_GetItem_i(ctx, h_pair, 0);
    h_subclass = HPy_GetItem_i(ctx, h_pair, 1);
    HPy_Close(ctx, h_pair);
    if (HPy_IsNull(h_index) || HPy_IsNull(h_subclass)) {
        if (!HPy_IsNull(h_index)) {
            HPy_Close(ctx, h_index);
        }
        return -1;
    }
    index_value = HPyFloat_AsDouble(ctx, h_index);
    HPyErr_Clear(ctx);   /* a TypeError: the fallback is missing */
    subclass_value = HPyFloat_AsDouble(ctx, h_subclass);
    HPyErr_Clear(ctx);
    HPy_Close(ctx, h_subclass);
    HPy_Close(ctx, h_index);
    pnp_float_as_double_is_complete =
        index_value == 2.0 && subclass_value == 0.5;
    return 0;
}

#if !PNP_RUNTIME_HPY_0_0
/* ---- hpy 0.9.0 and PyPy 7.3.19's HPy 0.9.1.dev ------------------------ */

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

#else
/* ---- PyPy 7.3.11's HPy 0.0.4 ------------------------------------------ */


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

#endif

#endif /* PICONUMPY_HPY_RUNTIME_H */

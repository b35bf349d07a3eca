/* hpy_runtime.h: what the HPy runtimes do differently from CPython's (hpy
 * 0.9.0), and how hpy.c copes.  Runtime behaviour only: API spelling is in
 * hpy_compat.h, included first.
 *
 * Where the behaviour can be seen cheaply at run time, it is looked at
 * when the module is created: whether the binary number slots serve the
 * reflected operation (`2.0 * a`; not on PyPy 7.3.11 nor 7.3.19, PyPy issue
 * 3509: hpy.c's create_array_type).  Conversions to a double do not rely
 * on HPyFloat_AsDouble's fallbacks, which differ (pnp_float_as_double,
 * here: as float() on every runtime).  What
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

/* ---- converting to a double: every runtime, as float() does --------- */

/* PyFloat_AsDouble for what is not a float: an exact int (or bool) is
 * read; a value whose type has __float__ (an int subclass too, which may
 * override it) is converted by HPy_Float, i.e. as float() converts it on
 * this runtime: its DeprecationWarning for a float subclass returned
 * (_rules.as_real), its TypeError for a non-float; a value with __index__
 * and no __float__ through its index (an int too large for a double is an
 * OverflowError, as in CPython).  PyPy's HPyFloat_AsDouble (7.3.11 and
 * 7.3.19) neither falls back on __index__ nor calls an int subclass's
 * __float__, and 7.3.11's does not warn, so none of these is left to it.
 * The type is looked at before converting, never after a failure: a
 * __float__ or __index__ runs once, whatever it raises. */
static double
pnp_float_as_double_slow(HPyContext *ctx, HPy h)
{
    HPy h_type, h_number;
    int has_float, has_index;
    double x;
    h_type = HPy_Type(ctx, h);
    if (HPy_IsNull(h_type)) {
        return -1.0;
    }
    if (HPy_Is(ctx, h_type, ctx->h_LongType)
        || HPy_Is(ctx, h_type, ctx->h_BoolType)) {
        HPy_Close(ctx, h_type);
        return HPyFloat_AsDouble(ctx, h);
    }
    has_float = HPy_HasAttr_s(ctx, h_type, "__float__");
    has_index = !has_float && HPy_HasAttr_s(ctx, h_type, "__index__");
    HPy_Close(ctx, h_type);
    if (has_float) {
        h_number = HPy_Float(ctx, h);   /* a new float: this path only */
        if (HPy_IsNull(h_number)) {
            return -1.0;
        }
        x = HPyFloat_AsDouble(ctx, h_number);
        HPy_Close(ctx, h_number);
        return x;
    }
    if (!has_index) {
        return HPyFloat_AsDouble(ctx, h);   /* the runtime's TypeError */
    }
    h_number = HPy_Index(ctx, h);
    if (HPy_IsNull(h_number)) {
        return -1.0;
    }
    x = HPyLong_AsDouble(ctx, h_number);
    HPy_Close(ctx, h_number);
    return x;
}

/* PyFloat_AsDouble: a float, __float__, or __index__.  Floats (subclasses
 * read directly), the usual values, need no look at their type. */
static inline double
pnp_float_as_double(HPyContext *ctx, HPy h)
{
    if (HPy_TypeCheck(ctx, h, ctx->h_FloatType)) {
        return HPyFloat_AsDouble(ctx, h);
    }
    return pnp_float_as_double_slow(ctx, h);
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

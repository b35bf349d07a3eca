/* hpy_compat.h: the few places where the two HPy API levels we build
 * against differ, given one spelling for hpy.c.
 *
 *   - hpy 0.9 (the `hpy` package on CPython): the CPython ABI build
 *     (_hpy_cpython_abi) and the universal build loaded by hpy.universal;
 *   - HPy 0.0.4 (built into PyPy 7.3.11, headers in <pypy>/hpy/devel): the
 *     universal build loaded by PyPy's _hpy_universal.
 *
 * HPY_ABI_VERSION is defined by the hpy 0.9 headers only, so it selects the
 * level.  What differs: the definition macros (PNP_DEF_*), tp_new's
 * arguments (PNP_ARGS), module initialisation (PNP_MODULE_EXEC, PNP_MODINIT),
 * and what PyPy 7.3.11's runtime does differently from CPython's
 * (PNP_NEEDS_REFLECTED_METHODS, PNP_NEEDS_SQ_ITEM, pnp_float_as_double,
 * pnp_global_adopt), and where one build can do better (pnp_sequence_item).
 * Everything else hpy.c uses (HPyType_HELPERS, HPy_New,
 * HPyField, HPyGlobal_Load, HPyListBuilder, HPyErr_*, ...) is the same.
 *
 * Deliberately not used, because PyPy 7.3.11 ships their declarations but
 * not the runtime helper sources (argparse.c, buildvalue.c, helpers.c):
 * HPyArg_Parse*, HPy_BuildValue, HPyHelpers_AddType.
 */
#ifndef PICONUMPY_HPY_COMPAT_H
#define PICONUMPY_HPY_COMPAT_H

/* hpy.h is HPy's code, not ours: its inline functions leave parameters
 * unused (-Wextra).  Its HPyDef_* macros cast every implementation to a
 * generic function pointer type and leave a struct field of their
 * trampolines to be filled later, so those two warnings would also fire at
 * each definition in hpy.c, in HPy's code; they stay off after the include
 * (hpy.c itself casts no function and initialises structs by name). */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#endif
#include "hpy.h"
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#pragma GCC diagnostic ignored "-Wcast-function-type"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif

#ifdef HPY_ABI_VERSION
/* ---- hpy 0.9 --------------------------------------------------------- */

/* The 0.9 macros that take an explicit implementation name gained _IMPL. */
#define PNP_DEF_SLOT(SYM, IMPL, SLOT) HPyDef_SLOT_IMPL(SYM, IMPL, SLOT)
#define PNP_DEF_METH(SYM, NAME, IMPL, SIG, DOC) \
    HPyDef_METH_IMPL(SYM, NAME, IMPL, SIG, .doc = DOC)

/* The positional arguments of tp_new became const. */
#define PNP_ARGS const HPy *

/* The module is created by the runtime from its HPyModuleDef (multi-phase
 * initialisation); our own set-up runs in its HPy_mod_exec slot. */
#define PNP_MODULE_EXEC(IMPL) \
    HPyDef_SLOT_IMPL(pnp_module_exec, IMPL, HPy_mod_exec)
#define PNP_MODULE_EXEC_DEF &pnp_module_exec,
#define PNP_MODULEDEF_NAME(NAME)
#define PNP_MODINIT(EXTNAME, MODDEF, EXEC) HPy_MODINIT(EXTNAME, MODDEF)

/* Binary number slots serve both operand orders, as in CPython. */
#define PNP_NEEDS_REFLECTED_METHODS 0

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
/* ---- HPy 0.0.4 (PyPy 7.3.11) ----------------------------------------- */

#define PNP_DEF_SLOT(SYM, IMPL, SLOT) HPyDef_SLOT(SYM, IMPL, SLOT)
#define PNP_DEF_METH(SYM, NAME, IMPL, SIG, DOC) \
    HPyDef_METH(SYM, NAME, IMPL, SIG, .doc = DOC)

#define PNP_ARGS HPy *

/* The init function creates the module itself (HPyModule_Create), then
 * runs the same set-up function the 0.9 exec slot runs. */
#define PNP_MODULE_EXEC(IMPL) static int IMPL(HPyContext *ctx, HPy module);
#define PNP_MODULE_EXEC_DEF
#define PNP_MODULEDEF_NAME(NAME) .name = NAME,
/* One level of indirection so that EXTNAME may itself be a macro. */
#define PNP_MODINIT(EXTNAME, MODDEF, EXEC) PNP_MODINIT_(EXTNAME, MODDEF, EXEC)
#define PNP_MODINIT_(EXTNAME, MODDEF, EXEC)                           \
    HPy_MODINIT(EXTNAME)                                              \
    static HPy init_##EXTNAME##_impl(HPyContext *ctx)                 \
    {                                                                 \
        HPy module = HPyModule_Create(ctx, &MODDEF);                  \
        if (HPy_IsNull(module))                                       \
            return HPy_NULL;                                          \
        if (EXEC(ctx, module) < 0) {                                  \
            HPy_Close(ctx, module);                                   \
            return HPy_NULL;                                          \
        }                                                             \
        return module;                                                \
    }

/* PyPy 7.3.11 turns a binary number slot into the forward method only
 * (nb_multiply -> __mul__, no __rmul__), so `2.0 * a` would be a TypeError.
 * hpy.c then also defines the reflected methods it needs, explicitly. */
#define PNP_NEEDS_REFLECTED_METHODS 1

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

/* The 0.0.4 trampoline of HPyFunc_NOARGS methods leaves its second
 * parameter unused.  The same hpy.c is compiled with this warning on by
 * the CPython builds, so our own code stays checked. */
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wunused-parameter"
#endif

#endif

#endif /* PICONUMPY_HPY_COMPAT_H */

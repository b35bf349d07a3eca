/* hpy_compat.h: how the HPy API levels we build against spell what hpy.c
 * uses, given one spelling for hpy.c.  API spelling only: what a runtime
 * does differently is in hpy_runtime.h.
 *
 *   - HPy 0.9: the `hpy` package (0.9.0) on CPython, for the CPython ABI
 *     build (_hpy_cpython_abi) and the universal build loaded by
 *     hpy.universal; and PyPy 7.3.19's own HPy (0.9.1.dev, headers in
 *     <pypy>/hpy/devel), for the universal build;
 *   - HPy 0.0.4 (built into PyPy 7.3.11, headers in <pypy>/hpy/devel): the
 *     universal build loaded by PyPy's _hpy_universal.
 *
 * HPY_ABI_VERSION is defined by the 0.9 headers only, so it selects the
 * level.  What differs: the definition macros (PNP_DEF_*), tp_new's
 * arguments (PNP_ARGS) and module initialisation (PNP_MODULE_EXEC,
 * PNP_MODINIT).  Everything else hpy.c uses (HPyType_HELPERS, HPy_New,
 * HPyField, HPyGlobal_Load, HPyListBuilder, HPyErr_*, ...) is spelled the
 * same.
 *
 * Deliberately not used, because PyPy ships their declarations but not the
 * runtime helper sources (argparse.c, buildvalue.c, helpers.c):
 * HPyArg_Parse*, HPy_BuildValue, HPyHelpers_AddType.
 */
#ifndef PICONUMPY_HPY_COMPAT_H
#define PICONUMPY_HPY_COMPAT_H

/* hpy.h is HPy's code, not ours: its inline functions leave parameters
 * unused (-Wextra).  Its HPyDef_* macros cast every implementation to a
 * generic function pointer type, leave a struct field of their trampolines
 * to be filled later and (0.0.4) leave a trampoline parameter unused, so
 * those warnings would also fire at each definition in hpy.c, in HPy's
 * code: they are off inside the PNP_DEF_* macros only (PNP_HPY_CODE), on
 * everywhere else in hpy.c. */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#endif
#include "hpy.h"
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

/* PNP_HPY_CODE(code): code expanded from HPy's macros, with the warnings
 * above off. */
#if defined(__GNUC__)
#define PNP_HPY_CODE(code)                                              \
    _Pragma("GCC diagnostic push")                                      \
    _Pragma("GCC diagnostic ignored \"-Wcast-function-type\"")          \
    _Pragma("GCC diagnostic ignored \"-Wmissing-field-initializers\"")  \
    _Pragma("GCC diagnostic ignored \"-Wunused-parameter\"")            \
    code                                                                \
    _Pragma("GCC diagnostic pop")
#else
#define PNP_HPY_CODE(code) code
#endif

#ifdef HPY_ABI_VERSION
/* ---- hpy 0.9 --------------------------------------------------------- */

/* The 0.9 macros that take an explicit implementation name gained _IMPL. */
#define PNP_DEF_SLOT(SYM, IMPL, SLOT) \
    PNP_HPY_CODE(HPyDef_SLOT_IMPL(SYM, IMPL, SLOT))
#define PNP_DEF_METH(SYM, NAME, IMPL, SIG, DOC) \
    PNP_HPY_CODE(HPyDef_METH_IMPL(SYM, NAME, IMPL, SIG, .doc = DOC))

/* The positional arguments of tp_new became const. */
#define PNP_ARGS const HPy *

/* The module is created by the runtime from its HPyModuleDef (multi-phase
 * initialisation); our own set-up runs in its HPy_mod_exec slot. */
#define PNP_MODULE_EXEC(IMPL) \
    PNP_HPY_CODE(HPyDef_SLOT_IMPL(pnp_module_exec, IMPL, HPy_mod_exec))
#define PNP_MODULE_EXEC_DEF &pnp_module_exec,
#define PNP_MODULEDEF_NAME(NAME)
#define PNP_MODINIT(EXTNAME, MODDEF, EXEC) HPy_MODINIT(EXTNAME, MODDEF)

#else
/* ---- HPy 0.0.4 (PyPy 7.3.11) ----------------------------------------- */

#define PNP_DEF_SLOT(SYM, IMPL, SLOT) \
    PNP_HPY_CODE(HPyDef_SLOT(SYM, IMPL, SLOT))
#define PNP_DEF_METH(SYM, NAME, IMPL, SIG, DOC) \
    PNP_HPY_CODE(HPyDef_METH(SYM, NAME, IMPL, SIG, .doc = DOC))

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
        if (HPy_IsNull(module)) {                                     \
            return HPy_NULL;                                          \
        }                                                             \
        if (EXEC(ctx, module) < 0) {                                  \
            HPy_Close(ctx, module);                                   \
            return HPy_NULL;                                          \
        }                                                             \
        return module;                                                \
    }

#endif

#endif /* PICONUMPY_HPY_COMPAT_H */

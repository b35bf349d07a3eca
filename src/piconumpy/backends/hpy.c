/* hpy.c: the HPy backends of piconumpy, one source built for each runtime.
 *
 *   _hpy_cpython_abi (CPython)  hpy 0.9.0, CPython ABI (an ordinary
 *                               extension, loaded by hpy_cpython_abi.py)
 *   _hpy_universal (CPython)    hpy 0.9.0, universal ABI, loaded by
 *                               hpy.universal (through hpy_universal.py)
 *   _hpy_universal (PyPy)       PyPy's own HPy, universal ABI: 0.9.1.dev
 *                               on PyPy 7.3.19, 0.0.4 on PyPy 7.3.11
 *
 * hpy_compat.h maps the API spelling of the HPy levels, hpy_runtime.h what
 * the runtimes do differently.
 * The behaviour is the one of piconumpy/purepy.py (the specification); the
 * comments name the rule of piconumpy/_rules.py each function follows.
 *
 * Handles: every handle we get is closed exactly once on every path; the
 * tests run the module in HPy's debug mode under a leak detector.
 *
 * Storage: an array of up to INLINE_CAPACITY items keeps them in its own
 * struct, so the array type needs no tp_destroy.  On PyPy 7.3.11 a type
 * with tp_destroy makes every object dearer to create: a*2.0 on a 4-item
 * array took ~140 ns this way against 400-1000 ns with malloc'd items freed
 * by tp_destroy.  A larger array keeps its items in malloc'd memory owned by
 * a hidden buffer object, which has the tp_destroy that frees them; the
 * array references it through an HPyField; PyPy's GC is told about that
 * memory (add_memory_pressure), which it cannot see.  (HPyType_Spec.itemsize
 * cannot be used: HPy_New does not allocate the items.)
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpy_runtime.h"   /* includes hpy_compat.h, which includes hpy.h */

#ifdef HPY_ABI_CPYTHON
#define MODULE_NAME _hpy_cpython_abi
#else
#define MODULE_NAME _hpy_universal
#endif
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
#define QUALIFIED(name) "piconumpy.backends." STRINGIFY(MODULE_NAME) "." name

/* _rules.MAX_SIZE: sys.maxsize // 8 float64 items. */
#define SSIZE_MAXIMUM ((HPy_ssize_t)(~(size_t)0 >> 1))
#define MAX_SIZE (SSIZE_MAXIMUM / (HPy_ssize_t)sizeof(double))

/* Measured on PyPy 7.3.11 (see the file comment): up to 8 inline items
 * cost a 4-item array nothing more than 4 do, 64 start to. */
#define INLINE_CAPACITY 8

/* ---- module globals -------------------------------------------------- */

static HPyGlobal g_array_type;
static HPyGlobal g_buffer_type;
/* builtins.iter and builtins.next, and a private sentinel for next(it, s):
 * HPy 0.9 and 0.0.4 have no iterator API of their own. */
static HPyGlobal g_iter;
static HPyGlobal g_next;
static HPyGlobal g_sentinel;
static HPyGlobal g_complex;       /* builtins.complex, for is_real */
/* PyPy's __pypy__.add_memory_pressure, or None elsewhere: PyPy's GC does not
 * see the memory we malloc, and without being told about it would let
 * thousands of dead large arrays pile up between its collections. */
static HPyGlobal g_memory_pressure;

/* ---- the objects ----------------------------------------------------- */

typedef struct {
    HPy_ssize_t size;
    double *heap_items;   /* NULL when the items are inline */
    HPyField buffer;      /* the owner of heap_items, else null */
    double inline_items[INLINE_CAPACITY];
} ArrayObject;

HPyType_HELPERS(ArrayObject)

typedef struct {
    double *items;        /* malloc'd, freed by buffer_destroy */
} BufferObject;

HPyType_HELPERS(BufferObject)

static inline double *
array_items(ArrayObject *array)
{
    return array->heap_items ? array->heap_items : array->inline_items;
}

/* ---- errors ---------------------------------------------------------- */

/* Raise `exc` with `format` % (the type name of obj,), replacing any pending
 * error.  Failures to get the name only degrade the message. */
static void
raise_with_type_name(HPyContext *ctx, HPy exc, const char *format, HPy obj)
{
    char message[256];
    const char *name = NULL;
    HPy h_type, h_name = HPy_NULL;
    HPyErr_Clear(ctx);   /* no API call with an error pending */
    h_type = HPy_Type(ctx, obj);
    if (!HPy_IsNull(h_type)) {
        h_name = HPy_GetAttr_s(ctx, h_type, "__name__");
    }
    if (!HPy_IsNull(h_name)) {
        name = HPyUnicode_AsUTF8AndSize(ctx, h_name, NULL);
    }
    snprintf(message, sizeof message, format, name ? name : "?");
    HPyErr_Clear(ctx);
    HPyErr_SetString(ctx, exc, message);
    if (!HPy_IsNull(h_name)) {
        HPy_Close(ctx, h_name);
    }
    if (!HPy_IsNull(h_type)) {
        HPy_Close(ctx, h_type);
    }
}

/* If the pending error is a TypeError, replace it by a TypeError with
 * `format` % (type name of obj,).  Any other error is left as it is. */
static void
retype_type_error(HPyContext *ctx, const char *format, HPy obj)
{
    if (HPyErr_ExceptionMatches(ctx, ctx->h_TypeError)) {
        raise_with_type_name(ctx, ctx->h_TypeError, format, obj);
    }
}

/* ---- numbers (_rules.as_real, real, scalar_or_none, index, size) ----- */

/* _rules.is_real: whether the type of value has __float__ or __index__
 * (a float subclass has __float__), complex excepted (Python 3.9, hence
 * PyPy 7.3.11, gives it a __float__ that raises).  -1 on error.  No error
 * may be pending: HPy_HasAttr_s clears errors. */
static int
is_real(HPyContext *ctx, HPy value)
{
    HPy h_type, h_complex = HPyGlobal_Load(ctx, g_complex);
    int result = HPy_TypeCheck(ctx, value, h_complex);
    HPy_Close(ctx, h_complex);
    if (result) {
        return 0;
    }
    h_type = HPy_Type(ctx, value);
    if (HPy_IsNull(h_type)) {
        return -1;
    }
    result = HPy_HasAttr_s(ctx, h_type, "__float__")
             || HPy_HasAttr_s(ctx, h_type, "__index__");
    HPy_Close(ctx, h_type);
    return result;
}

/* Whether value is a float or an int (subclasses included): a real number
 * whose conversion needs no look at its type.  The usual case, first. */
static inline int
is_float_or_int(HPyContext *ctx, HPy value)
{
    return HPy_TypeCheck(ctx, value, ctx->h_FloatType)
           || HPy_TypeCheck(ctx, value, ctx->h_LongType);
}

/* _rules.real: value as a double, like PyFloat_AsDouble, with the TypeError
 * "<what> must be a real number, not 'T'" if value is no real number at
 * all.  As in the rules, the type is checked first, then the value is
 * converted, once: any error of the conversion (a __float__ that raises,
 * even TypeError) propagates as it is.  (Converting first and looking at
 * the type after a TypeError would run such a __float__ twice.)  `what` may
 * contain one %zd, for `position`.  0 or -1. */
static int
real(HPyContext *ctx, HPy value, const char *what, HPy_ssize_t position,
     double *out)
{
    double x;
    if (!is_float_or_int(ctx, value)) {
        int real_type = is_real(ctx, value);
        if (real_type < 0) {
            return -1;
        }
        if (!real_type) {
            char prefix[64], format[128];
            snprintf(prefix, sizeof prefix, what, position);
            snprintf(format, sizeof format,
                     "%s must be a real number, not '%%.100s'", prefix);
            raise_with_type_name(ctx, ctx->h_TypeError, format, value);
            return -1;
        }
    }
    x = pnp_float_as_double(ctx, value);
    if (x == -1.0 && HPyErr_Occurred(ctx)) {
        return -1;
    }
    *out = x;
    return 0;
}

/* _rules.scalar_or_none: 1 with *out set, 0 if the operation must return
 * NotImplemented (converting raised TypeError, now cleared), -1 on error. */
static int
scalar_or_none(HPyContext *ctx, HPy value, double *out)
{
    double x = pnp_float_as_double(ctx, value);
    if (x == -1.0 && HPyErr_Occurred(ctx)) {
        if (!HPyErr_ExceptionMatches(ctx, ctx->h_TypeError)) {
            return -1;
        }
        HPyErr_Clear(ctx);
        return 0;
    }
    *out = x;
    return 1;
}

/* An int as an HPy_ssize_t; one beyond the C range (OverflowError, cleared)
 * is SSIZE_MAXIMUM, out of the range of any array.  -1 with another error. */
static HPy_ssize_t
as_index(HPyContext *ctx, HPy h_int)
{
    HPy_ssize_t i = HPyLong_AsSsize_t(ctx, h_int);
    if (i == -1 && HPyErr_Occurred(ctx)) {
        if (!HPyErr_ExceptionMatches(ctx, ctx->h_OverflowError)) {
            return -1;
        }
        HPyErr_Clear(ctx);
        return SSIZE_MAXIMUM;
    }
    return i;
}

/* _rules.index: the index of a[key] in [0, length), or -1 with an error. */
static HPy_ssize_t
normalise_index(HPyContext *ctx, HPy key, HPy_ssize_t length)
{
    /* An int first, the usual key: HPyLong_AsSsize_t takes ints only (a
     * TypeError for anything else) and runs no Python code.  Other keys go
     * through operator.index.  (Saves ~9 ns of ~38 per a[i] on PyPy.) */
    HPy_ssize_t i = as_index(ctx, key);
    if (i == -1 && HPyErr_Occurred(ctx)) {
        HPy h_index;
        if (!HPyErr_ExceptionMatches(ctx, ctx->h_TypeError)) {
            return -1;
        }
        HPyErr_Clear(ctx);
        h_index = HPy_Index(ctx, key);
        if (HPy_IsNull(h_index)) {
            retype_type_error(ctx,
                              "array indices must be integers, not '%.100s'",
                              key);
            return -1;
        }
        i = as_index(ctx, h_index);
        HPy_Close(ctx, h_index);
        if (i == -1 && HPyErr_Occurred(ctx)) {
            return -1;
        }
    }
    if (i < 0) {
        i += length;
    }
    if (i < 0 || i >= length) {
        HPyErr_SetString(ctx, ctx->h_IndexError, "array index out of range");
        return -1;
    }
    return i;
}

/* _rules.size: the size given to zeros(n) / empty(n), or -1 with an error. */
static HPy_ssize_t
checked_size(HPyContext *ctx, HPy h_n, const char *function)
{
    char message[160];
    HPy_ssize_t n;
    int overflow = 0;
    HPy h_index = HPy_Index(ctx, h_n);
    if (HPy_IsNull(h_index)) {
        snprintf(message, sizeof message,
                 "%s() size must be an integer, not '%%.100s'", function);
        retype_type_error(ctx, message, h_n);
        return -1;
    }
    n = HPyLong_AsSsize_t(ctx, h_index);
    if (n == -1 && HPyErr_Occurred(ctx)) {
        /* Beyond the C range: only the sign matters. */
        HPy h_zero;
        int negative = -1;
        if (HPyErr_ExceptionMatches(ctx, ctx->h_OverflowError)) {
            HPyErr_Clear(ctx);
            h_zero = HPyLong_FromLong(ctx, 0);
            if (!HPy_IsNull(h_zero)) {
                negative = HPy_RichCompareBool(ctx, h_index, h_zero, HPy_LT);
                HPy_Close(ctx, h_zero);
            }
        }
        if (negative < 0) {
            HPy_Close(ctx, h_index);
            return -1;
        }
        overflow = 1;
        n = negative ? -1 : SSIZE_MAXIMUM;
    }
    HPy_Close(ctx, h_index);
    if (n < 0) {
        if (overflow) {
            snprintf(message, sizeof message,
                     "%s() size must be non-negative", function);
        }
        else {
            snprintf(message, sizeof message,
                     "%s() size must be non-negative, got %zd", function, n);
        }
        HPyErr_SetString(ctx, ctx->h_ValueError, message);
        return -1;
    }
    if (n > MAX_SIZE) {
        if (overflow) {
            snprintf(message, sizeof message,
                     "%s() cannot allocate that many float64 items", function);
        }
        else {
            snprintf(message, sizeof message,
                     "%s() cannot allocate %zd float64 items", function, n);
        }
        HPyErr_SetString(ctx, ctx->h_MemoryError, message);
        return -1;
    }
    return n;
}

/* ---- creating arrays ------------------------------------------------- */

/* Tell PyPy's GC about `bytes` of memory we allocated (see
 * g_memory_pressure).  0 or -1. */
static int
add_memory_pressure(HPyContext *ctx, HPy_ssize_t bytes)
{
    HPy h_function, h_bytes, h_args, h_result;
    int status = -1;
    h_function = HPyGlobal_Load(ctx, g_memory_pressure);
    if (HPy_Is(ctx, h_function, ctx->h_None)) {
        HPy_Close(ctx, h_function);
        return 0;
    }
    h_bytes = HPyLong_FromSsize_t(ctx, bytes);
    if (HPy_IsNull(h_bytes)) {
        HPy_Close(ctx, h_function);
        return -1;
    }
    h_args = HPyTuple_FromArray(ctx, &h_bytes, 1);
    HPy_Close(ctx, h_bytes);
    if (!HPy_IsNull(h_args)) {
        h_result = HPy_CallTupleDict(ctx, h_function, h_args, HPy_NULL);
        HPy_Close(ctx, h_args);
        if (!HPy_IsNull(h_result)) {
            HPy_Close(ctx, h_result);
            status = 0;
        }
    }
    HPy_Close(ctx, h_function);
    return status;
}

/* A new array of `size` uninitialised items, of type
 * h_type; *items receives where to write them.  `heap`, if not NULL, is a
 * malloc'd block of `size` items to adopt (it is freed on failure). */
static HPy
new_array_adopting(HPyContext *ctx, HPy h_type, HPy_ssize_t size,
                   double *heap, double **items)
{
    ArrayObject *array;
    BufferObject *buffer;
    HPy h_buffer_type, h_buffer;
    HPy h_array = HPy_New(ctx, h_type, &array);
    if (HPy_IsNull(h_array)) {
        free(heap);
        return HPy_NULL;
    }
    array->size = size;
    array->heap_items = NULL;
    array->buffer = HPyField_NULL;
    if (size <= INLINE_CAPACITY) {
        if (heap) {
            memcpy(array->inline_items, heap, size * sizeof(double));
            free(heap);
        }
        *items = array->inline_items;
        return h_array;
    }
    if (heap == NULL) {
        if (size > MAX_SIZE || !(heap = malloc(size * sizeof(double)))) {
            HPy_Close(ctx, h_array);
            HPyErr_NoMemory(ctx);
            return HPy_NULL;
        }
    }
    h_buffer_type = HPyGlobal_Load(ctx, g_buffer_type);
    h_buffer = HPy_New(ctx, h_buffer_type, &buffer);
    HPy_Close(ctx, h_buffer_type);
    if (HPy_IsNull(h_buffer)) {
        free(heap);
        HPy_Close(ctx, h_array);
        return HPy_NULL;
    }
    buffer->items = heap;
    HPyField_Store(ctx, h_array, &array->buffer, h_buffer);
    HPy_Close(ctx, h_buffer);
    array->heap_items = heap;
    *items = heap;
    if (add_memory_pressure(ctx, size * (HPy_ssize_t)sizeof(double)) < 0) {
        HPy_Close(ctx, h_array);
        return HPy_NULL;
    }
    return h_array;
}

static HPy
new_array(HPyContext *ctx, HPy h_type, HPy_ssize_t size, double **items)
{
    return new_array_adopting(ctx, h_type, size, NULL, items);
}

/* Items collected one by one, for array(iterable). */
typedef struct {
    double *items;        /* `local` or malloc'd */
    HPy_ssize_t size, capacity;
    double local[INLINE_CAPACITY];
} Collector;

static void
collector_init(Collector *c)
{
    c->items = c->local;
    c->size = 0;
    c->capacity = INLINE_CAPACITY;
}

static void
collector_free(Collector *c)
{
    if (c->items != c->local) {
        free(c->items);
    }
}

static int
collector_append(HPyContext *ctx, Collector *c, double x)
{
    if (c->size == c->capacity) {
        HPy_ssize_t capacity = c->capacity * 2;
        double *items;
        if (capacity > MAX_SIZE) {
            capacity = MAX_SIZE;
        }
        if (c->size == capacity) {
            HPyErr_NoMemory(ctx);
            return -1;
        }
        if (c->items == c->local) {
            items = malloc(capacity * sizeof(double));
            if (items) {
                memcpy(items, c->local, c->size * sizeof(double));
            }
        }
        else {
            items = realloc(c->items, capacity * sizeof(double));
        }
        if (items == NULL) {
            HPyErr_NoMemory(ctx);
            return -1;
        }
        c->items = items;
        c->capacity = capacity;
    }
    c->items[c->size++] = x;
    return 0;
}

/* The collected items as a new array; the collector is emptied. */
static HPy
collector_to_array(HPyContext *ctx, Collector *c, HPy h_type)
{
    double *items;
    HPy h_array;
    if (c->items == c->local || c->size <= INLINE_CAPACITY) {
        h_array = new_array(ctx, h_type, c->size, &items);
        if (!HPy_IsNull(h_array)) {
            memcpy(items, c->items, c->size * sizeof(double));
        }
        collector_free(c);
        return h_array;
    }
    /* Give the malloc'd block to the array, trimmed to size. */
    items = realloc(c->items, c->size * sizeof(double));
    if (items == NULL) {
        items = c->items;
    }
    return new_array_adopting(ctx, h_type, c->size, items, &items);
}

/* Collect the elements of an exact list or tuple like a list iterator does:
 * item i while i < len(seq), the length being read again only when needed
 * (HPy_Length is not free on PyPy).  A __float__ may resize the list. */
static int
collect_sequence(HPyContext *ctx, Collector *c, HPy seq)
{
    HPy_ssize_t i, length = HPy_Length(ctx, seq);
    if (length < 0) {
        return -1;
    }
    for (i = 0;; i++) {
        double x;
        int status;
        HPy item;
        if (i >= length) {
            /* The end, unless the list grew meanwhile. */
            length = HPy_Length(ctx, seq);
            if (length < 0) {
                return -1;
            }
            if (i >= length) {
                return 0;
            }
        }
        item = pnp_sequence_item(ctx, seq, i);
        if (HPy_IsNull(item)) {
            /* Or it shrank: the end too. */
            if (!HPyErr_ExceptionMatches(ctx, ctx->h_IndexError)) {
                return -1;
            }
            HPyErr_Clear(ctx);
            return 0;
        }
        status = real(ctx, item, "array() element %zd", i, &x);
        HPy_Close(ctx, item);
        if (status < 0 || collector_append(ctx, c, x) < 0) {
            return -1;
        }
    }
}

/* Collect the elements of any iterable, with next(iterator, sentinel). */
static int
collect_iterator(HPyContext *ctx, Collector *c, HPy iterator)
{
    HPy_ssize_t position;
    int result = -1;
    HPy h_next = HPyGlobal_Load(ctx, g_next);
    HPy h_sentinel = HPyGlobal_Load(ctx, g_sentinel);
    HPy next_args[2] = {iterator, h_sentinel};
    HPy h_args = HPyTuple_FromArray(ctx, next_args, 2);
    if (HPy_IsNull(h_args)) {
        goto done;
    }
    for (position = 0;; position++) {
        double x;
        int status;
        HPy item = HPy_CallTupleDict(ctx, h_next, h_args, HPy_NULL);
        if (HPy_IsNull(item)) {
            goto done;
        }
        if (HPy_Is(ctx, item, h_sentinel)) {
            HPy_Close(ctx, item);
            break;
        }
        status = real(ctx, item, "array() element %zd", position, &x);
        HPy_Close(ctx, item);
        if (status < 0 || collector_append(ctx, c, x) < 0) {
            goto done;
        }
    }
    result = 0;
done:
    if (!HPy_IsNull(h_args)) {
        HPy_Close(ctx, h_args);
    }
    HPy_Close(ctx, h_sentinel);
    HPy_Close(ctx, h_next);
    return result;
}

/* _rules.iterate: collect the elements of `iterable` as floats. */
static int
collect(HPyContext *ctx, Collector *c, HPy iterable)
{
    HPy h_type, h_iter, h_args, iterator;
    int exact_sequence, status;

    /* Fast path for the usual input; subclasses may override __iter__. */
    h_type = HPy_Type(ctx, iterable);
    if (HPy_IsNull(h_type)) {
        return -1;
    }
    exact_sequence = HPy_Is(ctx, h_type, ctx->h_ListType)
                     || HPy_Is(ctx, h_type, ctx->h_TupleType);
    HPy_Close(ctx, h_type);
    if (exact_sequence) {
        return collect_sequence(ctx, c, iterable);
    }

    h_iter = HPyGlobal_Load(ctx, g_iter);
    h_args = HPyTuple_FromArray(ctx, &iterable, 1);
    if (HPy_IsNull(h_args)) {
        HPy_Close(ctx, h_iter);
        return -1;
    }
    iterator = HPy_CallTupleDict(ctx, h_iter, h_args, HPy_NULL);
    HPy_Close(ctx, h_args);
    HPy_Close(ctx, h_iter);
    if (HPy_IsNull(iterator)) {
        retype_type_error(ctx, "array() argument must be an iterable of real "
                          "numbers, not '%.100s'", iterable);
        return -1;
    }
    status = collect_iterator(ctx, c, iterator);
    HPy_Close(ctx, iterator);
    return status;
}

/* ---- the array type -------------------------------------------------- */

/* The argument named "iterable" (a new handle, or HPy_NULL with an error)
 * when tp_new got one keyword argument and no positional one.  kw is a
 * dict on hpy 0.9.0 and PyPy 7.3.11; PyPy 7.3.19 passes the tuple of the
 * keyword names instead, their values following the positional arguments
 * (vectorcall's convention): seen as it comes. */
static HPy
keyword_iterable(HPyContext *ctx, PNP_ARGS args, HPy_ssize_t nargs, HPy kw)
{
    HPy h_value = HPy_NULL;
    if (HPy_TypeCheck(ctx, kw, ctx->h_TupleType)) {
        HPy h_name = HPy_GetItem_i(ctx, kw, 0);
        HPy h_expected = HPyUnicode_FromString(ctx, "iterable");
        int same = -1;
        if (!HPy_IsNull(h_name) && !HPy_IsNull(h_expected)) {
            same = HPy_RichCompareBool(ctx, h_name, h_expected, HPy_EQ);
        }
        if (!HPy_IsNull(h_expected)) {
            HPy_Close(ctx, h_expected);
        }
        if (!HPy_IsNull(h_name)) {
            HPy_Close(ctx, h_name);
        }
        if (same > 0) {
            h_value = HPy_Dup(ctx, args[nargs]);
        }
        else if (same == 0) {
            HPyErr_SetString(ctx, ctx->h_TypeError,
                             "array() got an unexpected keyword argument");
        }
        return h_value;
    }
    h_value = HPy_GetItem_s(ctx, kw, "iterable");
    if (HPy_IsNull(h_value)
        && HPyErr_ExceptionMatches(ctx, ctx->h_KeyError)) {
        HPyErr_Clear(ctx);
        HPyErr_SetString(ctx, ctx->h_TypeError,
                         "array() got an unexpected keyword argument");
    }
    return h_value;
}

/* array(iterable): one argument, positional or named "iterable". */
PNP_DEF_SLOT(array_new_def, array_new, HPy_tp_new)
static HPy
array_new(HPyContext *ctx, HPy h_type, PNP_ARGS args, HPy_ssize_t nargs,
          HPy kw)
{
    Collector collector;
    HPy iterable, result;
    HPy_ssize_t nkw = 0;
    if (!HPy_IsNull(kw)) {
        nkw = HPy_Length(ctx, kw);
        if (nkw < 0) {
            return HPy_NULL;
        }
    }
    if (nargs + nkw != 1) {
        HPyErr_SetString(ctx, ctx->h_TypeError,
                         "array() takes exactly one argument (an iterable)");
        return HPy_NULL;
    }
    if (nargs == 1) {
        iterable = HPy_Dup(ctx, args[0]);
    }
    else {
        iterable = keyword_iterable(ctx, args, nargs, kw);
        if (HPy_IsNull(iterable)) {
            return HPy_NULL;
        }
    }
    collector_init(&collector);
    if (collect(ctx, &collector, iterable) < 0) {
        collector_free(&collector);
        HPy_Close(ctx, iterable);
        return HPy_NULL;
    }
    HPy_Close(ctx, iterable);
    result = collector_to_array(ctx, &collector, h_type);
    return result;
}

/* Items in inline storage need no destructor; the heap block is owned by
 * the buffer object.  The array's only HPyField is that buffer. */
PNP_DEF_SLOT(array_traverse_def, array_traverse, HPy_tp_traverse)
static int
array_traverse(void *object, HPyFunc_visitproc visit, void *arg)
{
    ArrayObject *array = (ArrayObject *)object;
    HPy_VISIT(&array->buffer);
    return 0;
}

PNP_DEF_SLOT(buffer_destroy_def, buffer_destroy, HPy_tp_destroy)
static void
buffer_destroy(void *object)
{
    free(((BufferObject *)object)->items);
}

PNP_DEF_SLOT(array_length_def, array_length, HPy_mp_length)
static HPy_ssize_t
array_length(HPyContext *ctx, HPy self)
{
    return ArrayObject_AsStruct(ctx, self)->size;
}

PNP_DEF_SLOT(array_subscript_def, array_subscript, HPy_mp_subscript)
static HPy
array_subscript(HPyContext *ctx, HPy self, HPy key)
{
    ArrayObject *array = ArrayObject_AsStruct(ctx, self);
    HPy_ssize_t i = normalise_index(ctx, key, array->size);
    if (i < 0) {
        return HPy_NULL;
    }
    return HPyFloat_FromDouble(ctx, array_items(array)[i]);
}

/* For iteration only: iter() on CPython needs sq_item to iterate with the
 * sequence protocol (HPy has no tp_iter slot); it passes 0, 1, 2, ...
 * PyPy's iter() falls back on __getitem__, which mp_subscript provides, so
 * an sq_item would only be a second __getitem__ there: given to CPython
 * only (create_array_type).
 * With sq_item, an array is a sequence (PySequence_Check), and then its
 * length must be sq_length too (PySequence_Size): numpy.array(a) failed
 * without it ("setting an array element with a sequence"). */
PNP_DEF_SLOT(array_item_def, array_item, HPy_sq_item)
static HPy
array_item(HPyContext *ctx, HPy self, HPy_ssize_t i)
{
    ArrayObject *array = ArrayObject_AsStruct(ctx, self);
    if (i < 0 || i >= array->size) {
        HPyErr_SetString(ctx, ctx->h_IndexError, "array index out of range");
        return HPy_NULL;
    }
    return HPyFloat_FromDouble(ctx, array_items(array)[i]);
}

/* The same as array_length (a slot implementation serves one slot). */
PNP_DEF_SLOT(array_sq_length_def, array_sq_length, HPy_sq_length)
static HPy_ssize_t
array_sq_length(HPyContext *ctx, HPy self)
{
    return array_length(ctx, self);
}

PNP_DEF_SLOT(array_ass_subscript_def, array_ass_subscript,
             HPy_mp_ass_subscript)
static int
array_ass_subscript(HPyContext *ctx, HPy self, HPy key, HPy value)
{
    ArrayObject *array = ArrayObject_AsStruct(ctx, self);
    HPy_ssize_t i;
    double x;
    if (HPy_IsNull(value)) {
        HPyErr_SetString(ctx, ctx->h_TypeError,
                         "array does not support item deletion");
        return -1;
    }
    i = normalise_index(ctx, key, array->size);
    if (i < 0) {
        return -1;
    }
    if (real(ctx, value, "array item", 0, &x) < 0) {
        return -1;
    }
    /* real() may have run Python code: it cannot resize the array. */
    array_items(array)[i] = x;
    return 0;
}

/* The items as a new list, with HPyList_Append (pnp_list_builder_leaks). */
static HPy
list_by_appending(HPyContext *ctx, const double *items, HPy_ssize_t size)
{
    HPy_ssize_t i;
    HPy h_list = HPyList_New(ctx, 0);
    if (HPy_IsNull(h_list)) {
        return HPy_NULL;
    }
    for (i = 0; i < size; i++) {
        int status;
        HPy h_item = HPyFloat_FromDouble(ctx, items[i]);
        if (HPy_IsNull(h_item)) {
            HPy_Close(ctx, h_list);
            return HPy_NULL;
        }
        status = HPyList_Append(ctx, h_list, h_item);
        HPy_Close(ctx, h_item);
        if (status < 0) {
            HPy_Close(ctx, h_list);
            return HPy_NULL;
        }
    }
    return h_list;
}

PNP_DEF_METH(array_tolist_def, "tolist", array_tolist, HPyFunc_NOARGS,
             "The items as a list of floats.")
static HPy
array_tolist(HPyContext *ctx, HPy self)
{
    ArrayObject *array = ArrayObject_AsStruct(ctx, self);
    double *items = array_items(array);
    HPy_ssize_t i, size = array->size;
    HPyListBuilder builder;
    if (pnp_list_builder_leaks) {
        return list_by_appending(ctx, items, size);
    }
    builder = HPyListBuilder_New(ctx, size);
    for (i = 0; i < size; i++) {
        HPy h_item = HPyFloat_FromDouble(ctx, items[i]);
        if (HPy_IsNull(h_item)) {
            HPyListBuilder_Cancel(ctx, builder);
            return HPy_NULL;
        }
        HPyListBuilder_Set(ctx, builder, i, h_item);
        HPy_Close(ctx, h_item);
    }
    return HPyListBuilder_Build(ctx, builder);
}

/* "array([1.0, 2.0])": the repr of the list of items, wrapped. */
PNP_DEF_SLOT(array_repr_def, array_repr, HPy_tp_repr)
static HPy
array_repr(HPyContext *ctx, HPy self)
{
    HPy h_list, h_list_repr, h_part, h_result = HPy_NULL;
    HPy h_head = HPy_NULL, h_tail = HPy_NULL;
    h_list = array_tolist(ctx, self);
    if (HPy_IsNull(h_list)) {
        return HPy_NULL;
    }
    h_list_repr = HPy_Repr(ctx, h_list);
    HPy_Close(ctx, h_list);
    if (HPy_IsNull(h_list_repr)) {
        return HPy_NULL;
    }
    h_head = HPyUnicode_FromString(ctx, "array(");
    if (HPy_IsNull(h_head)) {
        goto done;
    }
    h_tail = HPyUnicode_FromString(ctx, ")");
    if (HPy_IsNull(h_tail)) {
        goto done;
    }
    h_part = HPy_Add(ctx, h_head, h_list_repr);
    if (HPy_IsNull(h_part)) {
        goto done;
    }
    h_result = HPy_Add(ctx, h_part, h_tail);
    HPy_Close(ctx, h_part);
done:
    if (!HPy_IsNull(h_tail)) {
        HPy_Close(ctx, h_tail);
    }
    if (!HPy_IsNull(h_head)) {
        HPy_Close(ctx, h_head);
    }
    HPy_Close(ctx, h_list_repr);
    return h_result;
}

/* ---- arithmetic ------------------------------------------------------ */

/* array * s or array / s, once the operands are known: h_self is an array
 * of h_type, h_other anything.  NotImplemented if h_other is no real
 * number. */
static HPy
scalar_operation(HPyContext *ctx, HPy h_type, HPy h_self, HPy h_other,
                 int divide)
{
    HPy h_result;
    ArrayObject *array;
    double s, *src, *dst;
    HPy_ssize_t i;
    int status = scalar_or_none(ctx, h_other, &s);
    if (status <= 0) {
        return status < 0 ? HPy_NULL : HPy_Dup(ctx, ctx->h_NotImplemented);
    }
    array = ArrayObject_AsStruct(ctx, h_self);
    h_result = new_array(ctx, h_type, array->size, &dst);
    if (HPy_IsNull(h_result)) {
        return HPy_NULL;
    }
    src = array_items(array);
    if (divide) {
        for (i = 0; i < array->size; i++) {
            dst[i] = src[i] / s;
        }
    }
    else {
        for (i = 0; i < array->size; i++) {
            dst[i] = src[i] * s;
        }
    }
    return h_result;
}

/* a * s and s * a: the slot receives the operands in Python's order. */
PNP_DEF_SLOT(array_multiply_def, array_multiply, HPy_nb_multiply)
static HPy
array_multiply(HPyContext *ctx, HPy left, HPy right)
{
    HPy h_result, h_type = HPyGlobal_Load(ctx, g_array_type);
    if (HPy_TypeCheck(ctx, left, h_type)) {
        h_result = scalar_operation(ctx, h_type, left, right, 0);
    }
    else {
        h_result = scalar_operation(ctx, h_type, right, left, 0);
    }
    HPy_Close(ctx, h_type);
    return h_result;
}

/* __rmul__(self, other) computes other * self: for a runtime whose
 * nb_multiply serves only a * s (see create_array_type). */
PNP_DEF_METH(array_rmultiply_def, "__rmul__", array_rmultiply, HPyFunc_O,
             "Return value*self.")
static HPy
array_rmultiply(HPyContext *ctx, HPy self, HPy other)
{
    return array_multiply(ctx, other, self);
}

/* a / s (IEEE: a zero divisor gives inf or nan); s / a is NotImplemented. */
PNP_DEF_SLOT(array_true_divide_def, array_true_divide, HPy_nb_true_divide)
static HPy
array_true_divide(HPyContext *ctx, HPy left, HPy right)
{
    HPy h_result, h_type = HPyGlobal_Load(ctx, g_array_type);
    if (HPy_TypeCheck(ctx, left, h_type)) {
        h_result = scalar_operation(ctx, h_type, left, right, 1);
    }
    else {
        h_result = HPy_Dup(ctx, ctx->h_NotImplemented);
    }
    HPy_Close(ctx, h_type);
    return h_result;
}

/* a + b and a - b: both arrays of this type and of the same length. */
static HPy
array_add_or_subtract(HPyContext *ctx, HPy left, HPy right, int subtract)
{
    HPy h_type = HPyGlobal_Load(ctx, g_array_type);
    HPy h_result;
    ArrayObject *a, *b;
    double *x, *y, *dst;
    HPy_ssize_t i;
    if (!HPy_TypeCheck(ctx, left, h_type)
        || !HPy_TypeCheck(ctx, right, h_type)) {
        HPy_Close(ctx, h_type);
        return HPy_Dup(ctx, ctx->h_NotImplemented);
    }
    a = ArrayObject_AsStruct(ctx, left);
    b = ArrayObject_AsStruct(ctx, right);
    if (a->size != b->size) {
        char message[128];
        HPy_Close(ctx, h_type);
        snprintf(message, sizeof message,
                 "operands have different lengths: %zd and %zd",
                 a->size, b->size);
        HPyErr_SetString(ctx, ctx->h_ValueError, message);
        return HPy_NULL;
    }
    h_result = new_array(ctx, h_type, a->size, &dst);
    HPy_Close(ctx, h_type);
    if (HPy_IsNull(h_result)) {
        return HPy_NULL;
    }
    x = array_items(a);
    y = array_items(b);
    if (subtract) {
        for (i = 0; i < a->size; i++) {
            dst[i] = x[i] - y[i];
        }
    }
    else {
        for (i = 0; i < a->size; i++) {
            dst[i] = x[i] + y[i];
        }
    }
    return h_result;
}

PNP_DEF_SLOT(array_add_def, array_add, HPy_nb_add)
static HPy
array_add(HPyContext *ctx, HPy left, HPy right)
{
    return array_add_or_subtract(ctx, left, right, 0);
}

PNP_DEF_SLOT(array_subtract_def, array_subtract, HPy_nb_subtract)
static HPy
array_subtract(HPyContext *ctx, HPy left, HPy right)
{
    return array_add_or_subtract(ctx, left, right, 1);
}

PNP_DEF_SLOT(array_negative_def, array_negative, HPy_nb_negative)
static HPy
array_negative(HPyContext *ctx, HPy self)
{
    HPy h_type = HPyGlobal_Load(ctx, g_array_type);
    HPy h_result;
    ArrayObject *array = ArrayObject_AsStruct(ctx, self);
    double *src, *dst;
    HPy_ssize_t i;
    h_result = new_array(ctx, h_type, array->size, &dst);
    HPy_Close(ctx, h_type);
    if (HPy_IsNull(h_result)) {
        return HPy_NULL;
    }
    src = array_items(array);
    for (i = 0; i < array->size; i++) {
        dst[i] = -src[i];
    }
    return h_result;
}

/* A read-only member, not a getter: PyPy 7.3.11 aborts the process (Fatal
 * RPython error) on an assignment to an HPy property without setter, and
 * ignores the error of a setter that refuses. */
HPyDef_MEMBER(array_size_def, "size", HPyMember_HPYSSIZET,
              offsetof(ArrayObject, size), .readonly = 1,
              .doc = "Number of items (read-only).")

/* What every runtime takes; create_array_type adds what this one needs. */
static HPyDef *array_common_defines[] = {
    &array_new_def,
    &array_traverse_def,
    &array_repr_def,
    &array_length_def,
    &array_subscript_def,
    &array_ass_subscript_def,
    &array_multiply_def,
    &array_true_divide_def,
    &array_add_def,
    &array_subtract_def,
    &array_negative_def,
    &array_size_def,
    &array_tolist_def,
    NULL
};

#define ARRAY_DEFINES_MAX \
    (sizeof array_common_defines / sizeof array_common_defines[0] + 3)

/* Filled by create_array_type. */
static HPyDef *array_defines[ARRAY_DEFINES_MAX];

/* No HPy_TPFLAGS_BASETYPE: type(a) is array for every array, which the
 * arithmetic relies on (_rules: same backend means same type).  No
 * HPy_TPFLAGS_HAVE_GC: an array can only reference a buffer object, which
 * references nothing, so it can never be part of a cycle. */
static HPyType_Spec array_spec = {
    .name = QUALIFIED("array"),
    .doc = "array(iterable): a one-dimensional array of float64.",
    .basicsize = sizeof(ArrayObject),
    .flags = HPy_TPFLAGS_DEFAULT,
    .defines = array_defines,
};


static HPyDef *buffer_defines[] = {&buffer_destroy_def, NULL};

static HPyType_Spec buffer_spec = {
    .name = QUALIFIED("_buffer"),
    .doc = "The memory of a large array (internal).",
    .basicsize = sizeof(BufferObject),
    .flags = HPy_TPFLAGS_DEFAULT,
    .defines = buffer_defines,
};

/* ---- module functions ------------------------------------------------ */

static HPy
filled(HPyContext *ctx, HPy h_n, const char *function, int zero)
{
    double *items;
    HPy h_type, h_result;
    HPy_ssize_t n = checked_size(ctx, h_n, function);
    if (n < 0) {
        return HPy_NULL;
    }
    h_type = HPyGlobal_Load(ctx, g_array_type);
    h_result = new_array(ctx, h_type, n, &items);
    HPy_Close(ctx, h_type);
    /* empty() leaves large arrays uninitialised, as numpy does. */
    if (!HPy_IsNull(h_result) && zero) {
        memset(items, 0, n * sizeof(double));
    }
    return h_result;
}

PNP_DEF_METH(zeros_def, "zeros", zeros, HPyFunc_O,
             "zeros(n): an array of n zeros.")
static HPy
zeros(HPyContext *ctx, HPy self, HPy h_n)
{
    (void)self;
    return filled(ctx, h_n, "zeros", 1);
}

PNP_DEF_METH(empty_def, "empty", empty, HPyFunc_O,
             "empty(n): an array of n uninitialised items.")
static HPy
empty(HPyContext *ctx, HPy self, HPy h_n)
{
    (void)self;
    return filled(ctx, h_n, "empty", 0);
}

/* _rules.cos / sin: C's cos and sin are IEEE (nan for inf, no error). */
static HPy
elementwise(HPyContext *ctx, HPy x, double (*function)(double),
            const char *what)
{
    HPy h_type, h_result;
    ArrayObject *array;
    double value, *src, *dst;
    HPy_ssize_t i;
    /* Floats first: the scalar call is the one a hot loop makes. */
    if (HPy_TypeCheck(ctx, x, ctx->h_FloatType)) {
        value = HPyFloat_AsDouble(ctx, x);
        if (value == -1.0 && HPyErr_Occurred(ctx)) {
            return HPy_NULL;
        }
        return HPyFloat_FromDouble(ctx, function(value));
    }
    h_type = HPyGlobal_Load(ctx, g_array_type);
    if (!HPy_TypeCheck(ctx, x, h_type)) {
        HPy_Close(ctx, h_type);
        if (real(ctx, x, what, 0, &value) < 0) {
            return HPy_NULL;
        }
        return HPyFloat_FromDouble(ctx, function(value));
    }
    array = ArrayObject_AsStruct(ctx, x);
    h_result = new_array(ctx, h_type, array->size, &dst);
    HPy_Close(ctx, h_type);
    if (HPy_IsNull(h_result)) {
        return HPy_NULL;
    }
    src = array_items(array);
    for (i = 0; i < array->size; i++) {
        dst[i] = function(src[i]);
    }
    return h_result;
}

PNP_DEF_METH(cos_def, "cos", module_cos, HPyFunc_O,
             "cos(x): the cosine of a real number, or of each item of an "
             "array.")
static HPy
module_cos(HPyContext *ctx, HPy self, HPy x)
{
    (void)self;
    return elementwise(ctx, x, cos, "cos() argument");
}

PNP_DEF_METH(sin_def, "sin", module_sin, HPyFunc_O,
             "sin(x): the sine of a real number, or of each item of an array.")
static HPy
module_sin(HPyContext *ctx, HPy self, HPy x)
{
    (void)self;
    return elementwise(ctx, x, sin, "sin() argument");
}


#ifdef PICONUMPY_HPY_TEST_HOOKS
/* Deliberate misuses of handles, compiled only into the copy of this module
 * that tests/test_hpy_specific.py builds, to show that debug mode catches
 * them (so that its silence about the real module means something). */
PNP_DEF_METH(leak_a_handle_def, "_leak_a_handle", leak_a_handle,
             HPyFunc_NOARGS, "Test only: leak one handle.")
static HPy
leak_a_handle(HPyContext *ctx, HPy self)
{
    HPy leaked = HPyFloat_FromDouble(ctx, 1.0);   /* never closed */
    (void)self;
    (void)leaked;
    return HPy_Dup(ctx, ctx->h_None);
}

PNP_DEF_METH(use_after_close_def, "_use_after_close", use_after_close,
             HPyFunc_O, "Test only: repr(x) through a closed handle.")
static HPy
use_after_close(HPyContext *ctx, HPy self, HPy arg)
{
    HPy h = HPy_Dup(ctx, arg);
    (void)self;
    HPy_Close(ctx, h);
    return HPy_Repr(ctx, h);   /* h is closed; arg keeps the object alive */
}

#define TEST_HOOK_DEFS &leak_a_handle_def, &use_after_close_def,
#else
#define TEST_HOOK_DEFS
#endif

/* ---- the module ------------------------------------------------------ */

/* Create a type from spec and store it in *global.  0 or -1. */
static int
create_type(HPyContext *ctx, HPyType_Spec *spec, HPyGlobal *global)
{
    HPy h_type = HPyType_FromSpec(ctx, spec, NULL);
    if (HPy_IsNull(h_type)) {
        return -1;
    }
    pnp_global_adopt(ctx, global, h_type);
    return 0;
}

/* array_defines: the common definitions, then the optional ones. */
static void
set_array_defines(int with_sequence, int with_reflected)
{
    size_t n = 0;
    HPyDef **def;
    for (def = array_common_defines; *def; def++) {
        array_defines[n++] = *def;
    }
    if (with_sequence) {
        array_defines[n++] = &array_item_def;
        array_defines[n++] = &array_sq_length_def;
    }
    if (with_reflected) {
        array_defines[n++] = &array_rmultiply_def;
    }
    array_defines[n] = NULL;
}

/* The array type, in g_array_type, with what this runtime needs beyond
 * the common definitions: sq_item and sq_length where iter() needs them
 * (not on PyPy, see array_item); an explicit __rmul__ where the binary
 * number slots serve only the forward operation (PyPy 7.3.11 and 7.3.19,
 * PyPy issue 3509), which is seen on the type created without it: no
 * __rmul__, so `2.0 * a` would be a TypeError.  0 or -1. */
static int
create_array_type(HPyContext *ctx, int is_pypy)
{
    HPy h_type;
    set_array_defines(!is_pypy, 0);
    h_type = HPyType_FromSpec(ctx, &array_spec, NULL);
    if (HPy_IsNull(h_type)) {
        return -1;
    }
    if (!HPy_HasAttr_s(ctx, h_type, "__rmul__")) {
        HPy_Close(ctx, h_type);
        set_array_defines(!is_pypy, 1);
        h_type = HPyType_FromSpec(ctx, &array_spec, NULL);
        if (HPy_IsNull(h_type)) {
            return -1;
        }
    }
    pnp_global_adopt(ctx, &g_array_type, h_type);
    return 0;
}

/* Store module.<name> in *global.  0 or -1. */
static int
store_attribute(HPyContext *ctx, HPy h_module, const char *name,
              HPyGlobal *global)
{
    HPy h = HPy_GetAttr_s(ctx, h_module, name);
    if (HPy_IsNull(h)) {
        return -1;
    }
    pnp_global_adopt(ctx, global, h);
    return 0;
}

/* g_memory_pressure: __pypy__.add_memory_pressure if there is a __pypy__
 * module, else None.  1 if there is (the interpreter is PyPy), 0 if not,
 * -1 on error. */
static int
store_memory_pressure(HPyContext *ctx)
{
    HPy h_pypy = HPyImport_ImportModule(ctx, "__pypy__");
    int status;
    if (HPy_IsNull(h_pypy)) {
        if (!HPyErr_ExceptionMatches(ctx, ctx->h_ImportError)) {
            return -1;
        }
        HPyErr_Clear(ctx);
        pnp_global_adopt(ctx, &g_memory_pressure, HPy_Dup(ctx, ctx->h_None));
        return 0;
    }
    status = store_attribute(ctx, h_pypy, "add_memory_pressure",
                           &g_memory_pressure);
    HPy_Close(ctx, h_pypy);
    return status < 0 ? -1 : 1;
}

PNP_MODULE_EXEC(module_exec)

static int
module_exec(HPyContext *ctx, HPy module)
{
    int result = -1;
    HPy h_array_type = HPy_NULL, h_builtins = HPy_NULL, h_args = HPy_NULL;
    HPy h_sentinel;
    int is_pypy = store_memory_pressure(ctx);

    pnp_list_builder_leaks = is_pypy > 0;
    if (is_pypy < 0
        || create_array_type(ctx, is_pypy) < 0
        || create_type(ctx, &buffer_spec, &g_buffer_type) < 0) {
        return -1;
    }
    h_array_type = HPyGlobal_Load(ctx, g_array_type);
    /* numpy must leave `numpy_scalar * a` to our reflected multiply. */
    if (HPy_SetAttr_s(ctx, h_array_type, "__array_ufunc__", ctx->h_None) < 0
        || HPy_SetAttr_s(ctx, module, "array", h_array_type) < 0) {
        goto done;
    }

    h_builtins = HPyImport_ImportModule(ctx, "builtins");
    if (HPy_IsNull(h_builtins)
        || store_attribute(ctx, h_builtins, "iter", &g_iter) < 0
        || store_attribute(ctx, h_builtins, "next", &g_next) < 0
        || store_attribute(ctx, h_builtins, "complex", &g_complex) < 0) {
        goto done;
    }
    h_args = HPyTuple_FromArray(ctx, NULL, 0);
    if (HPy_IsNull(h_args)) {
        goto done;
    }
    h_sentinel = HPy_CallTupleDict(ctx, ctx->h_BaseObjectType, h_args,
                                   HPy_NULL);
    if (HPy_IsNull(h_sentinel)) {
        goto done;
    }
    pnp_global_adopt(ctx, &g_sentinel, h_sentinel);
    result = 0;
done:
    if (!HPy_IsNull(h_args)) {
        HPy_Close(ctx, h_args);
    }
    if (!HPy_IsNull(h_builtins)) {
        HPy_Close(ctx, h_builtins);
    }
    HPy_Close(ctx, h_array_type);
    return result;
}

static HPyDef *module_defines[] = {
    PNP_MODULE_EXEC_DEF
    &zeros_def,
    &empty_def,
    &cos_def,
    &sin_def,
    TEST_HOOK_DEFS
    NULL
};

static HPyGlobal *module_globals[] = {
    &g_array_type, &g_buffer_type, &g_iter, &g_next, &g_sentinel,
    &g_complex, &g_memory_pressure, NULL
};

static HPyModuleDef moduledef = {
    PNP_MODULEDEF_NAME("piconumpy.backends." STRINGIFY(MODULE_NAME))
    .doc = "piconumpy's HPy backend: array, zeros, empty, cos, sin.",
    .size = 0,
    .defines = module_defines,
    .globals = module_globals,
};

PNP_MODINIT(MODULE_NAME, moduledef, module_exec)

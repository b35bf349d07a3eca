/* piconumpy.bench._native: the native reference of the benchmark.
 *
 * The same algorithms as bench/workloads/, in plain C, with no allocation
 * in the hot loops.  It is the floor every other figure is divided by, and
 * the reference every result is checked against, so each function repeats
 * the Python code's floating-point operations in the same order (Python
 * evaluates `a * b * c` as `(a * b) * c`, and so does C).
 *
 * Each function is called once per timed call: the cost of crossing the
 * C API (cpyext on PyPy) is paid once per call, not per operation.  Arrays
 * come in as objects exporting a contiguous buffer of C doubles (the
 * runner passes array.array('d')), so converting them is not timed.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Tell the compiler that memory at p may be read and written here, so that
 * it really computes every repetition of a repeated operation instead of
 * hoisting the loop-invariant work out of the loop (and timing nothing). */
#if defined(__GNUC__) || defined(__clang__)
#define KEEP(p) __asm__ __volatile__("" : : "g"(p) : "memory")
#else
#define KEEP(p) ((void)(p)) /* other compilers: best effort */
#endif

/* ---- helpers -------------------------------------------------------- */

/* Get a contiguous buffer of C doubles from obj; on failure set an
 * exception and return -1 (nothing to release then). */
static int
get_doubles(PyObject *obj, Py_buffer *view, int writable)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT;
    if (writable) {
        flags |= PyBUF_WRITABLE;
    }
    if (PyObject_GetBuffer(obj, view, flags) < 0) {
        return -1;
    }
    if (view->ndim != 1 || view->itemsize != (Py_ssize_t)sizeof(double) ||
        view->format == NULL || strcmp(view->format, "d") != 0) {
        PyBuffer_Release(view);
        PyErr_SetString(PyExc_TypeError,
                        "expected a one-dimensional buffer of C doubles "
                        "(e.g. array.array('d'))");
        return -1;
    }
    return 0;
}

static Py_ssize_t
n_doubles(const Py_buffer *view)
{
    return view->len / (Py_ssize_t)sizeof(double);
}

/* A new list of n floats; NULL with an exception on failure. */
static PyObject *
list_from_doubles(const double *values, Py_ssize_t n)
{
    PyObject *list = PyList_New(n);
    if (list == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyFloat_FromDouble(values[i]);
        if (item == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, item); /* steals the reference */
    }
    return list;
}

/* ---- arguments ---------------------------------------------------------- */

/* Every function here takes its arguments through parse_args, from a
 * signature of one letter per positional argument:
 *   'r' a buffer of doubles, read     -> args.views, in order
 *   'w' a buffer of doubles, written  -> args.views, in order
 *   'n' a count >= 0                  -> args.count
 *   'k' a repeat count >= 1           -> args.count
 *   'd' a float                       -> args.number
 *   's' a str (an operation's name)   -> args.name
 *   'l' a list                        -> args.list (borrowed)
 * release_args gives the buffers back. */
#define MAX_VIEWS 3

typedef struct {
    Py_buffer views[MAX_VIEWS];
    int n_views;
    Py_ssize_t count;
    double number;
    const char *name;
    PyObject *list;
} Args;

static void
release_args(Args *args)
{
    while (args->n_views > 0) {
        args->n_views--;
        PyBuffer_Release(&args->views[args->n_views]);
    }
}

static int
parse_count(PyObject *item, char kind, Args *args)
{
    args->count = PyLong_AsSsize_t(item);
    if (args->count == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (kind == 'k' && args->count < 1) {
        PyErr_SetString(PyExc_ValueError, "repeat must be at least 1");
        return -1;
    }
    if (args->count < 0) {
        PyErr_SetString(PyExc_ValueError, "a count must not be negative");
        return -1;
    }
    return 0;
}

/* One argument of kind `kind` into args; -1 with an exception. */
static int
parse_one(PyObject *item, char kind, Args *args)
{
    switch (kind) {
    case 'r':
    case 'w':
        if (args->n_views == MAX_VIEWS) {
            PyErr_SetString(PyExc_SystemError, "too many buffers");
            return -1;
        }
        if (get_doubles(item, &args->views[args->n_views], kind == 'w') < 0) {
            return -1;
        }
        args->n_views++;
        return 0;
    case 'n':
    case 'k':
        return parse_count(item, kind, args);
    case 'd':
        args->number = PyFloat_AsDouble(item);
        return (args->number == -1.0 && PyErr_Occurred()) ? -1 : 0;
    case 's':
        if (!PyUnicode_Check(item)) {
            PyErr_SetString(PyExc_TypeError, "an operation name expected");
            return -1;
        }
        args->name = PyUnicode_AsUTF8(item);
        return args->name == NULL ? -1 : 0;
    case 'l':
        if (!PyList_Check(item)) {
            PyErr_SetString(PyExc_TypeError, "a list expected");
            return -1;
        }
        args->list = item;
        return 0;
    }
    PyErr_Format(PyExc_SystemError, "bad argument kind '%c'", kind);
    return -1;
}

/* Parse the tuple `tuple` of function's arguments by `signature`; on
 * failure an exception is set, nothing is held and -1 is returned. */
static int
parse_args(PyObject *tuple, const char *function, const char *signature,
           Args *args)
{
    Py_ssize_t n = (Py_ssize_t)strlen(signature);
    memset(args, 0, sizeof(*args));
    if (PyTuple_GET_SIZE(tuple) != n) {
        PyErr_Format(PyExc_TypeError, "%s() takes %zd arguments (%zd given)",
                     function, n, PyTuple_GET_SIZE(tuple));
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (parse_one(PyTuple_GET_ITEM(tuple, i), signature[i], args) < 0) {
            release_args(args);
            return -1;
        }
    }
    return 0;
}

/* Every buffer of args has at least `at_least` doubles and, if `same`,
 * they all have the first one's size; else ValueError, buffers released,
 * -1. */
static int
check_sizes(Args *args, const char *function, Py_ssize_t at_least, int same)
{
    Py_ssize_t first = n_doubles(&args->views[0]);
    for (int i = 0; i < args->n_views; i++) {
        Py_ssize_t n = n_doubles(&args->views[i]);
        if (n < at_least || (same && n != first)) {
            release_args(args);
            PyErr_Format(PyExc_ValueError,
                         "%s(): buffers of %s%zd doubles expected", function,
                         same ? "the same size, at least " : "at least ",
                         at_least);
            return -1;
        }
    }
    return 0;
}

/* ---- board: sleds on a bumpy board, RK4 --------------------------------- */

/* The constants of workloads/board.py.  P and Q are macros because C wants
 * constant expressions in static initialisers; the compiler folds them. */
static const double G = 9.81, C = 0.5, A = 0.25, B = 0.5, U0 = 3.5;
#define PI 3.141592653589793 /* == math.pi */
#define P (2 * PI / 10)
#define Q (2 * PI / 4)

/* board(t, X) of workloads/board.py; `z**2` is written `(z * z)`: both are
 * the correctly rounded square. */
static void
board_rhs(const double X[4], double out[4])
{
    double x = X[0], y = X[1], u = X[2], v = X[3];
    double H_x = -A + B * P * sin(P * x) * cos(Q * y);
    double H_xx = B * (P * P) * cos(P * x) * cos(Q * y);
    double H_y = B * Q * cos(P * x) * sin(Q * y);
    double H_yy = B * (Q * Q) * cos(P * x) * cos(Q * y);
    double H_xy = -B * Q * P * sin(P * x) * sin(Q * y);
    double F = (G + H_xx * (u * u) + 2 * H_xy * u * v + H_yy * (v * v)) /
               (1 + (H_x * H_x) + (H_y * H_y));
    out[0] = u;
    out[1] = v;
    out[2] = -F * H_x - C * u;
    out[3] = -F * H_y - C * v;
}

/* The right-hand side of element_wise: f(t, X) = X. */
static void
same(const double X[4], double out[4])
{
    memcpy(out, X, 4 * sizeof(double));
}

/* runge_kutta_step of workloads/board.py with the right-hand side f, in
 * place, with stack buffers. */
static void
runge_kutta_step(void (*f)(const double *, double *), double x[4], double dt)
{
    double k1[4], k2[4], k3[4], k4[4], tmp[4];
    int i;
    f(x, k1);
    for (i = 0; i < 4; i++) {
        k1[i] = k1[i] * dt;
        tmp[i] = x[i] + k1[i] / 2;
    }
    f(tmp, k2);
    for (i = 0; i < 4; i++) {
        k2[i] = k2[i] * dt;
        tmp[i] = x[i] + k2[i] / 2;
    }
    f(tmp, k3);
    for (i = 0; i < 4; i++) {
        k3[i] = k3[i] * dt;
        tmp[i] = x[i] + k3[i];
    }
    f(tmp, k4);
    for (i = 0; i < 4; i++) {
        k4[i] = k4[i] * dt;
        x[i] = x[i] + (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]) / 6;
    }
}

PyDoc_STRVAR(board_doc,
"board(y0s, n_time, dt) -> list\n\n"
"Final states [x, y, u, v] of every sled, concatenated.");

static PyObject *
native_board(PyObject *Py_UNUSED(module), PyObject *tuple)
{
    Args args;
    if (parse_args(tuple, "board", "rnd", &args) < 0) {
        return NULL;
    }
    const double *y0s = args.views[0].buf;
    Py_ssize_t n_sleds = n_doubles(&args.views[0]);
    /* The only allocation: the result, once per call. */
    double *finals = PyMem_Malloc(4 * (size_t)(n_sleds ? n_sleds : 1) *
                                  sizeof(double));
    if (finals == NULL) {
        release_args(&args);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t k = 0; k < n_sleds; k++) {
        double *x = finals + 4 * k;
        x[0] = 0.0;
        x[1] = y0s[k];
        x[2] = U0;
        x[3] = 0.0;
        for (Py_ssize_t step = 0; step < args.count; step++) {
            runge_kutta_step(board_rhs, x, args.number);
        }
    }
    release_args(&args);
    PyObject *result = list_from_doubles(finals, 4 * n_sleds);
    PyMem_Free(finals);
    return result;
}

/* ---- callbacks: ROBER on a tuple of three floats ---------------------- */

PyDoc_STRVAR(rober_doc,
"rober(n) -> tuple\n\n"
"workloads/callbacks.py's rober applied n times to (1, 0, 0).");

static PyObject *
native_rober(PyObject *Py_UNUSED(module), PyObject *tuple)
{
    Args args;
    if (parse_args(tuple, "rober", "n", &args) < 0) {
        return NULL;
    }
    const double k1 = 0.04, k2 = 3e7, k3 = 1e4;
    double y1 = 1.0, y2 = 0.0, y3 = 0.0;
    for (Py_ssize_t i = 0; i < args.count; i++) {
        double dy1 = -k1 * y1 + k3 * y2 * y3;
        double dy2 = k1 * y1 - k2 * y2 * y2 - k3 * y2 * y3;
        double dy3 = k2 * y2 * y2;
        y1 = dy1;
        y2 = dy2;
        y3 = dy3;
    }
    return Py_BuildValue("(ddd)", y1, y2, y3);
}

/* ---- loops over one array ----------------------------------------------- */

PyDoc_STRVAR(sum_doc, "sum(a) -> float\n\nSum of the doubles of a, in order.");

static PyObject *
native_sum(PyObject *Py_UNUSED(module), PyObject *tuple)
{
    Args args;
    if (parse_args(tuple, "sum", "r", &args) < 0) {
        return NULL;
    }
    const double *a = args.views[0].buf;
    Py_ssize_t n = n_doubles(&args.views[0]);
    double result = 0.0;
    for (Py_ssize_t i = 0; i < n; i++) {
        result += a[i];
    }
    release_args(&args);
    return PyFloat_FromDouble(result);
}

PyDoc_STRVAR(zero_doc, "zero(a) -> None\n\nSet every double of a to 0.0.");

static PyObject *
native_zero(PyObject *Py_UNUSED(module), PyObject *tuple)
{
    Args args;
    if (parse_args(tuple, "zero", "w", &args) < 0) {
        return NULL;
    }
    double *a = args.views[0].buf;
    Py_ssize_t n = n_doubles(&args.views[0]);
    for (Py_ssize_t i = 0; i < n; i++) {
        a[i] = 0.0;
    }
    KEEP(a); /* the stores are the work: keep them */
    release_args(&args);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(cort_doc,
"cort(s1, s2) -> float\n\n"
"Normalised cosine similarity of the slopes of two series.");

static PyObject *
native_cort(PyObject *Py_UNUSED(module), PyObject *tuple)
{
    Args args;
    if (parse_args(tuple, "cort", "rr", &args) < 0 ||
        check_sizes(&args, "cort", 2, 1) < 0) {
        return NULL;
    }
    const double *s1 = args.views[0].buf, *s2 = args.views[1].buf;
    Py_ssize_t n = n_doubles(&args.views[0]);
    double num = 0.0, sum_square_1 = 0.0, sum_square_2 = 0.0;
    for (Py_ssize_t t = 0; t < n - 1; t++) {
        double slope_1 = s1[t + 1] - s1[t];
        double slope_2 = s2[t + 1] - s2[t];
        num += slope_1 * slope_2;
        sum_square_1 += slope_1 * slope_1;
        sum_square_2 += slope_2 * slope_2;
    }
    release_args(&args);
    return PyFloat_FromDouble(num / sqrt(sum_square_1 * sum_square_2));
}

/* ---- one operation, repeated (workloads/micro.py's op_* functions) ---- */

/* The results of the repeated operations go to a buffer the caller made
 * once (out): like the board, the native reference allocates nothing per
 * operation, and converting results to Python floats is not timed. */

PyDoc_STRVAR(construct_doc,
"construct(values, out, repeat) -> None\n\n"
"Convert the list of floats values to the doubles of out, repeat times.");

static PyObject *
native_construct(PyObject *Py_UNUSED(module), PyObject *tuple)
{
    Args args;
    if (parse_args(tuple, "construct", "lwk", &args) < 0) {
        return NULL;
    }
    double *out = args.views[0].buf;
    Py_ssize_t n = PyList_GET_SIZE(args.list);
    if (n_doubles(&args.views[0]) != n) {
        release_args(&args);
        PyErr_SetString(PyExc_ValueError, "construct: out has another size");
        return NULL;
    }
    for (Py_ssize_t k = 0; k < args.count; k++) {
        for (Py_ssize_t i = 0; i < n; i++) {
            /* Floats only: reading one runs no Python code, so the list
             * cannot change under us and its items stay borrowed safely. */
            PyObject *item = PyList_GET_ITEM(args.list, i);
            if (!PyFloat_Check(item)) {
                release_args(&args);
                PyErr_Format(PyExc_TypeError,
                             "construct: item %zd is not a float", i);
                return NULL;
            }
            out[i] = PyFloat_AS_DOUBLE(item);
        }
        KEEP(out);
    }
    release_args(&args);
    Py_RETURN_NONE;
}

enum operation { MUL, RMUL, DIV, ADD, NEG, ZEROS, UNKNOWN };

static enum operation
operation_named(const char *name)
{
    static const char *const names[] = {"mul", "rmul", "div", "add", "neg",
                                        "zeros"};
    for (int code = MUL; code < UNKNOWN; code++) {
        if (strcmp(name, names[code]) == 0) {
            return (enum operation)code;
        }
    }
    return UNKNOWN;
}

/* out = a op b, element by element (b is read by ADD only); the switch is
 * outside the loops, so that each loop is as simple as can be. */
static void
apply(enum operation code, const double *a, const double *b, double *out,
      Py_ssize_t n)
{
    Py_ssize_t i;
    switch (code) {
    case MUL:
        for (i = 0; i < n; i++) {
            out[i] = a[i] * 2.0;
        }
        break;
    case RMUL:
        for (i = 0; i < n; i++) {
            out[i] = 2.0 * a[i];
        }
        break;
    case DIV:
        for (i = 0; i < n; i++) {
            out[i] = a[i] / 2.0;
        }
        break;
    case ADD:
        for (i = 0; i < n; i++) {
            out[i] = a[i] + b[i];
        }
        break;
    case NEG:
        for (i = 0; i < n; i++) {
            out[i] = -a[i];
        }
        break;
    default:
        for (i = 0; i < n; i++) {
            out[i] = 0.0;
        }
        break;
    }
}

PyDoc_STRVAR(elementwise_doc,
"elementwise(op, a, b, out, repeat) -> None\n\n"
"Repeat one element-wise operation into out: op is 'mul' (a * 2.0),\n"
"'rmul' (2.0 * a), 'div' (a / 2.0), 'add' (a + b; the others do not\n"
"read b), 'neg' (-a) or 'zeros' (0.0).  a, b and out have the same size.");

static PyObject *
native_elementwise(PyObject *Py_UNUSED(module), PyObject *tuple)
{
    Args args;
    if (parse_args(tuple, "elementwise", "srrwk", &args) < 0 ||
        check_sizes(&args, "elementwise", 0, 1) < 0) {
        return NULL;
    }
    enum operation code = operation_named(args.name);
    if (code == UNKNOWN) {
        PyErr_Format(PyExc_ValueError, "unknown operation '%s'", args.name);
        release_args(&args);
        return NULL;
    }
    const double *a = args.views[0].buf, *b = args.views[1].buf;
    double *out = args.views[2].buf;
    Py_ssize_t n = n_doubles(&args.views[0]);
    for (Py_ssize_t k = 0; k < args.count; k++) {
        apply(code, a, b, out, n);
        KEEP(out);
    }
    release_args(&args);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(getitem_sum_doc,
"getitem_sum(a, repeat) -> float\n\nSum of a[k % 4] for k in range(repeat).");

static PyObject *
native_getitem_sum(PyObject *Py_UNUSED(module), PyObject *tuple)
{
    Args args;
    if (parse_args(tuple, "getitem_sum", "rk", &args) < 0 ||
        check_sizes(&args, "getitem_sum", 4, 0) < 0) {
        return NULL;
    }
    const double *a = args.views[0].buf;
    double total = 0.0;
    for (Py_ssize_t k = 0; k < args.count; k++) {
        total += a[k % 4];
        KEEP(a);
    }
    release_args(&args);
    return PyFloat_FromDouble(total);
}

PyDoc_STRVAR(len_sum_doc,
"len_sum(a, repeat) -> int\n\nSum of len(a) for k in range(repeat).");

static PyObject *
native_len_sum(PyObject *Py_UNUSED(module), PyObject *tuple)
{
    Args args;
    if (parse_args(tuple, "len_sum", "rk", &args) < 0) {
        return NULL;
    }
    /* The length of a C array is a variable: the cost of len() is nil. */
    Py_ssize_t n = n_doubles(&args.views[0]);
    long long total = 0;
    for (Py_ssize_t k = 0; k < args.count; k++) {
        total += n;
        KEEP(&args);
    }
    release_args(&args);
    return PyLong_FromLongLong(total);
}

PyDoc_STRVAR(cos_sum_doc,
"cos_sum(values, repeat) -> float\n\n"
"Sum of cos(values[k % 4]) for k in range(repeat).");

static PyObject *
native_cos_sum(PyObject *Py_UNUSED(module), PyObject *tuple)
{
    Args args;
    if (parse_args(tuple, "cos_sum", "rk", &args) < 0 ||
        check_sizes(&args, "cos_sum", 4, 0) < 0) {
        return NULL;
    }
    const double *values = args.views[0].buf;
    double total = 0.0;
    for (Py_ssize_t k = 0; k < args.count; k++) {
        total += cos(values[k % 4]);
        KEEP(values);
    }
    release_args(&args);
    return PyFloat_FromDouble(total);
}

/* ---- single calls the earlier projects published (single_calls.py) ---- */

/* x = a[0]; out = [x, 3x, 6x, 9x]; out[0] = 2 * out[1] */
static void
instantiate(const double a[4], double out[4])
{
    double x = a[0];
    out[0] = x;
    out[1] = 3 * x;
    out[2] = 6 * x;
    out[3] = 9 * x;
    out[0] = 2 * out[1];
}

/* One RK4 step of f(t, X) = X from a into out (the step is in place). */
static void
element_wise(const double a[4], double out[4])
{
    memcpy(out, a, 4 * sizeof(double));
    runge_kutta_step(same, out, 0.1);
}

static const struct {
    const char *name;
    void (*kernel)(const double *, double *);
} single_calls[] = {
    {"board_rhs", board_rhs},
    {"instantiate", instantiate},
    {"element_wise", element_wise},
};

PyDoc_STRVAR(single_call_doc,
"single_call(name, a, out, repeat) -> None\n\n"
"out = kernel(a), repeat times, on 4 doubles; name is 'board_rhs'\n"
"(board(t, X)), 'instantiate' (x = a[0]; out = [x, 3*x, 6*x, 9*x];\n"
"out[0] = 2*out[1]) or 'element_wise' (the RK4 step of f(t, X) = X\n"
"from a with dt = 0.1).");

static PyObject *
native_single_call(PyObject *Py_UNUSED(module), PyObject *tuple)
{
    Args args;
    if (parse_args(tuple, "single_call", "srwk", &args) < 0 ||
        check_sizes(&args, "single_call", 4, 0) < 0) {
        return NULL;
    }
    void (*kernel)(const double *, double *) = NULL;
    for (size_t i = 0; i < sizeof(single_calls) / sizeof(*single_calls);
         i++) {
        if (strcmp(args.name, single_calls[i].name) == 0) {
            kernel = single_calls[i].kernel;
        }
    }
    if (kernel == NULL) {
        PyErr_Format(PyExc_ValueError, "unknown single call '%s'", args.name);
        release_args(&args);
        return NULL;
    }
    const double *a = args.views[0].buf;
    double *out = args.views[1].buf;
    for (Py_ssize_t k = 0; k < args.count; k++) {
        kernel(a, out);
        KEEP(out);
    }
    release_args(&args);
    Py_RETURN_NONE;
}

/* ---- the module ------------------------------------------------------- */

static PyMethodDef native_methods[] = {
    {"board", native_board, METH_VARARGS, board_doc},
    {"rober", native_rober, METH_VARARGS, rober_doc},
    {"sum", native_sum, METH_VARARGS, sum_doc},
    {"zero", native_zero, METH_VARARGS, zero_doc},
    {"cort", native_cort, METH_VARARGS, cort_doc},
    {"construct", native_construct, METH_VARARGS, construct_doc},
    {"elementwise", native_elementwise, METH_VARARGS, elementwise_doc},
    {"getitem_sum", native_getitem_sum, METH_VARARGS, getitem_sum_doc},
    {"len_sum", native_len_sum, METH_VARARGS, len_sum_doc},
    {"cos_sum", native_cos_sum, METH_VARARGS, cos_sum_doc},
    {"single_call", native_single_call, METH_VARARGS, single_call_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef native_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "piconumpy.bench._native",
    .m_doc = "The benchmark's native reference: the workloads in plain C.",
    .m_size = 0,
    .m_methods = native_methods,
};

PyMODINIT_FUNC
PyInit__native(void)
{
    return PyModule_Create(&native_module);
}

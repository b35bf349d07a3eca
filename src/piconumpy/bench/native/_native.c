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

static int
check_repeat(Py_ssize_t repeat)
{
    if (repeat < 1) {
        PyErr_SetString(PyExc_ValueError, "repeat must be at least 1");
        return -1;
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

/* runge_kutta_step of workloads/board.py, in place, with stack buffers. */
static void
runge_kutta_step(double x[4], double dt)
{
    double k1[4], k2[4], k3[4], k4[4], tmp[4];
    int i;
    board_rhs(x, k1);
    for (i = 0; i < 4; i++) {
        k1[i] = k1[i] * dt;
        tmp[i] = x[i] + k1[i] / 2;
    }
    board_rhs(tmp, k2);
    for (i = 0; i < 4; i++) {
        k2[i] = k2[i] * dt;
        tmp[i] = x[i] + k2[i] / 2;
    }
    board_rhs(tmp, k3);
    for (i = 0; i < 4; i++) {
        k3[i] = k3[i] * dt;
        tmp[i] = x[i] + k3[i];
    }
    board_rhs(tmp, k4);
    for (i = 0; i < 4; i++) {
        k4[i] = k4[i] * dt;
        x[i] = x[i] + (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]) / 6;
    }
}

PyDoc_STRVAR(board_doc,
"board(y0s, n_time, dt) -> list\n\n"
"Final states [x, y, u, v] of every sled, concatenated.");

static PyObject *
native_board(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *y0s_obj;
    Py_ssize_t n_time;
    double dt;
    Py_buffer view;
    if (!PyArg_ParseTuple(args, "Ond:board", &y0s_obj, &n_time, &dt)) {
        return NULL;
    }
    if (get_doubles(y0s_obj, &view, 0) < 0) {
        return NULL;
    }
    const double *y0s = view.buf;
    Py_ssize_t n_sleds = n_doubles(&view);
    /* The only allocation: the result, once per call. */
    double *finals = PyMem_Malloc(4 * (size_t)(n_sleds ? n_sleds : 1) *
                                  sizeof(double));
    if (finals == NULL) {
        PyBuffer_Release(&view);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t k = 0; k < n_sleds; k++) {
        double *x = finals + 4 * k;
        x[0] = 0.0;
        x[1] = y0s[k];
        x[2] = U0;
        x[3] = 0.0;
        for (Py_ssize_t step = 0; step < n_time; step++) {
            runge_kutta_step(x, dt);
        }
    }
    PyBuffer_Release(&view);
    PyObject *result = list_from_doubles(finals, 4 * n_sleds);
    PyMem_Free(finals);
    return result;
}

/* ---- callbacks: ROBER on a tuple of three floats ---------------------- */

PyDoc_STRVAR(rober_doc,
"rober(n) -> tuple\n\n"
"workloads/callbacks.py's rober applied n times to (1, 0, 0).");

static PyObject *
native_rober(PyObject *Py_UNUSED(module), PyObject *args)
{
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "n:rober", &n)) {
        return NULL;
    }
    const double k1 = 0.04, k2 = 3e7, k3 = 1e4;
    double y1 = 1.0, y2 = 0.0, y3 = 0.0;
    for (Py_ssize_t i = 0; i < n; i++) {
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
native_sum(PyObject *Py_UNUSED(module), PyObject *arg)
{
    Py_buffer view;
    if (get_doubles(arg, &view, 0) < 0) {
        return NULL;
    }
    const double *a = view.buf;
    Py_ssize_t n = n_doubles(&view);
    double result = 0.0;
    for (Py_ssize_t i = 0; i < n; i++) {
        result += a[i];
    }
    PyBuffer_Release(&view);
    return PyFloat_FromDouble(result);
}

PyDoc_STRVAR(zero_doc, "zero(a) -> None\n\nSet every double of a to 0.0.");

static PyObject *
native_zero(PyObject *Py_UNUSED(module), PyObject *arg)
{
    Py_buffer view;
    if (get_doubles(arg, &view, 1) < 0) {
        return NULL;
    }
    double *a = view.buf;
    Py_ssize_t n = n_doubles(&view);
    for (Py_ssize_t i = 0; i < n; i++) {
        a[i] = 0.0;
    }
    KEEP(a); /* the stores are the work: keep them */
    PyBuffer_Release(&view);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(cort_doc,
"cort(s1, s2) -> float\n\n"
"Normalised cosine similarity of the slopes of two series.");

static PyObject *
native_cort(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *obj1, *obj2;
    Py_buffer view1, view2;
    if (!PyArg_ParseTuple(args, "OO:cort", &obj1, &obj2)) {
        return NULL;
    }
    if (get_doubles(obj1, &view1, 0) < 0) {
        return NULL;
    }
    if (get_doubles(obj2, &view2, 0) < 0) {
        PyBuffer_Release(&view1);
        return NULL;
    }
    const double *s1 = view1.buf, *s2 = view2.buf;
    Py_ssize_t n = n_doubles(&view1);
    PyObject *result = NULL;
    if (n_doubles(&view2) != n || n < 2) {
        PyErr_SetString(PyExc_ValueError,
                        "cort: two series of the same length >= 2 expected");
        goto done;
    }
    double num = 0.0, sum_square_1 = 0.0, sum_square_2 = 0.0;
    for (Py_ssize_t t = 0; t < n - 1; t++) {
        double slope_1 = s1[t + 1] - s1[t];
        double slope_2 = s2[t + 1] - s2[t];
        num += slope_1 * slope_2;
        sum_square_1 += slope_1 * slope_1;
        sum_square_2 += slope_2 * slope_2;
    }
    result = PyFloat_FromDouble(num / sqrt(sum_square_1 * sum_square_2));
done:
    PyBuffer_Release(&view2);
    PyBuffer_Release(&view1);
    return result;
}

/* ---- one operation, repeated (workloads/micro.py's op_* functions) ---- */

/* The results of the repeated operations go to a buffer the caller made
 * once (out): like the board, the native reference allocates nothing per
 * operation, and converting results to Python floats is not timed. */

PyDoc_STRVAR(construct_doc,
"construct(values, out, repeat) -> None\n\n"
"Convert the list of floats values to the doubles of out, repeat times.");

static PyObject *
native_construct(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *values, *out_obj;
    Py_ssize_t repeat;
    Py_buffer out_view;
    if (!PyArg_ParseTuple(args, "O!On:construct", &PyList_Type, &values,
                          &out_obj, &repeat)) {
        return NULL;
    }
    if (check_repeat(repeat) < 0 || get_doubles(out_obj, &out_view, 1) < 0) {
        return NULL;
    }
    double *out = out_view.buf;
    Py_ssize_t n = PyList_GET_SIZE(values);
    if (n_doubles(&out_view) != n) {
        PyBuffer_Release(&out_view);
        PyErr_SetString(PyExc_ValueError, "construct: out has another size");
        return NULL;
    }
    for (Py_ssize_t k = 0; k < repeat; k++) {
        for (Py_ssize_t i = 0; i < n; i++) {
            /* Floats only: reading one runs no Python code, so the list
             * cannot change under us and its items stay borrowed safely. */
            PyObject *item = PyList_GET_ITEM(values, i);
            if (!PyFloat_Check(item)) {
                PyBuffer_Release(&out_view);
                PyErr_Format(PyExc_TypeError,
                             "construct: item %zd is not a float", i);
                return NULL;
            }
            out[i] = PyFloat_AS_DOUBLE(item);
        }
        KEEP(out);
    }
    PyBuffer_Release(&out_view);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(elementwise_doc,
"elementwise(op, a, b, out, repeat) -> None\n\n"
"Repeat one element-wise operation into out: op is 'mul' (a * 2.0),\n"
"'rmul' (2.0 * a), 'div' (a / 2.0), 'add' (a + b; b is None for the\n"
"others), 'neg' (-a) or 'zeros' (0.0).  a, b and out have the same size.");

static PyObject *
native_elementwise(PyObject *Py_UNUSED(module), PyObject *args)
{
    const char *op;
    PyObject *a_obj, *b_obj, *out_obj;
    Py_ssize_t repeat;
    Py_buffer a_view, b_view, out_view;
    if (!PyArg_ParseTuple(args, "sOOOn:elementwise", &op, &a_obj, &b_obj,
                          &out_obj, &repeat)) {
        return NULL;
    }
    if (check_repeat(repeat) < 0) {
        return NULL;
    }
    enum { MUL, RMUL, DIV, ADD, NEG, ZEROS } code;
    if (strcmp(op, "mul") == 0) {
        code = MUL;
    }
    else if (strcmp(op, "rmul") == 0) {
        code = RMUL;
    }
    else if (strcmp(op, "div") == 0) {
        code = DIV;
    }
    else if (strcmp(op, "add") == 0) {
        code = ADD;
    }
    else if (strcmp(op, "neg") == 0) {
        code = NEG;
    }
    else if (strcmp(op, "zeros") == 0) {
        code = ZEROS;
    }
    else {
        PyErr_Format(PyExc_ValueError, "unknown operation '%s'", op);
        return NULL;
    }
    /* b is used by 'add' only; the others get a as b, never read. */
    if (code != ADD) {
        b_obj = a_obj;
    }
    if (get_doubles(a_obj, &a_view, 0) < 0) {
        return NULL;
    }
    if (get_doubles(b_obj, &b_view, 0) < 0) {
        PyBuffer_Release(&a_view);
        return NULL;
    }
    if (get_doubles(out_obj, &out_view, 1) < 0) {
        PyBuffer_Release(&b_view);
        PyBuffer_Release(&a_view);
        return NULL;
    }
    const double *a = a_view.buf, *b = b_view.buf;
    double *out = out_view.buf;
    Py_ssize_t n = n_doubles(&a_view);
    PyObject *result = NULL;
    if (n_doubles(&b_view) != n || n_doubles(&out_view) != n) {
        PyErr_SetString(PyExc_ValueError, "operands have different sizes");
        goto done;
    }
    for (Py_ssize_t k = 0; k < repeat; k++) {
        switch (code) {
        case MUL:
            for (Py_ssize_t i = 0; i < n; i++) out[i] = a[i] * 2.0;
            break;
        case RMUL:
            for (Py_ssize_t i = 0; i < n; i++) out[i] = 2.0 * a[i];
            break;
        case DIV:
            for (Py_ssize_t i = 0; i < n; i++) out[i] = a[i] / 2.0;
            break;
        case ADD:
            for (Py_ssize_t i = 0; i < n; i++) out[i] = a[i] + b[i];
            break;
        case NEG:
            for (Py_ssize_t i = 0; i < n; i++) out[i] = -a[i];
            break;
        case ZEROS:
            for (Py_ssize_t i = 0; i < n; i++) out[i] = 0.0;
            break;
        }
        KEEP(out);
    }
    Py_INCREF(Py_None); /* (Py_NewRef is not in PyPy 3.9's headers) */
    result = Py_None;
done:
    PyBuffer_Release(&out_view);
    PyBuffer_Release(&b_view);
    PyBuffer_Release(&a_view);
    return result;
}

/* Shared by getitem_sum and cos_sum: a buffer of at least 4 doubles. */
static int
get_four(PyObject *obj, Py_buffer *view)
{
    if (get_doubles(obj, view, 0) < 0) {
        return -1;
    }
    if (n_doubles(view) < 4) {
        PyBuffer_Release(view);
        PyErr_SetString(PyExc_ValueError, "at least 4 doubles expected");
        return -1;
    }
    return 0;
}

PyDoc_STRVAR(getitem_sum_doc,
"getitem_sum(a, repeat) -> float\n\nSum of a[k % 4] for k in range(repeat).");

static PyObject *
native_getitem_sum(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *obj;
    Py_ssize_t repeat;
    Py_buffer view;
    if (!PyArg_ParseTuple(args, "On:getitem_sum", &obj, &repeat)) {
        return NULL;
    }
    if (check_repeat(repeat) < 0 || get_four(obj, &view) < 0) {
        return NULL;
    }
    const double *a = view.buf;
    double total = 0.0;
    for (Py_ssize_t k = 0; k < repeat; k++) {
        total += a[k % 4];
        KEEP(a);
    }
    PyBuffer_Release(&view);
    return PyFloat_FromDouble(total);
}

PyDoc_STRVAR(len_sum_doc,
"len_sum(a, repeat) -> int\n\nSum of len(a) for k in range(repeat).");

static PyObject *
native_len_sum(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *obj;
    Py_ssize_t repeat;
    Py_buffer view;
    if (!PyArg_ParseTuple(args, "On:len_sum", &obj, &repeat)) {
        return NULL;
    }
    if (check_repeat(repeat) < 0 || get_doubles(obj, &view, 0) < 0) {
        return NULL;
    }
    /* The length of a C array is a variable: the cost of len() is nil. */
    Py_ssize_t n = n_doubles(&view);
    long long total = 0;
    for (Py_ssize_t k = 0; k < repeat; k++) {
        total += n;
        KEEP(&view);
    }
    PyBuffer_Release(&view);
    return PyLong_FromLongLong(total);
}

PyDoc_STRVAR(cos_sum_doc,
"cos_sum(values, repeat) -> float\n\n"
"Sum of cos(values[k % 4]) for k in range(repeat).");

static PyObject *
native_cos_sum(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *obj;
    Py_ssize_t repeat;
    Py_buffer view;
    if (!PyArg_ParseTuple(args, "On:cos_sum", &obj, &repeat)) {
        return NULL;
    }
    if (check_repeat(repeat) < 0 || get_four(obj, &view) < 0) {
        return NULL;
    }
    const double *values = view.buf;
    double total = 0.0;
    for (Py_ssize_t k = 0; k < repeat; k++) {
        total += cos(values[k % 4]);
        KEEP(values);
    }
    PyBuffer_Release(&view);
    return PyFloat_FromDouble(total);
}

/* ---- the module ---------------------------------------------------------- */

static PyMethodDef native_methods[] = {
    {"board", native_board, METH_VARARGS, board_doc},
    {"rober", native_rober, METH_VARARGS, rober_doc},
    {"sum", native_sum, METH_O, sum_doc},
    {"zero", native_zero, METH_O, zero_doc},
    {"cort", native_cort, METH_VARARGS, cort_doc},
    {"construct", native_construct, METH_VARARGS, construct_doc},
    {"elementwise", native_elementwise, METH_VARARGS, elementwise_doc},
    {"getitem_sum", native_getitem_sum, METH_VARARGS, getitem_sum_doc},
    {"len_sum", native_len_sum, METH_VARARGS, len_sum_doc},
    {"cos_sum", native_cos_sum, METH_VARARGS, cos_sum_doc},
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

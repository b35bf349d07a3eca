/* The C kernels of the cffi backend (declared in _cffi_kernels.h).

   Plain loops, IEEE 754 like the specification: x / 0.0 is inf or nan and
   libm's cos(inf) is nan, without any error.  Built without -ffast-math, so
   every result is the one Python's float arithmetic and math.cos give. */

#include <math.h>
#include <stddef.h>

#include "_cffi_kernels.h"

void
pnp_mul(const double *a, double s, double *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = a[i] * s;
    }
}

void
pnp_div(const double *a, double s, double *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = a[i] / s;
    }
}

void
pnp_add(const double *a, const double *b, double *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = a[i] + b[i];
    }
}

void
pnp_sub(const double *a, const double *b, double *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = a[i] - b[i];
    }
}

void
pnp_neg(const double *a, double *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = -a[i];
    }
}

void
pnp_cos(const double *a, double *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = cos(a[i]);
    }
}

void
pnp_sin(const double *a, double *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = sin(a[i]);
    }
}

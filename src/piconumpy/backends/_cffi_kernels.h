/* The C kernels of the cffi backend: what cffi.py calls (API mode).

   This file is both the C header of _cffi_kernels.c and the cdef that
   setup.py (cffi_extensions) gives cffi, so it holds only declarations
   that cffi's parser reads: no #include, no include guard (it is included
   once).
   Each kernel writes n results into `out`, an array that Python allocated
   (ffi.new), and cannot fail: no allocation, no Python object. */

void pnp_mul(const double *a, double s, double *out, size_t n);
void pnp_div(const double *a, double s, double *out, size_t n);
void pnp_add(const double *a, const double *b, double *out, size_t n);
void pnp_sub(const double *a, const double *b, double *out, size_t n);
void pnp_neg(const double *a, double *out, size_t n);
void pnp_cos(const double *a, double *out, size_t n);
void pnp_sin(const double *a, double *out, size_t n);

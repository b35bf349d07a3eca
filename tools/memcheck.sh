#!/usr/bin/env bash
# Run the conformance suite of the C backends under a memory checker.
#
#   tools/memcheck.sh                   valgrind memcheck (the default)
#   tools/memcheck.sh asan              AddressSanitizer (faster)
#   tools/memcheck.sh valgrind -k cos   more arguments go to pytest
#
# The suites run: conformance, properties, the backend-specific ones, the
# differential fuzzer (PICONUMPY_FUZZ_EXAMPLES examples per test: 600 under
# ASan, 50 under valgrind by default) and the threads test.
#
# Environment: PYTHON (default python3; CPython only: neither checker
# follows PyPy's JIT), PYTHON_SUPP (Python's valgrind suppressions, by
# default /usr/lib/valgrind/python3.supp, where Debian installs CPython's
# Misc/valgrind-python.supp), KEEP=1 to keep the work directory.
#
# The package is copied to a temporary directory, where every C extension
# whose source exists (setup.py groups capi, cython, hpy, cffi) is built
# with -g; the in-place builds are left alone (an ASan build cannot even be
# loaded without the ASan runtime).  Python runs with PYTHONMALLOC=malloc:
# every object is then a malloc block whose bounds the checker watches
# (pymalloc would hide an overrun inside its pools).  Leaks are not looked
# for here (CPython frees little at exit): tests/test_leaks.py counts them.
#
# valgrind checks addressability only (--undef-value-errors=no): CPython
# 3.11's int.from_bytes() leaves the digit of a 0 undefined, and memcheck,
# which cannot see it multiplied by 0, reports hundreds of uses of undefined
# values by the interpreter itself before any test runs.  tools/valgrind.supp
# suppresses the C library's own false reports.
#
# Prints the number of errors found; fails if it is not 0 or a test fails.
set -euo pipefail
shopt -s nullglob

mode=${1:-valgrind}
[ $# -gt 0 ] && shift
case $mode in
    valgrind|asan) ;;
    *) echo "usage: $0 [valgrind|asan] [pytest arguments...]" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
# The interpreter itself, not a wrapper script (pyenv's shims are scripts).
python=$("${PYTHON:-python3}" -c 'import sys; print(sys.executable)')
implementation=$("$python" -c 'import sys; print(sys.implementation.name)')
if [ "$implementation" != cpython ]; then
    echo "$0: needs CPython, not $implementation" >&2
    exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/piconumpy-memcheck.XXXXXX")
if [ "${KEEP:-0}" = 1 ]; then
    echo "work directory: $work"
else
    trap 'rm -rf "$work"' EXIT
fi

# --- build the C backends in the work directory ------------------------------
groups=()
[ -f "$root/src/piconumpy/backends/cpython_capi.c" ] && groups+=(capi)
[ -f "$root/src/piconumpy/backends/cython.pyx" ] && groups+=(cython)
[ -f "$root/src/piconumpy/backends/hpy.c" ] && groups+=(hpy)
[ -f "$root/src/piconumpy/backends/_cffi_kernels.c" ] && groups+=(cffi)
if [ ${#groups[@]} -eq 0 ]; then
    echo "$0: no C backend source found" >&2
    exit 2
fi
build_groups=$(IFS=,; echo "${groups[*]}")

cflags="-g -O1 -fno-omit-frame-pointer"
[ "$mode" = asan ] && cflags="$cflags -fsanitize=address"
mkdir -p "$work/lib"
cp -r "$root/src/piconumpy" "$work/lib/"
find "$work/lib" \( -name '*.so' -o -name __pycache__ \) -prune \
    -exec rm -rf {} +
echo "building $build_groups with $cflags"
(cd "$root" && PICONUMPY_BUILD=$build_groups PICONUMPY_CFLAGS=$cflags \
    "$python" setup.py -q build_ext --force \
        --build-lib "$work/lib" --build-temp "$work/build" \
    > "$work/build.log" 2>&1) || { cat "$work/build.log"; exit 1; }
# A backend left unbuilt (Cython or hpy.devel missing from this
# interpreter's environment) would go unchecked: that is a failure here.
if grep 'backend is NOT built' "$work/build.log" >&2; then
    echo "$0: install what is missing (make test-memory installs the" \
         "'dev' extra) and run again" >&2
    exit 1
fi

# --- run the suite on the compiled backends --------------------------------
# The differential fuzzer (tests/fuzz/) runs every operation on every
# backend, purepy included as the reference; its size under the checker is
# PICONUMPY_FUZZ_EXAMPLES examples per test (set below per checker unless
# given), and it prints how many operations each backend ran.
tests=("$root/tests/test_conformance.py" "$root/tests/test_properties.py"
       "$root"/tests/test_*_specific.py "$root/tests/fuzz"
       "$root/tests/test_threads.py")
pytest_args=(-q -p no:cacheprovider -k "not purepy" "${tests[@]}" "$@")
if [ "$mode" = valgrind ]; then
    default_examples=50   # valgrind runs CPython about 30 times slower
else
    default_examples=600
fi
export PICONUMPY_FUZZ_EXAMPLES=${PICONUMPY_FUZZ_EXAMPLES:-$default_examples}
export PYTHONPATH="$work/lib" PYTHONMALLOC=malloc OPENBLAS_NUM_THREADS=1
log="$work/checker.log"
out="$work/pytest.out"

status=0
if [ "$mode" = valgrind ]; then
    supp=${PYTHON_SUPP:-/usr/lib/valgrind/python3.supp}
    supp_args=(--suppressions="$root/tools/valgrind.supp")
    [ -f "$supp" ] && supp_args+=(--suppressions="$supp")
    valgrind --tool=memcheck --leak-check=no --undef-value-errors=no \
        --num-callers=40 "${supp_args[@]}" --log-file="$log" \
        "$python" -m pytest "${pytest_args[@]}" 2>&1 | tee "$out" \
        || status=$?
    errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" |
             tail -n 1)
    errors=${errors:-unknown}
else
    # detect_leaks=0: see above; allocator_may_return_null=1: a huge
    # allocation is a MemoryError in Python, not an abort.
    options=detect_leaks=0:allocator_may_return_null=1:log_path=$log
    LD_PRELOAD=$(gcc -print-file-name=libasan.so) ASAN_OPTIONS=$options \
        "$python" -m pytest "${pytest_args[@]}" 2>&1 | tee "$out" \
        || status=$?
    errors=$(cat "$log".* 2>/dev/null |
             grep -c '^==[0-9]*==ERROR: AddressSanitizer' || true)
fi

[ "$errors" = 0 ] || cat "$log"* >&2
tests_line=$(grep -E '^[0-9]+ passed' "$out" | tail -n 1 || true)
fuzz_line=$(grep '^fuzz: ' "$out" | tail -n 1 || true)
echo "memcheck ($mode; built: $build_groups): $errors errors," \
     "pytest exit status $status"
echo "memcheck ($mode): tests: ${tests_line:-none counted};" \
     "$PICONUMPY_FUZZ_EXAMPLES fuzz examples per test"
echo "memcheck ($mode): ${fuzz_line:-fuzz: no count printed}"
[ "$errors" = 0 ] && [ "$status" = 0 ]

"""Build piconumpy's compiled backends and the benchmark's native reference.

``python -m pip install .`` builds every backend the running interpreter can
have.  A compiler error fails the build; a backend whose build tool is
missing (Cython, hpy.devel, cffi) is skipped with a warning that names it,
and ``piconumpy.why_unavailable(name)`` says the same at run time.

Everything else (metadata, dependencies) is in pyproject.toml.
"""

import os
import sys
import warnings

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

IS_PYPY = sys.implementation.name == "pypy"
PACKAGE_DIR = os.path.join("src", "piconumpy")
BACKENDS_DIR = os.path.join(PACKAGE_DIR, "backends")
# Our own C must compile cleanly with these; tests/test_build.py checks it
# with -Werror.  Generated code (Cython) gets the same flags, warnings allowed.
WARNING_FLAGS = ["-Wall", "-Wextra"]
# PICONUMPY_CFLAGS adds flags to every extension, e.g. for AddressSanitizer:
# PICONUMPY_CFLAGS="-fsanitize=address -fno-omit-frame-pointer -g -O1".
EXTRA_FLAGS = os.environ.get("PICONUMPY_CFLAGS", "").split()


def source(*parts):
    """A source file of a backend (src/piconumpy/backends/...)."""
    return os.path.join(BACKENDS_DIR, *parts)


def c_extension(name, sources, **kwargs):
    return Extension(
        name,
        sources=sources,
        extra_compile_args=WARNING_FLAGS + EXTRA_FLAGS,
        extra_link_args=EXTRA_FLAGS,
        **kwargs,
    )


def skipped(backend, missing, remedy="it is in pyproject.toml's build "
            "requirements; install it and rebuild"):
    warnings.warn(
        f"piconumpy: the {backend!r} backend is NOT built: {missing} is "
        f"missing ({remedy})",
        stacklevel=2,
    )
    return []


# --- cpython_capi: the hand-written CPython C-API extension ----------------

#: What cpython_capi.c and cython.pyx share: the helpers for PyPy's cpyext.
CPYEXT_HELPERS = {"include_dirs": [BACKENDS_DIR],
                  "depends": [source("cpyext_helpers.h")]}


def capi_extensions():
    return [c_extension("piconumpy.backends.cpython_capi",
                        [source("cpython_capi.c")], **CPYEXT_HELPERS)]


# --- cython ----------------------------------------------------------------

def cython_extensions():
    try:
        from Cython.Build import cythonize
    except ImportError:
        return skipped("cython", "Cython")
    extension = c_extension("piconumpy.backends.cython",
                            [source("cython.pyx")], **CPYEXT_HELPERS)
    return cythonize(
        [extension],
        compiler_directives={"language_level": "3"},
        quiet=True,
    )


# --- HPy: one source, built in the CPython ABI and in the universal ABI -----

def hpy_abi_tag():
    """The HPy ABI tag of the hpy.devel at hand ("hpy0"), or None.

    It also tells the API level: hpy 0.9 (the hpy package on CPython, and
    PyPy >= 7.3.14's own hpy.devel, 0.9.1.dev) has hpy.devel.abitag, spells
    the universal ABI macro HPY_ABI_UNIVERSAL and has its loader require the
    tag in the binary's name; HPy 0.0.4 (PyPy 7.3.11) has none of the three.
    """
    try:
        from hpy.devel.abitag import HPY_ABI_TAG
    except ImportError:
        return None
    return HPY_ABI_TAG


def hpy_runtime_missing():
    """Why this interpreter cannot load an HPy universal binary, or None.

    PyPy's runtime is its built-in _hpy_universal module, which some builds
    lack (Debian's PyPy 8.0.1 ships hpy.devel but no _hpy_universal).
    """
    if not IS_PYPY:
        return None
    try:
        import _hpy_universal  # noqa: F401
    except ImportError:
        return "this PyPy's HPy runtime (the _hpy_universal module)"
    return None


def hpy_extensions():
    """hpy.c built with the running interpreter's HPy.

    CPython (hpy 0.9): piconumpy.backends._hpy_cpython_abi, an ordinary
    extension, and the universal binary _hpy_universal.cpython-311.hpy0.so.
    PyPy: only the universal binary, against PyPy's own hpy.devel (part of
    its standard library, which is why pyproject.toml asks for the hpy
    package on CPython only): _hpy_universal.pypy311.hpy0.so with PyPy
    7.3.19's HPy 0.9.1.dev, _hpy_universal.pypy39.hpy.so with PyPy 7.3.11's
    HPy 0.0.4.  hpy.c uses no HPy runtime helper (HPyArg_Parse,
    HPy_BuildValue, ...), so no helper source is compiled in: PyPy does not
    even ship them.
    """
    try:
        from hpy.devel import HPyDevel
    except ImportError:
        return skipped("hpy_cpython_abi and hpy_universal", "hpy.devel")
    devel = HPyDevel()
    include_dirs = devel.get_extra_include_dirs()
    depends = [source("hpy_compat.h"), source("hpy_runtime.h")]
    extensions = []
    if not IS_PYPY:
        # The CPython ABI needs HPy's context functions: the prebuilt static
        # library of the hpy wheel if there is one, else their sources.
        static_libs = devel.get_static_libs("cpython") or []
        ctx_sources = [] if static_libs else devel.get_ctx_sources()
        extensions.append(c_extension(
            "piconumpy.backends._hpy_cpython_abi",
            [source("hpy.c")] + ctx_sources,
            include_dirs=include_dirs,
            define_macros=[("HPY", None), ("HPY_ABI_CPYTHON", None)],
            extra_objects=static_libs,
            depends=depends,
        ))
        # forbid_python_h makes any #include <Python.h> an error.
        forbid_python_h = [str(devel.get_include_dir_forbid_python_h())]
    else:
        forbid_python_h = []
    missing = hpy_runtime_missing()
    if missing:
        return extensions + skipped(
            "hpy_universal", missing,
            "this interpreter was built without it; nothing to install")
    abi_macro = "HPY_ABI_UNIVERSAL" if hpy_abi_tag() else "HPY_UNIVERSAL_ABI"
    universal = c_extension(
        "piconumpy.backends._hpy_universal",
        [source("hpy.c")],
        include_dirs=forbid_python_h + include_dirs,
        define_macros=[("HPY", None), (abi_macro, None)],
        depends=depends,
    )
    universal.hpy_universal = True
    extensions.append(universal)
    return extensions


# --- cffi: the C kernels of the cffi backend (API mode) -------------------

def cffi_extensions():
    """piconumpy.backends._cffi_kernels, from _cffi_kernels.h (the cdef) and .c.

    cffi writes the module's C source (FFI.emit_c_code, which leaves the file
    untouched when it is up to date) and it is compiled here as an ordinary
    extension, rather than through cffi's ``cffi_modules`` keyword: so it is
    one more group of PICONUMPY_BUILD, gets the same flags as the other
    backends (PICONUMPY_CFLAGS, for AddressSanitizer, included) and goes
    through BuildExt like them.  -Wall -Wextra apply to the generated code
    too, warnings allowed there; _cffi_kernels.c itself compiles cleanly.
    """
    try:
        import cffi
    except ImportError:
        return skipped("cffi", "cffi")
    header = source("_cffi_kernels.h")
    ffibuilder = cffi.FFI()
    with open(header) as declarations:
        ffibuilder.cdef(declarations.read())
    ffibuilder.set_source("piconumpy.backends._cffi_kernels",
                          '#include "_cffi_kernels.h"')
    generated = os.path.join("build", "cffi", "_cffi_kernels.c")
    os.makedirs(os.path.dirname(generated), exist_ok=True)
    ffibuilder.emit_c_code(generated)
    return [c_extension(
        "piconumpy.backends._cffi_kernels",
        [generated, source("_cffi_kernels.c")],
        include_dirs=[BACKENDS_DIR],
        libraries=["m"],
        depends=[header],
    )]


# --- the benchmark's native reference --------------------------------------

def native_extensions():
    native = os.path.join(PACKAGE_DIR, "bench", "native", "_native.c")
    return [c_extension("piconumpy.bench._native", [native])]


def hpy_universal_suffix():
    """The file name suffix of an HPy universal binary for this interpreter.

    Universal binaries of different HPy runtimes are not interchangeable, so
    each carries the interpreter's cache tag, then the HPy ABI tag that HPy
    0.9's loaders insist on finding in the name (``.cpython-311.hpy0.so``,
    ``.pypy311.hpy0.so``); HPy 0.0.4 has no ABI tag: ``.pypy39.hpy.so``.
    piconumpy/backends/hpy_universal.py finds the one for its interpreter.
    """
    tag = hpy_abi_tag() or "hpy"
    return f".{sys.implementation.cache_tag}.{tag}.so"


class BuildExt(build_ext):
    """Names the HPy universal binary per interpreter (hpy_universal_suffix)."""

    def get_ext_filename(self, fullname):
        # build_ext asks with the full dotted name, and (get_ext_fullpath)
        # with the last component only.
        for extension in self.extensions:
            if getattr(extension, "hpy_universal", False) and fullname in (
                extension.name, extension.name.rpartition(".")[2]
            ):
                return (os.path.join(*fullname.split("."))
                        + hpy_universal_suffix())
        return super().get_ext_filename(fullname)


GROUPS = {
    "capi": capi_extensions,
    "cython": cython_extensions,
    "hpy": hpy_extensions,
    "cffi": cffi_extensions,
    "native": native_extensions,
}


def selected_extensions():
    """Every group, or (for development) only those in PICONUMPY_BUILD."""
    wanted = os.environ.get("PICONUMPY_BUILD")
    names = wanted.split(",") if wanted else list(GROUPS)
    unknown = set(names) - set(GROUPS)
    if unknown:
        sys.exit(f"PICONUMPY_BUILD: unknown groups {sorted(unknown)}; "
                 f"known: {sorted(GROUPS)}")
    if wanted:
        print(f"piconumpy: PICONUMPY_BUILD={wanted}: building only these")
    return [extension for name in names for extension in GROUPS[name]()]


setup(ext_modules=selected_extensions(), cmdclass={"build_ext": BuildExt})

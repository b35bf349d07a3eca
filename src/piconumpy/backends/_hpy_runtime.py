"""Whether this interpreter's HPy runtime can run piconumpy's HPy builds.

Both HPy loaders (hpy_universal.py, hpy_cpython_abi.py) ask here before they
hand out a module.  A refusal is ``Unsupported``: the registry then reports
the backend unavailable with its reason, and does not expect it here.  The
decisions rest on what the runtime has or does, observed here, not on a
version number.
"""

import sys

from .._registry import Unsupported

IS_PYPY = sys.implementation.name == "pypy"

#: The type flag hpy 0.9.0 sets on every type that HPyType_FromSpec creates
#: (HPy_TPFLAGS_INTERNAL_IS_HPY_TYPE in hpy/devel/src/runtime/ctx_type.c),
#: a bit CPython did not use when hpy chose it.
HPY_TYPE_FLAG = 1 << 2


def universal_runtime():
    """The module that loads HPy universal binaries on this interpreter:
    PyPy's built-in ``_hpy_universal``, or the hpy package's
    ``hpy.universal`` on CPython."""
    if IS_PYPY:
        try:
            import _hpy_universal
        except ImportError as error:
            raise Unsupported(
                "this PyPy has no HPy runtime: its _hpy_universal module is "
                f"missing ({error}); the interpreter was built without it"
            ) from error
        return _hpy_universal
    require_hpy_package()
    import hpy.universal

    return hpy.universal


def api_version(runtime):
    """The HPy version a universal runtime implements, e.g. "0.0.4"
    (PyPy 7.3.11), "0.9.1.dev61+g79fb330d" (PyPy 7.3.19), "0.9.0"."""
    get_version = getattr(runtime, "get_version", None)
    if get_version is not None:
        return get_version()[0]
    from hpy.devel.version import __version__   # the hpy package

    return __version__


def require_hpy_package():
    """Raise if the hpy package (CPython's HPy runtime) is missing:
    Unsupported where pyproject.toml does not install it, ImportError (a
    broken installation) elsewhere."""
    try:
        import hpy.universal  # noqa: F401
    except ImportError as error:
        if sys.version_info >= (3, 14):
            raise Unsupported(
                "the hpy package is not installed: hpy 0.9.0 has no wheel "
                "for this CPython and its source does not build here, so "
                "pyproject.toml leaves it out (and hpy 0.9.0's types would "
                "clash with this CPython's type flags anyway)"
            ) from error
        raise ImportError(
            f"the hpy package (hpy==0.9.0) is missing: {error}"
        ) from error


def check_type_flags(hpy_type):
    """Raise Unsupported if hpy's mark on its types is a flag that this
    interpreter gives to ordinary classes.

    CPython 3.13 took bit 2 for Py_TPFLAGS_INLINE_VALUES: it then lays out
    and reads instances of an HPy type as if they had inline attribute
    values, which they do not have (hpy 0.9.0, the last release, never
    supported 3.13: hpy issues 488 and 490).  Seen: a bus error in
    array(iter(...)) for the universal build, SystemError from
    dictobject.c for the CPython ABI build.  Checked on the type as created,
    before any instance exists.
    """
    class Plain:
        pass

    if hpy_type.__flags__ & HPY_TYPE_FLAG and Plain.__flags__ & HPY_TYPE_FLAG:
        raise Unsupported(
            f"hpy's types are unusable on {sys.implementation.name} "
            f"{sys.version.split()[0]}: hpy marks them with type flag bit 2 "
            "(HPy_TPFLAGS_INTERNAL_IS_HPY_TYPE), which this interpreter "
            "uses itself (an ordinary class carries it: "
            "Py_TPFLAGS_INLINE_VALUES since CPython 3.13), so it would treat "
            f"{hpy_type.__qualname__} instances as objects with inline "
            "values and crash"
        )

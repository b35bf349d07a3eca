"""Describe this interpreter for the results file, as JSON on stdout.

    python -m piconumpy.bench.probe

The orchestrator runs it once with each interpreter: versions of the
interpreter, of the packages that matter, of its HPy runtime, and which
implementations can run here (or why not).
"""

import json
import platform
import sys

PACKAGES = ("piconumpy", "numpy", "hpy", "cython", "pythran", "numba",
            "matplotlib", "rich", "tqdm")


def package_versions():
    try:
        from importlib import metadata
    except ImportError:  # pragma: no cover (Python < 3.8)
        return {}
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def hpy_runtime():
    """The version of the HPy runtime that loads universal binaries here."""
    try:
        if sys.implementation.name == "pypy":
            import _hpy_universal as runtime
        else:
            import hpy.universal as runtime
        return list(runtime.get_version())
    except Exception as error:  # absent or broken: say so, do not fail
        return f"unavailable ({type(error).__name__}: {error})"


def label():
    """The interpreter and its HPy runtime, in words, e.g. ``PyPy 7.3.19
    (Python 3.11.11), HPy runtime 0.9.1.dev61+g79fb330d``."""
    if sys.implementation.name == "pypy":
        pypy = ".".join(map(str, sys.pypy_version_info[:3]))
        name = f"PyPy {pypy} (Python {platform.python_version()})"
    else:
        name = f"{platform.python_implementation()} " \
               f"{platform.python_version()}"
    runtime = hpy_runtime()
    if isinstance(runtime, list):
        return f"{name}, HPy runtime {runtime[0]}"
    return f"{name}, no HPy runtime"


def describe():
    import piconumpy

    from . import implementations

    info = {
        "implementation": sys.implementation.name,
        "python_version": platform.python_version(),
        "version": sys.version,
        "executable": sys.executable,
        "cache_tag": sys.implementation.cache_tag,
        "platform": platform.platform(),
        "packages": package_versions(),
        "piconumpy_file": piconumpy.__file__,
        "hpy_runtime": hpy_runtime(),
        "label": label(),
        "implementations": {
            name: implementations.why_unavailable(name)
            for name in implementations.ALL
        },
    }
    if sys.implementation.name == "pypy":
        info["pypy_version"] = ".".join(map(str, sys.pypy_version_info[:3]))
    return info


def main():
    json.dump(describe(), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

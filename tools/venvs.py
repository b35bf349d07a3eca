#!/usr/bin/env python3
"""Set up one virtual environment per interpreter, with piconumpy installed.

    python3 tools/venvs.py [--extras test,bench] python3 pypy3 ...

prints the path of each environment's python, one a line, on stdout (all
diagnostics go to stderr).  For each interpreter it:

1. finds it; PyPy (``pypy3``) missing is installed with Debian's
   ``apt-get install -y pypy3 pypy3-dev pypy3-venv`` when we are root with
   apt-get, else the exact command is printed and PyPy is skipped (an error
   instead if PICONUMPY_REQUIRE_ALL=1, as in CI);
2. creates ``.venv/<implementation><version>`` (e.g. ``.venv/cpython3.11``);
3. runs ``pip install .[extras]`` there (not editable: the tests exercise the
   package as a user gets it), again only when a source file changed;
4. with ``--optional compilers`` (``make bench``), also tries to install
   Pythran and Numba on CPython: the benchmark compares with them when they
   install, and says so in its report when they do not, so a failure here
   is a warning.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENVS = ROOT / ".venv"
PYPY_PACKAGES = ["pypy3", "pypy3-dev", "pypy3-venv"]
# What a change to must trigger a rebuild of the installed package.
SOURCES = ["setup.py", "pyproject.toml", "src"]
# Optional packages, per group: (pip arguments, interpreters they are for).
# Pythran 0.19 pins setuptools<60 on Python < 3.12 for a distutils it no
# longer needs to compile our code (checked: it builds with setuptools 84),
# while hpy 0.9 needs setuptools>=64; so Pythran comes without its pins.
OPTIONAL = {
    "compilers": [
        (["numba"], {"cpython"}),
        (["--no-deps", "pythran", "ply>=3.4", "gast~=0.7.0", "beniget~=0.5.0"],
         {"cpython"}),
        # Transonic makes the pythran, numba, transonic_cython and
        # transonic_python rows (bench/compilers.py; black: see pyproject).
        (["transonic>=0.4.8", "black", "Cython>=3.0"], {"cpython"}),
    ],
}


def say(message):
    print(f"[venvs] {message}", file=sys.stderr, flush=True)


def run(command, **kwargs):
    say("$ " + " ".join(map(str, command)))
    subprocess.run(command, check=True, **kwargs)


def find_interpreter(name):
    found = shutil.which(name)
    if found or not name.startswith("pypy"):
        return found
    apt_get = shutil.which("apt-get")
    command = ["apt-get", "install", "-y"] + PYPY_PACKAGES
    if os.geteuid() != 0 or not apt_get:
        say(f"{name} is not installed; to get it run: sudo "
            + " ".join(command))
        return None
    say(f"{name} is not installed: installing Debian's "
        + " ".join(PYPY_PACKAGES))
    environment = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if subprocess.run(command, env=environment).returncode != 0:
        run(["apt-get", "update"], env=environment)
        run(command, env=environment)
    return shutil.which(name)


def describe(interpreter):
    code = ("import json, sys; print(json.dumps([sys.implementation.name, "
            "'%d.%d' % sys.version_info[:2]]))")
    output = subprocess.run([interpreter, "-c", code], check=True,
                            capture_output=True, text=True).stdout
    implementation, version = json.loads(output)
    return implementation + version


def sources_digest():
    digest = hashlib.sha256()
    for entry in SOURCES:
        path = ROOT / entry
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(ROOT)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()


def install_optional(python, implementation, groups):
    for group in groups:
        for arguments, implementations in OPTIONAL[group]:
            if implementation not in implementations:
                continue
            command = [python, "-m", "pip", "install", "--quiet", *arguments]
            say("$ " + " ".join(map(str, command)))
            if subprocess.run(command).returncode != 0:
                say(f"WARNING: could not install {' '.join(arguments)}; "
                    "the benchmark will report it as unavailable")


def ensure_venv(interpreter, extras, optional=()):
    name = describe(interpreter)
    venv = VENVS / name
    python = venv / "bin" / "python"
    if not python.exists():
        run([interpreter, "-m", "venv", str(venv)])
        run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    # The stamp records what is installed: the sources' digest, the extras
    # and the optional groups.  `make test` after `make bench` reinstalls
    # nothing: fewer extras than installed are fine.
    stamp = venv / ".piconumpy-installed.json"
    digest = sources_digest()
    try:
        installed = json.loads(stamp.read_text())
    except (OSError, ValueError):
        installed = {}
    wanted_extras = {extra for extra in extras.split(",") if extra}
    if installed.get("digest") == digest:
        has_extras = set(installed.get("extras", ()))
        has_optional = set(installed.get("optional", ()))
        if wanted_extras <= has_extras and set(optional) <= has_optional:
            say(f"{venv.name}: piconumpy is up to date")
            return python
        wanted_extras |= has_extras
        optional = sorted(set(optional) | has_optional)
    extras = ",".join(sorted(wanted_extras))
    target = f".[{extras}]" if extras else "."
    # pip always rebuilds a local project, and installs missing extras.
    run([python, "-m", "pip", "install", "--quiet", target], cwd=ROOT)
    install_optional(python, name.rstrip("0123456789."), optional)
    stamp.write_text(json.dumps({"digest": digest, "extras": extras.split(","),
                                 "optional": list(optional)}))
    return python


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("interpreters", nargs="+")
    parser.add_argument("--extras", default="test")
    parser.add_argument("--optional", default="",
                        help="groups of packages to try: "
                        + ", ".join(OPTIONAL))
    args = parser.parse_args()
    require_all = os.environ.get("PICONUMPY_REQUIRE_ALL") == "1"
    pythons = []
    for name in args.interpreters:
        interpreter = find_interpreter(name)
        if interpreter is None:
            if require_all:
                sys.exit(f"[venvs] ERROR: {name} is required but missing")
            say(f"*** {name} SKIPPED: not installed (see the command above)")
            continue
        optional = [group for group in args.optional.split(",") if group]
        pythons.append(ensure_venv(interpreter, args.extras, optional))
    if not pythons:
        sys.exit("[venvs] ERROR: no interpreter available")
    print("\n".join(map(str, pythons)))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Set up one virtual environment per interpreter, with piconumpy installed.

    python3 tools/venvs.py [--extras test,bench] python3 pypy@trixie ...

prints, one a line on stdout, the program that runs each environment's
python (all diagnostics go to stderr).  An interpreter is named:

* ``COMMAND@RELEASE`` (``pypy@trixie``, ``python3.15@sid``; ``pypy`` means
  ``pypy3``): that command of Debian RELEASE, run inside a root filesystem
  of that release made once by tools/roots.py, with bubblewrap.  The venv is
  made inside the root, and a launcher beside it, ``.venv/NAME/python``,
  runs its python there: callers (tests, the benchmark's subprocesses) use
  it as a native interpreter.  RELEASE being the host's own release means
  the host's command, natively;
* a command of the host (``python3``, ``python3.12``, ``pypy3``): a pyenv
  shim that refuses a version (not the global one) falls back to
  ``$PYENV_ROOT/versions/X.Y.*/bin/pythonX.Y``; a missing ``pypy3`` is
  installed with Debian's ``apt-get install -y pypy3 pypy3-dev pypy3-venv``
  when we are root with apt-get;
* a path to an interpreter.

For each it:

1. creates ``.venv/NAME`` (a path: ``.venv/<implementation><version>``);
2. runs ``pip install .[extras]`` there, from a copy of the sources in
   ``.venv/NAME/source`` (so that two interpreters can build at the same
   time), not editable (the tests exercise the package as a user gets it),
   again only when a source file changed;
3. with ``--optional compilers`` (``make bench``), also tries to install
   Pythran and Numba on CPython: the benchmark compares with them when they
   install, and says so in its report when they do not, so a failure here
   is a warning.

An interpreter that cannot be had here is skipped with the reason (a line
``*** NAME SKIPPED: reason`` on stderr); with PICONUMPY_REQUIRE_ALL=1 (CI)
that is an error, except for sid's interpreters: on a day sid's packages
cannot be installed they are skipped under a banner.  Exit status: 0, or 1
on an error, or 2 when every interpreter asked for was skipped.
"""

import argparse
import glob
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import roots

ROOT = Path(__file__).resolve().parent.parent
VENVS = ROOT / ".venv"
PYPY_PACKAGES = roots.packages_for("pypy3")
# What a change to must trigger a rebuild of the installed package; with
# README.md (pyproject.toml's readme), what is copied to build from.
SOURCES = ["setup.py", "pyproject.toml", "src"]
COPIED = SOURCES + ["README.md"]
# The environment variables that change what setup.py builds.
BUILD_SETTINGS = ["PICONUMPY_BUILD", "PICONUMPY_CFLAGS"]
#: The release whose interpreters are skipped, not failed, when its
#: packages cannot be installed (sid changes daily).
UNSTABLE = "sid"
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


def shown(command):
    """``command`` as said: a sandbox's long bwrap prefix abridged."""
    command = list(map(str, command))
    if "--die-with-parent" in command:
        start = command.index("--die-with-parent") + 1
        return "bwrap ... " + shlex.join(command[start:])
    return shlex.join(command)


def run(command, **kwargs):
    say("$ " + shown(command))
    subprocess.run(command, check=True, **kwargs)


class Skipped(Exception):
    """The interpreter cannot be had here; the message says why."""


def venv_name(name):
    """The directory of ``name``'s venv under .venv/, or None for a path
    (named after what it runs, see describe)."""
    return None if "/" in name else name


def pyenv_fallback(name, pyenv_root):
    """The newest ``pyenv_root/versions/X.Y.*/bin/pythonX.Y`` for
    ``name`` = pythonX.Y, or None."""
    match = re.fullmatch(r"python(\d+\.\d+)", name)
    if match is None:
        return None

    def version(path):
        release = Path(path).parents[1].name
        return [int(part) if part.isdigit() else -1
                for part in re.split(r"[.]", release)]

    found = glob.glob(os.path.join(
        glob.escape(str(pyenv_root)), "versions",
        glob.escape(match[1]) + ".*", "bin", name))
    pattern = re.compile(re.escape(match[1]) + r"\.\d+$")
    found = [path for path in found
             if pattern.match(Path(path).parents[1].name)]
    return max(found, key=version) if found else None


def _runs(program):
    return subprocess.run([program, "-c", "pass"], capture_output=True
                          ).returncode == 0


def install_pypy(name):
    apt_get = shutil.which("apt-get")
    command = ["apt-get", "install", "-y"] + PYPY_PACKAGES
    if os.geteuid() != 0 or not apt_get:
        raise Skipped(f"{name} is not installed; to get it run: sudo "
                      + " ".join(command))
    say(f"{name} is not installed: installing Debian's "
        + " ".join(PYPY_PACKAGES))
    environment = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if subprocess.run(command, env=environment).returncode != 0:
        run(["apt-get", "update"], env=environment)
        run(command, env=environment)
    return shutil.which(name)


def find_host_interpreter(name):
    """The host's interpreter ``name`` (a command or a path)."""
    found = shutil.which(name)
    if found and _runs(found):
        return found
    pyenv_root = os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv"
    fallback = pyenv_fallback(name, pyenv_root)
    if fallback and _runs(fallback):
        say(f"{name}: {found or 'not on PATH'} does not run it; "
            f"using {fallback}")
        return fallback
    if not found and name == "pypy3":
        found = install_pypy(name)
    if not found:
        raise Skipped(f"{name} is not installed")
    if not _runs(found):
        raise Skipped(f"{found} does not run")
    return found


def locate(name):
    """(prefix, program): ``prefix + [program, ...]`` runs interpreter
    ``name`` on this host; prefix is empty or a bwrap sandbox."""
    command, release = roots.parse_name(name)
    if release is None:
        return [], find_host_interpreter(name)
    if release == roots.host_release():
        return [], find_host_interpreter(command)
    try:
        roots.ensure(release, command)
        prefix = roots.sandbox_command(release, [])
    except (roots.Unavailable, ValueError) as error:
        raise Skipped(str(error)) from None
    return prefix, command


def describe(program):
    code = ("import json, sys; print(json.dumps([sys.implementation.name, "
            "'%d.%d' % sys.version_info[:2]]))")
    output = subprocess.run(program + ["-c", code], check=True,
                            capture_output=True, text=True).stdout
    implementation, version = json.loads(output)
    return implementation + version


def write_launcher(venv, prefix):
    """``venv/python``: runs the venv's python inside the sandbox."""
    launcher = venv / "python"
    launcher.write_text(
        "#!/bin/sh\n"
        f"# {venv.name}: made by tools/venvs.py, runs {venv}/bin/python\n"
        "# inside its Debian root filesystem (tools/roots.py).\n"
        f"exec {shlex.join(prefix + [str(venv / 'bin' / 'python')])} "
        '"$@"\n')
    launcher.chmod(0o755)
    return launcher


def sources_digest():
    """What the installed package was built from: the sources and the
    settings of setup.py (a venv built with PICONUMPY_BUILD=capi is not
    up to date for a build of everything)."""
    digest = hashlib.sha256()
    for variable in BUILD_SETTINGS:
        digest.update(f"{variable}={os.environ.get(variable)}\n".encode())
    for entry in SOURCES:
        path = ROOT / entry
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(ROOT)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()


def copy_sources(destination):
    """The sources, copied (times kept) into ``destination``, its build/
    kept so that an unchanged C file is not compiled again."""
    ignore = shutil.ignore_patterns("__pycache__", "*.so", "*.egg-info")
    for entry in COPIED:
        source, target = ROOT / entry, destination / entry
        if target.is_dir():
            shutil.rmtree(target)
        if source.is_dir():
            shutil.copytree(source, target, ignore=ignore)
        elif source.exists():
            destination.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


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


def ensure_venv(name, extras, optional=()):
    """The program running the python of ``name``'s venv, up to date."""
    prefix, program = locate(name)
    implementation = describe(prefix + [program])
    venv = VENVS / (venv_name(name) or implementation)
    python = venv / "bin" / "python"
    if not python.exists():
        run(prefix + [program, "-m", "venv", str(venv)])
    if prefix:
        python = write_launcher(venv, prefix)
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
    if not installed:
        run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    extras = ",".join(sorted(wanted_extras))
    source = copy_sources(venv / "source")
    target = f"{source}[{extras}]" if extras else str(source)
    # pip always rebuilds a local project, and installs missing extras.
    run([python, "-m", "pip", "install", "--quiet", target], cwd=source)
    install_optional(python, implementation.rstrip("0123456789."), optional)
    stamp.write_text(json.dumps({"digest": digest, "extras": extras.split(","),
                                 "optional": list(optional)}))
    return python


def banner(lines):
    width = max(map(len, lines)) + 4
    return "\n".join(["*" * width, *(f"* {line}" for line in lines),
                      "*" * width])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("interpreters", nargs="+")
    parser.add_argument("--extras", default="test")
    parser.add_argument("--optional", default="",
                        help="groups of packages to try: "
                        + ", ".join(OPTIONAL))
    args = parser.parse_args()
    require_all = os.environ.get("PICONUMPY_REQUIRE_ALL") == "1"
    optional = [group for group in args.optional.split(",") if group]
    pythons, failed = [], False
    for name in args.interpreters:
        try:
            pythons.append(ensure_venv(name, args.extras, optional))
            continue
        except Skipped as error:
            reason = str(error)
        except subprocess.CalledProcessError as error:
            say(f"ERROR: {name}: {shlex.join(map(str, error.cmd))} exited "
                f"with status {error.returncode}")
            failed = True
            continue
        if require_all and roots.parse_name(name)[1] != UNSTABLE:
            say(f"ERROR: {name} is required (PICONUMPY_REQUIRE_ALL=1) but "
                f"cannot be had: {reason}")
            failed = True
            continue
        if require_all:
            print(banner([f"{name} SKIPPED although required: {UNSTABLE}'s "
                          "packages cannot be installed today:", reason]),
                  file=sys.stderr)
        say(f"*** {name} SKIPPED: {reason}")
    if pythons:
        print("\n".join(map(str, pythons)), flush=True)
    if failed:
        sys.exit(1)
    if not pythons:
        say("no interpreter available")
        sys.exit(2)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Interpreters of other Debian releases, in root filesystems run with bwrap.

    python3 tools/roots.py ensure RELEASE COMMAND   # e.g. ensure sid pypy3
    python3 tools/roots.py run RELEASE -- PROGRAM [ARGUMENT ...]

``ensure`` creates, once, a root filesystem of Debian RELEASE under
~/.cache/piconumpy/roots/RELEASE (PICONUMPY_ROOTS overrides the directory)
with Debian's mmdebstrap, holding COMMAND's packages (pypy3: pypy3,
pypy3-dev, pypy3-venv; python3.X: python3.X, python3.X-dev, python3.X-venv)
and what builds the package (gcc, libc6-dev, make, git, ca-certificates).
An existing root lacking some of them gets them with apt-get inside it.
``run`` runs PROGRAM inside that root with bubblewrap: the root read-only,
the checkout bound at its own path read-write, a private /tmp and HOME, the
host's pip cache, pip configuration and CA bundle, the environment passed
through; so venvs, builds and subprocesses work as with a native
interpreter (tools/venvs.py writes launchers that do this).

Interpreter names (tools/venvs.py, the Makefile's PYTHON= and
INTERPRETERS=, the benchmark's --interpreters): COMMAND@RELEASE, ``pypy``
meaning ``pypy3``: pypy@bookworm, pypy@trixie, pypy@sid, python3.14@sid.
A release that is the host's own means the host's interpreter, natively.
"""

import argparse
import contextlib
import fcntl
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
ROOTS = Path(os.environ.get("PICONUMPY_ROOTS")
             or Path.home() / ".cache" / "piconumpy" / "roots")
BUILD_PACKAGES = ["gcc", "libc6-dev", "make", "git", "ca-certificates"]
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
# Our mirror serves sid with a Release file past its Valid-Until date; apt
# refuses such a file unless told not to check it.
APT_OPTIONS = ['Acquire::Check-Valid-Until "false"']
# PATH inside a root: the host's (pyenv shims, ...) means nothing there.
ROOT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
NAME = re.compile(r"^(?P<command>[A-Za-z][\w.-]*)@(?P<release>[a-z]+)$")


class Unavailable(Exception):
    """This host cannot give that interpreter; the message says why."""


def say(message):
    print(f"[roots] {message}", file=sys.stderr, flush=True)


# --- names ------------------------------------------------------------------

def parse_name(name):
    """(command, release) of COMMAND@RELEASE, else (name, None).

    >>> parse_name("pypy@trixie")
    ('pypy3', 'trixie')
    """
    match = NAME.match(name)
    if match is None:
        return name, None
    command = match["command"]
    return ("pypy3" if command == "pypy" else command), match["release"]


def packages_for(command):
    """The Debian packages that give ``command`` with venv and headers."""
    if not re.fullmatch(r"pypy3|python3(\.\d+)?", command):
        raise ValueError(f"no Debian packages known for {command!r}: "
                         "use pypy (pypy3), python3 or python3.X")
    return [command, f"{command}-dev", f"{command}-venv"]


# --- the host's Debian ------------------------------------------------------

def host_release(os_release=Path("/etc/os-release")):
    """The host's Debian codename (VERSION_CODENAME), or None."""
    try:
        text = os_release.read_text()
    except OSError:
        return None
    fields = dict(line.split("=", 1) for line in text.splitlines()
                  if "=" in line)
    return fields.get("VERSION_CODENAME", "").strip('"') or None


def _source_entries(apt_dir):
    """(types, uris, suites) of each source of the host's apt."""
    for path in sorted((apt_dir / "sources.list.d").glob("*.sources")):
        for stanza in re.split(r"\n\s*\n", path.read_text()):
            fields = {}
            for line in stanza.splitlines():
                if line.startswith("#") or ":" not in line:
                    continue
                key, _, value = line.partition(":")
                fields[key.strip().lower()] = value.split()
            yield (fields.get("types", []), fields.get("uris", []),
                   fields.get("suites", []))
    lists = [apt_dir / "sources.list",
             *sorted((apt_dir / "sources.list.d").glob("*.list"))]
    for path in lists:
        if not path.is_file():
            continue
        for line in path.read_text().splitlines():
            line = re.sub(r"\[[^]]*\]", "", line.split("#")[0]).split()
            if len(line) >= 3:
                yield [line[0]], [line[1]], [line[2]]


def mirror_uri(apt_dir=Path("/etc/apt")):
    """The URI of the host's main Debian archive, read from its apt sources.

    The first ``deb`` source whose suite is a plain release (not -security,
    -updates, -backports): the mirror that carries the other releases too.
    """
    for types, uris, suites in _source_entries(apt_dir):
        if "deb" in types and uris and any("-" not in s and "/" not in s
                                           for s in suites):
            return uris[0]
    raise Unavailable(f"no Debian archive in {apt_dir}'s sources: "
                      "cannot make root filesystems")


# --- bubblewrap --------------------------------------------------------------

def _install_host_tool(program, package):
    """The path of ``program``, installing Debian's ``package`` if root."""
    found = shutil.which(program)
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise Unavailable(f"{program} is missing (Debian package {package}; "
                          f"run: sudo apt-get install {package})")
    say(f"{program} is missing: apt-get install {package}")
    environment = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    command = ["apt-get", "install", "-y", package]
    if subprocess.run(command, env=environment).returncode != 0:
        subprocess.run(["apt-get", "update"], env=environment)
        subprocess.run(command, env=environment)
    found = shutil.which(program)
    if not found:
        raise Unavailable(f"{program} is missing and apt-get could not "
                          f"install {package}")
    return found


def bwrap():
    """The bwrap program, checked to work here (namespaces allowed)."""
    program = _install_host_tool("bwrap", "bubblewrap")
    check = subprocess.run([program, "--ro-bind", "/", "/", "--proc", "/proc",
                            "true"], capture_output=True, text=True)
    if check.returncode != 0:
        raise Unavailable("bwrap cannot make a sandbox on this host (no user "
                          "namespaces for this user?): "
                          + check.stderr.strip())
    return program


def _inside(path, directory):
    """Whether ``path`` is ``directory`` or below it."""
    directory = directory.rstrip("/")
    return path == directory or path.startswith(directory + "/")


def _needs_mount_point(root, destination):
    return not os.path.lexists(root + destination)


def _root_mounts(root, directory, destinations):
    """bwrap arguments mounting ``root + directory`` at ``directory``.

    Read-only, whole, unless a destination to be mounted later has no mount
    point in the root: bwrap could not create it in a read-only tree, so
    such a directory becomes a tmpfs holding the root's entries, each
    mounted the same way (a checkout under /work, a HOME...); the caller
    makes those tmpfs read-only once its own mounts are in (_read_only).
    """
    inside = [d for d in destinations
              if d.startswith(directory.rstrip("/") + "/")]
    if directory != "/" and not inside:
        return ["--ro-bind", root + directory, directory]
    arguments = [] if directory == "/" else ["--tmpfs", directory]
    for entry in sorted(os.listdir(root + directory)):
        path = os.path.join(directory, entry)
        if path in ("/dev", "/proc", "/tmp"):  # bwrap's own, below
            continue
        source = root + path
        if os.path.islink(source):
            arguments += ["--symlink", os.readlink(source), path]
        elif os.path.isdir(source):
            arguments += _root_mounts(root, path, destinations)
        else:
            arguments += ["--ro-bind", source, path]
    return arguments


def _read_only(mounts, writable):
    """Remount read-only "/" and the tmpfs directories of _root_mounts,
    except those mounted again, writable, since (HOME)."""
    tmpfs = [mounts[i + 1] for i, argument in enumerate(mounts)
             if argument == "--tmpfs" and mounts[i + 1] not in writable]
    return [argument for directory in ["/"] + tmpfs
            for argument in ("--remount-ro", directory)]


def _pip_paths(environ):
    """Existing absolute paths that pip's settings name (find-links, a
    certificate, the directory of file:// indexes): from PIP_* variables
    and pip.conf."""
    texts = [value for key, value in environ.items() if key.startswith("PIP_")]
    home = Path(environ.get("HOME", Path.home()))
    for config in (Path("/etc/pip.conf"), home / ".config/pip/pip.conf",
                   home / ".pip/pip.conf"):
        with contextlib.suppress(OSError):
            texts.append(config.read_text())
    paths = set()
    for text in texts:
        for url, path in re.findall(r"(file://)?(/[^\s'\"=]+)", text):
            # A file:// index links to files beside it (../files/...).
            path = os.path.dirname(path.rstrip("/")) if url else path
            if os.path.exists(path) and path != "/":
                paths.add(os.path.realpath(path))
    return sorted(paths)


def _git_directory(checkout):
    """The git directory of a worktree checkout when it is outside it (its
    .git is a file: ``gitdir: ...``), or None."""
    dot_git = Path(checkout) / ".git"
    if not dot_git.is_file():
        return None
    gitdir = Path(checkout, dot_git.read_text().partition("gitdir:")[2]
                  .strip())
    with contextlib.suppress(OSError):
        gitdir = gitdir / (gitdir / "commondir").read_text().strip()
    return os.path.realpath(gitdir)


def sandbox_command(release, program, environ=None, checkout=CHECKOUT):
    """The bwrap command line running ``program`` (a list) in the root."""
    environ = dict(os.environ if environ is None else environ)
    root = str(ROOTS / release)
    home = environ.get("HOME") or str(Path.home())
    pip_cache = Path(home) / ".cache" / "pip"
    pip_cache.mkdir(parents=True, exist_ok=True)
    binds = [("--bind", str(checkout), str(checkout)),
             ("--bind", str(pip_cache), str(pip_cache))]
    for path in dict.fromkeys([
            CA_BUNDLE, "/etc/resolv.conf", "/etc/pip.conf",
            *(str(Path(home) / p) for p in (".config/pip", ".pip")),
            *_pip_paths(environ), _git_directory(checkout)]):
        if path is None:
            continue
        if os.path.exists(path) and not _inside(path, str(checkout)):
            binds.append(("--ro-bind", path, path))
    destinations = [home] + [d for _, _, d in binds
                             if _needs_mount_point(root, d)]
    mounts = _root_mounts(root, "/", destinations)
    command = [bwrap(), *mounts,
               "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    if not _inside(home, str(checkout)):
        command += ["--tmpfs", home]  # HOME: writable, private
    for kind, source, destination in binds:
        command += [kind, source, destination]
    command += [*_read_only(mounts, {home}),
                "--setenv", "PATH", ROOT_PATH, "--setenv", "HOME", home,
                "--unsetenv", "LD_LIBRARY_PATH", "--unsetenv", "LD_PRELOAD",
                "--die-with-parent", *program]
    return command


# --- root filesystems --------------------------------------------------------

def installed_packages(root):
    """Names of the packages installed in ``root`` (its dpkg status file)."""
    status = Path(root) / "var" / "lib" / "dpkg" / "status"
    installed = set()
    for stanza in re.split(r"\n\s*\n", status.read_text()):
        fields = dict(re.findall(r"^(Package|Status): (.*)$", stanza, re.M))
        if fields.get("Status", "").endswith(" installed"):
            installed.add(fields["Package"])
    return installed


@contextlib.contextmanager
def _locked(release):
    """One process at a time creates or completes a root (make -j...)."""
    ROOTS.mkdir(parents=True, exist_ok=True)
    with open(ROOTS / f".{release}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _apt_options():
    return [f"--aptopt={option}" for option in APT_OPTIONS]


def _create(release, packages):
    mmdebstrap = _install_host_tool("mmdebstrap", "mmdebstrap")
    uri = mirror_uri()
    building = ROOTS / f"{release}.tmp"
    if building.exists():  # left by an interrupted run (we hold the lock)
        shutil.rmtree(building)
    command = [mmdebstrap, "--variant=apt", "--include=" + ",".join(packages),
               *_apt_options(), release, str(building), uri]
    say(f"creating the {release} root (about a minute, 600 MB): "
        + shlex.join(command))
    if subprocess.run(command).returncode != 0:
        shutil.rmtree(building, ignore_errors=True)
        raise Unavailable(f"mmdebstrap could not make a {release} root with "
                          f"{' '.join(packages)} (see above)")
    building.rename(ROOTS / release)


def _complete(release, missing):
    """apt-get install ``missing`` inside the existing root, writable."""
    root = str(ROOTS / release)
    # apt's sandbox user (_apt) gains nothing in a sandbox: stay root.
    options = shlex.join([f"-o{option.replace(' ', '=', 1)}"
                          for option in APT_OPTIONS]
                         + ["-oAPT::Sandbox::User=root"])
    script = (f"apt-get {options} update && DEBIAN_FRONTEND=noninteractive "
              f"apt-get {options} install -y {shlex.join(missing)}")
    say(f"{release} root: installing {' '.join(missing)}")
    command = [bwrap(), "--bind", root, "/", "--dev", "/dev", "--proc",
               "/proc", "--perms", "1777", "--tmpfs", "/tmp",
               "--ro-bind", "/etc/resolv.conf",
               "/etc/resolv.conf", "--cap-add", "ALL", "--setenv", "PATH",
               ROOT_PATH, "sh", "-c", script]
    if subprocess.run(command).returncode != 0:
        raise Unavailable(f"the {release} root lacks {' '.join(missing)} "
                          "and apt-get could not install them (see above)")


def ensure(release, command):
    """Make sure the root of ``release`` has ``command``; its path."""
    packages = packages_for(command) + BUILD_PACKAGES
    root = ROOTS / release
    with _locked(release):
        if not root.is_dir():
            _create(release, packages)
        missing = sorted(set(packages) - installed_packages(root))
        if missing:
            _complete(release, missing)
    return root


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="action", required=True)
    make = commands.add_parser("ensure", help="create or complete a root")
    make.add_argument("release")
    make.add_argument("command", help="pypy3, python3.X, ...")
    run = commands.add_parser("run", help="run a program inside a root")
    run.add_argument("release")
    run.add_argument("program", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    try:
        if args.action == "ensure":
            print(ensure(args.release, args.command))
            return 0
        program = args.program[1:] if args.program[:1] == ["--"] \
            else args.program
        command = sandbox_command(args.release, program)
    except Unavailable as error:
        sys.exit(f"[roots] {error}")
    os.execv(command[0], command)


if __name__ == "__main__":
    sys.exit(main())

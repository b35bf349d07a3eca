"""The pure logic of tools/roots.py, tools/venvs.py and tools/test_all.py:
interpreter names, apt sources, dpkg status, the sandbox's mounts.  No
network, no root filesystem, no sandbox is made here."""

import os
import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parent.parent / "tools"
if not (TOOLS / "roots.py").exists():
    pytest.skip("needs the source tree (tools/)", allow_module_level=True)
sys.path.insert(0, str(TOOLS))

import roots  # noqa: E402
import test_all  # noqa: E402
import venvs  # noqa: E402


@pytest.mark.parametrize("name, expected", [
    ("pypy@bookworm", ("pypy3", "bookworm")),
    ("pypy@trixie", ("pypy3", "trixie")),
    ("pypy@sid", ("pypy3", "sid")),
    ("python3.14@sid", ("python3.14", "sid")),
    ("python3.15@sid", ("python3.15", "sid")),
    ("pypy3@trixie", ("pypy3", "trixie")),
    ("python3", ("python3", None)),
    ("python3.12", ("python3.12", None)),
    ("/usr/bin/pypy3", ("/usr/bin/pypy3", None)),
    ("/opt/x@y/bin/python", ("/opt/x@y/bin/python", None)),
])
def test_parse_name(name, expected):
    assert roots.parse_name(name) == expected


@pytest.mark.parametrize("command, expected", [
    ("pypy3", ["pypy3", "pypy3-dev", "pypy3-venv"]),
    ("python3.15", ["python3.15", "python3.15-dev", "python3.15-venv"]),
    ("python3", ["python3", "python3-dev", "python3-venv"]),
])
def test_packages_for(command, expected):
    assert roots.packages_for(command) == expected


@pytest.mark.parametrize("command", ["ruby", "pypy", "python3.x", "gcc"])
def test_packages_for_unknown_command(command):
    with pytest.raises(ValueError, match="no Debian packages"):
        roots.packages_for(command)


def test_host_release(tmp_path):
    os_release = tmp_path / "os-release"
    os_release.write_text('PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\n'
                          'VERSION_CODENAME=trixie\nID=debian\n')
    assert roots.host_release(os_release) == "trixie"
    os_release.write_text('ID=debian\n')
    assert roots.host_release(os_release) is None
    assert roots.host_release(tmp_path / "absent") is None


def write_apt(tmp_path, sources=None, sources_list=None):
    (tmp_path / "sources.list.d").mkdir()
    if sources is not None:
        (tmp_path / "sources.list.d" / "debian.sources").write_text(sources)
    if sources_list is not None:
        (tmp_path / "sources.list").write_text(sources_list)
    return tmp_path


def test_mirror_uri_deb822(tmp_path):
    apt = write_apt(tmp_path, sources=(
        "Types: deb\n"
        "URIs: http://mirror.example/debian-security\n"
        "Suites: bookworm-security\n"
        "Components: main\n"
        "\n"
        "Types: deb-src deb\n"
        "# a comment: with a colon\n"
        "URIs: http://mirror.example/debian\n"
        "Suites: bookworm bookworm-updates\n"
        "Components: main\n"))
    assert roots.mirror_uri(apt) == "http://mirror.example/debian"


def test_mirror_uri_one_line_style(tmp_path):
    apt = write_apt(tmp_path, sources_list=(
        "# deb http://commented.example/debian bookworm main\n"
        "deb-src http://src.example/debian bookworm main\n"
        "deb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian "
        "bookworm main\n"))
    assert roots.mirror_uri(apt) == "http://mirror.example/debian"


def test_mirror_uri_none(tmp_path):
    apt = write_apt(tmp_path, sources_list="deb http://x.example/d sid/\n")
    with pytest.raises(roots.Unavailable, match="no Debian archive"):
        roots.mirror_uri(apt)


def test_installed_packages(tmp_path):
    status = tmp_path / "var" / "lib" / "dpkg" / "status"
    status.parent.mkdir(parents=True)
    status.write_text(
        "Package: gcc\nStatus: install ok installed\nVersion: 4:14\n\n"
        "Package: pypy3\nStatus: deinstall ok config-files\n\n"
        "Package: git\nVersion: 1\nStatus: install ok installed\n")
    assert roots.installed_packages(tmp_path) == {"gcc", "git"}


def make_tree(root):
    for directory in ("usr/bin", "etc/ssl", "home", "root", "tmp", "dev"):
        (root / directory).mkdir(parents=True)
    (root / "etc" / "hostname").write_text("x\n")
    os.symlink("usr/bin", root / "bin")
    return str(root)


def test_root_mounts_read_only_whole(tmp_path):
    root = make_tree(tmp_path)
    mounts = roots._root_mounts(root, "/", ["/home/user"])
    assert ["--symlink", "usr/bin", "/bin"] == mounts[:3]
    assert "--ro-bind" in mounts
    triples = [mounts[i:i + 3] for i, a in enumerate(mounts)
               if a == "--ro-bind"]
    assert ["--ro-bind", root + "/usr", "/usr"] in triples
    assert ["--ro-bind", root + "/etc", "/etc"] in triples
    # /home/user has no mount point in the root: /home becomes a tmpfs.
    assert mounts[mounts.index("--tmpfs") + 1] == "/home"
    # bwrap's own /dev and /tmp are not taken from the root.
    assert "/dev" not in mounts and "/tmp" not in mounts


def test_root_mounts_tmpfs_directory_keeps_its_entries(tmp_path):
    root = make_tree(tmp_path)
    mounts = roots._root_mounts(root, "/", ["/etc/pip.conf"])
    start = mounts.index("/etc") - 1
    assert mounts[start:start + 2] == ["--tmpfs", "/etc"]
    assert ["--ro-bind", root + "/etc/hostname", "/etc/hostname"] == \
        mounts[start + 2:start + 5]
    assert ["--ro-bind", root + "/etc/ssl", "/etc/ssl"] == \
        mounts[start + 5:start + 8]
    assert roots._read_only(mounts, set()) == [
        "--remount-ro", "/", "--remount-ro", "/etc"]
    assert roots._read_only(mounts, {"/etc"}) == ["--remount-ro", "/"]


def test_pip_paths(tmp_path):
    wheels = tmp_path / "wheels"
    index = tmp_path / "index" / "simple"
    index.mkdir(parents=True)
    wheels.mkdir()
    environ = {"PIP_FIND_LINKS": str(wheels),
               "PIP_EXTRA_INDEX_URL": f"file://{index} https://x.example/",
               "PIP_CERT": str(tmp_path / "absent.pem"),
               "HOME": str(tmp_path / "home"), "OTHER": "/usr"}
    paths = roots._pip_paths(environ)
    assert str(wheels) in paths
    # An index's files are beside it (../files): its directory is bound.
    assert str(index.parent) in paths
    assert str(tmp_path / "absent.pem") not in paths


@pytest.mark.parametrize("name, expected", [
    ("pypy@trixie", "pypy@trixie"),
    ("python3.12", "python3.12"),
    ("/usr/bin/pypy3", None),
])
def test_venv_name(name, expected):
    assert venvs.venv_name(name) == expected


def test_venv_names_of_the_two_pypys_of_python_3_11_differ():
    assert venvs.venv_name("pypy@trixie") != venvs.venv_name("pypy@sid")


def test_pyenv_fallback(tmp_path):
    for version in ("3.12.1", "3.12.10", "3.12.2", "3.13.0", "3.1.5",
                    "3.12-dev"):
        binary = tmp_path / "versions" / version / "bin" / (
            "python" + ".".join(version.split(".")[:2]).split("-")[0])
        binary.parent.mkdir(parents=True)
        binary.write_text("")
    found = venvs.pyenv_fallback("python3.12", tmp_path)
    assert found == str(tmp_path / "versions/3.12.10/bin/python3.12")
    assert venvs.pyenv_fallback("python3.13", tmp_path) == str(
        tmp_path / "versions/3.13.0/bin/python3.13")
    assert venvs.pyenv_fallback("python3.14", tmp_path) is None
    assert venvs.pyenv_fallback("pypy3", tmp_path) is None


def test_shown_abridges_the_sandbox():
    command = ["/usr/bin/bwrap", "--ro-bind", "/a", "/", "--die-with-parent",
               "pypy3", "-m", "venv", "/x/.venv/pypy@sid"]
    assert venvs.shown(command) == (
        "bwrap ... pypy3 -m venv /x/.venv/pypy@sid")


def test_split_arguments():
    assert test_all.split_arguments(["python3", "pypy@sid", "--", "-x"]) == (
        ["python3", "pypy@sid"], ["-x"])
    assert test_all.split_arguments(["python3"]) == (["python3"], [])


@pytest.mark.parametrize("log, expected", [
    ("...\n==== 12 passed, 3 skipped in 3.20s ====\n",
     "12 passed, 3 skipped in 3.20s"),
    ("1039 passed in 90.12s (0:01:30)\n", "1039 passed in 90.12s (0:01:30)"),
    ("== 1 failed, 2 passed in 1.00s ==\ntrailing\n",
     "1 failed, 2 passed in 1.00s"),
    ("no summary in 3s\n", None),
])
def test_pytest_outcome(log, expected):
    assert test_all.pytest_outcome(log) == expected


def test_git_directory_of_a_worktree(tmp_path):
    common = tmp_path / "main" / ".git"
    worktree_dir = common / "worktrees" / "envs"
    worktree_dir.mkdir(parents=True)
    (worktree_dir / "commondir").write_text("../..\n")
    checkout = tmp_path / "envs"
    checkout.mkdir()
    (checkout / ".git").write_text(f"gitdir: {worktree_dir}\n")
    assert roots._git_directory(checkout) == str(common)
    clone = tmp_path / "clone"
    (clone / ".git").mkdir(parents=True)
    assert roots._git_directory(clone) is None


def test_inside():
    assert roots._inside("/work/wt/envs/.venv", "/work/wt/envs")
    assert roots._inside("/work/wt/envs", "/work/wt/envs/")
    assert not roots._inside("/work/wt/envs2", "/work/wt/envs")

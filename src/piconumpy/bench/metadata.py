"""What the machine and the source tree were, for the results file."""

import datetime
import os
import platform
import socket
import subprocess


def cpu_model():
    try:
        with open("/proc/cpuinfo") as file:
            for line in file:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def host():
    info = {
        "hostname": socket.gethostname(),
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "machine": platform.machine(),
        "system": platform.platform(),
    }
    if hasattr(os, "getloadavg"):
        # A busy machine makes noisy timings: keep the evidence.
        info["load_average_at_start"] = list(os.getloadavg())
    return info


def _git(directory, *args):
    process = subprocess.run(
        ["git", "-C", directory, *args],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    return process.stdout.strip() if process.returncode == 0 else None


def git(directories):
    """Commit and dirtiness of the first of ``directories`` in a git tree."""
    for directory in directories:
        try:
            commit = _git(directory, "rev-parse", "HEAD")
        except OSError:  # no git at all
            return {"commit": None, "reason": "git is not installed"}
        if commit:
            status = _git(directory, "status", "--porcelain",
                          "--untracked-files=no")
            return {
                "commit": commit,
                "describe": _git(directory, "describe", "--always",
                                 "--dirty"),
                "dirty": bool(status),
                "directory": directory,
            }
    return {"commit": None, "reason": "not run from a git checkout"}


def now():
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")

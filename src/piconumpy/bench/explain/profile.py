"""A profile of one implementation on one workload, and its call graph.

    python -m piconumpy.bench.explain.profile --impl NAME [--workload W]
        [--calls N] [--top N] [--output DIR]

as the original piconumpy's ``make profile`` did: CPython is profiled with
cProfile; PyPy with vmprof (a sampling profiler that leaves the JIT alone)
when it is installed there, else with cProfile and a warning that its
figures are distorted (cProfile's hooks stop the JIT inlining calls).  The
top functions are printed, and the call graph is drawn with gprof2dot
(PyPI) and graphviz's ``dot`` (Debian) into
``results/profiles/<interpreter>/<impl>-<workload>.png``, beside the raw
profile.  The workload is one of the bench's cases (``board``, ``op_add``,
``cort``, ...), bound exactly as the bench binds it, at its classic size.

cProfile sees Python functions and builtin functions (``array(...)``,
``cos``), not the type slots a C extension fills (``a * s`` is charged to
the Python function that does it): the picture says where the time of the
Python code goes; the instruction counts (``instructions``) say what each
operation costs.
"""

import argparse
import bisect
import io
import operator
import os
import platform
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time

from .. import bindings, cases, implementations
from . import instructions

IS_PYPY = sys.implementation.name == "pypy"
DEFAULT_OUTPUT = os.path.join("results", "profiles")
MODULE = "piconumpy.bench.explain.profile"


def interpreter_tag():
    """cpython3.11, pypy3.9-7.3.11: where this interpreter's profiles go."""
    version = "%d.%d" % sys.version_info[:2]
    if IS_PYPY:
        return f"pypy{version}-" + "%d.%d.%d" % sys.pypy_version_info[:3]
    return f"{sys.implementation.name}{version}"


def bound_workload(impl_name, workload):
    """The bench's timed call of ``workload`` (a case id) on ``impl_name``."""
    sizes = cases.Sizes()
    chosen = cases.select(cases.all_cases(sizes), [workload])[0]
    kind = implementations.kind(impl_name)
    spec = bindings.WORKLOADS[chosen.workload]
    if kind not in spec.kinds(chosen.params):
        raise implementations.Unavailable(
            f"the bench has no {chosen.id} for {impl_name} (kind {kind})")
    impl = implementations.load(impl_name)
    data = spec.inputs(chosen.params)
    return chosen.id, spec.bind(kind, impl, data, chosen.params)


def why_no_vmprof():
    try:
        import vmprof  # noqa: F401
    except Exception as error:  # a broken build raises anything
        return (f"vmprof does not import here ({type(error).__name__}: "
                f"{error}); `pip install vmprof` in this interpreter's venv")
    return None


# --- profilers: each returns (stats text, gprof2dot format, profile path) ---


def run_for(function, calls, seconds):
    """Call ``function`` ``calls`` times, or for ``seconds`` if calls is
    None (at least once); the number of calls made."""
    if calls is not None:
        for _ in range(calls):
            function()
        return calls
    made, end = 0, time.perf_counter() + seconds
    while made == 0 or time.perf_counter() < end:
        function()
        made += 1
    return made


def profile_cprofile(function, calls, seconds, path, top):
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    calls = run_for(function, calls, seconds)
    profiler.disable()
    profiler.dump_stats(path)
    out = io.StringIO()
    stats = pstats.Stats(path, stream=out)
    stats.strip_dirs().sort_stats("tottime").print_stats(top)
    return out.getvalue(), "pstats", calls


def profile_vmprof(function, calls, seconds, path, top):
    """vmprof samples, written as folded stacks (gprof2dot's 'collapse')."""
    import vmprof

    # The raw profile is read here, where its native addresses mean
    # something (NativeNames), then only the folded stacks are kept.
    with tempfile.NamedTemporaryFile(suffix=".vmprof") as file:
        vmprof.enable(file.fileno(), period=0.0005, native=True)
        calls = run_for(function, calls, seconds)
        vmprof.disable()
        tree = vmprof.read_profile(file.name).get_tree()
    stacks = {}
    _fold(tree, [], stacks, NativeNames())
    stacks = _below_run_for(stacks)
    with open(path, "w", encoding="utf-8") as file:
        for stack, count in sorted(stacks.items()):
            file.write(f"{stack} {count}\n")
    own = {}
    for stack, count in stacks.items():
        leaf = stack.rsplit(";", 1)[-1]
        own[leaf] = own.get(leaf, 0) + count
    total = sum(own.values()) or 1
    lines = [f"{sum(stacks.values())} samples; functions by own samples:"]
    for name, count in sorted(own.items(), key=lambda i: -i[1])[:top]:
        lines.append(f"{100 * count / total:6.1f}%  {count:6d}  {name}")
    return "\n".join(lines) + "\n", "collapse", calls


def _fold(node, stack, stacks, native_names=None):
    """Folded stacks from a vmprof tree: the samples each path owns.

    Native frames (vmprof leaves them '<unknown code>' on PyPy) are named
    by ``native_names`` from their address; consecutive frames of one name
    are one frame, so that a library's internal calls make one box.
    """
    name = _frame_name(node.name)
    if native_names is not None and name == "<unknown_code>":
        name = native_names(getattr(node, "addr", 0))
    here = stack if stack and stack[-1] == name else stack + [name]
    children = list(node.children.values())
    own = node.count - sum(child.count for child in children)
    if own > 0:
        key = ";".join(here)
        stacks[key] = stacks.get(key, 0) + own
    for child in children:
        _fold(child, here, stacks, native_names)


class NativeNames:
    """The shared object an address of this process is in (dladdr) and
    its function: '[_hpy_universal.pypy39.hpy.so] array_new', '[libc.so.6]
    malloc'.  The function comes from the library's symbol table (nm:
    static functions too), else from dladdr's exported symbol; a stripped
    library (PyPy's libpypy3.9-c.so) is named alone, which still splits
    the time between PyPy, the extension and libc.  Addresses in no
    library (JIT code) are '[jit]'."""

    def __init__(self):
        import ctypes

        class DlInfo(ctypes.Structure):
            _fields_ = [("dli_fname", ctypes.c_char_p),
                        ("dli_fbase", ctypes.c_void_p),
                        ("dli_sname", ctypes.c_char_p),
                        ("dli_saddr", ctypes.c_void_p)]

        self._info = DlInfo
        self._dladdr = ctypes.CDLL(None).dladdr
        self._dladdr.argtypes = [ctypes.c_void_p, ctypes.POINTER(DlInfo)]
        self._cache = {}
        self._symbols = {}

    def __call__(self, address):
        if address not in self._cache:
            info = self._info()
            if not address or not self._dladdr(address, info) \
                    or not info.dli_fname:
                self._cache[address] = "[jit]"
            else:
                path = info.dli_fname.decode()
                symbol = self._static_symbol(path, address - info.dli_fbase)
                symbol = symbol or (info.dli_sname or b"").decode()
                self._cache[address] = (f"[{os.path.basename(path)}] "
                                        f"{symbol}").strip()
        return self._cache[address]

    def _static_symbol(self, path, offset):
        """The function at ``offset`` in ``path`` from its symbol table
        (``nm``: static functions too), or '' if the library is stripped."""
        if path not in self._symbols:
            self._symbols[path] = _function_symbols(path)
        starts, names = self._symbols[path]
        index = bisect.bisect_right(starts, offset) - 1
        return names[index] if index >= 0 else ""


def _function_symbols(path):
    """(sorted start offsets, names) of the functions ``nm`` lists."""
    try:
        output = subprocess.run(["nm", "--defined-only", path],
                                capture_output=True, text=True).stdout
    except OSError:  # no nm
        return [], []
    functions = []
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tT":
            functions.append((int(parts[0], 16), parts[2]))
    functions.sort()
    return [start for start, _ in functions], [name for _, name in functions]


def _below_run_for(stacks):
    """The folded stacks without the frames of this module and above."""
    trimmed = {}
    for stack, count in stacks.items():
        frames = stack.split(";")
        marks = [i for i, frame in enumerate(frames)
                 if frame.startswith("run_for (profile.py")]
        if marks:
            frames = frames[marks[-1] + 1:] or frames[-1:]
        key = ";".join(frames)
        trimmed[key] = trimmed.get(key, 0) + count
    return trimmed


def _frame_name(raw):
    """vmprof's 'py:name:line:file' as 'name (file:line)'; others as is."""
    parts = raw.split(":")
    if len(parts) >= 4 and parts[0] == "py":
        path = ":".join(parts[3:])
        return f"{parts[1]} ({os.path.basename(path)}:{parts[2]})"
    return raw.replace(";", ",").replace(" ", "_")


# --- the picture -------------------------------------------------------------


def why_no_picture():
    if shutil.which("dot") is None:
        return "graphviz's dot is missing (Debian: apt-get install graphviz)"
    try:
        import gprof2dot  # noqa: F401
    except ImportError:
        return "gprof2dot is missing (pip install gprof2dot, or .[explain])"
    return None


#: callgrind knows the whole C stack above the measured region (main,
#: Py_RunMain, ..., operator.call): the picture starts at the evaluation
#: loop of the measured call, the second level of _PyEval_EvalFrameDefault
#: (CPython 3.11+ runs Python-to-Python calls in one C frame); where there
#: is no such function the whole graph is drawn.
CALLGRIND_ROOT = "_PyEval_EvalFrameDefault'2"


def draw(path, fmt, picture):
    """Call graph of the profile at ``path`` into ``picture`` (PNG).

    The nodes under 0.5 % of the time and edges under 0.1 % are left out
    (gprof2dot's defaults), so that the picture stays readable.
    """
    with tempfile.NamedTemporaryFile("w+", suffix=".dot") as dot_file:
        command = [sys.executable, "-m", "gprof2dot", "-f", fmt, "-w",
                   "-o", dot_file.name, path]
        if fmt != "callgrind" or subprocess.run(
                command + ["--root", CALLGRIND_ROOT],
                capture_output=True).returncode != 0:
            subprocess.run(command, check=True)
        subprocess.run(["dot", "-Tpng", "-o", picture, dot_file.name],
                       check=True)


def profile_callgrind(impl_name, case_id, path, top):
    """One call of the case under callgrind, C functions included.

    The region is marked as in ``instructions`` (one call through
    operator.call after a warm-up, collected alone).
    """
    reason = instructions.why_no_callgrind(sys.executable)
    if reason:
        raise implementations.Unavailable(reason)
    command = [
        "valgrind", "--tool=callgrind", "--collect-atstart=no",
        f"--toggle-collect={instructions.MARKER}",
        f"--callgrind-out-file={path}", "--log-file=/dev/null",
        sys.executable, "-m", MODULE, "--impl", impl_name, "--workload",
        case_id, "--callgrind-child",
    ]
    process = subprocess.run(command, capture_output=True, text=True,
                             env=dict(os.environ, PYTHONHASHSEED="0"))
    if process.returncode != 0:
        raise implementations.Unavailable(
            "the profiled process failed: " + process.stderr[-800:])
    annotated = subprocess.run(
        ["callgrind_annotate", "--inclusive=no", path],
        capture_output=True, text=True).stdout
    # Directories out: "floatobject.c:PyFloat_FromDouble [libpython3.11.so]"
    lines = [re.sub(r"[^\s\[]*/", "", line)
             for line in annotated.splitlines()
             if re.match(r"\s*[\d,]+ \(", line)]
    return "\n".join(lines[:top + 1]) + "\n", "callgrind", 1


def callgrind_child(impl_name, case_id):
    _, function = bound_workload(impl_name, case_id)
    function()  # warm-up: specialise, fill caches
    operator.call(function)


def profile(impl_name, workload="board", calls=None, seconds=5.0, top=15,
            output=DEFAULT_OUTPUT, native=False):
    """Profile, print-ready text and picture; a dict saying what was done.

    ``native``: on CPython, callgrind instead of cProfile (one call, the C
    functions of the interpreter and of the extension in the picture).
    """
    case_id, function = bound_workload(impl_name, workload)
    function()  # warm-up, outside the profile (and the JIT's first trace)
    folder = os.path.join(output, interpreter_tag())
    os.makedirs(folder, exist_ok=True)
    base = os.path.join(folder, f"{impl_name}-{case_id}")
    notes = []
    use_vmprof = IS_PYPY and why_no_vmprof() is None
    if native and IS_PYPY:
        notes.append("--native is callgrind, for CPython: on PyPy vmprof "
                     "samples the native frames already")
    if IS_PYPY and not use_vmprof:
        notes.append(why_no_vmprof() + "; profiled with cProfile instead, "
                     "whose hooks keep PyPy's JIT from inlining calls: the "
                     "split of time is distorted")
    if native and not IS_PYPY:
        path = base + ".callgrind"
        text, fmt, calls = profile_callgrind(impl_name, case_id, path, top)
        profiler = "callgrind"
    elif use_vmprof:
        path = base + ".folded"
        text, fmt, calls = profile_vmprof(function, calls, seconds, path,
                                          top)
        profiler = "vmprof"
    else:
        path = base + ".pstats"
        text, fmt, calls = profile_cprofile(function, calls, seconds, path,
                                            top)
        profiler = "cProfile"
    result = {"impl": impl_name, "workload": case_id, "calls": calls,
              "interpreter": f"{platform.python_implementation()} "
                             f"{platform.python_version()}"
                             + (" (PyPy %d.%d.%d)" % sys.pypy_version_info[:3]
                                if IS_PYPY else ""),
              "profiler": profiler, "profile": path, "top": text,
              "notes": notes}
    reason = why_no_picture()
    if reason:
        notes.append(f"no picture: {reason}")
    else:
        result["picture"] = base + ("-native.png" if profiler == "callgrind"
                                    else ".png")
        draw(path, fmt, result["picture"])
    return result


def render(result):
    """What was profiled, the top functions, and where the files are."""
    lines = [f"{result['profiler']} of `{result['impl']}` on "
             f"`{result['workload']}` ({result['calls']} calls), "
             f"{result['interpreter']}", "", "```", result["top"].strip(),
             "```", "", f"profile: {result['profile']}"]
    if "picture" in result:
        lines.append(f"call graph: {result['picture']}")
    lines += [f"note: {note}" for note in result["notes"]]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--impl", required=True,
                        help="an implementation: " + ", ".join(
                            implementations.ALL))
    parser.add_argument("--workload", default="board",
                        help="a bench case id (default: board)")
    parser.add_argument("--calls", type=int,
                        help="calls profiled, after one warm-up (default: "
                        "as many as fit in --seconds)")
    parser.add_argument("--seconds", type=float, default=5.0,
                        help="how long to profile (default 5 s; vmprof "
                        "takes about 70 samples a second on PyPy)")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--native", action="store_true",
                        help="CPython: one call under callgrind, C "
                        "functions included, instead of cProfile")
    parser.add_argument("--callgrind-child", action="store_true",
                        help=argparse.SUPPRESS)
    parser.add_argument("--output", default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if args.callgrind_child:
        callgrind_child(args.impl, args.workload)
        return
    try:
        result = profile(args.impl, args.workload, args.calls, args.seconds,
                         args.top, args.output, args.native)
    except (implementations.Unavailable, ValueError) as error:
        sys.exit(f"cannot profile {args.impl}: {error}")
    print(render(result))


if __name__ == "__main__":
    main()

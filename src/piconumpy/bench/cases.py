"""The measured cases: a workload with its sizes, and how to select them.

A case is what one table of the report is about (``board``, ``op_add``,
``scale_add[n=1024]``); the runner knows only workloads and parameters.
"""

import dataclasses

from .bindings import OPS

SCALING_OPS = ("add", "mul")


@dataclasses.dataclass
class Sizes:
    board: tuple = (10, 200)            # n_sleds, n_time: the classic size
    board_long: tuple = (100, 2000)
    callbacks: int = 100_000
    micro: int = 10_000                 # n of the loops over one array
    op_repeat: int = 1000               # operations per timed call
    op_n: int = 4                       # array size of the per-op costs
    scaling: tuple = (4, 64, 1024, 16384, 262144)
    scaling_elements: int = 65536       # elements per timed call


#: Tiny sizes for --quick (a smoke test, not a measurement).
QUICK_SIZES = Sizes(
    board=(3, 20), board_long=(4, 50), callbacks=1000, micro=200,
    op_repeat=50, scaling=(4, 1024), scaling_elements=4096,
)

#: What --quick measures unless workloads are named.
QUICK_SELECTION = ("board", "board_own_trig", "callbacks", "sum_loop",
                   "op_construct", "op_add", "scaling")


#: The micro-benchmarks are many (two thirds of the measurements) and each
#: call is short and regular: a third of a second of warm-up (still cut
#: short only once timings settle) and of timed calls gives hundreds of
#: calls, and keeps `make bench` to a few minutes.
MICRO_SETTINGS = {"warmup_min": 0.3, "min_time": 0.3}


@dataclasses.dataclass
class Case:
    id: str
    workload: str    # a name of bindings.WORKLOADS
    params: dict
    group: str       # board, callbacks, loops, ops, scaling
    # Runner settings for this case (a long case needs fewer calls).
    settings: dict = dataclasses.field(default_factory=dict)
    # Measured when no workload is named (board_long takes many minutes).
    default: bool = True

    def matches(self, name):
        """Loosely: by workload, group or family (``scale_add``)."""
        return name in (self.workload, self.group) or self.id.startswith(
            name + "[")


def all_cases(sizes):
    """Every case, in report order, at these sizes."""
    n_sleds, n_time = sizes.board
    long_sleds, long_time = sizes.board_long
    cases = [
        Case("board", "board", {"n_sleds": n_sleds, "n_time": n_time},
             "board"),
        Case("board_long", "board",
             {"n_sleds": long_sleds, "n_time": long_time}, "board",
             # Up to a minute per call for numpy on PyPy: few calls.
             settings={"min_calls": 3, "min_time": 0.0}, default=False),
        Case("board_own_trig", "board_own_trig",
             {"n_sleds": n_sleds, "n_time": n_time}, "board"),
        Case("callbacks", "callbacks", {"n": sizes.callbacks}, "callbacks"),
    ]
    for name in ("sum_loop", "sum_loop_index", "init_zeros", "cort"):
        cases.append(Case(name, name, {"n": sizes.micro}, "loops",
                          settings=MICRO_SETTINGS))
    for op in OPS:
        cases.append(Case(f"op_{op}", "op", {
            "op": op, "n": sizes.op_n, "repeat": sizes.op_repeat}, "ops",
            settings=MICRO_SETTINGS))
    for op in SCALING_OPS:
        for n in sizes.scaling:
            repeat = max(1, sizes.scaling_elements // n)
            cases.append(Case(f"scale_{op}[n={n}]", "scale", {
                "op": op, "n": n, "repeat": repeat}, "scaling",
                settings=MICRO_SETTINGS))
    return cases


def select(cases, names):
    """The cases named by ``names``, in report order.

    A name is a case id (``board`` is only the classic size), else a
    workload, group or family (``ops``, ``scaling``, ``scale_add``), or
    ``all``.  No name: every default case (all but board_long).
    Raise ValueError for a name that matches nothing.
    """
    if not names:
        return [c for c in cases if c.default]
    if "all" in names:
        return list(cases)
    ids = {c.id for c in cases}
    wanted = set()
    for name in names:
        if name in ids:
            wanted.add(name)
            continue
        matching = {c.id for c in cases if c.matches(name)}
        if not matching:
            known = sorted(ids | {c.group for c in cases}
                           | {c.workload for c in cases})
            raise ValueError(f"unknown workload {name!r}; known: "
                             + ", ".join(known))
        wanted |= matching
    return [c for c in cases if c.id in wanted]

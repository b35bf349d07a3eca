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
                   "op_construct", "op_add", "scaling", "board_rhs",
                   "instantiate", "element_wise")

# The budget of `make bench`: eight interpreters x ~290 measurements must
# fit in 45 minutes on two cores (`--estimate` computes it).  Settings here
# are caps on the run's.
#
#: The headline cases run in several processes (``repeated``): the
#: processes, not the calls, are the samples, so each gets a shorter warm-up
#: floor (it still goes on until timings settle, up to warmup_max) and a
#: fifth of a second of timed calls, five at least.
REPEATED_SETTINGS = {"warmup_min": 0.3, "warmup_max": 3.0, "min_calls": 5,
                     "min_time": 0.15}
#: The single calls the earlier projects published are repeated in one
#: timed call (about a millisecond) and regular: less of each.
SINGLE_CALL_SETTINGS = dict(REPEATED_SETTINGS, warmup_min=0.2, min_time=0.1)
#: The micro-benchmarks (the loops, per-operation costs, scaling) are many,
#: measured in one process each; each call is short and regular: a tenth of
#: a second of warm-up (cut short only once timings settle) and of timed
#: calls still gives hundreds of calls.
MICRO_SETTINGS = {"warmup_min": 0.1, "warmup_max": 2.0, "min_time": 0.1}


@dataclasses.dataclass
class Case:
    id: str
    workload: str    # a name of bindings.WORKLOADS
    params: dict
    group: str       # board, callbacks, published, loops, ops, scaling
    # Runner settings for this case (a long case needs fewer calls).
    settings: dict = dataclasses.field(default_factory=dict)
    # Measured when no workload is named (board_long takes many minutes).
    default: bool = True
    # Measured in several processes (--processes), a headline case.
    repeated: bool = False

    def matches(self, name):
        """Loosely: by workload, group or family (``scale_add``)."""
        return name in (self.workload, self.group) or self.id.startswith(
            name + "[")


def all_cases(sizes):
    """Every case, in report order, at these sizes."""
    n_sleds, n_time = sizes.board
    long_sleds, long_time = sizes.board_long
    board = {"n_sleds": n_sleds, "n_time": n_time}
    cases = [
        Case("board", "board", board, "board", REPEATED_SETTINGS,
             repeated=True),
        Case("board_long", "board",
             {"n_sleds": long_sleds, "n_time": long_time}, "board",
             # Up to a minute per call for numpy on PyPy: few calls.
             settings={"min_calls": 3, "min_time": 0.0}, default=False),
        Case("board_own_trig", "board_own_trig", dict(board), "board",
             REPEATED_SETTINGS, repeated=True),
        Case("callbacks", "callbacks", {"n": sizes.callbacks}, "callbacks",
             REPEATED_SETTINGS, repeated=True),
    ]
    # The single calls the earlier projects published (PUBLISHED.md).
    for name in ("board_rhs", "instantiate", "element_wise"):
        cases.append(Case(name, name, {"repeat": sizes.op_repeat},
                          "published", SINGLE_CALL_SETTINGS, repeated=True))
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

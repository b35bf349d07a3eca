"""How each workload runs on each kind of implementation.

A workload here is a name (what the runner is asked to measure) and:
``kinds(params)``, the kinds of implementation it applies to;
``inputs(params)``, its input data as plain Python values, made from a
seeded generator (the same on every interpreter); and
``bind(kind, impl, data, params)``, a function of no argument doing one
timed call and returning its result.  Inputs are converted to the
implementation's arrays in ``bind``, outside the timed call.
``units(params)`` says how much work one call is, for per-unit figures.
"""

import array as _carray
import math
import random

from . import compilers
from .workloads import board, callbacks, micro, single_calls


def _doubles(values):
    """The native reference's input: a contiguous buffer of C doubles."""
    return _carray.array("d", values)


def _random_values(n, seed):
    rng = random.Random(seed)
    return [rng.random() for _ in range(n)]


# --- board and board_own_trig -----------------------------------------------

DT = 0.01


class Board:
    own_trig = False
    unit = "RK4 step"

    def kinds(self, params):
        return {"array", "python", "native", *compilers.KINDS}

    def inputs(self, params):
        return {"y0s": _random_values(params["n_sleds"], seed=0)}

    def units(self, params):
        return params["n_sleds"] * params["n_time"]

    def bind(self, kind, impl, data, params):
        y0s, n_time = data["y0s"], params["n_time"]
        if kind == "array":
            own_trig = self.own_trig
            return lambda: board.solve(impl, y0s, n_time, DT, own_trig)
        if kind == "python":
            return lambda: board.solve_lists(y0s, n_time, DT)
        if kind == "native":
            buffer = _doubles(y0s)
            return lambda: impl.board(buffer, n_time, DT)
        import numpy  # what Transonic made takes numpy arrays

        y0s_array = numpy.array(y0s)
        return lambda: impl.solve(y0s_array, n_time, DT)


class BoardOwnTrig(Board):
    """board with each implementation's own cos/sin on floats."""

    own_trig = True

    def kinds(self, params):
        # The compiled and list versions have no trig of their own.
        return {"array", "native"}


# --- callbacks -----------------------------------------------------------------


class Callbacks:
    unit = "call"

    def kinds(self, params):
        return {"python", "native"}

    def inputs(self, params):
        return {}

    def units(self, params):
        return params["n"]

    def bind(self, kind, impl, data, params):
        n = params["n"]
        if kind == "python":
            return lambda: callbacks.run(n)
        return lambda: impl.rober(n)


# --- loops over one array --------------------------------------------------------


class Loop:
    """sum_loop, sum_loop_index, init_zeros: one function of one array."""

    unit = "element"

    def __init__(self, function, native_name):
        self.function = function
        self.native_name = native_name

    def kinds(self, params):
        return {"array", "python", "native"}

    def inputs(self, params):
        return {"values": _random_values(params["n"], seed=1)}

    def units(self, params):
        return params["n"]

    def bind(self, kind, impl, data, params):
        function = self.function
        if kind == "native":
            buffer = _doubles(data["values"])
            native = getattr(impl, self.native_name)
            if self.native_name == "zero":  # returns None: give the array
                return lambda: (native(buffer), buffer)[1]
            return lambda: native(buffer)
        arr = impl.array(data["values"])  # a list for "python"
        return lambda: function(arr)


class Cort:
    unit = "element"

    def kinds(self, params):
        return {"array", "python", "native"}

    def inputs(self, params):
        return {
            "s1": _random_values(params["n"], seed=2),
            "s2": _random_values(params["n"], seed=3),
        }

    def units(self, params):
        return params["n"]

    def bind(self, kind, impl, data, params):
        if kind == "native":
            s1, s2 = _doubles(data["s1"]), _doubles(data["s2"])
            return lambda: impl.cort(s1, s2)
        s1, s2 = impl.array(data["s1"]), impl.array(data["s2"])
        return lambda: micro.cort(s1, s2)


# --- one operation, repeated: per-operation costs and scaling --------------------

# op -> (the Python loop, the native function, does it apply to lists?)
_OPS = {
    "construct": (micro.op_construct, "construct", True),
    "mul": (micro.op_mul, "elementwise", False),
    "rmul": (micro.op_rmul, "elementwise", False),
    "div": (micro.op_div, "elementwise", False),
    "add": (micro.op_add, "elementwise", False),
    "neg": (micro.op_neg, "elementwise", False),
    "zeros": (micro.op_zeros, "elementwise", True),
    "getitem": (micro.op_getitem, "getitem_sum", True),
    "len": (micro.op_len, "len_sum", True),
    "size": (micro.op_size, "len_sum", False),
    "cos": (micro.op_cos, "cos_sum", True),
}
OPS = tuple(_OPS)


class Operation:
    """params: op (one of OPS), n (array size), repeat (operations per call)."""

    unit = "operation"

    def kinds(self, params):
        with_lists = _OPS[params["op"]][2]
        return {"array", "native"} | ({"python"} if with_lists else set())

    def inputs(self, params):
        n = params["n"]
        return {"a": _random_values(n, seed=4), "b": _random_values(n, seed=5)}

    def units(self, params):
        return params["repeat"]

    def bind(self, kind, impl, data, params):
        op, repeat = params["op"], params["repeat"]
        loop, native_name, _ = _OPS[op]
        a, b = data["a"], data["b"]
        if kind == "native":
            native = getattr(impl, native_name)
            buffer_a = _doubles(a)
            if native_name in ("construct", "elementwise"):
                out = _doubles(a)  # the result goes there: no allocation
                if op == "construct":
                    return lambda: (native(a, out, repeat), out)[1]
                buffer_b = _doubles(b) if op == "add" else buffer_a
                return lambda: (native(op, buffer_a, buffer_b, out, repeat),
                                out)[1]
            return lambda: native(buffer_a, repeat)
        if op in ("construct", "cos", "zeros"):  # from a list / of floats
            return lambda: loop(impl, a, repeat)
        array_a = impl.array(a)
        if op == "add":
            array_b = impl.array(b)
            return lambda: loop(impl, array_a, array_b, repeat)
        return lambda: loop(impl, array_a, repeat)


class Scaling(Operation):
    """An element-wise operation at size n; per-element figures."""

    unit = "element"

    def units(self, params):
        return params["repeat"] * params["n"]


# --- single calls the earlier projects published ----------------------------


class SingleCall:
    """board_rhs, instantiate, element_wise on a 4-item array, repeated:
    params ``repeat`` (calls per timed call).  The native reference writes
    into a buffer made once, as the per-operation cases do."""

    unit = "call"

    def __init__(self, name):
        self.name = name

    def kinds(self, params):
        return {"array", "python", "native"}

    def inputs(self, params):
        return {"x": _random_values(4, seed=6)}

    def units(self, params):
        return params["repeat"]

    def bind(self, kind, impl, data, params):
        repeat, values = params["repeat"], data["x"]
        if kind == "native":
            native, name = impl.single_call, self.name
            buffer, out = _doubles(values), _doubles(values)
            return lambda: (native(name, buffer, out, repeat), out)[1]
        x = impl.array(values)  # a list for "python"
        if self.name == "board_rhs":
            rhs = board.make_board(impl.array, math.cos, math.sin)
            return lambda: single_calls.board_rhs(rhs, x, repeat)
        if self.name == "instantiate":
            return lambda: single_calls.instantiate(impl.array, x, repeat)
        if kind == "python":
            return lambda: single_calls.element_wise_lists(x, repeat)
        return lambda: single_calls.element_wise(x, repeat)


#: The workloads the runner knows, by name.
WORKLOADS = {
    "board": Board(),
    "board_own_trig": BoardOwnTrig(),
    "callbacks": Callbacks(),
    "sum_loop": Loop(micro.sum_loop, "sum"),
    "sum_loop_index": Loop(micro.sum_loop_index, "sum"),
    "init_zeros": Loop(micro.init_zeros, "zero"),
    "cort": Cort(),
    "board_rhs": SingleCall("board_rhs"),
    "instantiate": SingleCall("instantiate"),
    "element_wise": SingleCall("element_wise"),
    "op": Operation(),
    "scale": Scaling(),
}

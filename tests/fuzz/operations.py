"""The operations the fuzz tests apply, by name: the ways to call the API
(right and wrong), and the operators and builtins an array may meet,
defined by the specification or not.
"""

import operator

from .compare import numpy

def construct(env, iterable):
    return env.module.array(env.build(iterable))


# The wrong ways (and the other right ways) to call array().
CALLS = {
    "array()": lambda m, x: m.array(),
    "array(x, x)": lambda m, x: m.array(x, x),
    "array(iterable=x)": lambda m, x: m.array(iterable=x),
    "array(values=x)": lambda m, x: m.array(values=x),
    "array(x, iterable=x)": lambda m, x: m.array(x, iterable=x),
    "type(a)(x)": lambda m, x: type(m.zeros(1))(x),
    "zeros()": lambda m, x: m.zeros(),
    "zeros(3, 3)": lambda m, x: m.zeros(3, 3),
    "zeros(n=3)": lambda m, x: m.zeros(n=3),
    "empty(n=3)": lambda m, x: len(m.empty(n=3)),
    "zeros(*[3])": lambda m, x: m.zeros(*[3]),
    "cos()": lambda m, x: m.cos(),
    "cos(0.5, 0.5)": lambda m, x: m.cos(0.5, 0.5),
    "sin(x=0.5)": lambda m, x: m.sin(x=0.5),
    "cos(*[0.5])": lambda m, x: m.cos(*[0.5]),
    "cos(x)": lambda m, x: m.cos(x),
}

# a (op) s and s (op) a, for a scalar s; only * and / are defined.
SCALAR_OPERATIONS = {
    "a * s": operator.mul,
    "s * a": lambda a, s: s * a,
    "a / s": operator.truediv,
    "s / a": lambda a, s: s / a,
    "a *= s": lambda a, s: operator.imul(a, s),
    "a /= s": lambda a, s: operator.itruediv(a, s),
    "a + s": operator.add,
    "s - a": lambda a, s: s - a,
    "a // s": operator.floordiv,
    "a % s": operator.mod,
    "a ** s": operator.pow,
    "a @ s": operator.matmul,
    "a < s": operator.lt,
    "a == s": operator.eq,
    "divmod(a, s)": divmod,
    "a.__mul__(s)": lambda a, s: a.__mul__(s),
    "a.__truediv__(s)": lambda a, s: a.__truediv__(s),
}

ARRAY_OPERATIONS = {
    "a + b": operator.add,
    "a - b": operator.sub,
    "a += b": lambda a, b: operator.iadd(a, b),
    "a -= b": lambda a, b: operator.isub(a, b),
    "a * b": operator.mul,
    "a / b": operator.truediv,
    "a @ b": operator.matmul,
    "a == b": operator.eq,
    "a != b": operator.ne,
    "a <= b": operator.le,
    "a is b": operator.is_,
    "a.__add__(b)": lambda a, b: a.__add__(b),
    "a.__sub__(b)": lambda a, b: a.__sub__(b),
}

UNARY_OPERATIONS = {
    "-a": operator.neg,
    "+a": operator.pos,
    "abs(a)": abs,
    "~a": operator.invert,
    "bool(a)": bool,
    "len(a)": len,
    "a.size": lambda a: a.size,
    "a.tolist()": lambda a: a.tolist(),
    "list(a)": list,
    "tuple(a)": tuple,
    "[*a]": lambda a: [*a],
    "repr(a)": repr,
    "str(a)": str,
    "f'{a}'": lambda a: f"{a}",
    "float(a)": float,
    "int(a)": int,
    "complex(a)": complex,
    "operator.index(a)": operator.index,
    "a < a": lambda a: a < a,
    "a == a": lambda a: a == a,
    "hash(a) is int": lambda a: type(hash(a)) is int,
    "a.tolist(1)": lambda a: a.tolist(1),
    "a.size = 3": lambda a: setattr(a, "size", 3),
    "del a.size": lambda a: delattr(a, "size"),
    "a.nothing": lambda a: a.nothing,
    "a.nothing = 1": lambda a: setattr(a, "nothing", 1),
    "a.tolist = 1": lambda a: setattr(a, "tolist", 1),
    "del a.tolist": lambda a: delattr(a, "tolist"),
    "del a.nothing": lambda a: delattr(a, "nothing"),
    "a.__array_ufunc__": lambda a: a.__array_ufunc__,
    "iter(a) twice": lambda a: (list(iter(a)), list(iter(a))),
    "exhausted iterator": lambda a: (lambda it: (list(it), list(it)))(iter(a)),
    "zip(a, a)": lambda a: list(zip(a, a)),
    "sum(a)": sum,
    "max(a)": max,
    "sorted(a)": sorted,
}
if numpy is not None:
    UNARY_OPERATIONS.update({
        "numpy.array(a)": lambda a: numpy.array(a, dtype=numpy.float64),
        "numpy.asarray(a, float64)": lambda a: numpy.asarray(
            a, dtype=numpy.float64).copy(),
        "numpy.fromiter(a)": lambda a: numpy.fromiter(a, numpy.float64),
        "numpy.add(a, a)": lambda a: numpy.add(a, a),
        "numpy.cos(a)": numpy.cos,
        "numpy.float64(2) * a": lambda a: numpy.float64(2.0) * a,
        "numpy.int64(3) * a": lambda a: numpy.int64(3) * a,
        "a * numpy.float32(0.5)": lambda a: a * numpy.float32(0.5),
    })


def iterate_while_assigning(a, j, value):
    """Assignments made during an iteration are seen by it."""
    seen = []
    for position, x in enumerate(a):
        seen.append(x)
        if position == 0:
            a[j] = value
    return seen


def set_item(a, i, value):
    a[i] = value
    return a


def del_item(a, i):
    del a[i]

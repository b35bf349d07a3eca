"""One operation on every backend at once, compared with purepy and numpy.

``Differential(modules, counts)`` is what the ``differential`` fixture gives
the fuzz tests: calling it runs an operation on each backend's own objects
(built by ``Env`` from one recipe), compares everything observable with
purepy's (``observe``), and counts the operations run per backend.
"""

import dataclasses
import collections
import warnings

from piconumpy import _rules
from support import backends

from . import IS_PYPY
from .compare import describe, key, numpy, outcome
from .hostile import Env, HostileBaseError

#: Differences that a backend cannot remove, by operation name: the labels
#: of the backends whose outcome is not compared, and why.
KNOWN_DIFFERENCES = {}
if IS_PYPY:
    for _name in ("a.nothing = 1", "a.tolist = 1"):
        KNOWN_DIFFERENCES[_name] = (
            {label for label in backends.LABELS
             if backends.name_of(label) == "hpy_universal"},
            "PyPy gives instances of HPy types a __dict__, and HPy has no "
            "tp_setattro slot to refuse attributes",
        )


@dataclasses.dataclass
class Counts:
    """The size of a fuzzing run, printed at the end of the session."""

    #: Operations run, per backend label.
    operations: collections.Counter = dataclasses.field(
        default_factory=collections.Counter)
    #: Floats compared with numpy's.
    numpy_floats: int = 0


def observe(module, operation):
    """Run ``operation(env)`` on backend ``module``; everything observable.

    Returns ``(description, result)``; the result is None on an error.
    """
    env = Env(module)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result, described = outcome(lambda: operation(env), module,
                                    (Exception, HostileBaseError))
    after = tuple(sorted(
        (name, describe(target, module))
        for name, target in env.targets.items()
    ))
    warned = tuple(sorted({w.category.__name__ for w in caught}))
    return (described, tuple(env.log), warned, after), result


def plain_value(recipe):
    """The float the specification makes of a value recipe, or None if it
    is no real number (built apart: its side effects are not observed)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            spec = backends.load(backends.SPECIFICATION)
            return _rules.as_real(Env(spec).build(recipe))
    except (Exception, HostileBaseError):
        return None


def numpy_array(values):
    return numpy.array(values, dtype=numpy.float64)


class Differential:
    """Runs operations on every backend of ``modules`` (``(label, module)``,
    purepy first) and compares them with purepy's; counts in ``counts``."""

    def __init__(self, modules, counts):
        assert modules[0][0] == backends.SPECIFICATION
        self.modules = modules
        self.counts = counts

    def __call__(self, operation, operands=(), exempt=()):
        """Run ``operation(env, *operands)`` on every backend, compare with
        purepy.

        ``operands`` are tuples with one object per backend (arrays of the
        state machine), in ``modules`` order.  Returns the results, in that
        order.
        """
        descriptions, results = [], []
        for position, (label, module) in enumerate(self.modules):
            args = [operand[position] for operand in operands]

            def call(env, args=args):
                if args and type(args[0]) is module.array:
                    env.targets.setdefault("array", args[0])
                return operation(env, *args)

            description, result = observe(module, call)
            self.counts.operations[label] += 1
            descriptions.append(description)
            results.append(result)
        expected = descriptions[0]
        for (label, _), description in zip(self.modules, descriptions):
            if label in exempt:
                continue
            assert description == expected, (
                f"{label} differs from purepy:\n  purepy: {expected}\n"
                f"  {label}: {description}"
            )
        return results

    def copies(self, values):
        """One array per backend holding ``values``: an operand tuple."""
        return tuple(module.array(values) for _, module in self.modules)

    def foreign_copies(self, values):
        """Per backend, an array of another backend holding ``values``."""
        return tuple(backends.foreign(module).array(values)
                     for _, module in self.modules)

    def check_numpy(self, result, reference):
        """``result`` (purepy's) must hold numpy's ``reference()`` floats."""
        if numpy is None or result is None:
            return
        with numpy.errstate(all="ignore"):
            expected = reference()
        if isinstance(result, float):
            got, want = [result], [float(expected)]
        else:
            got, want = result.tolist(), numpy.asarray(expected).tolist()
        self.counts.numpy_floats += len(got)
        assert list(map(key, got)) == list(map(key, want)), (got, want)

"""Number-like objects shared by the test modules: what the specification
accepts (``__float__``, ``__index__``) and what it must refuse."""


class WithFloat:
    def __init__(self, value):
        self.value = value

    def __float__(self):
        return self.value


class WithIndex:
    def __init__(self, value):
        self.value = value

    def __index__(self):
        return self.value


class FloatReturnsStr:
    def __float__(self):
        return "1.0"


class Mutating:
    """A number whose conversion changes the list being converted:
    ``action(target)``."""

    def __init__(self, target, action):
        self.target, self.action = target, action

    def __float__(self):
        self.action(self.target)
        return 1.0

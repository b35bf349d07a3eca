"""Live progress of a run: what is running, how much is left.

rich if it is installed, else tqdm, else plain lines; all three have the
same methods: ``start(what)`` before a measurement (or one of its
processes), ``advance(weight)`` when part of a measurement is done (a
process of several), ``done(line, weight)`` after a measurement (the line
is kept on screen; ``weight``: what was not advanced yet), ``close()``.
Progress and the time left are counted in the planned measurements'
expected seconds (estimate.py), since a measurement in five processes
takes five times one in a single process.
"""

import sys
import time


def _elapsed(seconds):
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"


class Plain:
    """One line per measurement, with a count and a rough time left."""

    def __init__(self, weights, stream=None):
        self.steps = len(weights)
        self.total = sum(weights)
        self.count = 0
        self.weight = 0.0
        self.begun = time.monotonic()
        self.stream = stream or sys.stderr

    def start(self, what):
        spent = time.monotonic() - self.begun
        if self.weight:
            left = spent * (self.total - self.weight) / self.weight
        else:  # nothing measured yet: the estimate itself
            left = self.total
        print(f"[{self.count + 1}/{self.steps} {_elapsed(spent)}, "
              f"~{_elapsed(left)} left] {what} ...",
              file=self.stream, flush=True)

    def advance(self, weight):
        self.weight += weight

    def done(self, line, weight=1.0):
        self.count += 1
        self.weight += weight
        print(f"    {line}", file=self.stream, flush=True)

    def close(self):
        pass


class Tqdm:
    def __init__(self, weights):
        import tqdm

        self.tqdm = tqdm.tqdm
        self.bar = tqdm.tqdm(total=round(sum(weights)), unit="s",
                             dynamic_ncols=True)

    def start(self, what):
        self.bar.set_description(what)

    def advance(self, weight):
        self.bar.update(weight)

    def done(self, line, weight=1.0):
        self.tqdm.write(line)
        self.bar.update(weight)

    def close(self):
        self.bar.close()


class Rich:
    def __init__(self, weights):
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress,
                                   TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn)

        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(),
            MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
            transient=False,
        )
        # Counted in expected seconds: the time left follows the plan.
        self.task = self.progress.add_task("starting", total=sum(weights))
        self.progress.start()

    def start(self, what):
        self.progress.update(self.task, description=what)

    def advance(self, weight):
        self.progress.advance(self.task, weight)

    def done(self, line, weight=1.0):
        self.progress.console.print(line, highlight=False, markup=False)
        self.progress.advance(self.task, weight)

    def close(self):
        self.progress.stop()


def make(weights, style="auto"):
    """A progress display; ``weights``: the expected seconds of each
    planned measurement; style: auto, rich, tqdm or plain.  auto: plain
    lines when stderr is not a terminal (logs, CI, tests)."""
    weights = [max(w, 1e-3) for w in weights]  # a skipped row counts a bit
    if style == "auto" and not sys.stderr.isatty():
        return Plain(weights)
    if style in ("auto", "rich"):
        try:
            return Rich(weights)
        except ImportError:
            if style == "rich":
                raise
    if style in ("auto", "tqdm"):
        try:
            return Tqdm(weights)
        except ImportError:
            if style == "tqdm":
                raise
    return Plain(weights)

"""Live progress of a run: what is running, how much is left.

rich if it is installed, else tqdm, else plain lines; all three have the
same three methods: ``start(what)`` before a measurement, ``done(line)``
after it (the line is kept on screen), ``close()``.
"""

import sys
import time


def _elapsed(seconds):
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"


class Plain:
    """One line per measurement, with a count and a rough time left."""

    def __init__(self, total, stream=None):
        self.total = total
        self.count = 0
        self.begun = time.monotonic()
        self.stream = stream or sys.stderr

    def start(self, what):
        self.count += 1
        spent = time.monotonic() - self.begun
        left = ""
        if self.count > 1:
            per_item = spent / (self.count - 1)
            left = f", ~{_elapsed(per_item * (self.total - self.count + 1))} left"
        print(f"[{self.count}/{self.total} {_elapsed(spent)}{left}] {what} ...",
              file=self.stream, flush=True)

    def done(self, line):
        print(f"    {line}", file=self.stream, flush=True)

    def close(self):
        pass


class Tqdm:
    def __init__(self, total):
        import tqdm

        self.tqdm = tqdm.tqdm
        self.bar = tqdm.tqdm(total=total, unit="run", dynamic_ncols=True)

    def start(self, what):
        self.bar.set_description(what)

    def done(self, line):
        self.tqdm.write(line)
        self.bar.update(1)

    def close(self):
        self.bar.close()


class Rich:
    def __init__(self, total):
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress,
                                   TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn)

        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(),
            MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
            transient=False,
        )
        self.task = self.progress.add_task("starting", total=total)
        self.progress.start()

    def start(self, what):
        self.progress.update(self.task, description=what)

    def done(self, line):
        self.progress.console.print(line, highlight=False, markup=False)
        self.progress.advance(self.task)

    def close(self):
        self.progress.stop()


def make(total, style="auto"):
    """A progress display; style: auto, rich, tqdm or plain.

    auto: plain lines when stderr is not a terminal (logs, CI, tests).
    """
    if style == "auto" and not sys.stderr.isatty():
        return Plain(total)
    if style in ("auto", "rich"):
        try:
            return Rich(total)
        except ImportError:
            if style == "rich":
                raise
    if style in ("auto", "tqdm"):
        try:
            return Tqdm(total)
        except ImportError:
            if style == "tqdm":
                raise
    return Plain(total)

"""The results file: one JSON document, valid after every measurement.

Layout: the run's metadata, then ``"results": [...]`` with one record per
(case, interpreter, implementation), then, once the run ends, ``"end"``.
Records are appended in place (the file's closing ``]}`` is overwritten),
so an interrupted run leaves a readable file that simply has no ``"end"``;
the file is rewritten whole only once, at the end.
"""

import json
import os

_TAIL = "\n]}\n"


class ResultsFile:
    def __init__(self, path, metadata):
        """Start the file at ``path`` with ``metadata`` (a JSON-ready dict)."""
        self.path = path
        self.metadata = dict(metadata)
        self.results = []
        head = json.dumps(self.metadata, indent=1)
        if not head.endswith("}"):
            raise ValueError("metadata must be a dict")
        separator = ",\n" if self.metadata else "\n"
        text = head[:-1].rstrip() + separator + ' "results": [' + _TAIL
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        _write_atomically(path, text)

    def add(self, record):
        """Append one record; the file stays valid JSON."""
        separator = ",\n" if self.results else "\n"
        self.results.append(record)
        with open(self.path, "r+b") as file:
            file.seek(-len(_TAIL), os.SEEK_END)
            file.write((separator + json.dumps(record) + _TAIL).encode())
            file.truncate()

    def finish(self, **end):
        """Rewrite the file whole, with ``"end": end`` (e.g. finished time)."""
        document = dict(self.metadata, results=self.results, end=end)
        _write_atomically(self.path, dump(document))


def dump(document):
    """The text of a results document: records one per line."""
    results = document.get("results", [])
    rest = {key: value for key, value in document.items() if key != "results"}
    head = json.dumps(rest, indent=1)
    lines = ",\n".join(json.dumps(record) for record in results)
    return head[:-1].rstrip() + ',\n "results": [\n' + lines + "\n]}\n"


def _write_atomically(path, text):
    temporary = path + ".tmp"
    with open(temporary, "w") as file:
        file.write(text)
    os.replace(temporary, path)


def load(path):
    """The results document at ``path`` (complete or interrupted)."""
    with open(path) as file:
        return json.load(file)

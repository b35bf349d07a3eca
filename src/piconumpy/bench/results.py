"""The results file: one JSON document, valid after every measurement.

Layout: the run's metadata, then ``"results": [...]`` with one record per
(case, interpreter, implementation), then, once the run ends, ``"end"``.
Schema 2: a measured record has a ``processes`` list, one entry per fresh
process (its ``timings``, ``stats``, ``warmup``, ``first_call``,
``check``), and ``stats`` across them (``median``: the median of the
per-process medians).  Schema 1 (one process, its timings at the top of the
record) is read as schema 2 with one process.
Records are appended in place (the file's closing ``]}`` is overwritten),
so an interrupted run leaves a readable file that simply has no ``"end"``;
the file is rewritten whole only once, at the end.
"""

import json
import os

#: The version of the layout this code writes, and the newest it reads.
SCHEMA = 2
_TAIL = "\n]}\n"


class ResultsError(Exception):
    """A file that is not a results file this code reads; str() says why,
    in one line."""


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
    """The results document at ``path`` (complete or interrupted), as
    schema 2; ResultsError if it is missing, not JSON, not a results file
    or of a newer schema."""
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except FileNotFoundError:
        raise ResultsError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ResultsError(f"{path}: cannot be read ({error})") from None
    try:
        document = json.loads(text)
    except ValueError as error:
        raise ResultsError(f"{path}: not JSON ({error}); a truncated or "
                           "foreign file?") from None
    if (not isinstance(document, dict)
            or not isinstance(document.get("schema"), int)
            or not isinstance(document.get("results"), list)
            or not isinstance(document.get("interpreters"), dict)):
        raise ResultsError(f"{path}: not a piconumpy results file (no "
                           "schema, interpreters and results)")
    if document["schema"] > SCHEMA:
        raise ResultsError(
            f"{path}: results schema {document['schema']} is newer than "
            f"this piconumpy reads ({SCHEMA}); report it with a newer one")
    if document["schema"] < 2:
        document["results"] = [_upgrade(r) for r in document["results"]]
    return document


def _upgrade(record):
    """A schema 1 record as schema 2: its one process in ``processes``."""
    if record.get("status") != "ok" or "processes" in record:
        return record
    process = {key: record[key] for key in
               ("first_call", "warmup", "timings", "stats", "check")
               if key in record}
    upgraded = {k: v for k, v in record.items() if k != "timings"}
    upgraded["processes"] = [process]
    upgraded["stats"] = dict(record["stats"], processes=1)
    return upgraded

"""A results document as tables of numbers (no formatting policy here).

``Results`` answers the questions the report asks: the median of a
(case, interpreter, implementation), its ratio to the native reference of
the same case, the interval of a ratio of two rows, their modes, and why
a row has no number.  It reads only the JSON document (results.load makes
old schemas look new), so old results files can be reported again.
"""

from . import intervals, modes


class Results:
    def __init__(self, document):
        self.document = document
        self.records = {}
        for record in document.get("results", []):
            key = (record["case"], record["interpreter"],
                   record["implementation"])
            self.records[key] = record
        self.interpreters = list(document.get("interpreters", {}))
        listed = [case["id"] for case in document.get("cases", [])]
        seen = {case for case, _, _ in self.records}
        self.cases = [c for c in listed if c in seen]
        self.groups = {case["id"]: case["group"]
                       for case in document.get("cases", [])}
        self.params = {case["id"]: case["params"]
                       for case in document.get("cases", [])}
        order = list(document.get("implementations", []))
        found = {impl for _, _, impl in self.records}
        self.implementations = order + sorted(found - set(order))
        self._intervals = {}

    @property
    def complete(self):
        end = self.document.get("end")
        return bool(end) and not end.get("interrupted")

    def implementation_of(self, interpreter):
        """'cpython', 'pypy', ... or None if the interpreter was missing."""
        info = self.document["interpreters"][interpreter].get("info")
        return info["implementation"] if info else None

    def interpreter_named(self, implementation):
        """The first interpreter label of this implementation, or None."""
        for label in self.interpreters_of(implementation):
            return label
        return None

    def interpreters_of(self, implementation):
        """The labels of the interpreters of this implementation found."""
        return [label for label in self.interpreters
                if self.implementation_of(label) == implementation]

    def describe_interpreter(self, label):
        """'PyPy 7.3.11', 'CPython 3.11.7': what the label stands for."""
        info = self.document["interpreters"][label].get("info") or {}
        if info.get("pypy_version"):
            return f"PyPy {info['pypy_version']}"
        if info:
            return f"CPython {info['python_version']}"
        return label

    def cases_in(self, group):
        return [case for case in self.cases if self.groups.get(case) == group]

    def record(self, case, interpreter, impl):
        return self.records.get((case, interpreter, impl))

    def impls_of(self, case):
        """Implementations with a row in this case, in the fixed order."""
        present = {impl for c, _, impl in self.records if c == case}
        return [impl for impl in self.implementations if impl in present]

    def median(self, case, interpreter, impl):
        record = self.record(case, interpreter, impl)
        if record and record["status"] == "ok":
            return record["stats"]["median"]
        return None

    def processes(self, case, interpreter, impl):
        """The timings of each process of a measured row, else None."""
        record = self.record(case, interpreter, impl)
        if record and record["status"] == "ok":
            return [p["timings"] for p in record["processes"]]
        return None

    def interval(self, case, a, b):
        """(ratio, low, high) of row ``a`` over row ``b``, each an
        (interpreter, implementation) pair, or None if either has no
        number.  Computed once per pair (a bootstrap takes a moment)."""
        key = (case, a, b)
        if key not in self._intervals:
            first = self.processes(case, *a)
            second = self.processes(case, *b)
            self._intervals[key] = (
                intervals.ratio_interval(first, second)
                if first and second else None)
        return self._intervals[key]

    def modes(self, case, interpreter, impl):
        """modes.of_measurement of a measured row, else None."""
        processes = self.processes(case, interpreter, impl)
        return modes.of_measurement(processes) if processes else None

    def per_unit(self, case, interpreter, impl):
        """Median seconds per unit of work (operation, element, step)."""
        record = self.record(case, interpreter, impl)
        median = self.median(case, interpreter, impl)
        if median is None:
            return None
        return median / record.get("units_per_call", 1)

    def native(self, case, interpreter):
        """The native median of this case: this interpreter's, else any."""
        median = self.median(case, interpreter, "native")
        if median is not None:
            return median
        for other in self.interpreters:
            median = self.median(case, other, "native")
            if median is not None:
                return median
        return None

    def ratio(self, case, interpreter, impl):
        median = self.median(case, interpreter, impl)
        native = self.native(case, interpreter)
        if median is None or not native:
            return None
        return median / native

    def why_not(self, case, interpreter, impl):
        """Why this row has no number ('not run' if it has no record)."""
        record = self.record(case, interpreter, impl)
        if record is None:
            return "not run"
        if record["status"] == "ok":
            return None
        return f"{record['status']}: {record['reason']}"

    def sorted_impls(self, case):
        """Fastest first: by the best ratio over interpreters, none last."""
        def key(impl):
            values = [self.median(case, i, impl) / (self.native(case, i) or 1)
                      for i in self.interpreters
                      if self.median(case, i, impl) is not None]
            return (not values, min(values, default=0.0))

        return sorted(self.impls_of(case), key=key)

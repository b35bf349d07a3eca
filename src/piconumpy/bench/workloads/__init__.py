"""The workloads: pure functions of a backend namespace (array, cos, sin, zeros).

They know nothing about timing, implementations or results files; see
bench/cases.py for how each is bound to an implementation and its inputs.
"""

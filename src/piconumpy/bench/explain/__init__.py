"""Instruments that explain the benchmark's figures (issue 11).

- ``instructions``: instructions per operation and per board call, counted
  by valgrind's callgrind over the measured region only (CPython);
- ``profile``: cProfile (CPython) or vmprof (PyPy) of one workload, its top
  functions and a call-graph picture (gprof2dot + graphviz);
- ``api``: the CPython C-API and HPy names each C backend uses, from the
  sources, and the README's tables of them;
- ``jit``: what PyPy's JIT leaves in the main loop of the board and
  element_wise (PYPYLOG: loops, bridges, aborts, residual calls by target,
  allocations);
- ``collect``: the instruction counts and the JIT's view a benchmark run
  adds beside its timings, in a side file its report reads.

``python -m piconumpy.bench profile|instructions|api|jit`` run them.

Each module has a function returning the data, one rendering it as
Markdown, and a ``main`` (``python -m piconumpy.bench.explain.<module>``).
"""

"""Instruments that explain the benchmark's figures (issue 11).

- ``instructions``: instructions per operation and per board call, counted
  by valgrind's callgrind over the measured region only (CPython);
- ``profile``: cProfile (CPython) or vmprof (PyPy) of one workload, its top
  functions and a call-graph picture (gprof2dot + graphviz);
- ``api``: the CPython C-API and HPy names each C backend uses, from the
  sources, and the README's tables of them.

Each module has a function returning the data, one rendering it as
Markdown, and a ``main`` (``python -m piconumpy.bench.explain.<module>``).
"""

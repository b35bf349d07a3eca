"""The piconumpy experiment: workloads x implementations x interpreters.

    python -m piconumpy.bench --help

Data flows one way: workloads (pure functions of a backend namespace) ->
runner (one measurement in a fresh process) -> orchestrator (the JSON
results file) -> report (tables, Markdown, plots, from the JSON only).
"""

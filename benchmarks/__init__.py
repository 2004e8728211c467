"""``make bench``: the console at an operator's scale, with the floor beside every figure.

``python -m benchmarks all`` (or one scenario: ``lookup``, ``filing``, ``release``, ``claim``,
``import``) needs PostgreSQL and Redis. It works in a database of its own (``console_bench``),
generates the load data once, serves the console with gunicorn, drives it from a load generator
in a second process and writes ``benchmarks/results.json`` and ``benchmarks/RESULTS.md``."""

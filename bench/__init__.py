"""Benchmarks (not tests): run one with `python -m bench.NAME`; each ends with one JSON line."""

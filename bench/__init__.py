"""Benchmarks (run as scripts: `uv run python bench/NAME.py`); a package so one can reuse another's parts."""

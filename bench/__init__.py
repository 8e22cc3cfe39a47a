"""Benchmarks, run as scripts (`uv run python bench/NAME.py`); a package so that one can
reuse another's parts and mypy names each module once."""

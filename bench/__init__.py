"""Benchmarks for the cluster map: `python -m bench.run --quick|--full` (see BENCHMARKS.md)."""

"""Benchmarks for the cluster map: `python -m bench.run --smoke|--quick|--full` (see BENCHMARKS.md)."""

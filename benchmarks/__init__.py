"""Load and startup benchmarks of a rendered service against bare FastAPI baselines.

Run with `bash benchmarks/run.sh`; docs/performance.md describes the method.
"""

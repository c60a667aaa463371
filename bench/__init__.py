"""Benchmarks: a reproducible seeder (``python -m bench seed``) and the runner (``python -m bench run``)."""

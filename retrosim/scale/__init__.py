"""Runs at scale: Dask sweeps, their Zarr store, cohort bands and comparisons.

Consumers of whole runs; nothing below imports them.
"""

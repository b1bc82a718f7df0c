"""Benchmarks of retrosim for airspeed velocity (asv); see docs/benchmarks.md."""

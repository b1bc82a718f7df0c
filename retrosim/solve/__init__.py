"""The closed form along a piecewise-linear timeline: VO2, HR, energy and blood pressure.

Pure array code: a timeline and a cohort in, trajectories out; no SimPy, no randomness.
"""

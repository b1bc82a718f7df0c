"""Fit a person to a recorded session: readers, the forward model, MAP + Laplace, the person.

``retrosim fit RECORDING -o person.toml`` (:mod:`retrosim.cli.fit`) reads a recording
(:mod:`~retrosim.fit.records`, :mod:`~retrosim.fit.formats`), fits the traits it informs
(:mod:`~retrosim.fit.person`) with retrosim's heart-rate model (:mod:`~retrosim.fit.forward`) by
MAP with a Laplace approximation (:mod:`~retrosim.fit.problem`), and writes a runnable scenario
whose ``[subject]`` holds the fitted traits with their sd.
"""

"""The what-if page in the browser: ``retrosim app`` (the ``app`` extra, Shiny for Python).

Three views. *What-if*: a person, arms as rows of stages, a run for many virtual walkers, the
comparison table, traces with bands, falls, blood-pressure readings and warnings, and the
scenario (TOML), result (NetCDF) and report (HTML) to download. *Teaching*: sliders that
redraw the lessons' curves from :mod:`retrosim.physiology`. *Design*: ``retrosim design``'s
search of a person's sessions under limits (:mod:`~retrosim.app.design_tab`). The pure parts
(:mod:`~retrosim.app.form`, :mod:`~retrosim.app.outcome`, :mod:`~retrosim.app.lessons`,
:mod:`~retrosim.model.tomlwriter`) need no web framework; :mod:`~retrosim.app.page`,
:mod:`~retrosim.app.server` (wiring :mod:`~retrosim.app.visit`, :mod:`~retrosim.app.editing`,
:mod:`~retrosim.app.running` and :mod:`~retrosim.app.outputs`) and :mod:`~retrosim.app.serve`
do. Nothing in retrosim imports this package.
"""

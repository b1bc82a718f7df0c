"""Protocol and programme design: search what a person can do for the most benefit while
physiological limits hold at a stated quantile of her prediction distribution.

``retrosim.design(scenario, objectives=..., vary=..., limits=...)`` returns the Pareto front
(:func:`retrosim.design.study.design`); ``retrosim design`` on the command line writes it with
one runnable scenario per design. The parts: :mod:`~retrosim.design.problem` (variables,
objectives, limits: the generic problem), :mod:`~retrosim.design.session` and
:mod:`~retrosim.design.programme` (what a candidate is and how a batch of them runs),
:mod:`~retrosim.design.search` (NSGA-II, grid, random), :mod:`~retrosim.design.output` (the
files). Importing it loads neither pymoo nor the engine; a search does.
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _DesignModule(types.ModuleType):
    """The package is callable: ``retrosim.design(...)`` is :func:`study.design`."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from retrosim.design.study import design

        return design(*args, **kwargs)


sys.modules[__name__].__class__ = _DesignModule

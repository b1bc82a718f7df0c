"""What a report shows, as data: the result and the trace bands (the page is built from it).

:mod:`retrosim.report.document` fills a :class:`ReportData`; :mod:`retrosim.report.html` and
:mod:`retrosim.report.sections` render it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import xarray as xr


@dataclass
class Band:
    """Percentiles over subjects of one trace: ``values`` (arm, 5, M) at ``time`` (M,) [s]."""

    time: np.ndarray
    values: np.ndarray


@dataclass
class ReportData:
    """What a report shows: the result's summaries and events, the trace bands, and the
    warnings raised while running."""

    ds: xr.Dataset
    bands: dict[str, Band]
    source: str
    notes: list[str] = field(default_factory=list)
    band_subjects: int | None = None      # the bands' people, when fewer than the result's
    controllers: str | None = None        # the controlled arms' section (report/controller.py)

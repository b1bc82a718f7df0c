"""Plain-text tables of a result: the per-arm summary and the comparison of arms."""

from __future__ import annotations

import xarray as xr


def summary_table(ds: xr.Dataset) -> str:
    """Per-arm summary: duration, energy, mean MET, VO2 and HR peaks (mean over subjects)."""
    n = ds.sizes["subject"]
    head = f"{ds.attrs['scenario']}: seed {ds.attrs['seed']}, {n} subject{'s' * (n > 1)}, " \
           f"energy model {ds.attrs['energy_model']}"
    falls = "falls_per_1000" in ds
    from retrosim.events.bp import summary_columns  # blood pressure: its columns and notes
    pressure, notes = summary_columns(ds)
    cols = ("arm", "min", "kcal", "MET", "VO2 peak", "HR peak") + ("falls", "95% CI") * falls \
        + tuple(c[0] for c in pressure)
    units = ("", "", "", "mean", "mL/kg/min", "bpm") + ("/1000", "/1000") * falls \
        + tuple(c[1] for c in pressure)
    width = max(12, *(len(str(a)) for a in ds.arm.values))
    lines = [head, _row(cols, width), _row(units, width)]
    for arm in ds.arm.values:
        r = ds.sel(arm=arm)
        cells = (str(arm), f"{float(r.duration) / 60:.1f}", _cell(r.energy_total, 0),
                 _cell(r.met_mean, 1), _cell(r.vo2_peak, 1), _cell(r.hr_peak, 0))
        if falls:
            cells += (_per_1000(float(r.falls_per_1000)),
                      f"{_per_1000(1000 * float(r.fall_probability_low))}-"
                      f"{_per_1000(1000 * float(r.fall_probability_high))}")
        cells += tuple(c[2](r) for c in pressure)
        lines.append(_row(cells, width))
    lines += notes
    if ds.attrs.get("guidance"):                   # flags from retrosim.events.guidance
        lines += ["guidance:"] + [f"  {line}" for line in ds.attrs["guidance"].splitlines()]
    return "\n".join(lines)


def _per_1000(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}" if value >= 1 else f"{value:.2f}"


def comparison_table(datasets: list[xr.Dataset]) -> str:
    """Every arm of every result against the first arm: values and differences."""
    rows = []
    for ds in datasets:
        prefix = f"{ds.attrs['scenario']}/" if len(datasets) > 1 else ""
        for arm in ds.arm.values:
            r = ds.sel(arm=arm)
            rows.append((prefix + str(arm), float(r.energy_total.mean()),
                         float(r.vo2_peak.mean()), float(r.hr_peak.mean())))
    ref = rows[0]
    width = max(12, *(len(r[0]) for r in rows))
    lines = [f"difference from {ref[0]}",
             _row(("arm", "kcal", "vs ref", "VO2 peak", "vs ref", "HR peak", "vs ref"), width)]
    for name, kcal, vo2, hr in rows:
        lines.append(_row((name, f"{kcal:.1f}", _delta(kcal, ref[1]), f"{vo2:.1f}",
                           _delta(vo2, ref[2]), f"{hr:.0f}", _delta(hr, ref[3])), width))
    return "\n".join(lines)


def _delta(value: float, ref: float) -> str:
    return f"{(value - ref) / ref * 100:+.0f}%" if ref else "-"


def _cell(values: xr.DataArray, digits: int) -> str:
    mean = float(values.mean())
    if float(values.max()) > float(values.min()):
        return f"{mean:.{digits}f}±{float(values.std()):.{digits}f}"
    return f"{mean:.{digits}f}"


def _row(cells: tuple[str, ...], width: int) -> str:
    return f"{cells[0]:<{width}}" + "".join(f"{c:>11}" for c in cells[1:])

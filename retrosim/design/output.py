"""What a design study leaves: the front as a table (text and ``front.csv``), one runnable
scenario per design (``design-01.toml``, ...) with the scenario's person and a comment saying
how it was found, and a plot of the front. Every file is written atomically.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import numpy as np

from retrosim.design.study import Study, limit_column
from retrosim.errors import InputError
from retrosim.model import tomlwriter
from retrosim.results.io import save, write_atomic

#: Designs written as scenarios at most (the best by the first objective).
MAX_FILES = 50


def check_folder(path: str | Path) -> Path:
    """The output folder (made if missing), or one line saying why it cannot be."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise InputError("-o", f"{folder} is a file", "a folder (made if missing)")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _cell(value: Any) -> str:
    if isinstance(value, float | np.floating):
        v = float(value)
        if v == 0 or not math.isfinite(v):
            return f"{v:g}"
        return f"{v:.3g}" if abs(v) < 0.01 else f"{v:.3f}".rstrip("0").rstrip(".")
    return str(value)


def table(study: Study, limit: int = 20) -> str:
    """The front as text: variables, objectives and limited outcomes (at their quantile)."""
    ds = study.dataset()
    cols = [v.name for v in study.problem.variables]
    cols += [o.name for o in study.problem.objectives if o.name not in cols]
    cols += [limit_column(lim) for lim in study.problem.limits]
    rows = [["design", *cols]]
    for i in range(min(ds.sizes["design"], limit)):
        rows.append([f"{i + 1:02d}", *(_cell(ds[c].values[i]) for c in cols)])
    widths = [max(len(r[j]) for r in rows) for j in range(len(rows[0]))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    more = ds.sizes["design"] - limit
    if more > 0:
        lines.append(f"... and {more} more in front.csv")
    return "\n".join(lines)


def write_csv(study: Study, path: Path) -> Path:
    frame = study.dataset().to_dataframe()
    frame.index = [f"design-{i:02d}" for i in frame.index]
    frame.index.name = "design"
    return write_atomic(path, lambda tmp: frame.to_csv(tmp, float_format="%.10g"))


def write_front(study: Study, path: Path) -> Path:
    """The front's Dataset as NetCDF (``front.nc``: what ``retrosim report DIR`` reads)."""
    return save(study.dataset(), path)


def comment(study: Study, rank: int) -> str:
    """The comment at the head of a written design: how it was found and what it gives."""
    i = study.front[rank]
    values = {name: study.archive.outcome(name).central[i] for name in study.problem.names}
    lines = [f"Design {rank + 1:02d} of {study.front.size} on the Pareto front for "
             f"{study.scenario.name}, found by retrosim design:",
             f"  {study.how()};",
             f"  objectives {', '.join(map(str, study.problem.objectives))}"
             + (f"; limits {', '.join(map(str, study.problem.limits))}" if study.problem.limits
                else "") + ";",
             f"  {study.held_at()}.",
             "The person as given: " + ", ".join(f"{k} {_cell(values[k])}"
                                                for k in study.problem.names) + "."]
    for lim in study.problem.limits:
        at = lim.at_level(study.archive.outcome(lim.name))[i]
        lines.append(f"  {lim.name} at the {100 * lim.level:g}th percentile: {_cell(at)} "
                     f"(limit {lim.op} {lim.value:g})")
    lines.append("  retrosim run {this file} reproduces the person's numbers.")
    return "".join(f"# {part}\n" for line in lines for part in textwrap.wrap(
        line, 95, subsequent_indent="    ", break_on_hyphens=False))


def design_text(study: Study, rank: int, where: str | None = None) -> str:
    """The runnable scenario of the front's design ``rank`` (0 the first), with its comment;
    ``where`` is the file's name in the comment's ``retrosim run`` line."""
    candidate = study.archive.candidates[study.front[rank]]
    doc = study.problem.evaluate.document(candidate)          # type: ignore[attr-defined]
    doc["name"] = f"{study.scenario.name}-design-{rank + 1:02d}"
    doc["description"] = f"Design {rank + 1:02d} for {study.scenario.name}: " \
                         + next(iter(doc["arms"].values()))["description"]
    doc["seed"] = study.seed
    name = where or f"{doc['name']}.toml"
    return comment(study, rank).replace("{this file}", name) + "\n" + tomlwriter.dumps(doc)


def write_designs(study: Study, folder: Path) -> list[Path]:
    """``design-01.toml`` ... for the best :data:`MAX_FILES` designs of the front; stale
    design files of an earlier study in the folder are removed."""
    written = []
    for rank in range(min(study.front.size, MAX_FILES)):
        path = folder / f"design-{rank + 1:02d}.toml"
        written.append(_write_text(path, design_text(study, rank, str(path))))
    keep = {p.name for p in written}
    for stale in folder.glob("design-*.toml"):
        if stale.name not in keep:
            stale.unlink()
    return written


def _write_text(path: Path, text: str) -> Path:
    def write(tmp: str) -> None:
        Path(tmp).write_text(text, encoding="utf-8")

    return write_atomic(path, write)


def plot(study: Study, path: Path) -> Path:
    """The front in its first two objectives (or the first against the first limit), over
    every candidate evaluated: grey those that break a limit, blue those that meet them."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    F, G = study.archive.arrays()
    objectives = study.problem.objectives
    names = [o.name for o in objectives]
    x_of = study.archive.outcome(names[0]).central
    if len(names) > 1:
        y_name, y_of = names[1], study.archive.outcome(names[1]).central
    elif study.problem.limits:
        lim = study.problem.limits[0]
        y_name, y_of = f"{lim.name} (p{100 * lim.level:g})", lim.at_level(
            study.archive.outcome(lim.name))
    else:
        y_name, y_of = "candidate", np.arange(len(x_of), dtype=float)
    ok = (G <= 0).all(axis=1)
    fig, ax = plt.subplots(figsize=(6.4, 4.4), layout="constrained")
    ax.scatter(x_of[~ok], y_of[~ok], s=6, color="0.8", label="breaks a limit")
    ax.scatter(x_of[ok], y_of[ok], s=6, color="tab:blue", alpha=0.5, label="meets the limits")
    f = study.front
    order = f[np.argsort(x_of[f])]
    ax.plot(x_of[order], y_of[order], "o-", color="tab:red", ms=4, label="Pareto front")
    for rank in sorted({0, f.size - 1}):                  # the first and the last design
        ax.annotate(f"design-{rank + 1:02d}", (x_of[f[rank]], y_of[f[rank]]), fontsize=7,
                    xytext=(4, -10), textcoords="offset points")
    ax.set_xlabel(f"{names[0]} ({study.problem.names[names[0]]})", fontsize=8)
    ax.set_ylabel(y_name, fontsize=8)
    ax.set_title(f"{study.scenario.name}: {study.front.size} designs", fontsize=9)
    ax.legend(fontsize=7)
    write_atomic(path, lambda tmp: fig.savefig(tmp, format=path.suffix.lstrip(".") or "png",
                                               dpi=120))
    plt.close(fig)
    return path


def closest(study: Study) -> str:
    """One line when no candidate meets every limit: which limit, and the closest design."""
    F, G = study.archive.arrays()
    limits = study.problem.limits
    scale = np.array([max(abs(lim.value), 1e-12) for lim in limits])
    rel = np.maximum(G, 0.0) / scale
    never = [j for j in range(len(limits)) if not (G[:, j] <= 0).any()]
    best = int(np.argmin(rel.sum(axis=1)))
    cand = study.archive.candidates[best]
    text = ", ".join(f"{k}={v}" for k, v in cand.items())
    worst = never[0] if never else int(np.argmax(rel[best]))
    lim = limits[worst]
    at = lim.at_level(study.archive.outcome(lim.name))
    reach = float(at.min() if lim.op == "<=" else at.max())
    what = (f"no candidate meets the limit {lim} at the {100 * lim.level:g}th percentile "
            f"(the best reaches {_cell(reach)})" if never else
            "no candidate meets every limit at once")
    return (f"{what}; the closest design is {text}, with {lim.name} "
            f"{_cell(float(at[best]))} at the {100 * lim.level:g}th percentile")

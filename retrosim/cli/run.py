"""``retrosim run`` and ``retrosim compare``: the runs, the tables, what was kept.

``run -o OUT.nc`` keeps every person's summaries and the full traces of a sample of people
(the first :data:`SAMPLE` people, on the dimension ``sample`` whose coordinate is their subject
number, as ``retrosim sweep --sample`` does) unless ``--all-traces`` asks for everyone's; it
says what it kept. Before it starts, the output's size is estimated
(:func:`output_bytes`) and a file that would not fit on the disk is refused in one line.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from retrosim.errors import InputError
from retrosim.results import io, tables

if TYPE_CHECKING:
    from retrosim.model.scenario import Scenario

#: People whose full traces ``run -o`` keeps by default.
SAMPLE = 10
#: Bytes a saved result holds per person and arm for its summaries (about 45 float64
#: variables), and per traced value (float64).
SUMMARY_BYTES_PER_SUBJECT_ARM = 45 * 8
TRACE_BYTES_PER_VALUE = 8
TRACED_VARIABLES = 11


def output_bytes(scenario: Scenario, subjects: int, traced: int, step_s: float) -> int:
    """Estimated size [bytes] of a NetCDF result: the summaries of ``subjects`` people and
    the traces of ``traced`` of them every ``step_s`` seconds, in every arm.

    >>> import retrosim
    >>> sc = retrosim.load_scenario("compendium-2011")          # three arms of 10 min
    >>> output_bytes(sc, 10_000, 10_000, 1.0) // 10**6            # 1-s traces of everyone
    1597
    """
    arms = len(scenario.arms)
    longest = max(a.protocol.duration_s for a in scenario.arms.values())
    points = int(np.ceil(longest / step_s)) + 1
    return arms * (subjects * SUMMARY_BYTES_PER_SUBJECT_ARM
                   + traced * points * TRACED_VARIABLES * TRACE_BYTES_PER_VALUE)


def size_text(n: float) -> str:
    """Bytes in words.

    >>> size_text(1_593_000_000), size_text(20_480), size_text(512)
    ('1.6 GB', '20 kB', '512 B')
    """
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.2g} {unit}" if n < 10 * size else f"{n / size:.0f} {unit}"
    return f"{int(n)} B"


def check_disk(path: str | Path, need: int) -> None:
    """Refuse, in one line, an output that would not fit in the free space of its folder."""
    folder = Path(path).resolve().parent
    free = shutil.disk_usage(folder).free
    if need > free:
        raise InputError("-o", f"the result would take about {size_text(need)}, more than the "
                         f"{size_text(free)} free in {folder}", "fewer subjects, no "
                         "--all-traces, a coarser --step, or 'retrosim sweep' (Zarr, a "
                         "sample of traces)")


def before_run(args: argparse.Namespace, sc: Scenario) -> bool:
    """Checks before a scenario of ``run`` or ``compare`` runs (``--versus`` names an arm; the
    output of ``run -o`` fits on the disk); whether the run keeps everyone's traces."""
    from retrosim.model.scenario import check_run_arguments

    if args.command == "compare":
        check_versus([sc], args.versus)
        return False
    if not args.output:
        return False
    _, n, step = check_run_arguments(sc, args.seed, args.subjects, args.step)
    everyone = bool(getattr(args, "all_traces", False)) or n <= SAMPLE
    check_disk(args.output, output_bytes(sc, n, n if everyone else SAMPLE, step))
    return everyone


def save(args: argparse.Namespace, sc: Scenario, ds: xr.Dataset) -> None:
    """Write the result of ``run -o``, with the traces of a sample of people when it holds
    none, and say what was kept."""
    from retrosim import run

    n = ds.sizes["subject"]
    if "time" in ds.dims or "day" in ds.dims:
        kept = f"kept full traces of all {n:,} {'person' if n == 1 else 'people'}" \
            if "time" in ds.dims else f"kept every day and session of {n:,} people"
    else:
        sample = run(sc, seed=args.seed, subjects=SAMPLE, trace_step_s=args.step)
        ds = with_sample_traces(ds, sample)
        step = float(np.diff(sample.time.values[:2])[0]) if sample.sizes["time"] > 1 else 1.0
        full = size_text(output_bytes(sc, n, n, step))
        kept = (f"kept full traces of a sample of {SAMPLE} of {n:,} people (subjects 0-"
                f"{SAMPLE - 1}, dimension 'sample') and everyone's summaries; --all-traces "
                f"keeps everyone's traces (about {full})")
    path = io.save(ds, args.output)
    print(f"wrote {path}: {kept}")


def compare(args: argparse.Namespace, datasets: list[xr.Dataset]) -> None:
    """Every outcome with paired differences from ``--versus``, and the plain summary."""
    from retrosim.scale import comparison, summary

    for ds in datasets:
        cmp = comparison.decision(ds)
        print(summary.decision_table(cmp, args.versus))
        print()
        print(summary.plain_summary(cmp, args.versus))
        print()
    if len(datasets) > 1:
        print(tables.comparison_table(datasets))


def with_sample_traces(ds: xr.Dataset, sample: xr.Dataset) -> xr.Dataset:
    """``ds`` (summaries of everyone) with the traces of ``sample`` (a run of its first
    people, bit-identical to theirs in ``ds``) on the dimension ``sample``."""
    traced = [n for n, v in sample.data_vars.items() if "time" in v.dims and "subject" in v.dims]
    out = ds.copy()
    out = out.assign_coords(time=sample.time, sample=("sample", sample.subject.values))
    for name in traced:
        out[name] = sample[name].rename(subject="sample")
    out.attrs["trace_sample"] = int(sample.sizes["subject"])
    return out


def add_options(run: argparse.ArgumentParser, compare: argparse.ArgumentParser) -> None:
    """``run --all-traces`` and ``compare --versus ARM``."""
    run.add_argument("--all-traces", action="store_true",
                     help=f"with -o, keep everyone's full traces (default: a sample of "
                          f"{SAMPLE} people, as 'retrosim sweep --sample' does)")
    compare.add_argument("--versus", metavar="ARM",
                         help="the arm the others are compared with (default: the first)")


def check_versus(scenarios: list[Scenario], versus: str | None) -> None:
    """``--versus`` names an arm of every scenario; else one line with a "did you mean"."""
    if versus is None:
        return
    for sc in scenarios:
        arms = list(sc.arms)
        if versus not in arms:
            close = difflib.get_close_matches(versus, arms, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise InputError("--versus", f"{versus!r} is not an arm of {sc.name}{hint}",
                             ", ".join(arms))


@contextlib.contextmanager
def quiet_workers(local: bool = True) -> Iterator[None]:
    """While a local Dask cluster runs, its worker processes write to a log file instead of
    the terminal: a Ctrl-C reaches every process of the terminal's group, and each worker
    would print its own traceback. retrosim's own messages and the progress bar still reach
    the terminal (``sys.stderr`` keeps it); the log is removed afterwards, or named when the
    sweep failed for another reason."""
    if not local:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    log = tempfile.NamedTemporaryFile(prefix="retrosim-workers-", suffix=".log", delete=False)
    original = sys.stderr
    os.dup2(log.fileno(), 2)                         # what the worker processes inherit
    sys.stderr = open(saved, "w", buffering=1, closefd=False)   # ours: the terminal
    failed = False
    try:
        yield
    except (KeyboardInterrupt, InputError):
        raise
    except BaseException:
        failed = True
        raise
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        sys.stderr = original
        os.close(saved)
        log.close()
        if failed and os.path.getsize(log.name):
            print(f"retrosim: the workers' messages are in {log.name}", file=sys.stderr)
        else:
            os.unlink(log.name)


def forget_clusters() -> None:
    """After a Ctrl-C: skip distributed's closing of its clusters at exit and quiet the
    loggers of a cluster cut short (each would print a traceback of its own); the worker
    processes end with this one."""
    import atexit
    import logging

    for name in ("asyncio", "distributed", "tornado"):      # a cluster cut short complains
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    with contextlib.suppress(ImportError):
        from distributed.deploy import spec

        atexit.unregister(spec.close_clusters)

"""A sweep's Zarr store: its layout, chunk-by-chunk writes with completion markers, reading.

One Zarr group (format 3) holds the whole sweep::

    arm, subject, protocol and grid coordinates     the axes (per-arm grid values on arm)
    energy_total, fell, ... (arm, subject)          summaries, one Zarr chunk per task chunk
    chunk_done (chunk)                              1 once a task chunk is wholly written
    sample, time; vo2, hr, ... (arm, sample, time)  full traces of the first people
    band_time; count_vo2 ... (chunk, arm, band_time, vo2_bin)   per-chunk bin counts
    band_vo2 ... (arm, quantile, band_time)         percentile bands over everyone
    compare_mean ... (outcome, arm), (outcome, arm, versus), (objective, arm)

A task writes its chunk's summaries and counts first and its ``chunk_done`` marker last (each
Zarr chunk is written atomically, to a temporary file renamed into place), so a chunk whose
task failed or was killed is never marked complete and ``--resume`` computes it again. The
``complete`` attribute turns true only after the bands and comparisons are written.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import hashlib
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
import zarr
import zarr.api.asynchronous
from zarr.core.sync import sync

from retrosim.controllers.imports import identity
from retrosim.controllers.spec import CONTROLLERS, ControllerSpec
from retrosim.errors import InputError
from retrosim.results.dataset import VARIABLES
from retrosim.results.io import probe_folder
from retrosim.scale import bands, header

FORMAT = 1


@dataclass(frozen=True)
class Layout:
    """The shape of a sweep's store; everything a task needs to know to write its part."""

    path: str
    subjects: int
    chunk_size: int
    arms: tuple[str, ...]
    summaries: tuple[tuple[str, str], ...]        # (name, numpy dtype string)
    traces: tuple[str, ...]                       # the sample's traces
    sample: int                                   # people with full traces: 0 .. sample-1
    time: np.ndarray = field(repr=False)          # trace times of the sample [s]
    band_time: np.ndarray = field(repr=False)     # band times [s]; empty: no bands
    band_vars: tuple[str, ...] = ()
    events: tuple[str, ...] = ()                  # event kinds counted into summaries

    @property
    def chunks(self) -> int:
        return math.ceil(self.subjects / self.chunk_size)

    def bounds(self, i: int) -> tuple[int, int]:
        """The people of task chunk ``i``: ``first, end``."""
        return i * self.chunk_size, min(self.subjects, (i + 1) * self.chunk_size)


def fingerprint(parts: dict[str, Any]) -> str:
    """A hash of everything that decides a sweep's numbers (resume refuses a mismatch):
    ``parts`` written out exactly (:func:`exact`: every float as its hexadecimal form)."""
    return hashlib.sha256(json.dumps(exact(parts), sort_keys=True).encode()).hexdigest()


def exact(obj: Any, _depth: int = 0) -> Any:
    """``obj`` as plain JSON data that keeps every bit: floats as ``float.hex``, dataclasses
    field by field (their ``source`` file name left out), arrays element by element, a custom
    controller as its class's distribution version and the SHA-256 of its source file.

    >>> exact({"speed_mps": 0.9164, "stages": (1, 2.5)})
    {'speed_mps': 'f:0x1.d532617c1bda5p-1', 'stages': [1, 'f:0x1.4000000000000p+1']}
    """
    if _depth > 64:
        raise ValueError("an object nested too deep to fingerprint")
    d = _depth + 1
    if obj is None or isinstance(obj, bool | str):
        return obj
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        return "f:" + float(obj).hex()
    if isinstance(obj, enum.Enum):
        return f"{type(obj).__name__}.{obj.name}"
    if isinstance(obj, np.ndarray):
        return {"dtype": obj.dtype.str, "shape": list(obj.shape),
                "values": [exact(v, d) for v in obj.ravel().tolist()]}
    if isinstance(obj, dict):
        return {str(k): exact(v, d) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        items = sorted(obj, key=repr) if isinstance(obj, set | frozenset) else obj
        return [exact(v, d) for v in items]
    if isinstance(obj, ControllerSpec):
        out = {f.name: exact(getattr(obj, f.name), d) for f in dataclasses.fields(obj)
               if f.name not in ("source", "instance", "allow")}
        if obj.instance is not None:
            out["instance"] = {"class": identity(type(obj.instance)),
                               "state": exact(vars(obj.instance), d)
                               if hasattr(obj.instance, "__dict__") else repr(obj.instance)}
        elif obj.path is not None or obj.name not in CONTROLLERS:
            out["class"] = identity(obj.controller_class())
        return {"ControllerSpec": out}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {type(obj).__name__: {f.name: exact(getattr(obj, f.name), d)
                                     for f in dataclasses.fields(obj) if f.name != "source"}}
    if callable(obj) and hasattr(obj, "__qualname__"):
        return f"{getattr(obj, '__module__', '')}:{obj.__qualname__}"
    if hasattr(obj, "__dict__"):
        return {type(obj).__name__: exact(vars(obj), d)}
    return repr(obj)


def check_path(path: str | Path, resume: bool) -> Path:
    """``path`` if a sweep may be written there, else InputError (checked before any work)."""
    path = Path(path)
    if path.suffix != ".zarr":
        raise InputError("-o", f"{str(path)!r} does not end in .zarr", "a Zarr store *.zarr")
    if not path.parent.is_dir():
        raise InputError("-o", f"folder {str(path.parent)!r} does not exist", None)
    probe_folder(path)
    if path.exists() and not resume:
        raise InputError("-o", f"{str(path)!r} already exists", "a new path, or --resume to "
                         "finish the sweep it holds")
    if path.exists() and not (path / "zarr.json").is_file():
        raise InputError("-o", f"{str(path)!r} exists and is not a Zarr store", "a new path")
    return path


def create(layout: Layout, attrs: dict[str, Any], coords: dict[str, list[Any]],
           durations: np.ndarray) -> None:
    """Lay out an empty store: arrays, axes and attributes; no task chunk marked done.

    The store's folder is created exclusively: a second sweep into the same new store is
    refused (one line) instead of overwriting the first one's arrays."""
    try:
        os.mkdir(layout.path)
    except FileExistsError:
        raise InputError("-o", f"{layout.path!r} already exists (another sweep may be writing "
                         "it)", "a new path, or --resume to finish the sweep it holds") from None
    g = zarr.open_group(layout.path, mode="w", zarr_format=3)
    g.attrs.update({**attrs, "retrosim_sweep": FORMAT, "complete": False,
                    "arm_coordinates": list(coords)})
    a, n, c = len(layout.arms), layout.subjects, layout.chunk_size
    _put(g, "arm", np.array(layout.arms, dtype=str), ("arm",))
    for name, values in coords.items():
        _put(g, name, _column(values), ("arm",))
    _put(g, "duration", np.asarray(durations, dtype=float), ("arm",),
         attrs={"units": "s", "long_name": "duration of the arm's protocol"})
    g.create_array("subject", shape=(n,), chunks=(c,), dtype="int64", fill_value=-1,
                   dimension_names=("subject",))
    for name, dtype in layout.summaries:
        g.create_array(name, shape=(a, n), chunks=(a, c), dtype=dtype,
                       fill_value=_fill(dtype), dimension_names=("arm", "subject"),
                       attributes=_units(name))
    g.create_array("chunk_done", shape=(layout.chunks,), chunks=(1,), dtype="uint8",
                   fill_value=0, dimension_names=("chunk",))
    if layout.sample:
        _put(g, "sample", np.arange(layout.sample, dtype=np.int64), ("sample",))
        _put(g, "time", layout.time, ("time",), attrs=_units("time"))
        for name in layout.traces:
            g.create_array(name, shape=(a, layout.sample, layout.time.size),
                           chunks=(a, 1, layout.time.size), dtype="float64",
                           fill_value=np.nan, dimension_names=("arm", "sample", "time"),
                           attributes=_units(name))
        g.create_array("sample_done", shape=(1,), chunks=(1,), dtype="uint8", fill_value=0,
                       dimension_names=("sample_task",))
    if layout.band_vars:
        _put(g, "band_time", layout.band_time, ("band_time",),
             attrs={"units": "s", "long_name": "time since the start"})
        for name in layout.band_vars:
            bins = bands.BINS[name][2]
            g.create_array(f"count_{name}", shape=(layout.chunks, a, layout.band_time.size, bins),
                           chunks=(1, a, layout.band_time.size, bins), dtype="int32",
                           fill_value=0, dimension_names=("chunk", "arm", "band_time",
                                                          f"{name}_bin"))


def write_chunk(layout: Layout, i: int, summaries: dict[str, np.ndarray],
                counts: dict[str, np.ndarray]) -> None:
    """Write task chunk ``i``; its marker last, so a failure leaves it unmarked."""
    first, end = layout.bounds(i)
    writes: dict[str, tuple[tuple[int | slice, ...], np.ndarray]] = {
        "subject": ((slice(first, end),), np.arange(first, end, dtype=np.int64))}
    writes.update({name: ((slice(None), slice(first, end)), block)
                   for name, block in summaries.items()})
    writes.update({f"count_{name}": ((i,), block) for name, block in counts.items()})
    sync(_write(layout.path, writes))
    sync(_write(layout.path, {"chunk_done": ((i,), np.uint8(1))}))


async def _write(path: str, writes: dict[str, tuple[tuple, Any]]) -> None:
    """Many array writes at once (zarr's asynchronous API; one round trip, not one each)."""
    g = await zarr.api.asynchronous.open_group(path, mode="r+")
    arrays = await asyncio.gather(*(g.getitem(name) for name in writes))
    await asyncio.gather(*(array.setitem(where, value)
                           for array, (where, value) in zip(arrays, writes.values(),
                                                            strict=True)))


def write_sample(layout: Layout, traces: dict[str, np.ndarray]) -> None:
    """Write the sample's traces, each (arm, sample, time); marker last."""
    g = zarr.open_group(layout.path, mode="r+")
    for name, block in traces.items():
        g[name][:] = block
    g["sample_done"][0] = 1


def done(path: str | Path) -> tuple[np.ndarray, bool]:
    """Which task chunks are complete, and whether the sample's traces are."""
    g = zarr.open_group(str(path), mode="r")
    sample = bool(g["sample_done"][0]) if "sample_done" in g else True
    return np.asarray(g["chunk_done"][:], dtype=bool), sample


def attributes(path: str | Path) -> dict[str, Any]:
    return dict(zarr.open_group(str(path), mode="r").attrs)


def finish(layout: Layout, cmp: xr.Dataset) -> None:
    """Bands from the summed counts, the comparison, then ``complete = True``."""
    g = zarr.open_group(layout.path, mode="r+")
    if layout.band_vars:
        _put(g, "quantile", np.asarray(bands.QUANTILES), ("quantile",))
        for name in layout.band_vars:
            counts = g[f"count_{name}"]
            total = np.zeros(counts.shape[1:], dtype=np.int64)
            for i in range(layout.chunks):
                total += counts[i]
            _put(g, f"band_{name}", bands.percentiles(total, name),
                 ("arm", "quantile", "band_time"), attrs={
                     "units": _units(name).get("units", "1"),
                     "long_name": f"percentiles of {name} over everyone, by arm and time"})
    for coord in ("outcome", "versus", "objective"):
        _put(g, f"compare_{coord}", np.asarray(cmp[coord].values, dtype=str), (coord,))
    for key, var in cmp.data_vars.items():
        _put(g, f"compare_{key}", np.asarray(var.values), tuple(str(d) for d in var.dims))
    g.attrs.update({"compare_" + k: v for k, v in cmp.attrs.items()})
    g.attrs["complete"] = True


def open_store(path: str | Path, *, partial: bool = False) -> xr.Dataset:
    """The sweep as a Dataset (lazy): summaries, the trace sample, bands and comparisons.

    An incomplete store raises InputError unless ``partial``; then the people of chunks not
    marked complete read as missing (NaN, or the type's fill value).
    """
    path = Path(path)
    if not (path / "zarr.json").is_file():
        raise InputError("", "is not a retrosim sweep store", "the -o of retrosim sweep",
                         source=str(path))
    header.check_store(path)          # its codecs known and its declared sizes within memory
    attrs = attributes(path)
    if attrs.get("retrosim_sweep") != FORMAT:
        raise InputError("", "is not a retrosim sweep store", "the -o of retrosim sweep",
                         source=str(path))
    if not attrs.get("complete") and not partial:
        raise InputError("", "holds an unfinished sweep", "finish it with retrosim sweep "
                         "... --resume", source=str(path))
    ds = xr.open_zarr(path, consolidated=False, mask_and_scale=False)
    counts = [v for v in ds.data_vars if str(v).startswith("count_")]
    ds = ds.drop_vars(counts)
    for name in list(ds.variables):
        if ds[name].dtype.kind == "T":                    # variable-length strings -> str
            text = np.array([str(x) for x in ds[name].values.ravel()]).reshape(ds[name].shape)
            ds = ds.assign({name: (ds[name].dims, text, ds[name].attrs)}) \
                if name in ds.data_vars else ds.assign_coords({name: (ds[name].dims, text)})
    ds = ds.set_coords([c for c in attrs.get("arm_coordinates", []) if c in ds])
    if not attrs.get("complete"):
        chunk = attrs["chunk_size"]
        done_people = np.repeat(ds.chunk_done.values.astype(bool), chunk)[:ds.sizes["subject"]]
        keep = xr.DataArray(done_people, dims="subject")
        for name in [v for v in ds.data_vars if ds[v].dims == ("arm", "subject")]:
            if ds[name].dtype.kind == "f":
                ds[name] = ds[name].where(keep)
    return ds


def comparison(ds: xr.Dataset) -> xr.Dataset:
    """The comparison a finished sweep stored (the form of :func:`comparison.statistics`)."""
    names = [str(v) for v in ds.variables if str(v).startswith("compare_")]
    coords = {"outcome", "versus", "objective"}
    out = ds[[n for n in names if n.removeprefix("compare_") not in coords]]
    out = out.rename({n: str(n).removeprefix("compare_") for n in out.data_vars})
    out = out.drop_vars([c for c in out.coords if c not in ("arm",)], errors="ignore")
    out = out.assign_coords({c: ds[f"compare_{c}"].values for c in coords})
    out.attrs = {k.removeprefix("compare_"): v for k, v in ds.attrs.items()
                 if k.startswith("compare_")}
    return out.compute()


def _put(g: zarr.Group, name: str, values: np.ndarray, dims: tuple[str, ...],
         attrs: dict[str, Any] | None = None) -> None:
    values = np.asarray(values)
    dtype = str if values.dtype.kind in "UO" else values.dtype
    arr = g.create_array(name, shape=values.shape, dtype=dtype, dimension_names=dims,
                         attributes=attrs or {}, overwrite=True)
    arr[...] = values


def _column(values: list[Any]) -> np.ndarray:
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=float)
    return np.array([str(v) for v in values], dtype=str)


def _fill(dtype: str) -> Any:
    kind = np.dtype(dtype).kind
    return np.nan if kind == "f" else (False if kind == "b" else 0)


def _units(name: str) -> dict[str, str]:
    return VARIABLES[name].attrs if name in VARIABLES else {}

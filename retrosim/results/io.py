"""Result files: the output path checked before a run, and NetCDF written atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import xarray as xr

from retrosim.errors import InputError


def check_output_path(path: str | Path) -> Path:
    """``path`` if a NetCDF result can be written there, else InputError (before a long run)."""
    path = Path(path)
    if path.suffix != ".nc":
        raise InputError("-o", f"{str(path)!r} does not end in .nc", "a NetCDF file name *.nc")
    if not path.parent.is_dir():
        raise InputError("-o", f"folder {str(path.parent)!r} does not exist", None)
    if path.is_dir():
        raise InputError("-o", f"{str(path)!r} is a folder", "a NetCDF file name *.nc")
    return path


def save(ds: xr.Dataset, path: str | Path) -> Path:
    """Write ``ds`` to NetCDF atomically: a temporary file beside ``path``, then a rename."""
    path = check_output_path(path)
    fd, tmp = tempfile.mkstemp(suffix=".nc.part", dir=path.parent)
    os.close(fd)
    try:
        ds.to_netcdf(tmp, engine="netcdf4")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path

"""Result files: the output path probed before a run, files written atomically, results read
back only once they are known to be retrosim results of a size that fits.

Writing (:func:`write_atomic`, used for NetCDF results and HTML reports): a temporary file
``.NAME.PID.RANDOM.part`` beside the output, renamed over it when complete. Ctrl-C, SIGTERM or
an error during the write remove the temporary file and leave the old output as it was (a
full disk is one line naming the file and the cause, :func:`write_failure`); a
``*.part`` left by a process that no longer exists (SIGKILL, a power cut) is removed by the
next write of the same output. A new file's mode follows the umask; a replaced file keeps its
mode.

Reading (:func:`open_result`): the NetCDF header alone is checked first (the attributes and
dimensions of a retrosim result, each variable's dimensions and type, the bytes its declared
sizes add up to against the memory free); only then are the values loaded.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from retrosim.engine.variables import PROGRAMME, SESSION
from retrosim.errors import InputError
from retrosim.events.variables import BUNDLED
from retrosim.model.budget import available_memory
from retrosim.variables import Catalogue

#: Attributes and dimensions every retrosim result has (DESIGN: the result Dataset).
RESULT_ATTRS = ("scenario", "seed", "retrosim_version")
RESULT_DIMS = ("arm", "subject")
#: Every variable of a session's result: the engine's and the bundled event models' (their tags
#: say what each is for, :mod:`retrosim.engine.variables`); a programme's own are PROGRAMME.
VARIABLES = Catalogue(SESSION, BUNDLED)
#: Dimensions a known variable must have, by its tags (other variables: any of KNOWN_DIMS).
TRACES = VARIABLES.select("trace")
PER_ARM = VARIABLES.select("per-arm")
#: One person's programme: the bounds of each daily state's prediction interval, on (arm, day).
ON_ARM_DAY = PROGRAMME.select("state-interval")
KNOWN_DIMS = ("arm", "subject", "time", "reading", "event", "session", "day", "sample")
#: ``run -o`` keeps the traces of a sample of people on (arm, sample, time) (retrosim.cli.run).
SAMPLED = ("arm", "sample", "time")
#: Variables that travel together: a result holding the first holds the rest.
TOGETHER = VARIABLES.groups()
#: Summaries every result of a session has (DESIGN: the result Dataset); a programme's
#: result (dimensions day and session) has its own.
SUMMARIES = VARIABLES.select("required")
#: Text variables: the arm names, the event log's words, and the per-arm coordinates of a
#: swept scenario (its base protocol and text-valued grid parameters, :mod:`retrosim.model.grid`).
TEXT = ("arm", *VARIABLES.text(), *PROGRAMME.text())
TEXT_ON_ARM = ("protocol", "direction", "handrail", "cohort_")
#: Largest share of the memory free a result's declared values may take.
MEMORY_SHARE = 0.5
_TEXT_BYTES = 64          # bytes counted per element of a variable-length string variable


def check_output_path(path: str | Path, suffixes: tuple[str, ...] = (".nc",),
                      what: str = "a NetCDF file name *.nc") -> Path:
    """``path`` if a file can be written there (its folder probed by creating and removing
    a file), else InputError: all before a long run."""
    path = Path(path)
    if path.suffix.lower() not in suffixes:
        raise InputError("-o", f"{str(path)!r} does not end in {suffixes[0]}", what)
    if not path.parent.is_dir():
        raise InputError("-o", f"folder {str(path.parent)!r} does not exist", None)
    if path.is_dir():
        raise InputError("-o", f"{str(path)!r} is a folder", what)
    probe_folder(path)
    return path


def probe_folder(path: Path) -> None:
    """Create and remove a file beside ``path``: InputError if the folder is not writable."""
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".part",
                                     dir=path.parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise InputError("-o", f"cannot write in folder {str(path.parent) or '.'!r} "
                         f"({err.strerror or type(err).__name__})", "a folder you can write "
                         "to") from None


def clean_stale_parts(path: Path) -> list[Path]:
    """Remove the ``.NAME.PID.*.part`` files beside ``path`` whose process is gone."""
    removed = []
    prefix = f".{path.name}."
    for part in path.parent.glob(f"{_glob_escape(prefix)}*.part"):
        pid_text = part.name[len(prefix):].split(".", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            part.unlink()
            removed.append(part)
    return removed


def write_atomic(path: Path, write: Callable[[str], Any]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it over ``path``.

    An interruption (Ctrl-C, SIGTERM) or an error removes the temporary file and leaves
    ``path`` as it was. The new file's mode follows the umask (a replaced file keeps its own).
    """
    clean_stale_parts(path)
    mode = _mode_for(path)
    with _Deferred() as deferred:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".part",
                                   dir=path.parent)
        try:
            os.close(fd)
            try:
                write(tmp)
            except (OSError, RuntimeError) as err:     # a full disk, a quota, a lost mount
                kept = "the file there is kept as it was" if path.exists() else \
                    "nothing was written"
                raise InputError("-o", f"could not be written ({write_failure(err, path)}); "
                                 f"{kept}", None, source=str(path)) from None
            deferred.act()                     # a signal during the write: keep the old file
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return path


#: Bytes free in a folder below which a failed write is put down to a full disk.
FULL_DISK_BYTES = 16 * 2**20


def write_failure(err: BaseException, path: Path) -> str:
    """Why writing ``path`` failed, in words: the disk full (the error says so, or the folder
    has less than :data:`FULL_DISK_BYTES` free: the NetCDF library says only "HDF error"),
    else the error's own text."""
    if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"no space left on the device: {err.strerror}"
    try:
        free = shutil.disk_usage(path.parent).free
    except OSError:
        free = None
    text = str(err).splitlines()[0] if str(err) else type(err).__name__
    if free is not None and free < FULL_DISK_BYTES:
        return f"no space left on the device: {free:,} bytes free in {str(path.parent)!r}; " \
               f"the library said: {text}"
    return f"{type(err).__name__}: {text}"


def save(ds: xr.Dataset, path: str | Path) -> Path:
    """Write ``ds`` to NetCDF atomically (:func:`write_atomic`)."""
    path = check_output_path(path)
    return write_atomic(path, lambda tmp: ds.to_netcdf(tmp, engine="netcdf4"))


def check_result(path: str | Path, *, memory: int | None = None) -> dict[str, tuple]:
    """Check a NetCDF file's header before anything is loaded: it must be a retrosim result
    whose declared values fit in memory. Returns each variable's dimensions; InputError (one
    line) otherwise. ``memory``: bytes free (default: measured)."""
    import netCDF4

    key, allowed = "SCENARIO_OR_RESULT", "a NetCDF file written by 'retrosim run -o'"
    try:
        nc = netCDF4.Dataset(str(path), "r")
    except (OSError, ValueError, RuntimeError) as err:
        raise InputError(key, f"{str(path)!r} is not a readable result (not a NetCDF file: "
                         f"{type(err).__name__})", allowed) from None
    try:
        nc.set_auto_mask(False)
        attrs = set(nc.ncattrs())
        missing = [a for a in RESULT_ATTRS if a not in attrs] + \
            [d for d in RESULT_DIMS if d not in nc.dimensions]
        if missing or nc.groups:
            what = f"lacks {', '.join(missing)}" if missing else "holds groups"
            raise InputError(key, f"{str(path)!r} is not a retrosim result (it {what})",
                             allowed)
        sizes = {name: len(dim) for name, dim in nc.dimensions.items()}
        dims, total = {}, 0
        for name, var in nc.variables.items():
            dims[name] = tuple(var.dimensions)
            problem = _variable_problem(name, dims[name], var)
            if problem:
                raise InputError(key, f"{str(path)!r} is not a retrosim result (variable "
                                 f"{name!r} {problem})", allowed)
            count = math.prod(sizes[d] for d in dims[name])
            itemsize = _TEXT_BYTES if var.dtype is str else np.dtype(var.dtype).itemsize
            total += count * itemsize
        free = available_memory() if memory is None else memory
        if total > MEMORY_SHARE * free:
            raise InputError(key, f"{str(path)!r} declares {total / 1e9:,.1f} GB of values, "
                             f"more than {MEMORY_SHARE:.0%} of the {free / 1e9:,.1f} GB free",
                             allowed)
        groups = list(TOGETHER) + [(n.rsplit("_", 1)[0], f"{n.rsplit('_', 1)[0]}_low",
                                    f"{n.rsplit('_', 1)[0]}_high")
                                   for n in dims if n.endswith(("_low", "_high"))]
        if "day" not in sizes and "session" not in sizes:
            groups.append(SUMMARIES)
        for group in groups:
            present = [n for n in group if n in dims]
            if present and len(present) < len(group):
                lacking = next(n for n in group if n not in dims)
                raise InputError(key, f"{str(path)!r} is not a retrosim result (it has "
                                 f"{present[0]!r} without {lacking!r})", allowed)
            if not present and group is SUMMARIES:
                raise InputError(key, f"{str(path)!r} is not a retrosim result (it lacks "
                                 f"{group[0]})", allowed)
        if "energy_total" not in dims:
            raise InputError(key, f"{str(path)!r} is not a retrosim result (it lacks "
                             "energy_total)", allowed)
    finally:
        nc.close()
    return dims


def open_result(path: str | Path, *, memory: int | None = None) -> xr.Dataset:
    """A result written by ``retrosim run -o``, loaded once :func:`check_result` passes."""
    check_result(path, memory=memory)
    try:
        with xr.open_dataset(path, engine="netcdf4") as opened:
            return opened.load()
    except (OSError, ValueError, RuntimeError, KeyError, TypeError) as err:
        raise InputError("SCENARIO_OR_RESULT", f"{str(path)!r} is not a readable result "
                         f"({type(err).__name__})", "a NetCDF file written by 'retrosim run "
                         "-o'") from None


def _variable_problem(name: str, dims: tuple[str, ...], var: Any) -> str | None:
    """What is wrong with a variable of a would-be result (None: nothing)."""
    for d in dims:
        if d not in KNOWN_DIMS:
            return f"is on an unknown dimension {d!r}"
    expected = ((name,) if name in KNOWN_DIMS else ("arm", "subject", "time")
                if name in TRACES else ("event",) if name.startswith("event_") else
                ("arm", "subject", "reading") if name.startswith("bp_reading_") else
                ("arm",) if name in PER_ARM else ("arm", "day") if name in ON_ARM_DAY else
                None)
    if expected is not None and dims != expected and not (name in TRACES and dims == SAMPLED):
        return f"is not on ({', '.join(expected)})"
    if expected is None and dims not in (("arm",), ("arm", "session")) and \
            dims[:2] not in (("arm", "subject"), SAMPLED[:2]):
        return "is not on (arm) or (arm, subject, ...)"
    text = var.dtype is str or np.dtype(var.dtype).kind in "SUO"
    if text and not (name in TEXT or dims == ("arm",) and name.startswith(TEXT_ON_ARM)):
        return "holds text where numbers belong"
    if not text and np.dtype(var.dtype).kind not in "biuf":
        return "has the wrong type"
    return None


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):    # pragma: no cover (not Linux)
        pass
    mask = os.umask(0o022)                        # pragma: no cover
    os.umask(mask)                                # pragma: no cover
    return mask                                   # pragma: no cover


class _Deferred:
    """Ctrl-C and SIGTERM held back while a file is written, acted on once the write is over.

    An exception raised in the middle of a NetCDF write leaves the library's file lock taken,
    and closing the file then waits for ever (Ctrl-C looked ignored); SIGTERM by default ends
    the process on the spot and leaves the temporary file. Held back, either one removes the
    temporary file and ends the command (KeyboardInterrupt, or exit status 143)."""

    def __init__(self) -> None:
        self.received: int | None = None
        self.old: dict[int, Any] = {}

    def __enter__(self) -> _Deferred:
        if threading.current_thread() is threading.main_thread():
            for sig, default in ((signal.SIGINT, signal.default_int_handler),
                                 (signal.SIGTERM, signal.SIG_DFL)):
                if signal.getsignal(sig) is default:
                    self.old[sig] = signal.signal(sig, self._hold)
        return self

    def _hold(self, signum: int, frame: Any) -> None:
        self.received = signum

    def __exit__(self, *exc: Any) -> None:
        for sig, handler in self.old.items():
            signal.signal(sig, handler)

    def act(self) -> None:
        """Raise what the held-back signal asked for, if one came."""
        if self.received == signal.SIGINT:
            raise KeyboardInterrupt
        if self.received is not None:
            raise SystemExit(128 + self.received)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:                               # someone else's process: leave it
        return True
    return True


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)

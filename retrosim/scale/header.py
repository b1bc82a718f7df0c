"""A sweep store's metadata checked before anything in it is opened or loaded.

A Zarr store is a folder of small JSON files and chunk files; the JSON files alone say how
large each array is and which codecs decode its chunks. A store of a few kilobytes can
declare two billion people (the chunks never written read as the fill value, so opening it
asks for every byte at once), or name a codec that runs code as it decodes (``pickle``).
:func:`check_store` reads the JSON files only: every array's codecs must be among
:data:`CODECS`, and the bytes all arrays declare must fit in a share of the memory free (as
for a NetCDF result, :data:`retrosim.results.io.MEMORY_SHARE`).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from retrosim.errors import InputError
from retrosim.model.budget import available_memory
from retrosim.results.io import MEMORY_SHARE

#: The codecs a sweep store may use (those :mod:`retrosim.scale.store` writes, and the plain
#: compressors and checksums of the Zarr 3 specification); none of them runs code.
CODECS = frozenset({"bytes", "zstd", "gzip", "blosc", "crc32c", "transpose", "vlen-utf8",
                    "vlen-bytes", "numcodecs.zstd", "numcodecs.gzip", "numcodecs.blosc",
                    "numcodecs.crc32c"})
#: Bytes of one element, by Zarr 3 data type; a string counts as 64 bytes.
_ITEMSIZE = {"bool": 1, "int8": 1, "uint8": 1, "int16": 2, "uint16": 2, "int32": 4,
             "uint32": 4, "int64": 8, "uint64": 8, "float16": 2, "float32": 4, "float64": 8,
             "complex64": 8, "complex128": 16, "string": 64, "bytes": 64}
#: The largest metadata file of one array [bytes].
MAX_METADATA_BYTES = 1_000_000
ALLOWED = "a store written by 'retrosim sweep'"


def check_store(path: str | Path, *, memory: int | None = None) -> int:
    """The bytes a sweep store's arrays declare, once its metadata are found sound: known
    codecs only, and a size within :data:`~retrosim.results.io.MEMORY_SHARE` of ``memory``
    (default: the memory free). InputError (one line naming the store) otherwise."""
    root = Path(path)
    total = 0
    for meta in sorted(root.rglob("zarr.json")):
        node = _read(meta, root)
        if node.get("node_type") != "array":
            continue
        name = str(meta.parent.relative_to(root))
        for codec in _codecs(node.get("codecs"), name, root):
            if codec not in CODECS:
                raise InputError("SCENARIO_OR_RESULT", f"{str(root)!r} array {name!r} uses "
                                 f"the codec {codec!r}, which retrosim does not read",
                                 f"{ALLOWED} (codecs: {', '.join(sorted(CODECS))})")
        shape = node.get("shape")
        if not isinstance(shape, list) or not all(isinstance(n, int) and n >= 0
                                                  for n in shape):
            raise InputError("SCENARIO_OR_RESULT", f"{str(root)!r} array {name!r} has no "
                             "valid shape", ALLOWED)
        dtype = node.get("data_type")
        total += math.prod(shape) * _ITEMSIZE.get(dtype if isinstance(dtype, str) else "", 8)
    free = available_memory() if memory is None else memory
    if total > MEMORY_SHARE * free:
        raise InputError("SCENARIO_OR_RESULT", f"{str(root)!r} declares {total / 1e9:,.1f} GB "
                         f"of values, more than {MEMORY_SHARE:.0%} of the {free / 1e9:,.1f} GB "
                         "free", ALLOWED)
    return total


def _read(meta: Path, root: Path) -> dict[str, Any]:
    try:
        if meta.stat().st_size > MAX_METADATA_BYTES:
            raise ValueError("too large")
        node = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as err:
        raise InputError("SCENARIO_OR_RESULT", f"{str(root)!r} has an unreadable "
                         f"{meta.relative_to(root)} ({type(err).__name__})", ALLOWED) from None
    if not isinstance(node, dict):
        raise InputError("SCENARIO_OR_RESULT", f"{str(root)!r} has an unreadable "
                         f"{meta.relative_to(root)} (not an object)", ALLOWED)
    return node


def _codecs(codecs: Any, name: str, root: Path) -> list[str]:
    """The names of an array's codecs, those nested in a sharding codec included."""
    if not isinstance(codecs, list):
        raise InputError("SCENARIO_OR_RESULT", f"{str(root)!r} array {name!r} has no codec "
                         "list", ALLOWED)
    out = []
    for codec in codecs:
        if isinstance(codec, str):
            out.append(codec)
        elif isinstance(codec, dict) and isinstance(codec.get("name"), str):
            out.append(codec["name"])
            config = codec.get("configuration")
            if isinstance(config, dict):
                for key in ("codecs", "index_codecs"):
                    if key in config:
                        out += _codecs(config[key], name, root)
        else:
            out.append(repr(codec)[:40])
    return out

"""Random streams keyed by seed, purpose, arm and subject: the same draws for a subject
whatever the batch, chunk or worker it runs in.

Every draw comes from a ``numpy.random.Generator`` whose ``SeedSequence`` is derived from the
scenario seed and a key: ``SeedSequence(seed, spawn_key=(*key, block))``. Subjects are grouped
in fixed blocks of :data:`BLOCK` global indices; a block's generator always draws the same
``(BLOCK, n)`` array, and a subject takes its row. A run of subject 0 alone and a run of a
million therefore see identical numbers for subject 0, and a sweep may cut its chunks anywhere.

Keys name what the numbers are for, so adding a new random process never shifts an old one:
``key("falls", arm_name)``; traits shared by every arm use ``key("traits")``.
"""

from __future__ import annotations

import functools
import zlib

import numpy as np

#: Subjects per generator. Fixed forever: changing it changes every result.
BLOCK = 256
#: Block tables of at most this many columns are kept (the most recent :data:`KEPT`): a
#: search that runs the same people through many protocols draws the same tables again and
#: again. A kept table is read-only; at most ``KEPT * BLOCK * CACHED_COLUMNS`` floats.
CACHED_COLUMNS = 32
KEPT = 256


def key(*parts: str | int) -> tuple[int, ...]:
    """A stable spawn key from names and numbers (strings hashed with CRC-32).

    >>> key("falls", "backward")
    (306435071, 1384416081)
    """
    return tuple(zlib.crc32(p.encode()) if isinstance(p, str) else int(p) for p in parts)


def _generate(seed: int, stream: tuple[int, ...], block: int, n: int, method: str) -> np.ndarray:
    rng = np.random.Generator(np.random.PCG64(
        np.random.SeedSequence(seed, spawn_key=(*stream, block))))
    table: np.ndarray = getattr(rng, method)(size=(BLOCK, n))
    return table


@functools.lru_cache(maxsize=KEPT)
def _kept(seed: int, stream: tuple[int, ...], block: int, n: int, method: str) -> np.ndarray:
    table = _generate(seed, stream, block, n, method)
    table.flags.writeable = False
    return table


def _table(seed: int, stream: tuple[int, ...], block: int, n: int, method: str) -> np.ndarray:
    """The ``(BLOCK, n)`` draws of one block of a stream (the same every time)."""
    if n <= CACHED_COLUMNS:
        return _kept(seed, stream, block, n, method)
    return _generate(seed, stream, block, n, method)


def _draw(seed: int, stream: tuple[int, ...], subjects: np.ndarray, n: int,
          method: str) -> np.ndarray:
    subjects = np.asarray(subjects, dtype=np.int64)
    out = np.empty((subjects.size, n))
    if subjects.size > 1 and subjects[-1] - subjects[0] == subjects.size - 1 and \
            np.all(np.diff(subjects) == 1):            # consecutive people: copy slices
        first, last = int(subjects[0]), int(subjects[-1])
        for block in range(first // BLOCK, last // BLOCK + 1):
            table = _table(seed, stream, block, n, method)
            lo, hi = max(first, block * BLOCK), min(last + 1, (block + 1) * BLOCK)
            out[lo - first:hi - first] = table[lo - block * BLOCK:hi - block * BLOCK]
        return out
    blocks = subjects // BLOCK
    order = np.argsort(blocks, kind="stable")      # rows grouped by block: O(N log N), not O(N^2)
    sorted_blocks = blocks[order]
    unique, starts = np.unique(sorted_blocks, return_index=True)
    ends = np.append(starts[1:], subjects.size)
    for block, start, end in zip(unique.tolist(), starts.tolist(), ends.tolist(), strict=True):
        table = _table(seed, stream, block, n, method)
        rows = order[start:end]
        out[rows] = table[subjects[rows] - block * BLOCK]
    return out


def uniform(seed: int, stream: tuple[int, ...], subjects: np.ndarray, n: int) -> np.ndarray:
    """``(len(subjects), n)`` uniforms on [0, 1), row i for global subject ``subjects[i]``.

    >>> a = uniform(7, key("demo"), np.arange(1000), 3)
    >>> bool((uniform(7, key("demo"), np.array([0]), 3)[0] == a[0]).all())
    True
    """
    return _draw(seed, stream, subjects, n, "random")


def exponential(seed: int, stream: tuple[int, ...], subjects: np.ndarray, n: int) -> np.ndarray:
    """``(len(subjects), n)`` standard exponentials (unit mean), batch-invariant."""
    return _draw(seed, stream, subjects, n, "standard_exponential")


def normal(seed: int, stream: tuple[int, ...], subjects: np.ndarray, n: int) -> np.ndarray:
    """``(len(subjects), n)`` standard normals, batch-invariant."""
    return _draw(seed, stream, subjects, n, "standard_normal")

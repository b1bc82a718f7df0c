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
from collections import OrderedDict
from collections.abc import Iterator

import numpy as np

#: Subjects per generator. Fixed forever: changing it changes every result.
BLOCK = 256
#: Block tables of at most this many columns are kept (the most recent :data:`KEPT`): a
#: search that runs the same people through many protocols draws the same tables again and
#: again. A kept table is read-only; at most ``KEPT * BLOCK * CACHED_COLUMNS`` floats.
CACHED_COLUMNS = 32
KEPT = 256
#: Only the tables of a draw asked for again within the last :data:`ASKED` draws are kept: a
#: search asks for the same few draws over and over (11 in ``bench/bench_design.py``, each
#: again after at most 10 others), while a programme's sessions each have a seed of their
#: own, so a draw of theirs comes back (in a run of the same programme) only after a hundred
#: others, when its tables would long have been pushed out.
ASKED = 32


def key(*parts: str | int) -> tuple[int, ...]:
    """A stable spawn key from names and numbers (strings hashed with CRC-32).

    >>> key("falls", "backward")
    (306435071, 1384416081)
    """
    return tuple(zlib.crc32(p.encode()) if isinstance(p, str) else int(p) for p in parts)


#: The kept block tables, least recently used first.
_KEPT: OrderedDict[tuple[int, tuple[int, ...], int, int, str], np.ndarray] = OrderedDict()
#: The draws (seed, stream, columns, method) asked for lately, least recently first.
_ASKED: OrderedDict[tuple[int, tuple[int, ...], int, str], None] = OrderedDict()


def _asked_before(seed: int, stream: tuple[int, ...], n: int, method: str) -> bool:
    """Whether the draw of ``n`` columns of a stream was asked for lately (among the last
    :data:`ASKED`); it is now."""
    asked = (seed, stream, n, method)
    if asked in _ASKED:
        _ASKED.move_to_end(asked)
        return True
    _ASKED[asked] = None
    if len(_ASKED) > ASKED:
        _ASKED.popitem(last=False)
    return False


def _tables(seed: int, stream: tuple[int, ...], blocks: list[int], n: int, method: str,
            rows: list[int] | None = None, into: list[np.ndarray | None] | None = None
            ) -> Iterator[np.ndarray]:
    """The ``(BLOCK, n)`` draws of each of ``blocks`` of a stream (the same every time), in
    order: a kept table where there is one (at most :data:`CACHED_COLUMNS` columns, a draw of
    at most a quarter of :data:`KEPT` blocks: a larger one would push the other streams' tables
    out; kept when the draw is asked for again soon, :func:`_asked_before`), the others
    drawn with the seeding of all of them at once (:func:`_generators`).

    With ``rows``, a block's table may stop after its first ``rows[i]`` rows (the rows asked
    for): a generator fills a table row by row, in order, so its first rows are the same
    numbers whatever rows follow. A kept table serves when it has the rows asked for. A table
    not kept is drawn straight into ``into[i]`` where one is given (``(rows[i], n)``, C order),
    and that array is yielded.
    """
    sizes = [BLOCK] * len(blocks) if rows is None else rows
    keep = n <= CACHED_COLUMNS and len(blocks) <= KEPT // 4 and \
        _asked_before(seed, stream, n, method)
    found: dict[int, np.ndarray] = {}
    if keep:
        for block, size in zip(blocks, sizes, strict=True):
            kept = _KEPT.get((seed, stream, block, n, method))
            if kept is not None and kept.shape[0] >= size:
                _KEPT.move_to_end((seed, stream, block, n, method))
                found[block] = kept
    missing = np.array([b for b in blocks if b not in found], dtype=np.int64)
    fresh = _generators(seed, stream, missing) if missing.size else iter(())
    for i, (block, size) in enumerate(zip(blocks, sizes, strict=True)):
        if block in found:
            yield found[block]
            continue
        draw = getattr(next(fresh), method)
        target = None if into is None or keep else into[i]
        if target is not None:
            draw(out=target)
            yield target
            continue
        table: np.ndarray = draw(size=(size, n))
        if keep:
            table.flags.writeable = False
            _KEPT[(seed, stream, block, n, method)] = table
            _KEPT.move_to_end((seed, stream, block, n, method))
            if len(_KEPT) > KEPT:
                _KEPT.popitem(last=False)
        yield table


def _draw(seed: int, stream: tuple[int, ...], subjects: np.ndarray, n: int,
          method: str) -> np.ndarray:
    subjects = np.asarray(subjects, dtype=np.int64)
    out = np.empty((subjects.size, n))
    if subjects.size == 0:
        return out
    if subjects.size > 1 and subjects[-1] - subjects[0] == subjects.size - 1 and \
            np.all(np.diff(subjects) == 1):            # consecutive people: copy slices
        first, last = int(subjects[0]), int(subjects[-1])
        span = list(range(first // BLOCK, last // BLOCK + 1))
        sizes = [BLOCK] * (len(span) - 1) + [last - span[-1] * BLOCK + 1]
        bounds = [(max(first, b * BLOCK), min(last + 1, (b + 1) * BLOCK)) for b in span]
        into: list[np.ndarray | None] = [     # whole tables land in place: no copy
            out[lo - first:hi - first] if lo == b * BLOCK else None
            for b, (lo, hi) in zip(span, bounds, strict=True)]
        for block, (lo, hi), table in zip(span, bounds,
                                          _tables(seed, stream, span, n, method, sizes, into),
                                          strict=True):
            if table.base is not out:
                out[lo - first:hi - first] = table[lo - block * BLOCK:hi - block * BLOCK]
        return out
    blocks = subjects // BLOCK
    order = np.argsort(blocks, kind="stable")      # rows grouped by block: O(N log N), not O(N^2)
    sorted_blocks = blocks[order]
    unique, starts = np.unique(sorted_blocks, return_index=True)
    ends = np.append(starts[1:], subjects.size)
    within = subjects - blocks * BLOCK                  # each subject's row of its block
    needed = (np.maximum.reduceat(within[order], starts) + 1).tolist()
    listed = unique.tolist()
    for start, end, table in zip(starts.tolist(), ends.tolist(),
                                 _tables(seed, stream, listed, n, method, needed), strict=True):
        rows = order[start:end]
        out[rows] = table[within[rows]]
    return out


def generator(seed: int, stream: tuple[int, ...], block: int) -> np.random.Generator:
    """The generator of one block of one stream: ``SeedSequence(seed, spawn_key=(*stream,
    block))`` seeding a PCG64, the definition every draw follows."""
    return np.random.Generator(np.random.PCG64(
        np.random.SeedSequence(seed, spawn_key=(*stream, block))))


def _generators(seed: int, stream: tuple[int, ...], blocks: np.ndarray
                ) -> Iterator[np.random.Generator]:
    """The generators of ``blocks`` of a stream, one after another, each valid until the
    next is taken: :func:`generator`'s, with the seed hashing of all blocks done at once
    (:func:`pcg64_states`) and one PCG64 set to each state in turn."""
    blocks = np.asarray(blocks, dtype=np.int64)
    if seed < 0 or min(stream, default=0) < 0 or blocks.size < 2 or \
            int(blocks.min()) < 0 or int(blocks.max()) > _MASK32:
        yield from (generator(seed, stream, int(b)) for b in blocks.tolist())
        return
    bits = np.random.PCG64(0)
    rng = np.random.Generator(bits)
    for state, inc in pcg64_states(seed, stream, blocks):
        bits.state = {"bit_generator": "PCG64", "state": {"state": state, "inc": inc},
                      "has_uint32": 0, "uinteger": 0}
        yield rng


# numpy's SeedSequence (pool of four 32-bit words) and PCG64 seeding, on a vector of blocks
_MASK32 = 0xFFFFFFFF
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_POOL = 4
_PCG_MULT = (2549297995355413924 << 64) + 4865540595714422341
_MASK128 = (1 << 128) - 1


def _words(n: int) -> list[int]:
    """A non-negative integer as 32-bit words, least significant first (0: one word)."""
    out = [n & _MASK32]
    while n > _MASK32:
        n >>= 32
        out.append(n & _MASK32)
    return out


def _hashmix(value: int, hash_a: int) -> tuple[int, int]:
    """SeedSequence's ``hashmix`` of one word on Python integers: the mixed word and the next
    hash constant."""
    value ^= hash_a
    hash_a = (hash_a * _MULT_A) & _MASK32
    value = (value * hash_a) & _MASK32
    return value ^ (value >> 16), hash_a


def _mix(x: int, y: int) -> int:
    r = (_MIX_L * x - _MIX_R * y) & _MASK32
    return r ^ (r >> 16)


@functools.lru_cache(maxsize=1024)
def _pool(seed: int, stream: tuple[int, ...]) -> tuple[tuple[int, ...], int]:
    """SeedSequence's pool after mixing every entropy word but the block's, the last (it
    depends on the seed and stream only), and the hash constant the block's word meets."""
    run = _words(seed)
    run += [0] * (_POOL - len(run))                 # a spawn key pads the seed to the pool
    entropy = run + [w for part in stream for w in _words(part)]
    hash_a, pool = _INIT_A, []
    for word in entropy[:_POOL]:
        mixed, hash_a = _hashmix(word, hash_a)
        pool.append(mixed)
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                mixed, hash_a = _hashmix(pool[src], hash_a)
                pool[dst] = _mix(pool[dst], mixed)
    for word in entropy[_POOL:]:
        for dst in range(_POOL):
            mixed, hash_a = _hashmix(word, hash_a)
            pool[dst] = _mix(pool[dst], mixed)
    return tuple(pool), hash_a


def _constants(start: int, mult: int, count: int) -> np.ndarray:
    """The hash constants ``start * mult**k`` (k = 1..count, 32 bits) of successive hashmixes:
    the multiplier each meets, as a column."""
    out = []
    for _ in range(count):
        start = (start * mult) & _MASK32
        out.append(start)
    return np.array(out, dtype=np.uint64)[:, None]


#: The hash constants of the eight output words of ``generate_state(4, uint64)``: each word
#: is XORed with one and multiplied by the next.
_HASH_B = np.array([_INIT_B, *_constants(_INIT_B, _MULT_B, 8)[:-1, 0].tolist()],
                   dtype=np.uint64)[:, None]
_TIMES_B = _constants(_INIT_B, _MULT_B, 8)


def pcg64_states(seed: int, stream: tuple[int, ...], blocks: np.ndarray
                 ) -> list[tuple[int, int]]:
    """The PCG64 ``(state, inc)`` that :func:`generator` starts from, for every block
    (0 <= block < 2**32) at once: numpy's ``SeedSequence`` entropy mixing, of the seed and
    stream once on Python integers (:func:`_pool`) and of the blocks' words together on
    uint32 words held in uint64 arrays, and ``generate_state(4, uint64)``; then PCG64's
    ``srandom`` (two steps of the 128-bit LCG, O'Neill 2014) on Python integers.

    >>> s = pcg64_states(7, key("demo"), np.array([0, 3]))[1]
    >>> s == tuple(generator(7, key("demo"), 3).bit_generator.state["state"].values())
    True
    """
    m32, shift = np.uint64(_MASK32), np.uint64(16)
    pool, hash_a = _pool(seed, stream)
    # the block's word hashmixed into each of the four pool words in turn: (4, blocks)
    value = np.asarray(blocks, dtype=np.uint64)[None, :] ^ np.array(
        [hash_a, *_constants(hash_a, _MULT_A, 3)[:, 0].tolist()], dtype=np.uint64)[:, None]
    value = (value * _constants(hash_a, _MULT_A, 4)) & m32
    value ^= value >> shift
    mixed = (np.array(pool, dtype=np.uint64)[:, None] * np.uint64(_MIX_L)
             - np.uint64(_MIX_R) * value) & m32
    mixed ^= mixed >> shift
    # eight 32-bit output words, from pool words 0, 1, 2, 3, 0, 1, 2, 3
    words = ((np.concatenate([mixed, mixed]) ^ _HASH_B) * _TIMES_B) & m32
    words ^= words >> shift
    seed_hi, seed_lo, inc_hi, inc_lo = (words[0::2] | (words[1::2] << np.uint64(32))).tolist()
    out = []
    for s_hi, s_lo, i_hi, i_lo in zip(seed_hi, seed_lo, inc_hi, inc_lo, strict=True):
        inc = ((((i_hi << 64) | i_lo) << 1) | 1) & _MASK128
        state = (inc + ((s_hi << 64) | s_lo)) & _MASK128       # step from 0, add the seed
        out.append(((state * _PCG_MULT + inc) & _MASK128, inc))  # and step again
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

"""Random streams: the same numbers for a subject whatever the batch or chunk."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from retrosim import randomness
from retrosim.randomness import BLOCK, key


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32), st.integers(0, 5 * BLOCK), st.integers(1, 3 * BLOCK),
       st.integers(1, 4))
def test_any_chunk_sees_the_same_rows_as_the_whole(seed, start, length, n):
    whole = randomness.uniform(seed, key("test"), np.arange(start + length), n)
    chunk = randomness.uniform(seed, key("test"), np.arange(start, start + length), n)
    assert chunk.tobytes() == whole[start:].tobytes()


def test_streams_differ_by_key_and_seed_and_are_reproducible():
    subjects = np.arange(10)
    a = randomness.normal(1, key("falls", "a"), subjects, 2)
    assert a.tobytes() == randomness.normal(1, key("falls", "a"), subjects, 2).tobytes()
    assert not np.array_equal(a, randomness.normal(1, key("falls", "b"), subjects, 2))
    assert not np.array_equal(a, randomness.normal(2, key("falls", "a"), subjects, 2))


def test_distributions_have_their_moments():
    x = randomness.exponential(3, key("moments"), np.arange(20_000), 5)
    assert abs(x.mean() - 1) < 0.02 and x.min() >= 0
    z = randomness.normal(3, key("moments"), np.arange(20_000), 5)
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.02


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**130), st.lists(st.integers(0, 2**40), max_size=4),
       st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=6))
def test_block_seeding_at_once_is_numpys_seed_sequence(seed, stream, blocks):
    """The vectorised seeding gives each block the PCG64 state that
    ``PCG64(SeedSequence(seed, spawn_key=(*stream, block)))`` starts from."""
    states = randomness.pcg64_states(seed, tuple(stream), np.array(blocks))
    for block, (state, inc) in zip(blocks, states, strict=True):
        ref = randomness.generator(seed, tuple(stream), block).bit_generator.state["state"]
        assert (state, inc) == (ref["state"], ref["inc"])


def test_draws_are_those_of_one_generator_per_block():
    subjects = np.array([3, 700, 5, 256, 1023, 4])
    x = randomness.exponential(11, key("falls", "a"), subjects, 3)
    for row, subject in zip(x, subjects, strict=True):
        table = randomness.generator(11, key("falls", "a"), int(subject) // BLOCK) \
            .standard_exponential(size=(BLOCK, 3))
        assert row.tobytes() == table[subject % BLOCK].tobytes()


def test_tables_cut_short_and_kept_give_the_rows_of_the_whole_table():
    """A draw of a few subjects fills a block's table only up to the last row it needs; a
    later draw that needs further rows of the same block gets them, not the shorter kept
    table's (a draw's tables are kept the second time it is asked for)."""
    stream = key("falls", "cut")
    randomness.exponential(13, stream, np.array([700, 3]), 24)
    first = randomness.exponential(13, stream, np.array([700, 3]), 24)
    assert (13, stream, 2, 24, "standard_exponential") in randomness._KEPT
    later = randomness.exponential(13, stream, np.array([255, 3, 767]), 24)
    for rows, subjects in ((first, [700, 3]), (later, [255, 3, 767])):
        for row, subject in zip(rows, subjects, strict=True):
            table = randomness.generator(13, stream, subject // BLOCK) \
                .standard_exponential(size=(BLOCK, 24))
            assert row.tobytes() == table[subject % BLOCK].tobytes()


def test_a_draw_is_kept_from_its_second_asking_and_read_the_same():
    """A draw asked for once (a programme's session, with a seed of its own) keeps nothing;
    asked again its tables are kept, and a third asking reads them: the same numbers each
    time, and the kept tables are read-only."""
    stream, subjects = key("kept", "twice"), np.arange(300)
    first = randomness.normal(17, stream, subjects, 3)
    assert not any(k[:2] == (17, stream) for k in randomness._KEPT)
    second = randomness.normal(17, stream, subjects, 3)
    kept = [v for k, v in randomness._KEPT.items() if k[:2] == (17, stream)]
    assert len(kept) == 2 and not any(t.flags.writeable for t in kept)
    third = randomness.normal(17, stream, subjects, 3)
    assert first.tobytes() == second.tobytes() == third.tobytes()

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

"""Pure, vectorised physiology models: arrays in, arrays out, no state, no randomness.

Each function states its units, cites its source (author, year, journal, DOI; the full entries
are in ``docs/references.md``) and carries a doctest.
Published alternatives for one quantity sit side by side, chosen by name from one registry dict
per topic (``energy.ENERGY_MODELS``).
"""

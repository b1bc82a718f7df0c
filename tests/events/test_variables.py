"""The event models' declared variables: one catalogue per model, the bundled ones together."""

from __future__ import annotations

import subprocess
import sys

import pytest

from retrosim.events import MODELS
from retrosim.events.variables import BUNDLED
from retrosim.variables import Catalogue, Variable


def test_the_bundled_catalogue_is_that_of_the_models_run():
    assert list(Catalogue(*(m.variables for m in MODELS))) == list(BUNDLED)


def test_a_name_declared_twice_is_refused():
    with pytest.raises(ValueError, match="'sbp' is declared twice"):
        Catalogue(BUNDLED, Variable("sbp", "mmHg", "again"))


def test_a_placed_tag_orders_its_selection():
    c = Catalogue(Variable("a", "1", "a", {"t:1"}), Variable("b", "1", "b", {"t:0"}),
                  Variable("c", "1", "c", {"t"}))
    assert c.select("t") == ("b", "a", "c")


def test_reading_the_declarations_loads_no_event_model():
    code = ("import sys, retrosim.results.io; loaded = {'retrosim.events.falls', "
            "'retrosim.events.bp', 'scipy.stats'} & set(sys.modules); print(sorted(loaded)); "
            "sys.exit(bool(loaded))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr

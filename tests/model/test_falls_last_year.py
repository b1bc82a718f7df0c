"""``falls_last_year``: a count in ``[subject]`` and ``[cohort]``; bad values are one line
naming the file and the key."""

import numpy as np
import pytest

import retrosim
from retrosim.errors import InputError
from retrosim.model.cohort import CohortSpec

BASE = 'name = "t"\n[{table}]\nmass_kg = 70\nage_yr = 70\nsex = "female"\n{extra}' \
       '[arms.a]\nstages = ["walk forward at 2 mph for 5 min"]\n'


def load(tmp_path, value, table="subject"):
    extra = "size = 5\n" if table == "cohort" else ""
    path = tmp_path / "s.toml"
    path.write_text(BASE.format(table=table, extra=f"{extra}falls_last_year = {value}\n"))
    return retrosim.load_scenario(path)


@pytest.mark.parametrize("table", ["subject", "cohort"])
@pytest.mark.parametrize("value", ["-1", "1.5", '"two"', "true", "1000"])
def test_a_bad_count_is_one_line_naming_the_file_and_key(tmp_path, table, value):
    with pytest.raises(InputError) as err:
        load(tmp_path, value, table)
    text = str(err.value)
    assert "s.toml" in text and "falls_last_year" in text and "\n" not in text
    assert "0-365" in text


def test_a_count_reaches_the_cohort(tmp_path):
    sc = load(tmp_path, 2)
    assert sc.subject.falls_last_year == 2
    assert load(tmp_path, 3, "cohort").cohort.subject.falls_last_year == 3


def test_a_drawn_count_is_whole():
    spec = CohortSpec.from_table({"size": 50, "mass_kg": 70, "age_yr": 70, "sex": "male",
                                  "falls_last_year": {"dist": "uniform", "min": 0, "max": 4}})
    drawn = spec.sample(50, seed=3).falls_last_year
    assert np.array_equal(drawn, np.rint(drawn)) and drawn.min() >= 0 and drawn.max() <= 4
    assert len(set(drawn.tolist())) > 1


def test_the_default_is_no_fall():
    sc = retrosim.load_scenario("balance-levels")
    assert sc.subject.falls_last_year == 0

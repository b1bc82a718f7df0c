"""Every variable and coordinate of every bundled result says its units and what it is, and is
declared, once in its catalogue, by the layer that produces it (``Variable`` records in a
``Catalogue``, which refuses a name declared twice). A session's and a programme's results are
two catalogues: ``hr_rest`` is the session's resting rate in one and the morning's in the
other."""

import pytest

import retrosim
from retrosim.engine.variables import PROGRAMME, SESSION
from retrosim.events.variables import BUNDLED
from retrosim.model.scenario import bundled
from retrosim.variables import Catalogue

#: The declarations of a session's result (its summaries are a programme's per session too)
#: and of a programme's; building each catalogue refuses a name declared twice.
DECLARED = {*Catalogue(SESSION, BUNDLED), *Catalogue(PROGRAMME, BUNDLED)}


def _declared_name(name: str) -> str:
    """The declared variable an interval bound belongs to (``hr_peak_low`` -> ``hr_peak``)."""
    for suffix in ("_low", "_high"):
        if name.endswith(suffix) and name.removesuffix(suffix) in DECLARED:
            return name.removesuffix(suffix)
    return name


@pytest.mark.parametrize("name", sorted(bundled()))
def test_every_variable_of_a_bundled_result_is_labelled_and_declared(name):
    ds = retrosim.run(retrosim.load_scenario(name), subjects=2)
    described = [k for k in [*ds.data_vars, *ds.coords] if k not in ds.dims]
    unlabelled = [k for k in described
                  if not ds[k].attrs.get("long_name") or "units" not in ds[k].attrs]
    assert not unlabelled
    undeclared = [k for k in described if _declared_name(k) not in DECLARED]
    assert not undeclared

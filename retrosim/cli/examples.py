"""The examples each subcommand's ``--help`` shows: its own, not the whole list.

``retrosim --help`` shows :data:`retrosim.cli.main.EPILOG`, a few of each; ``retrosim run
--help`` shows ``EXAMPLES["run"]``, and so on (``retrosim check`` keeps its own in
:mod:`retrosim.cli.check`).
"""

from __future__ import annotations

EXAMPLES: dict[str, str] = {
    "run": """examples:
  retrosim run compendium-2011                46 / 64 / 85 kcal: the 2011 Compendium's headline
  retrosim run knee-rehab-first-session --subjects 20 -o session.nc
  retrosim run knee-rehab-six-weeks           a six-week programme, its first and last session
  retrosim run my-protocol.toml --seed 3      a scenario file of your own, another seed
  retrosim run forward-vs-backward --step 10 -o fb.nc --all-traces
""",
    "compare": """examples:
  retrosim compare compendium-2011 forward-vs-backward
  retrosim compare knee-rehab-six-protocols --versus forward-easy --subjects 200
  retrosim compare knee-rehab-six-weeks detraining      two programmes, day by day
""",
    "sweep": """examples:
  retrosim sweep knee-rehab-six-protocols --subjects 100000 -o six.zarr
  retrosim sweep knee-rehab-six-protocols --subjects 100000 -o six.zarr --resume
  retrosim sweep balance-levels --subjects 5000 -o falls.zarr --scheduler in-process
  retrosim sweep compendium-2011 --subjects 1000000 -o big.zarr --scheduler tcp://host:8786
""",
    "scenarios": """examples:
  retrosim scenarios                          the bundled scenarios, one line each
  retrosim scenarios | grep knee              those of knee rehabilitation
""",
    "app": """examples:
  retrosim app                                the what-if page in your browser
  retrosim app --port 8050 --no-browser       on a port of your choice, no browser opened
""",
    "validate": """examples:
  retrosim validate                           every published value against the models
  retrosim validate --markdown > docs/validation.md
  retrosim validate --coverage                how many published people the intervals hold
  retrosim validate --coverage --markdown > docs/coverage.md
""",
    "report": """examples:
  retrosim report compendium-2011 -o report.html
  retrosim report session.nc -o session.html  a result written by 'retrosim run -o'
  retrosim report six.zarr -o six.html        a sweep's store: its bands and fall statistics
  retrosim report knee-rehab-six-weeks --subjects 50 --step 30 -o weeks.html
""",
}

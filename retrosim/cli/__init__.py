"""The command line: argparse and printing only, one module per subcommand.

Everything it prints comes from the layers below; options several subcommands share live here.
"""

from __future__ import annotations

import argparse


def allow_import_option(p: argparse.ArgumentParser) -> None:
    """``--allow-import PREFIX``: the modules a scenario's controller ``path`` may import."""
    p.add_argument("--allow-import", action="append", default=[], metavar="PREFIX",
                   help="let a scenario's [controller] path import from this trusted module "
                        "(and its submodules; repeatable; also RETROSIM_ALLOW_IMPORT=a,b). "
                        "Without it a scenario file imports no code (docs/security.md)")

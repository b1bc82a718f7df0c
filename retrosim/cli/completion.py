"""Shell completion (shtab): ``retrosim --print-completion bash|zsh|tcsh`` prints a script
that completes the subcommands, their options, and a scenario argument with the bundled
scenarios' names or ``*.toml`` files.

bash: ``retrosim --print-completion bash > ~/.local/share/bash-completion/completions/retrosim``;
zsh: ``retrosim --print-completion zsh > ~/.zfunc/_retrosim`` (with ``~/.zfunc`` on ``fpath``).
"""

from __future__ import annotations

import argparse

import shtab

from retrosim.model.scenario import bundled

#: Arguments that name a scenario, by metavar: completed with bundled names and TOML files.
SCENARIO_METAVARS = ("SCENARIO", "SCENARIO_OR_RESULT")


def add_option(parser: argparse.ArgumentParser) -> None:
    """``--print-completion SHELL`` on ``parser``; scenario arguments complete as scenarios."""
    names = " ".join(sorted(bundled()))
    preamble = {
        "bash": f"""
_retrosim_scenarios() {{
  compgen -W "{names}" -- "$1"
  compgen -d -- "$1"
  compgen -f -X '!*.toml' -- "$1"
  compgen -f -X '!*.nc' -- "$1"
}}
""",
        "zsh": f"""
_retrosim_scenarios() {{
  _alternative 'bundled:bundled scenario:({names})' \\
    'files:scenario file:_files -g "*.(toml|nc|zarr)"'
}}
""",
    }
    complete = {"bash": "_retrosim_scenarios", "zsh": "_retrosim_scenarios",
                "tcsh": "f:*.toml"}
    for action in _scenario_actions(parser):
        action.complete = complete  # type: ignore[attr-defined]
    shtab.add_argument_to(parser, ["--print-completion"], preamble=preamble,
                          help="print a shell completion script (bash, zsh or tcsh) and exit")


def _scenario_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """The arguments of every subcommand that name a scenario (or a saved result)."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found += _scenario_actions(sub)
        elif action.metavar in SCENARIO_METAVARS:
            found.append(action)
    return found

"""The ``cli-help`` directive: the command line's reference, generated from its argparse parser.

``.. cli-help:: retrosim.cli.main:_parser`` writes a section per subcommand (its one-line help
as the title's paragraph) holding exactly what ``retrosim COMMAND --help`` prints, examples
included, so the page can never disagree with the command line.
"""

from __future__ import annotations

import argparse
import importlib
import os
from typing import Any

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

WIDTH = 88          # the help is wrapped as in a terminal of this width


def _help(parser: argparse.ArgumentParser) -> str:
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(WIDTH)
    try:
        return parser.format_help()
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, str, Any]]:
    """(name, one-line help, parser) of each subcommand, in the order ``--help`` lists them."""
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            out += [(name, helps.get(name, ""), sub) for name, sub in action.choices.items()]
    return out


class CliHelp(SphinxDirective):
    required_arguments = 1          # module:function returning the parser

    def run(self) -> list[nodes.Node]:
        module, _, function = self.arguments[0].partition(":")
        parser = getattr(importlib.import_module(module), function)()
        out: list[nodes.Node] = [nodes.literal_block(text=_help(parser))]
        for name, summary, sub in _subcommands(parser):
            title = f"{parser.prog} {name}"
            section = nodes.section(ids=[nodes.make_id(title)],
                                    names=[nodes.fully_normalize_name(title)])
            section += nodes.title(text=title)
            if summary:
                section += nodes.paragraph(text=summary[0].upper() + summary[1:] + ".")
            section += nodes.literal_block(text=_help(sub))
            self.state.document.note_implicit_target(section)
            out.append(section)
        return out


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("cli-help", CliHelp)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

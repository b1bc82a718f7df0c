"""Sphinx configuration of retrosim's documentation site (``make docs``).

The site is built offline: Markdown pages through MyST, the lessons executed by myst-nb with
their plots, an API reference from the docstrings (autodoc and autosummary), equations by a
copy of MathJax served from the site itself (sphinx-mathjax-offline). Warnings are errors
(``sphinx-build -W``).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import retrosim  # noqa: E402

project = "retrosim"
author = "the retrosim authors"
copyright = "retrosim authors, BSD-3-Clause"  # noqa: A001
version = release = retrosim.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",          # MathJax copied into _static: no CDN
]
root_doc = "index"
exclude_patterns = ["_build", "**/.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

# MyST: GitHub-style heading anchors, so `page.md#a-heading` links resolve as on GitHub.
myst_heading_anchors = 4
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_dmath_double_inline = True

# myst-nb: execute every lesson at build time, stop on the first error.
nb_execution_mode = "force"
nb_execution_timeout = 900
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

# API reference: one page per module, generated from the docstrings.
autosummary_generate = True
autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_typehints = "none"
autodoc_member_order = "bysource"
napoleon_numpy_docstring = True
napoleon_google_docstring = False

html_theme = "alabaster"
html_title = f"retrosim {release}"
html_static_path: list[str] = []
html_theme_options = {"description": "Forward and backward treadmill walking, simulated",
                      "fixed_sidebar": True}
templates_path = ["_templates"]
autodoc_default_options["ignore-module-all"] = True      # each object on its module's page
# The TOML examples of the scenario format show elided tables ("...") that the TOML lexer
# cannot colour: they are shown uncoloured, which is all this warning says.
suppress_warnings = ["misc.highlighting_failure"]

_FIELD = re.compile(r"^[A-Za-z_*][\w, *]*\s:\s")      # "name : what it is" (the project's style)
_TRAILING_UNDERSCORE = re.compile(r"\b([A-Za-z0-9]+(?:_[A-Za-z0-9]+)*)_(?=[\s,.;:)\"']|$)")
_SECTIONS = {"Parameters", "Returns", "Yields", "Raises", "Examples", "Notes", "References",
             "Attributes", "Methods", "See Also", "Warnings", "Other Parameters"}


def _plain_docstring(app, what, name, obj, options, lines) -> None:
    """Read the project's docstrings as reStructuredText: a "name : text" field starts its own
    paragraph (its indented continuation lines become its definition), a heading that is not
    a numpydoc section becomes bold text, and a word ending in "_" is not a link target."""
    out: list[str] = []
    for i, line in enumerate(lines):
        if set(line.strip()) == {"-"} and out and out[-1].strip() \
                and out[-1].strip() not in _SECTIONS:
            out[-1] = f"**{out[-1].strip()}**"
            out.append("")
            continue
        if _FIELD.match(line) and out and out[-1].strip() and i > 0:
            out.append("")
        parts = line.split("``")
        parts[::2] = [_TRAILING_UNDERSCORE.sub(r"\1\\_", p) for p in parts[::2]]
        out.append("``".join(parts))
    lines[:] = out


def setup(app):
    app.connect("autodoc-process-docstring", _plain_docstring)

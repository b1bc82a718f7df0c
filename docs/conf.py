"""Sphinx configuration of retrosim's documentation site (``make docs``).

The site is built offline: Markdown pages through MyST, the lessons executed by myst-nb with
their plots, an API reference from the docstrings (autodoc, autosummary and numpydoc, whose
validation checks the public API's docstrings), a command-line reference from the argparse
parser (docs/_ext/cli_help.py), equations by a copy of MathJax served from the site itself
(sphinx-mathjax-offline), the pydata theme. Warnings are errors (``sphinx-build -W``).
"""

from __future__ import annotations

import dataclasses
import re
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

import retrosim  # noqa: E402

project = "retrosim"
author = "the retrosim authors"
copyright = "retrosim authors, BSD-3-Clause"  # noqa: A001
version = release = retrosim.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx.ext.mathjax",
    "cli_help",                        # the command-line reference, from the argparse parser
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

# API reference: one page per public object and one per module, generated from the
# docstrings; the type hints shown in the signatures, one parameter a line when long.
autosummary_generate = True
autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_typehints = "signature"
autodoc_type_aliases = {"ArrayLike": "numpy.typing.ArrayLike"}      # not numpy's long union
autodoc_member_order = "bysource"
maximum_signature_line_length = 88
autodoc_preserve_defaults = True       # a default shows as written (MODELS), not its repr

# numpydoc renders the sections and validates the docstrings of the public API: the names of
# ``retrosim.__all__`` (with their methods), wherever the reference renders them, and the
# entry points of the layers above it that users call (the testing API, the sweep, the
# validation table, the safety and treadmill limits). Left out:
# SA01 (a See Also section), EX01 (an Examples section: the public functions and classes carry
# doctests, their small methods need none) and ES01 (an extended summary: a one-line summary
# often says it all).
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks = {"all", "SA01", "EX01", "ES01"}
_PUBLIC = "|".join(name for name in retrosim.__all__ if not name.startswith("_"))
_LAYER_API = ("retrosim.testing.run_controller", "retrosim.testing.invariants.check",
              "retrosim.scale.sweep.run_sweep", "retrosim.validation.table.compare",
              "retrosim.scale.cluster.Cluster", "retrosim.controllers.safety.SafetyLimits",
              "retrosim.model.treadmill.TreadmillLimits")
numpydoc_validation_exclude = {
    rf"^(?!retrosim\.(?:api\.|model\.\w+\.|errors\.)?(?:{_PUBLIC})(?:\.|$))"
    rf"(?!(?:{'|'.join(map(re.escape, _LAYER_API))})$)",
    r"\.__\w+__$",
}

# A public name is described once, on its own page (``retrosim.Scenario``): its module's page
# leaves it out and links there, and a reference to where it is defined resolves to it.
_PUBLIC_OBJECTS = {f"{obj.__module__}.{obj.__qualname__}": f"retrosim.{name}"
                   for name in retrosim.__all__ if not name.startswith("_")
                   for obj in [getattr(retrosim, name)]}
autosummary_context = {"public": _PUBLIC_OBJECTS}

html_theme = "pydata_sphinx_theme"
html_title = f"retrosim {release}"
html_static_path = ["_static"]
# The scenario format's JSON Schema, published at the site's root beside the pages
# (``scenario.schema.json``) for editors to point at; the repository's file is the only copy.
html_extra_path = ["../retrosim/schema"]
html_css_files = ["wide.css"]
html_theme_options = {"navbar_end": ["search-button", "theme-switcher"],
                      "header_links_before_dropdown": 4,
                      "secondary_sidebar_items": ["page-toc"],
                      "show_toc_level": 2}
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


def _skip_public(app, what, name, obj, skip, options) -> bool | None:
    """Leave a public name out of its module's page: it has its own; and a type alias
    (``dict[str, Any]``), which has no signature to show."""
    if isinstance(obj, types.GenericAlias):
        return True
    if what == "module" and f"{getattr(obj, '__module__', '')}.{name}" in _PUBLIC_OBJECTS:
        return True
    return None


def _public_reference(app, env, node, contnode):
    """A reference to ``retrosim.model.scenario.Scenario`` goes to ``retrosim.Scenario``."""
    target = _PUBLIC_OBJECTS.get(node.get("reftarget", ""))
    if node.get("refdomain") != "py" or target is None:
        return None
    return env.domains["py"].resolve_xref(env, node["refdoc"], app.builder, node["reftype"],
                                           target, node, contnode)


def _factory_defaults(app, what, name, obj, options, signature, return_annotation):
    """A dataclass field made by a factory shows the call (``EnergyOptions()``), not
    ``<factory>``, which no signature parser reads."""
    if what != "class" or not signature or "<factory>" not in signature \
            or not dataclasses.is_dataclass(obj):
        return None
    for f in dataclasses.fields(obj):
        if f.init and f.default_factory is not dataclasses.MISSING:
            factory = getattr(f.default_factory, "__name__", "factory")
            signature = signature.replace("<factory>", f"{factory}()", 1)
    return signature, return_annotation


def setup(app):
    app.connect("autodoc-process-signature", _factory_defaults)
    app.connect("autodoc-skip-member", _skip_public)
    app.connect("missing-reference", _public_reference)
    app.connect("autodoc-process-docstring", _plain_docstring, priority=400)  # before numpydoc

"""The package version (one place; ``retrosim.__version__``)."""

__version__ = "0.1.0"

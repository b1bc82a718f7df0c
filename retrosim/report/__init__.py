"""The self-contained HTML report and its figures.

Reads a scenario (run here) or a saved result; writes one page.
"""

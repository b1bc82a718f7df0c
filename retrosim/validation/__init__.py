"""Models against the published values they rest on: ``retrosim validate``.

One function per topic returns rows; the table prints and grades them.
"""

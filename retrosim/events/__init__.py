"""Per-subject event models: falls, blood pressure, guidance.

Each draws its events along a session and declares the variables it adds to the result.
"""

"""SimPy wiring: the treadmill plant, the session, the event log, open and closed loop.

Builds one session per arm and hands it to the event models; imports no consumer of results.
"""

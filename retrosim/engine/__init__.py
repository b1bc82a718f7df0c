"""SimPy wiring: the treadmill plant, the session and its event log, open and closed loop.

One recipe builds an arm's session (``simulate.build_session``) and runs the event models it
is given; it imports no event model and no consumer of results.
"""

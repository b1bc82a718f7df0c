"""What is simulated: scenarios, arms, subjects, cohorts, protocols (stage strings), the
treadmill's rules, the scenario options (``[energy]``, ``[bp]``, ``[falls]``) and sweep grids.

The one place a scenario's TOML becomes typed SI objects; nothing here runs a simulation.
"""

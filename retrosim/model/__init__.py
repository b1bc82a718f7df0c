"""What is simulated: scenarios, subjects, cohorts, protocols, grids.

The one place a scenario's TOML becomes typed SI objects; nothing here runs a simulation.
"""

"""Sessions -> one self-describing xarray.Dataset; tables; atomic NetCDF I/O.

The contract's variables, their CF attributes and the references of the models that ran.
"""

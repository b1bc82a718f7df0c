"""The command line: argparse and printing only, one module per subcommand.

Everything it prints comes from the layers below.
"""

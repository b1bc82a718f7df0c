"""``python -m retrosim``: the command line (:func:`retrosim.cli.main.main`)."""

import sys

from retrosim.cli.main import main

if __name__ == "__main__":
    sys.exit(main())

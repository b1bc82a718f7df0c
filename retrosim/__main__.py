import sys

from retrosim.cli import main

sys.exit(main())

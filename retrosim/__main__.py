import sys

from retrosim.cli.main import main

sys.exit(main())

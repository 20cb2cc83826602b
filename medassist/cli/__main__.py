"""`python -m medassist.cli`: the same as the `medassist` command."""
import sys

from . import main

sys.exit(main())

"""`python -m entrypoints.cli COMMAND`: the same as `wijkarchief COMMAND`."""

import sys

from entrypoints.cli import main

sys.exit(main())

"""`python -m entrypoints.cli`, as the `catalog` script."""

import sys

from entrypoints.cli import main

sys.exit(main())

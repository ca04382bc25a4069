#!/usr/bin/env python3
"""Real-homeserver test rig for mxreg: local Synapse servers on loopback.

The command line of the rig; the rig itself is the package next to this
file (scripts/homeserver/, its __init__ describes the variants). Run
`scripts/homeserver.py --help`.
"""

import sys

# The package directory sits next to this file, and a package wins over a
# module of the same name: this imports scripts/homeserver/, not this file.
from homeserver.cli import main

if __name__ == "__main__":
    sys.exit(main())

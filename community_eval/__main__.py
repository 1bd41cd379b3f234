"""``python -m community_eval``: see :mod:`community_eval.cli`."""

import sys

from community_eval.cli import main

sys.exit(main())

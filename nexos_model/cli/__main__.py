"""``python -m nexos_model.cli``: the ``nexos`` command."""

import sys

from nexos_model.cli.main import main

sys.exit(main())

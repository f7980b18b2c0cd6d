"""``python -m agent_baton``: the same as the ``agent-baton`` command."""

import sys

from agent_baton.cli import main

sys.exit(main())

"""``python -m deskui``: the same as the ``deskui`` command (the SSH and web servers start the
desk this way, with the Python they run under)."""

import sys

from deskui.cli import main

sys.exit(main())

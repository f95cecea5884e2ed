"""``python -m gsdrp.cli``: the same as the ``gsdrp`` command."""

from gsdrp.cli import main

main()

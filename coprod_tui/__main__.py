"""`python -m coprod_tui …` is the same as `coprod …`."""

import sys

from coprod_tui.cli import main

if __name__ == "__main__":
    sys.exit(main())

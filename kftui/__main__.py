import sys

from kftui.cli import main

sys.exit(main())

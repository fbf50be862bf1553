"""`python -m bot …` entry point."""
import sys

from bot.cli import main

sys.exit(main())

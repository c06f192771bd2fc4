"""`python -m assortment` runs the CLI."""

from assortment.cli import entry

entry()

"""Assortment Health: classify every style at every location and check the brand's minimums."""

__version__ = "0.1.0"

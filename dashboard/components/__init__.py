"""Reusable pieces of the dashboard's layout (shell, cards, grids, empty states)."""

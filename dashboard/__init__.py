"""The Assortment Health dashboard: a Dash app over the store's read snapshots."""

-- Attach the store being rebuilt (the database file at $path) read-only as `src`.
attach $path as src (read_only)

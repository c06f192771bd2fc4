-- Detach the store attached as `src` by rebuild_attach_source.
detach src

"""Read -> validate -> load: distributors' files into the store."""

from assortment.ingest.load import LoadResult, load_file, load_frame, validate_file

__all__ = ["LoadResult", "load_file", "load_frame", "validate_file"]

"""The project's own exception types: errors a user can cause, turned into clear messages at the edges."""

from __future__ import annotations

from dataclasses import dataclass


class AssortmentError(Exception):
    """Base class for every error a user can cause (bad input, bad options, missing data)."""

    exit_code = 1


class UsageError(AssortmentError):
    """The command was called wrongly (bad option value, missing file, unknown kind)."""

    exit_code = 2


class ConfigError(AssortmentError):
    """The rules file or a setting is invalid."""

    exit_code = 2


class NoDataError(AssortmentError):
    """The database has nothing for what was asked (empty database, month not loaded)."""


class StoreBusyError(AssortmentError):
    """Another process holds the write lock for too long."""


@dataclass(frozen=True, slots=True)
class RowError:
    """One invalid cell of an uploaded file, as a spreadsheet user would find it.

    Attributes:
        row: Row number as the spreadsheet shows it (header is row 1, first data row is 2);
            0 for problems with the file as a whole (missing column, empty file).
        column: Column header as written in the file (or the canonical name).
        value: The offending value as text ('' when empty).
        reason: Plain-words reason.
    """

    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        return f"{where}, column {self.column!r}, value {self.value!r}: {self.reason}"


class ValidationError(AssortmentError):
    """A file was rejected as a whole; ``errors`` names every bad row."""

    def __init__(self, file_name: str, errors: list[RowError], *, total: int | None = None) -> None:
        self.file_name = file_name
        self.errors = errors
        self.total = total if total is not None else len(errors)
        shown = "\n".join(f"  {e}" for e in errors[:20])
        more = f"\n  ... and {self.total - 20} more" if self.total > 20 else ""
        super().__init__(
            f"{file_name}: rejected, nothing was stored ({self.total} problem"
            f"{'s' if self.total != 1 else ''}):\n{shown}{more}"
        )

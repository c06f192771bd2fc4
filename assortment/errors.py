"""The project's own exception types: errors a user can cause, turned into clear messages at the edges."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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


class EnvironmentProblemError(AssortmentError):
    """A folder or file the user controls cannot be used (full disk, read-only folder, a
    folder where a file is wanted, no permission); the message names the path."""

    exit_code = 2


def environment_problem(path: object, exc: OSError, *, what: str) -> EnvironmentProblemError:
    """An OSError turned into words naming ``path``: 'cannot write the archive folder ...'."""
    reason = exc.strerror or type(exc).__name__
    hint = {
        28: "free some disk space",  # ENOSPC
        30: "the disk is mounted read-only",  # EROFS
        13: "check the folder's permissions",  # EACCES
        1: "check the folder's permissions",  # EPERM
        21: "give a file name, not a folder",  # EISDIR
        20: "a part of the path is a file, not a folder",  # ENOTDIR
    }.get(exc.errno or 0, "check the path")
    return EnvironmentProblemError(f"cannot {what} {str(path)!r}: {reason} ({hint})")


class EngineUnavailableError(AssortmentError):
    """An optional engine cannot start here (its package or Java is missing); the message
    says what to install."""

    exit_code = 2


class PublishError(AssortmentError):
    """The data is stored in the master, but the read snapshot could not be published
    (disk full, read-only folder): readers still see the previous data until a later
    writer or ``assortment verify`` publishes."""


class StoreCheckError(AssortmentError):
    """``assortment verify`` or ``rebuild`` found the store inconsistent in a way it cannot
    repair by itself (the message says what to do)."""


@dataclass(frozen=True, slots=True)
class RowError:
    """One invalid cell of an uploaded file, as a spreadsheet user would find it.

    Attributes:
        row: Row number as the spreadsheet shows it (header is row 1, first data row is 2);
            0 for problems with the file as a whole (missing column, empty file).
        column: Column header as written in the file (or the canonical name).
        value: The offending value as text ('' when empty).
        reason: Plain-words reason (English; the CLI prints it).
        code: The reason as a code (``negative``, ``unknown_location`` ...) for the edges
            that put it in other words or languages ('' for file-level problems).
        params: Values the words need (``first_row`` of a duplicate, ``other_kind`` ...).
    """

    row: int
    column: str
    value: str
    reason: str
    code: str = ""
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

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

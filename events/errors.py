"""Errors of the domain, each with a message a curator understands.

The application and the API map these to exit codes and problem+json answers in one place
(`api/errors.py`, `archive/cli.py`).
"""

from __future__ import annotations


class ArchiveError(Exception):
    """Base of every error the archive reports to its users."""

    status = 400
    title = "Ongeldige invoer"

    def __init__(
        self, message: str, *, field: str | None = None, details: dict[str, object] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details or {}


class InvalidInput(ArchiveError):
    """A value that the archive cannot accept."""

    status = 422
    title = "Ongeldige invoer"


class InvalidDate(InvalidInput):
    """A date that is not EDTF and not a Dutch phrase the archive knows."""

    title = "Ongeldige datum"


class UnknownQuality(InvalidInput):
    """A quality id or label that is not in the vocabulary."""

    title = "Onbekende kwaliteit"


class NotFound(ArchiveError):
    """An item, assessment or happening that does not exist (or is not visible)."""

    status = 404
    title = "Niet gevonden"


class Withdrawn(ArchiveError):
    """An item whose consent was withdrawn: readers get its tombstone, not its content."""

    status = 410
    title = "Ingetrokken"


class AlreadyExists(ArchiveError):
    """A natural key (story number, episode slug, media id) that is already taken."""

    status = 409
    title = "Bestaat al"


class StaleVersion(ArchiveError):
    """A revision based on an older version than the one recorded."""

    status = 412
    title = "Verouderde versie"


class NotPermitted(ArchiveError):
    """An action the caller's role does not allow."""

    status = 403
    title = "Niet toegestaan"


class StoreNotEmpty(ArchiveError):
    """An import into a store that already holds events."""

    status = 409
    title = "Archief is niet leeg"


class KeyMissing(ArchiveError):
    """A write to an item whose key is not in the key store (e.g. restored without keys).

    Its words would have to be stored unsealed: the write is refused instead.
    """

    status = 409
    title = "Sleutel ontbreekt"


class UnsupportedType(ArchiveError):
    """A file whose content is not one of the types the archive keeps (decided from the
    bytes, never from the name or the header the client sent)."""

    status = 415
    title = "Bestandstype niet toegestaan"


class TooLarge(ArchiveError):
    """A file (or request) over its size limit."""

    status = 413
    title = "Te groot"

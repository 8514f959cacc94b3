"""Access tokens as events: issued and revoked, never stored in the clear.

A token reads `NAME.SECRET`; the aggregate (id: uuid5 of the name) keeps only a SHA-256
hash of the secret, so the event log never holds a usable token.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from uuid import UUID

from eventsourcing.domain import event

from events.errors import AlreadyExists, InvalidInput
from events.items import ArchiveAggregate, item_id

ROLES = ("curator", "researcher")
TOKEN_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def hash_secret(secret: str) -> str:
    """The stored form of a token's secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def check_name(name: str) -> str:
    """Token names are short lowercase slugs: they become the actor of every event."""
    if not isinstance(name, str) or not TOKEN_NAME.match(name):
        raise InvalidInput(
            f"Ongeldige tokennaam {name!r}: kleine letters, cijfers en streepjes.", field="name"
        )
    return name


def check_role(role: str) -> str:
    """curator or researcher."""
    if role not in ROLES:
        raise InvalidInput(f"Onbekende rol {role!r}: kies curator of researcher.", field="role")
    return role


class AccessToken(ArchiveAggregate):
    """A named bearer token with a role; revocable, re-issuable."""

    @staticmethod
    def create_id(name: str) -> UUID:
        return item_id("tokens", name)

    @event("Issued")
    def __init__(self, name: str, role: str, secret_hash: str) -> None:
        self.name = name
        self.role = role
        self.secret_hash = secret_hash
        self.revoked = False

    def matches(self, secret: str) -> bool:
        """True when `secret` is this token's secret and the token is not revoked."""
        return not self.revoked and hmac.compare_digest(self.secret_hash, hash_secret(secret))

    def revoke(self) -> None:
        """Make the token unusable."""
        if not self.revoked:
            self._revoked()

    @event("Revoked")
    def _revoked(self) -> None:
        self.revoked = True

    def reissue(self, role: str, secret_hash: str, *, replace: bool = False) -> None:
        """Give the name a new secret (and role); an active token only when `replace`."""
        if not self.revoked and not replace:
            raise AlreadyExists(
                f"Er is al een actief token {self.name!r}: kies een andere naam, of vervang "
                "het met --replace (het oude token werkt dan niet meer).",
                field="name",
            )
        self._reissued(role=role, secret_hash=secret_hash)

    @event("Reissued")
    def _reissued(self, role: str, secret_hash: str) -> None:
        self.role = role
        self.secret_hash = secret_hash
        self.revoked = False

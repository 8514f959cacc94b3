"""The commands on access tokens: issue, re-issue, revoke, and checking one.

A mixin of the application (`archive.application.Wijkarchief`).
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from eventsourcing.application import AggregateNotFoundError

from events.errors import InvalidInput, NotFound
from events.items import acting_as
from events.tokens import AccessToken, check_name, check_role, hash_secret

if TYPE_CHECKING:
    from eventsourcing.application import Repository


class TokenCommands:
    """Tokens of curators and researchers (stored hashed; names are unique unless replaced)."""

    if TYPE_CHECKING:  # what the application provides
        repository: Repository[Any]

        def _save(self, *aggregates: Any) -> int: ...

    def issue_token(
        self, name: str, role: str, *, actor: str = "beheer", replace: bool = False
    ) -> str:
        """Issue a token; returns `NAME.SECRET`, shown only this once. A name whose token
        is active is refused (`AlreadyExists`) unless `replace` (the old one stops working)."""
        name, role = check_name(name), check_role(role)
        secret = secrets.token_urlsafe(32)
        with acting_as(actor):
            try:
                token: Any = self.repository.get(AccessToken.create_id(name))
                assert isinstance(token, AccessToken)
                token.reissue(role, hash_secret(secret), replace=replace)
            except AggregateNotFoundError:
                token = AccessToken(name=name, role=role, secret_hash=hash_secret(secret))
        self._save(token)
        return f"{name}.{secret}"

    def revoke_token(self, name: str, *, actor: str = "beheer") -> int:
        """Revoke a token by name."""
        try:
            token: Any = self.repository.get(AccessToken.create_id(check_name(name)))
        except AggregateNotFoundError:
            raise NotFound(f"Er is geen token {name!r}.") from None
        assert isinstance(token, AccessToken)
        with acting_as(actor):
            token.revoke()
        return self._save(token)

    def token_version(self, name: str) -> int | None:
        """The version of a live (unrevoked) token, or None: a revoke or reissue moves it on."""
        try:
            token: Any = self.repository.get(AccessToken.create_id(check_name(name)))
        except (AggregateNotFoundError, InvalidInput):
            return None
        if not isinstance(token, AccessToken) or token.revoked:
            return None
        return int(token.version)

    def authenticate(self, bearer: str) -> tuple[str, str] | None:
        """The (name, role) of a valid, unrevoked token, else None."""
        name, _, secret = (bearer or "").partition(".")
        if not secret:
            return None
        try:
            check_name(name)
            token: Any = self.repository.get(AccessToken.create_id(name))
        except (AggregateNotFoundError, InvalidInput):
            return None
        assert isinstance(token, AccessToken)
        return (token.name, token.role) if token.matches(secret) else None

"""Access tokens: a name stands for one active token until it is replaced on purpose."""

from __future__ import annotations

import pytest

from events.errors import AlreadyExists
from events.tokens import AccessToken, hash_secret


def test_an_active_token_is_reissued_only_when_replaced() -> None:
    token = AccessToken(name="anna", role="curator", secret_hash=hash_secret("een"))

    # Reissuing an active token is refused, and changes nothing.
    with pytest.raises(AlreadyExists, match="--replace"):
        token.reissue("researcher", hash_secret("twee"))
    assert token.matches("een") and token.role == "curator"

    # Asked to replace it, the new secret replaces the old.
    token.reissue("researcher", hash_secret("twee"), replace=True)
    assert token.matches("twee") and not token.matches("een")
    assert token.role == "researcher"


def test_a_revoked_token_is_reissued_without_replace() -> None:
    token = AccessToken(name="anna", role="curator", secret_hash=hash_secret("een"))
    token.revoke()
    token.reissue("curator", hash_secret("twee"))
    assert token.matches("twee")

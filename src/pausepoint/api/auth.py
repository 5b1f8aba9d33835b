"""API keys: who is calling. Keys live in settings only as SHA-256 hashes mapped to user names.

`PAUSEPOINT_API_KEYS=ann:<sha256 of ann's key>,bob:<...>`; a request carries
`Authorization: Bearer KEY` (browsers' EventSource and WebSocket may pass `?token=KEY`; the
LangGraph API door also takes `x-api-key: KEY`, what langgraph-sdk sends).
With no keys configured the server is open, every caller is the user `local`
(`settings.LOCAL_USER`, the CLI's default actor too), and `check_bind` refuses any address
but loopback.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from dataclasses import dataclass

from pausepoint.errors import ConfigurationError, Unauthorized
from pausepoint.settings import LOCAL_USER, Settings

KEY_PREFIX = "pp_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def parse_keys(text: str) -> dict[str, str]:
    """`user:hash,user:hash` -> {hash: user}; ConfigurationError names a malformed entry."""
    users: dict[str, str] = {}
    for entry in filter(None, (e.strip() for e in text.split(","))):
        user, colon, digest = entry.partition(":")
        digest = digest.strip().lower()
        if not colon or not user.strip() or len(digest) != 64:
            raise ConfigurationError(
                f"PAUSEPOINT_API_KEYS entry {entry[:20]!r}… is not USER:SHA256 (64 hex digits)"
            )
        users[digest] = user.strip()
    return users


@dataclass(frozen=True, slots=True)
class Authenticator:
    """Turns the presented key (or its absence) into a user name."""

    users_by_hash: dict[str, str]

    @classmethod
    def from_settings(cls, settings: Settings) -> Authenticator:
        return cls(parse_keys(settings.api_keys))

    @property
    def open(self) -> bool:
        return not self.users_by_hash

    def user(self, authorization: str | None, token: str | None, api_key: str | None = None) -> str:
        """The user whose key is presented: as `Authorization: Bearer KEY`, else `api_key`
        (an `x-api-key` header), else `token` (`?token=`)."""
        if self.open:
            return LOCAL_USER
        key = api_key.strip() if api_key and api_key.strip() else token
        if authorization:
            scheme, _, value = authorization.partition(" ")
            if scheme.lower() != "bearer" or not value.strip():
                raise Unauthorized("send `Authorization: Bearer KEY`")
            key = value.strip()
        if not key:
            raise Unauthorized("an API key is required: send `Authorization: Bearer KEY`")
        user = self.users_by_hash.get(hash_key(key))
        if user is None:
            raise Unauthorized("unknown API key")
        return user


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(settings: Settings, host: str) -> None:
    """Refuse to serve an open (keyless) API on anything but loopback."""
    if not parse_keys(settings.api_keys) and not is_loopback(host):
        raise ConfigurationError(
            f"refusing to listen on {host} without API keys; set PAUSEPOINT_API_KEYS "
            "(`pausepoint keys add USER`) or listen on 127.0.0.1"
        )

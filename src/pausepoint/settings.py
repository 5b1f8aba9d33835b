"""Settings: the only module that reads the environment and `.env` (prefix `PAUSEPOINT_`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Annotated, Literal, Self
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

#: The one user of an open server (no API keys): every HTTP caller, and the CLI's default actor,
#: so a thread started from one door on this machine is seen from every other.
LOCAL_USER = "local"

#: Where LangGraph Studio runs: the one origin browsers may call the server from by default.
STUDIO_ORIGIN = "https://smith.langchain.com"

#: Every event a notification carries (its payload's "type").
EVENT_TYPES = ("paused", "escalated", "reminder", "completed", "failed")


def check_http_url(url: str, what: str) -> str:
    """`url` when it is an absolute http:// or https:// URL; else ValueError naming `what`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{what} must be an http:// or https:// URL with a host, got {url!r}")
    return url


class Webhook(BaseModel):
    """One webhook (an item of PAUSEPOINT_WEBHOOKS): where events are POSTed, how they are
    signed, which events it wants, and the body's format."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str
    #: signs each body (X-Pausepoint-Signature); None sends unsigned
    secret: str | None = Field(default=None, repr=False)
    #: the event types this webhook wants; None wants every one
    events: tuple[str, ...] | None = None
    #: "json": the event itself; "slack": a message Slack-compatible incoming webhooks accept
    format: Literal["json", "slack"] = "json"

    @field_validator("url")
    @classmethod
    def _http_only(cls, url: str) -> str:
        return check_http_url(url, "a webhook's url")

    @field_validator("events")
    @classmethod
    def _known_events(cls, events: tuple[str, ...] | None) -> tuple[str, ...] | None:
        unknown = sorted(set(events or ()) - set(EVENT_TYPES))
        if unknown:
            raise ValueError(
                f"unknown event types {unknown}; a webhook's events are some of {list(EVENT_TYPES)}"
            )
        return events

    def wants(self, event_type: str) -> bool:
        """Whether an event of this type goes to this webhook."""
        return self.events is None or event_type in self.events


@dataclass(frozen=True, slots=True)
class SmtpServer:
    """An SMTP server, as `smtp://[user:password@]host[:port]` (or `smtps://`) names it."""

    host: str
    port: int
    #: implicit TLS from the first byte (smtps://); otherwise STARTTLS when the server offers it
    implicit_tls: bool
    username: str | None = None
    #: kept out of repr, so out of logs and tracebacks
    password: str | None = field(default=None, repr=False)


def parse_smtp_url(url: str) -> SmtpServer:
    """The server `url` names (default port 25, or 465 for smtps://); ValueError when it is not
    such a URL. User and password are percent-decoded."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError("an SMTP URL starts with smtp:// or smtps://")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"the SMTP URL's port is not a number: {exc}") from exc
    if not parts.hostname:
        raise ValueError("the SMTP URL has no host")
    implicit_tls = parts.scheme == "smtps"
    return SmtpServer(
        host=parts.hostname,
        port=port or (465 if implicit_tls else 25),
        implicit_tls=implicit_tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


class Settings(BaseSettings):
    """Every setting Pausepoint reads; `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        env_prefix="PAUSEPOINT_", env_file=".env", extra="ignore", frozen=True
    )

    database_url: str = Field(
        default="sqlite:///.pausepoint/pausepoint.db",
        description="sqlite:///relative/or/absolute/path.db (the default) or postgresql://...",
    )
    model: str = Field(
        default="offline",
        description="'offline' for the deterministic built-in agents, or 'provider:model' "
        "for a LangChain chat model through init_chat_model (needs the 'models' extra).",
    )
    busy_timeout_ms: int = Field(default=30_000, ge=0, description="SQLite busy timeout.")
    lease_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How long a process may hold a thread before others retake it.",
    )
    max_runs: int = Field(
        default=16, ge=1, description="How many runs a server runs at once (the rest queue)."
    )
    run_timeout: float | None = Field(
        default=None,
        gt=0,
        description="Seconds a run may take before it fails (unset: no limit).",
    )
    postgres_pool_size: int = Field(
        default=10,
        ge=2,
        description="Connections per process to PostgreSQL (postgresql:// URLs only).",
    )
    remote_agents: list[str] = Field(
        default_factory=list,
        description="URLs of remote A2A agents; their cards join the orchestrator's directory.",
    )
    approve_plans: bool = Field(
        default=False,
        description="Orchestrator: pause for the user's approval of each plan before running it.",
    )
    max_body_bytes: int = Field(
        default=1_048_576, ge=1024, description="Largest HTTP request body accepted (413 above)."
    )
    host: str = Field(default="127.0.0.1", description="HTTP server address.")
    port: int = Field(default=8000, ge=0, le=65535, description="HTTP server port.")
    workflows_dir: Path | None = Field(
        default=Path("workflows"),
        description="A folder of workflow specs (*.yaml, *.yml, *.json) to offer beside the "
        "bundled workflows; missing folders are ignored.",
    )
    api_keys: str = Field(
        default="",
        description="HTTP API keys: comma-separated USER:SHA256-OF-KEY pairs "
        "(`pausepoint keys add USER` makes one). Empty: the server runs open, loopback only, "
        "and every request is the user 'local'.",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: [STUDIO_ORIGIN],
        description="Origins whose web pages may call the server (CORS), comma-separated or a "
        "JSON list; by default LangGraph Studio's. Empty: no cross-origin calls.",
    )
    chat_workflow: str = Field(
        default="orchestrator",
        description="The workflow the chat doors (/api/chat, WS /ws/chat) run on a prompt.",
    )
    failpoint: str | None = Field(
        default=None,
        description="Test only: kill the process at this named point (e.g. 'after_decision').",
    )
    config: Path | None = Field(
        default=None,
        description="The langgraph.json whose graphs Pausepoint serves, each a workflow in every "
        "door (a folder means the langgraph.json in it). Unset: ./langgraph.json, when the "
        "working directory has one.",
    )
    include_bundled: bool = Field(
        default=False,
        description="In a team's folder (a langgraph.json naming graphs of its own), also serve "
        "Pausepoint's demo workflows (story, deploy, invoice, remote).",
    )
    serializable_types: list[str] = Field(
        default_factory=list,
        description='Extra types checkpoints may keep, as a JSON list of "module:Name" (e.g. '
        '["my_app.models:Receipt"]), beside those found in the graphs\' state schemas.',
    )
    public_url: str | None = Field(
        default=None,
        description="The server's address as people reach it (https://pausepoint.example.com); "
        "notifications link to the page there. Unset: notifications carry no link.",
    )
    webhooks: list[Webhook] = Field(
        default_factory=list,
        description='Webhooks events are POSTed to, a JSON list of {"url", "secret" (signs each '
        'body), "events" (some of paused, escalated, reminder, completed, failed; default all), '
        '"format": "json" (the event) or "slack" (a Slack-format message)}.',
    )
    smtp_url: str | None = Field(
        default=None,
        repr=False,
        description="The SMTP server email leaves by: smtp://[user:password@]host[:port] (port "
        "25; STARTTLS when offered) or smtps://... (TLS, port 465). Unset: no email.",
    )
    smtp_from: str | None = Field(
        default=None,
        description="The From of every email (required with smtp_url), e.g. "
        "'Pausepoint <pausepoint@example.com>'.",
    )
    emails: dict[str, str] = Field(
        default_factory=dict,
        description='Where each user\'s email goes, a JSON object {"ann": "ann@example.com"}.',
    )
    notify_for_hours: float = Field(
        default=24.0,
        gt=0,
        description="How long a notification is retried before it is given up (dead).",
    )
    remind_before_minutes: float = Field(
        default=60.0,
        ge=0,
        description="A reminder goes this long before a pause's deadline; 0: no reminders.",
    )
    notify_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        description="How long one delivery may take (a webhook's answer, an SMTP session) "
        "before it counts as failed and is retried.",
    )
    notify_retry_seconds: float = Field(
        default=2.0,
        gt=0,
        description="The wait before a failed notification's first retry; each next one "
        "waits twice as long (at most 10 minutes), give or take a fifth.",
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        """`a,b` or `["a", "b"]` (the environment's text) -> ["a", "b"], without the trailing
        `/` a browser's Origin header never has."""
        if isinstance(value, str):
            text = value.strip()
            value = json.loads(text) if text.startswith("[") else text.split(",")
        if isinstance(value, list | tuple):
            cleaned = (o.strip().rstrip("/") if isinstance(o, str) else o for o in value)
            return [o for o in cleaned if o != ""]
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, url: str | None) -> str | None:
        """An http(s) URL, without the trailing `/` links are joined after; "" is unset."""
        if url is None or url.strip() == "":
            return None
        return check_http_url(url.strip(), "PAUSEPOINT_PUBLIC_URL").rstrip("/")

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, url: str | None) -> str | None:
        """smtp:// or smtps:// with a host; "" is unset."""
        if url is None or url.strip() == "":
            return None
        parse_smtp_url(url.strip())  # its ValueError says what is wrong (never the password)
        return url.strip()

    @field_validator("smtp_from")
    @classmethod
    def _smtp_from(cls, sender: str | None) -> str | None:
        if sender is None or sender.strip() == "":
            return None
        return _checked_address(sender.strip(), "PAUSEPOINT_SMTP_FROM")

    @field_validator("emails")
    @classmethod
    def _emails(cls, emails: dict[str, str]) -> dict[str, str]:
        return {user: _checked_address(a, f"the email of {user!r}") for user, a in emails.items()}

    @model_validator(mode="after")
    def _smtp_needs_a_sender(self) -> Self:
        if self.smtp_url is not None and self.smtp_from is None:
            raise ValueError(
                "PAUSEPOINT_SMTP_FROM is required when PAUSEPOINT_SMTP_URL is set: the From "
                "address of every email (e.g. 'Pausepoint <pausepoint@example.com>')"
            )
        return self

    @property
    def sqlite_path(self) -> Path | None:
        """The database file when the URL is sqlite://, else None."""
        prefix = "sqlite:///"
        if not self.database_url.startswith(prefix):
            return None
        return Path(self.database_url[len(prefix) :])


def _checked_address(text: str, what: str) -> str:
    """`text` when it is one email address (`a@b.c` or `Name <a@b.c>`) on one line."""
    _, address = parseaddr(text)
    if "@" not in address or any(c in text for c in "\r\n") or " " in address:
        raise ValueError(f"{what} is not an email address: {text!r}")
    return text

"""Settings: the only module that reads the environment and `.env` (prefix `PAUSEPOINT_`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

#: The one user of an open server (no API keys): every HTTP caller, and the CLI's default actor,
#: so a thread started from one door on this machine is seen from every other.
LOCAL_USER = "local"

#: Where LangGraph Studio runs: the one origin browsers may call the server from by default.
STUDIO_ORIGIN = "https://smith.langchain.com"


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

    @property
    def sqlite_path(self) -> Path | None:
        """The database file when the URL is sqlite://, else None."""
        prefix = "sqlite:///"
        if not self.database_url.startswith(prefix):
            return None
        return Path(self.database_url[len(prefix) :])

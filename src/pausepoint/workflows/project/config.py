"""Reading a langgraph.json: its graphs, dependencies and env, and Pausepoint's own section.

    {"dependencies": ["."],
     "graphs": {"expense": "./expense.py:graph",
                "notes": {"path": "team.notes:graph", "description": "..."}},
     "env": ".env",
     "pausepoint": {"serializable_types": ["team.models:Receipt"]}}

A path with a `/` (or ending in `.py`) names a file relative to the langgraph.json, anything
else a module on the import path (as `langgraph dev` reads it). Every refusal names the file
and, for a graph, its key and path.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

from pausepoint.errors import ConfigurationError
from pausepoint.settings import Settings

logger = logging.getLogger(__name__)

CONFIG_NAME = "langgraph.json"
JS_SUFFIXES = (".ts", ".tsx", ".js", ".mjs", ".cjs", ".mts")
#: A workflow name: it goes into URLs, CLI arguments and A2A skill ids as it is.
WORKFLOW_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_PAUSEPOINT_KEYS = {"serializable_types"}


@dataclass(frozen=True, slots=True)
class GraphEntry:
    """One entry of `"graphs"`: the workflow `key`, and where its graph is."""

    key: str
    spec: str
    variable: str
    description: str | None = None
    #: The file, resolved against the langgraph.json's folder (the `./file.py:var` form).
    file: Path | None = None
    #: The module (the `package.module:var` form).
    module: str | None = None

    @property
    def target(self) -> str:
        """The file or module part of the path, as written."""
        return self.spec.rsplit(":", 1)[0]


@dataclass(frozen=True, slots=True)
class Project:
    """A langgraph.json, read and checked (nothing imported yet)."""

    path: Path
    graphs: tuple[GraphEntry, ...]
    dependencies: tuple[str, ...] = ()
    env: str | dict[str, str] | None = None
    serializable_types: tuple[str, ...] = ()

    @property
    def folder(self) -> Path:
        return self.path.parent

    def problem(self, entry: GraphEntry, message: str) -> ConfigurationError:
        """The refusal of one graph, naming the file, the key and the path."""
        return ConfigurationError(f'{self.path}: graph "{entry.key}" ({entry.spec}): {message}')


def find_config(settings: Settings) -> Path | None:
    """The langgraph.json to serve: `settings.config` (PAUSEPOINT_CONFIG), else the working
    directory's, else None (Pausepoint's bundled workflows only)."""
    if settings.config is None:
        here = Path(CONFIG_NAME)
        return here.resolve() if here.is_file() else None
    path = settings.config.expanduser()
    if path.is_dir():
        path = path / CONFIG_NAME
    if not path.is_file():
        raise ConfigurationError(
            f"PAUSEPOINT_CONFIG names {settings.config}, which is neither a langgraph.json "
            "nor a folder holding one"
        )
    return path.resolve()


def read_project(path: Path) -> Project:
    """Read and check `path`; ConfigurationError names what is wrong (and which graph)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigurationError(f"cannot read {path}: {exc.strerror}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigurationError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{path} must hold a JSON object")
    graphs = raw.get("graphs")
    if not isinstance(graphs, dict) or not graphs:
        raise ConfigurationError(f'{path} has no "graphs" object naming at least one graph')
    folder = path.parent
    return Project(
        path=path,
        graphs=tuple(_entry(path, folder, key, value) for key, value in graphs.items()),
        dependencies=tuple(_strings(path, raw.get("dependencies", []), '"dependencies"')),
        env=_env(path, raw.get("env")),
        serializable_types=_pausepoint_section(path, raw.get("pausepoint", {})),
    )


def _entry(path: Path, folder: Path, key: str, value: Any) -> GraphEntry:
    where = f'{path}: graph "{key}"'
    if isinstance(value, dict):
        spec, description = value.get("path"), value.get("description")
        if not isinstance(spec, str):
            raise ConfigurationError(f'{where}: the object form needs a "path" string')
        if description is not None and not isinstance(description, str):
            raise ConfigurationError(f'{where} ({spec}): "description" must be a string')
    elif isinstance(value, str):
        spec, description = value, None
    else:
        raise ConfigurationError(
            f'{where}: expected "path/to/file.py:variable", "package.module:variable" or '
            f'{{"path": ..., "description": ...}}, not {json.dumps(value)}'
        )
    if not WORKFLOW_NAME.fullmatch(key):
        raise ConfigurationError(
            f"{where} ({spec}): a workflow name is 1-64 letters, digits and ._- "
            "(starting with a letter or digit)"
        )
    target, colon, variable = spec.rpartition(":")
    if not colon or not target or not variable.isidentifier():
        raise ConfigurationError(
            f'{where} ({spec}): expected "path/to/file.py:variable" or '
            '"package.module:variable" (the variable after the last ":")'
        )
    if target.lower().endswith(JS_SUFFIXES):
        raise ConfigurationError(
            f"{where} ({spec}): a JavaScript/TypeScript graph; Pausepoint runs Python graphs "
            "only (serve this one with the LangGraph.js server)"
        )
    if "/" in target or "\\" in target or target.endswith(".py"):
        file = (folder / target).resolve()
        return GraphEntry(key, spec, variable, description, file=file)
    if not all(part.isidentifier() for part in target.split(".")):
        raise ConfigurationError(f"{where} ({spec}): {target!r} is not a module name")
    return GraphEntry(key, spec, variable, description, module=target)


def _strings(path: Path, value: Any, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigurationError(f"{path}: {what} must be a list of strings")
    return list(value)


def _env(path: Path, value: Any) -> str | dict[str, str] | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return {str(k): v for k, v in value.items()}
    raise ConfigurationError(
        f'{path}: "env" must be the path of a .env file or an object of string values'
    )


def _pausepoint_section(path: Path, value: Any) -> tuple[str, ...]:
    if not isinstance(value, dict):
        raise ConfigurationError(f'{path}: "pausepoint" must be an object')
    if unknown := sorted(set(value) - _PAUSEPOINT_KEYS):
        raise ConfigurationError(
            f'{path}: unknown key(s) in "pausepoint": {", ".join(unknown)} '
            f"(known: {', '.join(sorted(_PAUSEPOINT_KEYS))})"
        )
    names = value.get("serializable_types", [])
    return tuple(_strings(path, names, '"pausepoint.serializable_types"'))


def apply_env(project: Project) -> None:
    """Put the project's `"env"` into the environment, before any graph module is imported.

    `langgraph dev` reads the same two forms (a .env file, or an inline object) and lets the
    file override the environment; here a variable already set wins instead, as it does for
    Pausepoint's own settings and .env, so that the environment a server or a test starts with
    (a database URL, tracing turned off) is the one it runs with. A .env file that does not
    exist is skipped with a warning, as `langgraph dev` skips it.
    """
    if project.env is None:
        return
    if isinstance(project.env, dict):
        values: dict[str, str | None] = dict(project.env)
    else:
        env_file = project.folder / project.env
        if not env_file.is_file():
            logger.warning("%s names the env file %s, which does not exist", project.path, env_file)
            return
        values = dotenv_values(env_file)
    for name, value in values.items():
        if value is not None:
            os.environ.setdefault(name, value)


def add_import_paths(project: Project) -> None:
    """Put the langgraph.json's folder and its local `"dependencies"` (folders, relative to
    it) on the import path, after what is there already, as `langgraph dev` does; a dependency
    that is not a folder (a package name) has to be installed."""
    for folder in (project.folder, *(project.folder / d for d in project.dependencies)):
        if folder.is_dir() and str(folder.resolve()) not in sys.path:
            sys.path.append(str(folder.resolve()))

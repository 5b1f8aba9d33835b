"""Load workflow specs from YAML or JSON files; errors name the file (and the step)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from pausepoint.workflows.dag.spec import SpecError, WorkflowSpec

SUFFIXES = (".yaml", ".yml", ".json")


def parse_spec(data: Any, source: str = "<spec>") -> WorkflowSpec:
    """A spec from parsed YAML/JSON; SpecError names the source and the bad field."""
    try:
        return WorkflowSpec.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{_where(data, e['loc'])}: {e['msg']}" for e in exc.errors(include_url=False)
        )
        raise SpecError(f"{source}: {problems}") from exc


def _where(data: Any, loc: tuple[int | str, ...]) -> str:
    """`steps[2].retries` reads better as `step 'deploy' retries`."""
    if len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int) and isinstance(data, dict):
        steps = data.get("steps")
        if isinstance(steps, list) and loc[1] < len(steps) and isinstance(steps[loc[1]], dict):
            rest = ".".join(str(p) for p in loc[2:])
            return f"step {steps[loc[1]].get('id', loc[1])!r} {rest}".strip()
    return ".".join(str(p) for p in loc) or "spec"


def load_spec(path: Path) -> WorkflowSpec:
    """Read one spec file (*.yaml, *.yml or *.json)."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise SpecError(f"{path}: cannot read workflow spec: {exc}") from exc
    return parse_spec(data, str(path))


def spec_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and p.is_file())

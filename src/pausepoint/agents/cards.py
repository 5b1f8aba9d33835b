"""Agent cards: what an agent can do, in the shape of an A2A agent card.

`AgentCard.to_a2a()` / `AgentCard.from_a2a()` map one onto the other (A2A's camelCase JSON),
so a remote agent's published card lands in the same directory as the local ones.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

AgentKind = Literal["local", "workflow", "remote"]


class AgentSkill(BaseModel):
    """One thing an agent does (A2A `AgentSkill`)."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    description: str = ""
    tags: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    input_modes: tuple[str, ...] = ("text/plain",)
    output_modes: tuple[str, ...] = ("text/plain", "application/json")


class AgentCard(BaseModel):
    """An agent as the directory knows it (A2A `AgentCard` plus how we call it)."""

    model_config = ConfigDict(frozen=True)

    name: str
    description: str
    kind: AgentKind = "local"
    version: str = "1.0.0"
    url: str | None = Field(default=None, description="For remote agents: the A2A endpoint.")
    workflow: str | None = Field(default=None, description="For workflow agents: its name.")
    skills: tuple[AgentSkill, ...] = ()
    default_input_modes: tuple[str, ...] = ("text/plain",)
    default_output_modes: tuple[str, ...] = ("text/plain", "application/json")

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(tag for skill in self.skills for tag in skill.tags)

    @property
    def examples(self) -> tuple[str, ...]:
        return tuple(ex for skill in self.skills for ex in skill.examples)

    def search_text(self) -> str:
        """The words the directory indexes: name, description, skills, tags, examples.

        The name and tags count twice: they are what the agent is for, where a description
        may mention in passing words that belong to other agents ("a person adds notes").
        """
        name = self.name.replace("-", " ").replace("_", " ")
        parts = [name, name, self.description]
        for skill in self.skills:
            described = skill.description if skill.description != self.description else ""
            parts += [skill.name, described, *skill.tags, *skill.tags, *skill.examples]
        return " ".join(parts)

    def to_a2a(self) -> dict[str, Any]:
        """This card as A2A agent-card JSON."""
        return {
            "name": self.name,
            "description": self.description,
            "url": self.url or "",
            "version": self.version,
            "capabilities": {"streaming": False, "pushNotifications": False},
            "defaultInputModes": list(self.default_input_modes),
            "defaultOutputModes": list(self.default_output_modes),
            "skills": [
                {
                    "id": s.id,
                    "name": s.name,
                    "description": s.description,
                    "tags": list(s.tags),
                    "examples": list(s.examples),
                    "inputModes": list(s.input_modes),
                    "outputModes": list(s.output_modes),
                }
                for s in self.skills
            ],
        }

    @classmethod
    def from_a2a(cls, data: dict[str, Any]) -> AgentCard:
        """A remote agent's A2A card as a directory card (kind `remote`)."""
        skills = tuple(
            AgentSkill(
                id=str(s.get("id", s.get("name", ""))),
                name=str(s.get("name", "")),
                description=str(s.get("description", "")),
                tags=tuple(s.get("tags") or ()),
                examples=tuple(s.get("examples") or ()),
                input_modes=tuple(s.get("inputModes") or ("text/plain",)),
                output_modes=tuple(s.get("outputModes") or ("text/plain",)),
            )
            for s in data.get("skills") or ()
        )
        return cls(
            name=str(data["name"]),
            description=str(data.get("description", "")),
            kind="remote",
            version=str(data.get("version", "1.0.0")),
            url=data.get("url") or None,
            skills=skills,
            default_input_modes=tuple(data.get("defaultInputModes") or ("text/plain",)),
            default_output_modes=tuple(data.get("defaultOutputModes") or ("text/plain",)),
        )

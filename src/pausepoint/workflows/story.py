"""The story review loop (design-notes/3): write, let a person review, revise until accepted.

    write -> review -(update)-> write -> review -(accept)-> finish

The writer runs in `write`, never in `review`: answering a pause re-runs `review` from its
first line, and that must not call the writer again.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypedDict

from langgraph.graph import END, START, StateGraph
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from pausepoint.agents.writer import ChatModelWriter, OfflineWriter, StoryWriter
from pausepoint.domain import Action, PauseRequest
from pausepoint.forms import ask
from pausepoint.workflows.registry import BuildContext, Workflow


class StoryInput(BaseModel):
    prompt: str = Field(min_length=1, description="What the story is about.")
    reviewer: str | None = Field(default=None, description="Who reviews; default the owner.")


class Draft(BaseModel):
    model_config = ConfigDict(frozen=True)

    revision: int
    text: str
    comments: str | None = None


class Accept(BaseModel):
    decision: Literal["accept"]


class Update(BaseModel):
    decision: Literal["update"]
    comments: str = Field(min_length=1, pattern=r"\S", description="What to change.")


ReviewAnswer = Annotated[Accept | Update, Field(discriminator="decision")]
_review_answer: TypeAdapter[Accept | Update] = TypeAdapter(ReviewAnswer)


class StoryState(TypedDict, total=False):
    prompt: str
    reviewer: str | None
    drafts: Annotated[list[Draft], operator.add]
    decision: Accept | Update | None
    story: str


def _drafts(state: StoryState) -> list[Draft]:
    # A checkpointer that does not know our types (Studio's) hands back plain dicts.
    return [Draft.model_validate(d) for d in state.get("drafts", [])]


def _decision(state: StoryState) -> Accept | Update | None:
    value = state.get("decision")
    return None if value is None else _review_answer.validate_python(value)


def build(ctx: BuildContext) -> StateGraph[StoryState, Any, Any, Any]:
    writer: StoryWriter = ChatModelWriter(ctx.chat_model) if ctx.chat_model else OfflineWriter()

    async def write(state: StoryState) -> dict[str, Any]:
        drafts = _drafts(state)
        decision = _decision(state)
        if not drafts:
            return {"drafts": [Draft(revision=1, text=await writer.draft(state["prompt"]))]}
        assert isinstance(decision, Update)
        text = await writer.revise(state["prompt"], drafts[-1].text, decision.comments)
        return {"drafts": [Draft(revision=len(drafts) + 1, text=text, comments=decision.comments)]}

    def review(state: StoryState) -> dict[str, Any]:
        draft = _drafts(state)[-1]
        answer: Accept | Update = ask(
            PauseRequest(
                kind="review",
                title="Review the draft",
                message=f"Draft {draft.revision}: accept it, or ask for changes.",
                context={
                    "draft": draft.text,
                    "revision": draft.revision,
                    "prompt": state["prompt"],
                },
                actions=[
                    Action(label="Accept", answer={"decision": "accept"}),
                    Action(
                        label="Update with comments",
                        answer={"decision": "update"},
                        fields=["comments"],
                    ),
                ],
                assignee=state.get("reviewer"),
                step="review",
            ),
            ReviewAnswer,
        )
        return {"decision": answer}

    def after_review(state: StoryState) -> Literal["write", "finish"]:
        return "finish" if isinstance(_decision(state), Accept) else "write"

    def finish(state: StoryState) -> dict[str, Any]:
        return {"story": _drafts(state)[-1].text}

    graph = StateGraph(StoryState)
    graph.add_node("write", write)
    graph.add_node("review", review)
    graph.add_node("finish", finish)
    graph.add_edge(START, "write")
    graph.add_edge("write", "review")
    graph.add_conditional_edges("review", after_review)
    graph.add_edge("finish", END)
    return graph


def result(values: Mapping[str, Any]) -> Any:
    if "story" not in values:
        return None
    return {"story": values["story"], "revisions": len(values.get("drafts", []))}


STORY = Workflow(
    name="story",
    description="A writer drafts a story from a prompt; a person reviews it until they accept.",
    build=build,
    input_model=StoryInput,
    result=result,
    state_types=(Draft, Accept, Update),
    tags=("story", "writing", "review", "creative"),
    examples=("write a short story about a lighthouse keeper who finds a map",),
)

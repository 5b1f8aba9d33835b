"""A team's LangGraph app served from its own langgraph.json (tests/workflows/team_app): each graph
is a workflow, run with Pausepoint's checkpointer, started and answered through ThreadService
across a restart, through the CLI in the app's folder, and still served by `langgraph dev`; every
bad entry is refused at load time with a message naming it."""

from __future__ import annotations

import importlib.util
import json
import shutil
import textwrap
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NamedTuple

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.pregel import Pregel
from langgraph_sdk import get_client
from pydantic import BaseModel

from pausepoint.domain import ThreadStatus, ThreadView
from pausepoint.errors import ConfigurationError, InvalidAnswer, InvalidInput
from pausepoint.orchestrator.workflow import directory_agents
from pausepoint.service.catalog import GRAPHS_DIR, bundled, use_config
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings
from pausepoint.workflows.project import read_project, types_in
from pausepoint.workflows.registry import BuildContext
from pausepoint.workflows.story import STORY

TEAM_APP = Path(__file__).resolve().parent / "team_app"
ROOT = Path(__file__).resolve().parents[2]
TEAM_GRAPHS = {"expense", "triage", "writer", "survey", "receipts", "mailer", "refund"}
EXPENSE = {"employee": "ana", "amount": 120.5, "reason": "train tickets"}

RunCli = Callable[..., Any]


def team_settings(db_url: str, config: Path = TEAM_APP, **extra: Any) -> Settings:
    return Settings(  # type: ignore[call-arg]
        database_url=db_url,
        model="offline",
        config=config,
        workflows_dir=None,
        _env_file=None,
        **extra,
    )


@pytest.fixture
def team(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings serving the team app, its langgraph.json "env" not yet in the environment."""
    unset(monkeypatch, "TEAM_APP_CURRENCY")
    return team_settings(db_url)


def unset(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """`name` out of the environment now, and out of it again after the test (loading a
    langgraph.json's "env" sets it)."""
    monkeypatch.setenv(name, "")
    monkeypatch.delenv(name)


async def start_restart_answer(
    settings: Settings, workflow: str, input: dict[str, Any], answer: Any
) -> tuple[ThreadView, ThreadView]:
    """Start `workflow`, close the service (a restart), answer its pause from a new one."""
    async with ThreadService.open(settings, chat_model=None) as service:
        paused = await service.start(workflow, input, "ann")
    async with ThreadService.open(settings, chat_model=None) as service:
        done = await service.answer(paused.thread_id, answer, "ann")
    return paused, done


# the team's graphs, through ThreadService


async def test_a_typed_interrupt_is_the_form_and_state_models_survive_a_restart(
    team: Settings,
) -> None:
    async with ThreadService.open(team, chat_model=None) as service:
        paused = await service.start("expense", EXPENSE, "ann")
    assert paused.status is ThreadStatus.WAITING, paused.error
    [pause] = paused.pauses
    assert pause.title == "Approve 120.50 EUR for train tickets by ana?"  # env from langgraph.json
    assert pause.response_schema is not None and pause.response_schema["required"] == ["approved"]

    async with ThreadService.open(team, chat_model=None) as service:  # a restart
        with pytest.raises(InvalidAnswer, match="approved"):
            await service.answer(paused.thread_id, {"approved": "maybe"}, "ann")
        assert (await service.get(paused.thread_id)).pauses == paused.pauses
        done = await service.answer(paused.thread_id, {"approved": True, "note": "ok"}, "ann")

    assert done.status is ThreadStatus.COMPLETED, done.error
    assert done.result == {
        **EXPENSE,
        "claim": {
            "employee": "ana",
            "currency": "EUR",
            "lines": [{"what": "train tickets", "amount": 120.5}],
        },
        "decision": {"approved": True, "note": "ok"},
        "paid": 120.5,  # `claim.total` and `decision.approved`: models again after the restart
    }


async def test_a_bad_input_is_invalid_input_naming_the_field_and_starts_nothing(
    team: Settings,
) -> None:
    async with ThreadService.open(team, chat_model=None) as service:
        with pytest.raises(InvalidInput) as refused:
            await service.start("expense", {"employee": "ana", "amount": "lots"}, "ann")
        assert await service.list_threads() == []
    fields = {f["loc"]: f["message"] for f in refused.value.fields}
    assert fields == {"amount": "'lots' is not of type 'number'", "reason": "field required"}
    assert "expense" in refused.value.detail


async def test_a_factory_graph_is_called_once_and_answered_after_a_restart(team: Settings) -> None:
    paused, done = await start_restart_answer(
        team, "triage", {"ticket": "printer on fire"}, {"priority": "high"}
    )
    assert paused.pauses[0].title == "Which priority?"
    assert paused.pauses[0].context == {"ticket": "printer on fire"}
    assert done.result == {"ticket": "printer on fire", "priority": "high"}


async def test_an_entrypoint_graph_runs_with_our_checkpointer_and_checks_its_input(
    team: Settings,
) -> None:
    paused, done = await start_restart_answer(team, "writer", {"topic": "tides"}, "yes")
    assert paused.pauses[0].title == "Sign off this note?"
    assert paused.pauses[0].context == {"draft": "A short note about tides."}
    assert done.result == {"note": "A short note about tides.", "signed_off": True}

    async with ThreadService.open(team, chat_model=None) as service:
        with pytest.raises(InvalidInput) as refused:
            await service.start("writer", {"subject": "tides"}, "ann")
    assert refused.value.fields == [{"loc": "topic", "message": "field required"}]


async def test_an_uncompiled_state_graph_in_the_object_form_keeps_its_description(
    team: Settings,
) -> None:
    paused, done = await start_restart_answer(team, "survey", {"customer": "Ann"}, 4)
    assert paused.pauses[0].title == "How was your visit, Ann? (1-5)"
    assert done.result == {"customer": "Ann", "rating": 4}
    described = {w.name: w.description for w in bundled(team)}
    assert described["survey"] == "Asks a customer how their visit went and keeps the rating."
    assert described["triage"] == "Triage a support ticket: a person picks its priority."
    assert described["writer"] == "Drafts a note on a topic and asks a person to sign it off."
    assert described["expense"] == (
        "Expense approval: a manager approves each expense claim before it is paid."
    )


async def test_a_module_path_on_the_dependencies_keeps_a_type_named_in_langgraph_json(
    team: Settings,
) -> None:
    paused, done = await start_restart_answer(
        team, "receipts", {"shop": "Bakery", "total": 4.2}, "yes"
    )
    assert paused.pauses[0].title == "Is 4.20 from Bakery right? (yes/no)"
    assert done.status is ThreadStatus.COMPLETED, done.error
    assert done.result["receipt"] == {"shop": "Bakery", "total": 4.2}
    assert done.result["confirmed_total"] == 4.2  # `receipt.total` after the restart


async def test_a_value_of_a_type_nobody_allowed_fails_the_run_naming_the_type(
    db_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "langgraph.json"
    config.write_text(
        json.dumps(
            {"dependencies": [str(TEAM_APP)], "graphs": {"receipts": "teamlib.receipts:graph"}}
        )
    )
    async with ThreadService.open(team_settings(db_url, config), chat_model=None) as service:
        failed = await service.start("receipts", {"shop": "Bakery", "total": 4.2}, "ann")
    assert failed.status is ThreadStatus.FAILED
    assert failed.error is not None
    assert "teamlib.models.Receipt is not on the checkpoint allow-list" in failed.error
    assert '"serializable_types": ["teamlib.models:Receipt"]' in failed.error

    allowed = team_settings(db_url, config, serializable_types=["teamlib.models:Receipt"])
    _, done = await start_restart_answer(allowed, "receipts", {"shop": "Deli", "total": 2}, "yes")
    assert done.result["confirmed_total"] == 2


async def test_the_env_file_fills_what_the_environment_does_not_set(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "greeter.py").write_text(
        textwrap.dedent(
            """
            import os
            from typing import TypedDict
            from langgraph.graph import START, StateGraph

            class State(TypedDict, total=False):
                greeting: str
                name: str

            def greet(state: State) -> dict:
                return {"greeting": os.environ["GREETER_WORD"], "name": os.environ["GREETER_NAME"]}

            graph = StateGraph(State)
            graph.add_node("greet", greet)
            graph.add_edge(START, "greet")
            """
        )
    )
    (tmp_path / "team.env").write_text("GREETER_WORD=hello\nGREETER_NAME=from-the-file\n")
    (tmp_path / "langgraph.json").write_text(
        json.dumps({"graphs": {"greeter": "./greeter.py:graph"}, "env": "team.env"})
    )
    unset(monkeypatch, "GREETER_WORD")
    monkeypatch.setenv("GREETER_NAME", "from-the-environment")

    settings = team_settings(db_url, tmp_path)
    async with ThreadService.open(settings, chat_model=None) as service:
        done = await service.start("greeter", {}, "ann")
    assert done.result == {"greeting": "hello", "name": "from-the-environment"}


# which workflows a folder serves


def test_a_team_folder_serves_its_graphs_and_an_orchestrator_over_them(team: Settings) -> None:
    served = bundled(team)
    assert {w.name for w in served} == TEAM_GRAPHS | {"orchestrator"}
    directory = directory_agents(served, BuildContext(settings=team))
    cards = {agent.card.name: agent.card for agent in directory}
    assert set(cards) >= TEAM_GRAPHS

    with_demos = bundled(team.model_copy(update={"include_bundled": True}))
    demos = {"story", "deploy", "invoice", "remote"}
    assert {w.name for w in with_demos} == TEAM_GRAPHS | demos | {"orchestrator"}


def test_pausepoints_own_langgraph_json_serves_the_bundled_workflows_as_they_are(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    own = Settings(config=ROOT, workflows_dir=ROOT / "workflows", _env_file=None)  # type: ignore[call-arg]
    served = bundled(own)
    listed = {e.key for e in read_project(ROOT / "langgraph.json").graphs}
    assert listed == {w.name for w in served}
    assert {"story", "deploy", "invoice", "research", "remote", "orchestrator"} <= listed
    assert all(
        e.file is not None and e.file.parent == GRAPHS_DIR
        for e in read_project(ROOT / "langgraph.json").graphs
    )
    assert served.get("story") is STORY

    monkeypatch.chdir(tmp_path)  # no langgraph.json here: the same workflows
    plain = bundled(own.model_copy(update={"config": None}))
    assert [w.name for w in plain] == [w.name for w in served]


def test_every_studio_entry_point_compiles_its_workflow_without_a_checkpointer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)  # as `langgraph dev` runs them: the spec folder is ./workflows
    for entry in read_project(ROOT / "langgraph.json").graphs:
        assert entry.file is not None
        spec = importlib.util.spec_from_file_location(f"studio_{entry.key}", entry.file)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        graph = getattr(module, entry.variable)
        assert isinstance(graph, Pregel) and graph.checkpointer is None, entry.key


def test_a_team_entry_naming_pausepoints_graphs_is_the_bundled_workflow(tmp_path: Path) -> None:
    config = tmp_path / "langgraph.json"
    config.write_text(
        json.dumps(
            {
                "graphs": {
                    "stories": f"{GRAPHS_DIR / 'story.py'}:graph",
                    "survey": f"{TEAM_APP / 'survey.py'}:builder",
                }
            }
        )
    )
    served = bundled(team_settings("sqlite:///unused.db", config))
    assert {w.name for w in served} == {"stories", "survey", "orchestrator"}
    stories = served.get("stories")
    assert (stories.build, stories.result, stories.description) == (
        STORY.build,
        STORY.result,
        STORY.description,
    )


def test_use_config_points_settings_at_a_folder_or_refuses_a_missing_one(tmp_path: Path) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert {w.name for w in bundled(use_config(settings, TEAM_APP))} >= TEAM_GRAPHS
    with pytest.raises(ConfigurationError, match=r"PAUSEPOINT_CONFIG names .*nowhere"):
        use_config(settings, tmp_path / "nowhere")


# the types a checkpoint keeps


class Colour(Enum):
    RED = "red"


class Leaf(BaseModel):
    colour: Colour


@dataclass
class Box:
    leaves: list[Leaf]


class Pair(NamedTuple):
    left: Box
    right: int


class Root(BaseModel):
    pairs: dict[str, Pair | None]


def test_state_types_are_found_through_annotations_nesting_and_unions() -> None:
    found = types_in([Annotated[list[Root | None], "a reducer"], dict[str, Any], int])
    assert set(found) == {Root, Pair, Box, Leaf, Colour}


# bad langgraph.json entries, refused when loading


GOOD = "from langgraph.graph import START, StateGraph\nbuilder = StateGraph(dict)\n"
BAD_ENTRIES = {
    "own checkpointer": (
        "./saved.py:graph",
        {
            "saved.py": GOOD
            + "from langgraph.checkpoint.memory import InMemorySaver\n"
            + "builder.add_node('n', lambda s: {})\nbuilder.add_edge(START, 'n')\n"
            + "graph = builder.compile(checkpointer=InMemorySaver())\n"
        },
        "compiled with a checkpointer of its own (InMemorySaver)",
    ),
    "missing file": ("./nowhere.py:graph", {}, "no file "),
    "missing variable": (
        "./typo.py:grpah",
        {"typo.py": GOOD + "builder.add_node('n', lambda s: {})\ngraph = builder\n"},
        "typo.py has no variable 'grpah' (graphs it has: builder, graph)",
    ),
    "missing module": ("nopkg_anywhere.graphs:graph", {}, "no module named 'nopkg_anywhere'"),
    "javascript": ("./agent.ts:graph", {}, "a JavaScript/TypeScript graph"),
    "import error": (
        "./broken.py:graph",
        {"broken.py": "import os\nimport not_a_module_anywhere\n"},
        "importing ./broken.py failed: ModuleNotFoundError: No module named "
        "'not_a_module_anywhere' (",
    ),
    "syntax error": (
        "./syntax.py:graph",
        {"syntax.py": "graph = (\n"},
        "importing ./syntax.py failed: SyntaxError:",
    ),
    "not a graph": (
        "./number.py:graph",
        {"number.py": "graph = 42\n"},
        "graph is a int, not a graph",
    ),
    "factory with two arguments": (
        "./factory.py:make",
        {"factory.py": "def make(a, b):\n    return None\n"},
        "the factory make(a, b) must take no argument or one RunnableConfig",
    ),
    "failing factory": (
        "./fails.py:make",
        {"fails.py": "def make():\n    raise RuntimeError('no API key')\n"},
        "the factory make() failed: RuntimeError: no API key (",
    ),
    "no variable": ("./novar.py", {}, 'expected "path/to/file.py:variable"'),
    "input not an object": (
        "./echo.py:echo",
        {
            "echo.py": "from langgraph.func import entrypoint\n\n@entrypoint()\n"
            "def echo(text: str) -> str:\n    return text\n"
        },
        "its input is 'string'; Pausepoint starts a workflow with a JSON object",
    ),
}


@pytest.mark.parametrize("case", BAD_ENTRIES, ids=list(BAD_ENTRIES))
def test_a_bad_graph_entry_is_refused_at_load_naming_it(case: str, tmp_path: Path) -> None:
    spec, files, message = BAD_ENTRIES[case]
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    config = tmp_path / "langgraph.json"
    config.write_text(json.dumps({"graphs": {"bad": spec}}))

    with pytest.raises(ConfigurationError) as refused:
        bundled(team_settings("sqlite:///unused.db", config))

    assert refused.value.detail.startswith(f'{config}: graph "bad" ({spec}): ')
    assert message in refused.value.detail


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        (json.dumps({"graphs": {}}), 'has no "graphs" object'),
        (json.dumps({"graphs": {"a b": "./x.py:g"}}), "a workflow name is 1-64 letters"),
        (
            json.dumps({"graphs": {"x": "./x.py:g"}, "pausepoint": {"serialisable": []}}),
            'unknown key(s) in "pausepoint": serialisable',
        ),
        (
            json.dumps(
                {
                    "graphs": {"x": f"{TEAM_APP / 'survey.py'}:builder"},
                    "pausepoint": {"serializable_types": ["teamlib.models:Nope"]},
                }
            ),
            "serializable type 'teamlib.models:Nope': no such name",
        ),
    ],
    ids=["json", "no graphs", "name", "section", "serializable type"],
)
def test_a_bad_langgraph_json_is_refused_naming_the_problem(
    content: str, message: str, tmp_path: Path
) -> None:
    config = tmp_path / "langgraph.json"
    config.write_text(content)
    with pytest.raises(ConfigurationError) as refused:
        bundled(team_settings("sqlite:///unused.db", config))
    assert str(config) in refused.value.detail
    assert message in refused.value.detail


def test_a_missing_pausepoint_config_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"PAUSEPOINT_CONFIG names .*missing\.json"):
        bundled(team_settings("sqlite:///unused.db", tmp_path / "missing.json"))


# the same folder through the CLI and `langgraph dev`


@pytest.fixture
def app_folder(tmp_path: Path) -> Path:
    """A copy of the team app in tmp_path (run_cli's working directory)."""
    shutil.copytree(
        TEAM_APP, tmp_path, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
    )
    return tmp_path


def test_the_cli_in_the_apps_folder_runs_and_answers_a_team_graph(
    run_cli: RunCli, app_folder: Path
) -> None:
    # Strict msgpack off: LangGraph adds no types from the graph's schemas then, so the models
    # survive the restart (a new process) only through the allow-list found from the schemas.
    env = {"LANGGRAPH_STRICT_MSGPACK": "false"}
    listed = run_cli("workflows", "--json", env=env)
    assert listed.code == 0, listed.stderr
    assert {w["name"] for w in listed.json()["workflows"]} == TEAM_GRAPHS | {"orchestrator"}

    bad = run_cli(
        "run", "expense", "--input", '{"employee": "ana", "amount": 1}', "--json", env=env
    )
    assert bad.code == 4, bad.stderr
    assert bad.json()["fields"] == [{"loc": "reason", "message": "field required"}]

    started = run_cli("run", "expense", "--input", json.dumps(EXPENSE), "--json", env=env)
    assert started.code == 0, started.stderr
    view = started.json()
    assert view["pauses"][0]["title"] == "Approve 120.50 EUR for train tickets by ana?"

    config = {"PAUSEPOINT_CONFIG": str(app_folder / "langgraph.json"), **env}
    done = run_cli("answer", view["thread_id"], '{"approved": true}', "--json", env=config)
    assert done.code == 0, done.stderr
    assert done.json()["status"] == "completed", done.json()["error"]
    assert done.json()["result"]["paid"] == 120.5


@pytest.fixture
def lenient_msgpack(monkeypatch: pytest.MonkeyPatch) -> None:
    """`langgraph dev` as teams run it, without strict msgpack: LangGraph 1.2's `Pregel.copy`,
    which the dev server uses to attach its checkpointer, drops the allow-list a graph's compile
    collected, so under strict msgpack it hands the team's models back as dicts."""
    monkeypatch.setenv("LANGGRAPH_STRICT_MSGPACK", "false")


@pytest.fixture
async def team_dev(
    lenient_msgpack: None, langgraph_dev_in: Any, app_folder: Path
) -> AsyncIterator[str]:
    """`langgraph dev` on the copy of the team app, once it serves `expense`: its URL.
    (`lenient_msgpack` comes first: `langgraph_dev_in` reads the environment when set up.)"""
    async with langgraph_dev_in(app_folder, "expense") as (url, _):
        yield url


async def test_langgraph_dev_still_serves_the_team_folder(team_dev: str) -> None:
    async with get_client(url=team_dev) as client:
        graphs = {a["graph_id"] for a in await client.assistants.search(limit=50)}
        assert graphs == TEAM_GRAPHS
        thread = await client.threads.create()
        paused: Any = await client.runs.wait(thread["thread_id"], "expense", input=EXPENSE)
        [interrupt] = paused["__interrupt__"]
        assert interrupt["value"] == "Approve 120.50 EUR for train tickets by ana?"
        done: Any = await client.runs.wait(
            thread["thread_id"], "expense", command={"resume": {"approved": True}}
        )
    assert done["paid"] == 120.5


def test_a_compiled_graph_is_recompiled_with_our_checkpointer_keeping_its_breakpoints(
    tmp_path: Path,
) -> None:
    (tmp_path / "paused.py").write_text(
        GOOD
        + "builder.add_node('a', lambda s: {})\nbuilder.add_node('b', lambda s: {})\n"
        + "builder.add_edge(START, 'a')\nbuilder.add_edge('a', 'b')\n"
        + "graph = builder.compile(interrupt_before=['b'], name='team graph')\n"
    )
    (tmp_path / "langgraph.json").write_text(json.dumps({"graphs": {"p": "./paused.py:graph"}}))
    workflow = bundled(team_settings("sqlite:///unused.db", tmp_path)).get("p")
    saver = InMemorySaver()

    runnable = workflow.runnable(BuildContext(), saver)

    # (under strict msgpack, compile hands the graph a copy of the saver with the graph's
    # allow-list: the same storage)
    assert isinstance(runnable.checkpointer, InMemorySaver)
    assert runnable.checkpointer.storage is saver.storage
    assert (runnable.interrupt_before_nodes, runnable.name) == (["b"], "team graph")
    assert workflow.runnable(BuildContext(), None).checkpointer is None


async def test_factories_without_arguments_sync_or_async_give_their_graphs(tmp_path: Path) -> None:
    (tmp_path / "factories.py").write_text(
        GOOD
        + "builder.add_node('n', lambda s: {'made': True})\nbuilder.add_edge(START, 'n')\n"
        + "def plain():\n    return builder\n"
        + "async def later():\n    return builder.compile()\n"
    )
    graphs = {"plain": "./factories.py:plain", "later": "./factories.py:later"}
    (tmp_path / "langgraph.json").write_text(json.dumps({"graphs": graphs}))
    served = bundled(team_settings("sqlite:///unused.db", tmp_path))

    for name in graphs:
        runnable = served.get(name).runnable(BuildContext(), InMemorySaver())
        config: Any = {"configurable": {"thread_id": name}}
        assert await runnable.ainvoke({}, config) == {"made": True}

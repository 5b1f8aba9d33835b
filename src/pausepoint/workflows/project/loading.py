"""Importing one graph of a langgraph.json: the module, the variable, the factory, the checks.

The variable may be a compiled graph, an uncompiled `StateGraph`, a functional-API `entrypoint`
(a `Pregel`), or a factory taking no argument or one `RunnableConfig` (sync or async) that
returns one of those; a factory is called once, when the project is loaded. A graph compiled
with a checkpointer of its own is refused: Pausepoint runs every graph with its own.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import importlib.util
import inspect
import sys
import traceback
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.pregel import Pregel

from pausepoint.workflows.project.config import GraphEntry, Project

AnyGraph = Pregel[Any, Any, Any, Any]
AnyBuilder = StateGraph[Any, Any, Any, Any]


@dataclass(frozen=True, slots=True)
class LoadedGraph:
    """A graph of the project, imported and checked, compiled without a checkpointer."""

    project: Project
    entry: GraphEntry
    graph: AnyGraph
    #: The StateGraph it was compiled from (None for an entrypoint or another Pregel).
    builder: AnyBuilder | None
    #: The docstring of what the team wrote: the factory or the entrypoint's function, else
    #: the module.
    doc: str | None


def load_graph(project: Project, entry: GraphEntry) -> LoadedGraph:
    """Import `entry`'s module and return its graph; ConfigurationError names what is wrong."""
    module = _import(project, entry)
    if entry.variable not in vars(module):
        raise project.problem(
            entry, f"{entry.target} has no variable {entry.variable!r}" + _hint(module)
        )
    value = vars(module)[entry.variable]
    doc: str | None = None
    if not isinstance(value, StateGraph | Pregel) and callable(value):
        doc = _own_doc(value)
        value = _call_factory(project, entry, value)
    graph, builder = _compiled(project, entry, value)
    if doc is None and (function := entrypoint_function(graph)) is not None:
        doc = _own_doc(function)
    return LoadedGraph(project, entry, graph, builder, doc or inspect.getdoc(module))


def _import(project: Project, entry: GraphEntry) -> ModuleType:
    if entry.module is not None:
        return _import_module(project, entry, entry.module)
    assert entry.file is not None
    if not entry.file.is_file():
        raise project.problem(entry, f"no file {entry.file}")
    natural = _natural_name(project, entry.file)
    if natural is not None:
        return _import_module(project, entry, natural)
    # Outside the import path, or its name taken: a name made from the file's path, the same
    # in every run (a type defined there keeps that name in checkpoints).
    digest = hashlib.sha256(str(entry.file).encode()).hexdigest()[:12]
    stem = "".join(c if c.isalnum() else "_" for c in entry.file.stem)
    name = f"_pausepoint_graph_{digest}_{stem}"
    if (known := sys.modules.get(name)) is not None:
        return known
    spec = importlib.util.spec_from_file_location(name, entry.file)
    if spec is None or spec.loader is None:
        raise project.problem(entry, f"{entry.file} is not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        raise project.problem(entry, f"importing {entry.target} failed: {_last_line(exc)}") from exc
    return module


def _import_module(project: Project, entry: GraphEntry, name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and f"{name}.".startswith(f"{exc.name}."):
            paths = ", ".join(project.dependencies) or "none"
            raise project.problem(
                entry,
                f"no module named {exc.name!r} on the import path (the langgraph.json's "
                f"folder and its local dependencies: {paths})",
            ) from exc
        raise project.problem(entry, f"importing {entry.target} failed: {_last_line(exc)}") from exc
    except Exception as exc:
        raise project.problem(entry, f"importing {entry.target} failed: {_last_line(exc)}") from exc


def _natural_name(project: Project, file: Path) -> str | None:
    """The dotted name `file` is imported under from the langgraph.json's folder (so
    `./expense.py` is `expense`, the name another module importing it uses, and its types keep
    that name in checkpoints); None when it lies elsewhere or that name finds another file."""
    try:
        parts = list(file.relative_to(project.folder).with_suffix("").parts)
    except ValueError:
        return None
    if parts and parts[-1] == "__init__":
        parts.pop()
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    name = ".".join(parts)
    if name in sys.stdlib_module_names:
        return None
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    origin = spec.origin if spec is not None else None
    return name if origin is not None and Path(origin).resolve() == file else None


def _call_factory(project: Project, entry: GraphEntry, factory: Callable[..., Any]) -> Any:
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):
        signature = None
    needed = [
        p
        for p in (signature.parameters.values() if signature else ())
        if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    if len(needed) > 1 or (needed and needed[0].kind is needed[0].KEYWORD_ONLY):
        names = ", ".join(p.name for p in needed)
        raise project.problem(
            entry,
            f"the factory {entry.variable}({names}) must take no argument or one RunnableConfig",
        )
    config: RunnableConfig = {"configurable": {}}
    try:
        made = factory(config) if needed else factory()
        if inspect.isawaitable(made):
            made = _await(made)
    except Exception as exc:
        raise project.problem(
            entry, f"the factory {entry.variable}() failed: {_last_line(exc)}"
        ) from exc
    return made


def _await(awaitable: Any) -> Any:
    """The result of an async factory, from a loop of its own: the caller may be in one."""

    async def wait() -> Any:
        return await awaitable

    coroutine: Coroutine[Any, Any, Any] = wait()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _compiled(
    project: Project, entry: GraphEntry, value: Any
) -> tuple[AnyGraph, AnyBuilder | None]:
    if isinstance(value, StateGraph):
        try:
            return value.compile(), value
        except Exception as exc:
            raise project.problem(
                entry, f"the StateGraph does not compile: {_last_line(exc)}"
            ) from exc
    if isinstance(value, Pregel):
        if isinstance(value.checkpointer, BaseCheckpointSaver):
            raise project.problem(
                entry,
                f"compiled with a checkpointer of its own ({type(value.checkpointer).__name__}); "
                "Pausepoint runs every graph with its own: compile it without one "
                "(`builder.compile()`)",
            )
        builder = value.builder if isinstance(value, CompiledStateGraph) else None
        return value, builder
    raise project.problem(
        entry,
        f"{entry.variable} is a {type(value).__name__}, not a graph: expected a compiled graph, "
        "a StateGraph, an entrypoint, or a factory returning one",
    )


def _hint(module: ModuleType) -> str:
    graphs = sorted(k for k, v in vars(module).items() if isinstance(v, StateGraph | Pregel))
    return f" (graphs it has: {', '.join(graphs)})" if graphs else ""


def _own_doc(value: Any) -> str | None:
    doc = getattr(value, "__doc__", None)
    return doc if isinstance(doc, str) and doc.strip() else None


def entrypoint_function(graph: AnyGraph) -> Callable[..., Any] | None:
    """The function an `@entrypoint` wraps (a Pregel of one node, not from a StateGraph)."""
    if isinstance(graph, CompiledStateGraph) or len(graph.nodes) != 1:
        return None
    [node] = graph.nodes.values()
    func = getattr(node.bound, "func", None) or getattr(node.bound, "afunc", None)
    return func if callable(func) else None


def _last_line(exc: BaseException) -> str:
    """The last line of the exception's traceback, and where it was raised."""
    line = traceback.format_exception_only(type(exc), exc)[-1].strip()
    if isinstance(exc, SyntaxError):
        return f"{line} ({exc.filename}:{exc.lineno})"
    frames = traceback.extract_tb(exc.__traceback__)
    return f"{line} ({frames[-1].filename}:{frames[-1].lineno})" if frames else line

import asyncio
import re
import subprocess
from collections.abc import Callable

Run = Callable[..., subprocess.CompletedProcess[str]]


def test_chat_pauses_with_the_story_review_quits_and_continues_with_thread(run_cli: Run) -> None:
    first = run_cli(
        "chat",
        "--as",
        "ann",
        stdin="write a short story about a fox and then get it reviewed\n"
        "update: give the fox a name like Rex\n"
        "/quit\n",
    )
    assert first.returncode == 0, first.stderr
    assert "planning: story (workflow: story)" in first.stdout
    assert "? Review the draft  [Accept]  [Update with comments]" in first.stdout
    assert "revision: 2" in first.stdout
    found = re.search(r"continue with: pausepoint chat --thread (\w+)", first.stdout)
    assert found, first.stdout

    second = run_cli(
        "chat",
        "--thread",
        found.group(1),
        "--as",
        "ann",
        stdin="update\n\nupdate: make it funnier\naccept\n/quit\n",
    )
    assert second.returncode == 0, second.stderr
    assert "✗ comments: must not be empty" in second.stdout  # re-asked, still paused
    assert "revision: 3" in second.stdout
    done = re.search(r"✓ done — (.*)", second.stdout)
    assert done, second.stdout
    assert "Rex" in done.group(1) and "laughed" in done.group(1)


def test_chat_asks_which_agent_when_unsure_and_lists_threads(run_cli: Run) -> None:
    out = run_cli(
        "chat",
        "--as",
        "ann",
        stdin="compute the mean of 4, 8 and 15\nastrologer\nstatistics\n/threads\n/quit\n",
    )

    assert out.returncode == 0, out.stderr
    assert "? Which agent should do this?" in out.stdout
    assert "✗ choose one of:" in out.stdout
    assert "✓ done — count 3, sum 27, mean 9" in out.stdout
    assert re.search(r"\w{32}  orchestrator  completed", out.stdout)


async def test_chat_with_url_runs_the_same_conversation_on_a_server(
    server_url: str, run_cli: Run
) -> None:
    first = await asyncio.to_thread(
        run_cli,
        "chat",
        "--url",
        server_url,
        stdin="write a short story about an otter and then get it reviewed\n/quit\n",
    )
    assert first.returncode == 0, first.stderr
    assert "? Review the draft" in first.stdout
    found = re.search(r"continue with: pausepoint chat --thread (\w+)", first.stdout)
    assert found, first.stdout

    # the pause waits on the server: continue it there, then see it from the local database
    second = await asyncio.to_thread(
        run_cli, "chat", "--url", server_url, "--thread", found.group(1), stdin="accept\n"
    )
    assert "✓ done — Once there was an otter." in second.stdout
    local = await asyncio.to_thread(run_cli, "show", found.group(1), "--json")
    assert '"status":"completed"' in local.stdout

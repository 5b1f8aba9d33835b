// Pausepoint's web page: live updates over GET /api/events (Server-Sent Events), shown where
// they belong. Needs app.js (openThread, refreshLists, showProgress, showDraft).
"use strict";

// ---- live updates (Server-Sent Events) ----
// Read with fetch rather than EventSource so the key travels in a header, never in a URL
// (URLs end up in access logs).

let generation = 0;

//: The events of a run going on: shown where they belong, without reading the thread again.
const RUN_EVENTS = new Set(["node_started", "node_finished", "progress", "tokens"]);

// Run events of threads not open here, kept a while: a thread just started may be told of
// before the reply that opens it arrives, and shows them once it opens.
const unseen = new Map();

function keepUnseen(event) {
  const kept = unseen.get(event.thread_id) || [];
  kept.push(event);
  if (kept.length > 200) kept.shift();
  unseen.delete(event.thread_id);  // the newest thread last
  unseen.set(event.thread_id, kept);
  if (unseen.size > 20) unseen.delete(unseen.keys().next().value);
}

function replayUnseen(view) {
  const kept = unseen.get(view.thread_id) || [];
  unseen.delete(view.thread_id);
  if (view.status === "running") kept.forEach(showRunEvent);
}

function onEvent(event) {
  const here = event.thread_id === currentThread;
  if (RUN_EVENTS.has(event.event)) {
    if (here) showRunEvent(event);
    else keepUnseen(event);
    return;
  }
  refreshLists();
  if (here && !busy) openThread(currentThread, true);
}

function showRunEvent(event) {
  if (event.event === "node_started") {
    showProgress(progressText({ node: event.data.node }), event.at);
  } else if (event.event === "progress") {
    showProgress(progressText({ node: event.data.node, text: event.message }), event.at);
  } else if (event.event === "tokens") {
    // a node's tokens add up; another node's start a new draft
    const draft = $("thread-draft");
    const before = draft.dataset.node === event.data.node ? draft.textContent : "";
    draft.dataset.node = event.data.node;
    showDraft(before + event.data.text);
  }
}

async function followEvents(mine) {
  while (mine === generation) {
    try {
      const headers = { Accept: "text/event-stream" };
      if (key()) headers.Authorization = "Bearer " + key();
      const response = await fetch("/api/events", { headers });
      if (!response.ok) throw new Error(response.statusText);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      while (mine === generation) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        // the stream opens with ": subscribed" once the server listens for us
        if (buffer.includes(": subscribed")) $("live").textContent = "live";
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim());
          if (data.length) onEvent(JSON.parse(data.join("\n")));
        }
      }
      reader.cancel();
    } catch (error) {
      // fall through to reconnect
    }
    if (mine !== generation) return;
    $("live").textContent = "reconnecting";
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

function connectEvents() {
  generation += 1;
  followEvents(generation);
}


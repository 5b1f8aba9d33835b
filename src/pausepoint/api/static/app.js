// Pausepoint's web page: plain JS over the same JSON API every client uses: who you are, the
// lists, one thread (its status, result and history) and start-up. Pauses are in pauses.js,
// their forms in forms.js, live updates in events.js, the chat panel in chat.js.
"use strict";

const $ = (id) => document.getElementById(id);
const KEY_STORE = "pausepoint.key";
let workflows = [];
let currentThread = null;
let shown = "";
let busy = false;
let rereading = null;
// Who the key in use belongs to ({user, open}, from GET /api/me), null until the server said.
let me = null;
// Bumped whenever the key changes: a reply to a request made with an older key is dropped,
// so nothing of the last user's reaches the page after a switch.
let epoch = 0;

// ---- talking to the API ----

function key() {
  return localStorage.getItem(KEY_STORE) || "";
}

// Thrown for a reply that came back after the key changed: callers ignore it.
class Stale extends Error {}

async function api(method, path, body) {
  const asked = epoch;
  const headers = { Accept: "application/json" };
  if (key()) headers.Authorization = "Bearer " + key();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await response.json();
  } catch (e) {
    data = { error: "bad_response", detail: response.statusText, fields: [] };
  }
  if (asked !== epoch) throw new Stale("the key changed");
  if (!response.ok) {
    const error = new Error(data.detail || response.statusText);
    error.status = response.status;
    error.body = data;
    throw error;
  }
  return data;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

// An error line is an alert only while it says something: no empty alert regions.
function setError(node, text) {
  node.textContent = text || "";
  if (text) node.setAttribute("role", "alert");
  else node.removeAttribute("role");
  const input = node.dataset.input ? document.getElementById(node.dataset.input) : null;
  if (input) {
    if (text) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
}

// Said to screen readers (a polite live region): what changed, in words.
function announce(text) {
  const region = $("announce");
  region.textContent = "";
  setTimeout(() => (region.textContent = text), 50);
}

// ---- workflows and starting ----

async function loadWorkflows() {
  workflows = (await api("GET", "/api/workflows")).workflows;
  const select = $("workflow");
  select.replaceChildren(...workflows.map((w) => el("option", { value: w.name, text: w.name })));
  renderStartFields();
}

function renderStartFields() {
  const workflow = workflows.find((w) => w.name === $("workflow").value);
  $("workflow-description").textContent = workflow ? workflow.description : "";
  const box = $("start-fields");
  box.replaceChildren();
  if (!workflow) return;
  const schema = workflow.input_schema;
  for (const [name, raw] of Object.entries(schema.properties || {})) {
    const spec = simplify(raw, schema);
    box.append(fieldInput(name, spec, (schema.required || []).includes(name), "input-", schema));
  }
}

async function startWorkflow(event) {
  event.preventDefault();
  const input = {};
  for (const field of $("start-fields").children) {
    const value = readValue(field.value);
    if (value !== undefined && value !== "") input[field.value.dataset.name] = value;
  }
  $("start-button").disabled = true;
  try {
    // ?wait=0: the thread shows at once and the page follows its run as it goes
    const view = await api("POST", "/api/threads?wait=0", { workflow: $("workflow").value, input });
    showFieldErrors($("start-form"), [], $("start-error"));
    focusAfter = view.thread_id;  // once its run stops: its pause, else its heading
    openView(view);
    focusThread();
    refreshLists();
    if (view.status === "running") openThread(view.thread_id, true);  // it may have stopped since
  } catch (error) {
    if (error instanceof Stale) return;
    showFieldErrors($("start-form"), error.body && error.body.fields, $("start-error"));
    if (!(error.body && error.body.fields && error.body.fields.length)) {
      setError($("start-error"), error.message);
    }
  } finally {
    $("start-button").disabled = false;
  }
}

// ---- inbox and threads ----

// A real link (Tab reaches it, Enter follows it): the address opens the thread (hashchange).
function threadLink(threadId, text) {
  const href = "#thread=" + encodeURIComponent(threadId);
  return el("a", {
    href,
    text,
    onclick: (event) => {
      if (location.hash !== href) return;
      event.preventDefault();  // already the address: open it again and go there
      openThread(threadId).then(focusThread);
    },
  });
}

// "3 min ago", "in 2 h": how far `at` is from now, in words.
function ago(at) {
  const seconds = Math.round((Date.now() - Date.parse(at)) / 1000);
  const size = Math.abs(seconds);
  const [n, unit] = size < 60 ? [size, "s"] : size < 3600 ? [Math.round(size / 60), "min"]
    : size < 86400 ? [Math.round(size / 3600), "h"] : [Math.round(size / 86400), "d"];
  if (size < 10) return "just now";
  return seconds >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
}

function inboxEntry(item) {
  const from = me && item.owner !== me.user ? ` · from ${item.owner}` : "";
  const waitsFor = item.assignee || item.owner;  // an unassigned pause waits for the owner
  const forWhom = !me || waitsFor !== me.user ? ` · waiting for ${waitsFor}` : "";
  const due = item.deadline ? el("div", { class: "due", text: `due ${ago(item.deadline)} (${when(item.deadline)})` }) : null;
  return el("li", { "data-thread-id": item.thread_id, class: "entry kind-" + item.kind },
    threadLink(item.thread_id, item.title),
    item.summary ? el("div", { class: "summary", text: item.summary }) : null,
    el("div", { class: "muted", text: `${item.workflow} · ${item.kind} · asked ${ago(item.created_at)}${from}${forWhom}` }),
    due);
}

function threadEntry(t) {
  return el("li", { "data-thread-id": t.thread_id, class: "entry" },
    threadLink(t.thread_id, `${t.workflow} ${t.thread_id.slice(0, 8)}`),
    " ", el("span", { class: "badge " + toneOf(t.outcome || t.status, t.status), text: t.outcome || t.status }),
    el("div", { class: "muted", text: `updated ${ago(t.updated_at)}` }));
}

// A list is drawn again only when what it shows changed: a re-read must not move the focus
// of someone on one of its links.
function drawList(list, items, entry, variant = "") {
  const drawn = variant + "|" + JSON.stringify(items) + "|" + Math.floor(Date.now() / 60000);
  if (list.dataset.drawn === drawn) return false;
  const focused = list.contains(document.activeElement) ? document.activeElement.getAttribute("href") : null;
  list.dataset.drawn = drawn;
  list.replaceChildren(...items.map(entry));
  if (focused) {
    const again = list.querySelector(`a[href="${CSS.escape(focused)}"]`);
    if (again) again.focus();
  }
  return true;
}

// The inbox's filter: mine (the pauses waiting for me), waiting (every pause of the threads I
// may see, whoever it waits for), all (my threads, of any status).
const INBOX_EMPTY = { mine: "Nothing waits for you.", waiting: "Nothing waits.", all: "No threads yet." };

async function readInbox(show) {
  if (show === "all") return { items: (await api("GET", "/api/threads?limit=50")).threads, entry: threadEntry };
  const query = show === "waiting" ? "?show=waiting" : "";
  return { items: (await api("GET", "/api/inbox" + query)).inbox, entry: inboxEntry };
}

async function refreshLists() {
  const filter = $("thread-filter").value;
  const query = filter ? `&status=${encodeURIComponent(filter)}` : "";
  const show = $("inbox-filter").value;
  try {
    const [inbox, threads] = await Promise.all([readInbox(show), api("GET", "/api/threads?limit=20" + query)]);
    const changed = drawList($("inbox"), inbox.items, inbox.entry, show);
    $("inbox-empty").hidden = inbox.items.length > 0;
    $("inbox-empty").textContent = INBOX_EMPTY[show];
    $("threads-empty").hidden = threads.threads.length > 0;
    return drawList($("threads"), threads.threads, threadEntry) || changed;
  } catch (error) {
    if (error instanceof Stale) return false;
    $("inbox-empty").hidden = false;
    $("inbox-empty").textContent = error.message;
    return false;
  }
}

// ---- one thread ----

function signature(view) {
  return [view.thread_id, view.status, ...view.pauses.map((p) => p.interrupt_id + ":" + (p.assignee || ""))].join("|");
}

async function openThread(threadId, onlyIfChanged) {
  try {
    const view = await api("GET", "/api/threads/" + encodeURIComponent(threadId));
    // a live update must not wipe what the person is typing into an unchanged pause
    if (onlyIfChanged && signature(view) === shown) {
      if (view.status === "running") followRun(view);
      return;
    }
    // nor into a changed one: the newer version is announced, and shown when they choose
    if (onlyIfChanged && view.thread_id === currentThread && typedHere().length) {
      holdNewer(view);
      return;
    }
    openView(view);
  } catch (error) {
    if (error instanceof Stale) return;
    $("thread").hidden = false;
    setError($("thread-error"), error.message);
  }
}

function openView(view) {
  if (view.thread_id !== currentThread) {
    progressAt = 0;
    showNotice(null);
  }
  newer = null;
  currentThread = view.thread_id;
  if (location.hash !== "#thread=" + view.thread_id) history.replaceState(null, "", "#thread=" + view.thread_id);
  renderThread(view);
  replayUnseen(view);
}

// The thread the person opened or started, brought into view (on a phone it stands above
// the form they were at) with the keyboard's focus on its heading.
function focusThread() {
  const heading = $("thread-heading");
  heading.scrollIntoView({ block: "start" });
  heading.focus({ preventScroll: true });
}

// Whose status was last shown, so a change is said; where focus goes once an answer's run stops.
let lastStatus = "";
let focusAfter = null;

function renderThread(view) {
  const said = view.thread_id + ":" + view.status;
  if (lastStatus.startsWith(view.thread_id + ":") && lastStatus !== said) {
    const waits = view.pauses.length ? `: ${view.pauses[0].title}` : "";
    announce(`The thread is now ${view.status}${waits}.`);
  }
  lastStatus = said;
  shown = signature(view);
  $("thread").hidden = false;
  setError($("thread-error"), view.error || "");
  $("thread-workflow").textContent = view.workflow;
  $("thread-id").textContent = view.thread_id;
  const outcome = outcomeOf(view);
  const status = $("thread-status");
  status.textContent = outcome.label;
  status.className = "badge " + outcome.tone;
  const line = view.status === "completed" ? outcome.line : "";
  $("thread-outcome").textContent = line;
  $("thread-outcome").hidden = !line;
  $("cancel-button").hidden = !(me && me.user === view.owner && ["waiting", "running"].includes(view.status));
  const steps = Object.entries(view.steps || {});
  $("thread-steps").replaceChildren(
    ...steps.map(([name, state]) => el("div", { class: "muted step", text: stepText(name, state) })),
  );
  loadHistory(view);
  const running = view.status === "running";
  clearTimeout(rereading);
  if (running) followRun(view);
  showProgress(running ? progressText(view.progress) : null, running && view.progress ? view.progress.at : null);
  if (view.status !== "running") showDraft(null);
  $("pauses").replaceChildren(...view.pauses.map((pause) => renderPause(view, pause)));
  const done = view.status === "completed" && view.result !== null && view.result !== undefined;
  $("result").hidden = !done;
  if (done) renderResult(view.result);
  if (focusAfter === view.thread_id && view.status !== "running") {
    focusAfter = null;
    const next = $("pauses").querySelector(".pause h3") || $("thread-heading");
    next.focus();
  }
}

// A result as people read it: its text as text; an object as a table, its JSON folded away.
function renderResult(result) {
  const text = typeof result === "string" ? result
    : typeof result === "object" && (result.story || result.final_response);
  const raw = $("result-text");
  const view = $("result-view");
  const folded = $("result-raw");
  const { tasks } = taskProblems(result);
  if (text) {
    raw.textContent = text;
    $("result").insertBefore(raw, view);
    // markdown is read as what it says; the text as written stays in the page's source only
    const marked = looksLikeMarkdown(text);
    raw.hidden = marked;
    view.replaceChildren(
      ...(marked ? [markdownNode(text)] : []),
      ...(tasks.length ? [el("h4", { text: "Tasks" }), valueNode(tasks)] : []),
    );
    folded.hidden = typeof result !== "object";
    folded.replaceChildren(el("summary", { text: "All fields" }), valueNode(result));
  } else {
    raw.hidden = false;
    raw.textContent = JSON.stringify(result, null, 2);
    view.replaceChildren(valueNode(result));
    folded.hidden = false;
    folded.replaceChildren(el("summary", { text: "As JSON" }), raw);
  }
}

// Who decided what, when, on this thread (its decision log), newest last.
async function loadHistory(view) {
  let log;
  try {
    log = (await api("GET", `/api/threads/${encodeURIComponent(view.thread_id)}/decisions`)).decisions;
  } catch (error) {
    return;  // not ours to read (or the key changed): no history shown
  }
  if (currentThread !== view.thread_id) return;
  $("thread-history").hidden = !log.length;
  $("decisions").replaceChildren(...log.map((d) => el("li", { text: decisionText(d, when(d.decided_at)) })));
}

async function cancelThread() {
  const threadId = currentThread;
  $("cancel-button").disabled = true;
  try {
    const view = await api("POST", `/api/threads/${encodeURIComponent(threadId)}/cancel`);
    renderThread(view);
    announce("The thread is cancelled.");
    refreshLists();
  } catch (error) {
    if (error instanceof Stale) return;
    setError($("thread-error"), error.message);
  } finally {
    $("cancel-button").disabled = false;
  }
}

// While a thread runs: what it last reported (a live region, read out as it changes) and
// what its chat model is writing, token by token.

function progressText(progress) {
  if (!progress) return "Running…";
  if (progress.text) return progress.text;
  return progress.node ? `Running ${progress.node}…` : "Running…";
}

// When what the line shows was reported: a view read before a newer event arrived must not
// put the older text back.
let progressAt = 0;

function showProgress(text, at) {
  const when = at ? Date.parse(at) : 0;
  if (text !== null && when < progressAt) return;
  progressAt = text === null ? 0 : Math.max(progressAt, when);
  const line = $("thread-progress");
  line.hidden = text === null;
  if (line.textContent !== (text || "")) line.textContent = text || "";
}

function showDraft(text) {
  const draft = $("thread-draft");
  draft.hidden = text === null;
  draft.textContent = text || "";
  if (text === null) delete draft.dataset.node;
}

// While a thread runs, read it again now and then: its end may be told only to someone else
// (its owner) or happen in another process.
function followRun(view) {
  clearTimeout(rereading);
  rereading = setTimeout(() => {
    if (currentThread === view.thread_id) openThread(view.thread_id, true);
  }, 1000);
}

// ---- who you are ----

// Forget everything the last key showed: its threads, pauses, lists, errors and live stream.
function forget() {
  epoch += 1;
  generation += 1;  // the event stream of the last key stops
  me = null;
  currentThread = null;
  shown = "";
  busy = false;
  lastStatus = "";
  focusAfter = null;
  clearTimeout(rereading);
  unseen.clear();
  workflows = [];
  $("inbox").dataset.drawn = "";
  $("threads").dataset.drawn = "";
  for (const id of ["inbox", "threads", "pauses", "thread-steps", "workflow", "start-fields"]) {
    $(id).replaceChildren();
  }
  setError($("start-error"), "");
  setError($("thread-error"), "");
  for (const id of ["workflow-description", "thread-workflow", "thread-id", "result-text"]) {
    $(id).textContent = "";
  }
  $("thread").hidden = true;
  $("result").hidden = true;
  $("thread-history").hidden = true;
  $("decisions").replaceChildren();
  $("result-view").replaceChildren();
  $("thread-outcome").textContent = "";
  showProgress(null, null);
  showDraft(null);
  $("live").textContent = "offline";
  $("whoami").textContent = "";
  closeChat();
  delete document.body.dataset.ready;
}

function showIdentity(error) {
  const who = $("whoami");
  $("main").hidden = !me;
  if (me) {
    who.textContent = me.open ? `You are ${me.user} (open server, no key needed)` : `Signed in as ${me.user}`;
    who.className = "who";
  } else {
    who.textContent = key()
      ? `This API key is not known to the server: nothing is shown. (${error.message})`
      : `An API key is required: enter yours above. (${error.message})`;
    who.className = "who refused";
  }
}

// ---- start-up ----

async function boot() {
  forget();
  const mine = epoch;
  $("api-key").value = key();
  try {
    me = await api("GET", "/api/me");
  } catch (error) {
    if (mine === epoch) showIdentity(error);
    return;
  }
  showIdentity(null);
  try {
    await loadWorkflows();
  } catch (error) {
    if (error instanceof Stale) return;
    setError($("start-error"), error.message);
    return;
  }
  connectEvents();
  openChat();
  await refreshLists();
  const match = location.hash.match(/^#thread=(.+)$/);
  if (match) await openThread(decodeURIComponent(match[1]));
  document.body.dataset.ready = "true";
}

$("api-key").addEventListener("change", () => {
  const typed = $("api-key").value.trim();
  if (typed === key()) return;
  if (typed) localStorage.setItem(KEY_STORE, typed);
  else localStorage.removeItem(KEY_STORE);
  // the open thread was the last user's: its address goes with it
  if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  boot();
});
window.addEventListener("hashchange", () => {
  const match = location.hash.match(/^#thread=(.+)$/);
  if (match && me) openThread(decodeURIComponent(match[1])).then(focusThread);
});
initChat();
$("cancel-button").onclick = cancelThread;
$("thread-filter").onchange = refreshLists;
$("inbox-filter").onchange = refreshLists;
$("workflow").onchange = renderStartFields;
$("start-form").onsubmit = startWorkflow;
$("start-form").addEventListener("keydown", (event) => {
  // Ctrl+Enter in a text area starts, as Enter does in a one-line box
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.tagName === "TEXTAREA") {
    event.preventDefault();
    $("start-form").requestSubmit();
  }
});
boot();

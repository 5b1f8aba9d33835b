// Pausepoint's web page: a pause as a form (its fields from the response schema, its actions
// as buttons, Ctrl+Enter and Enter to send), its answer, and what changed while the person
// was at it (a newer version held back, a conflict told in words). Needs app.js and forms.js.
"use strict";

function renderContext(context) {
  const list = el("dl", { class: "context" });
  for (const [name, value] of Object.entries(context || {})) {
    const text = typeof value === "string" ? value : JSON.stringify(value, null, 2);
    list.append(el("dt", { text: name }), el("dd", {}, el("pre", { class: "context-" + name, text })));
  }
  return list;
}

// A pause as a form. `chat`, when given, sends the answer instead (the chat panel's forms:
// `chat(answer, box, error, label)`), and the form's ids are the chat's own.
function renderPause(view, pause, chat = null) {
  const schema = pause.response_schema || {};
  const box = el("form", { class: "pause", "data-interrupt-id": pause.interrupt_id, onsubmit: (e) => e.preventDefault() });
  box.append(el("h3", { text: pause.title, tabindex: "-1" }));
  if (pause.message) box.append(el("p", { text: pause.message }));
  const waitsFor = pause.assignee || view.owner;
  if (pause.assignee) box.append(el("p", { class: "muted", text: "For " + pause.assignee }));
  if (pause.deadline) box.append(el("p", { class: "muted deadline", text: "Answer by " + when(pause.deadline) }));
  box.append(renderContext(pause.context));
  // only the person it waits for gets a form; anyone else is told whom it waits for
  if (me && me.user !== waitsFor) {
    box.append(el("p", { class: "waits-for", text: `Waiting for ${waitsFor} to answer.` }));
    return box;
  }
  const actions = pause.actions || [];
  const prefix = `${chat ? "chat-" : ""}answer-${pause.interrupt_id}-`;
  // actions share a field of the same name and type; Agent Inbox's Edit (args: an object,
  // prefilled) and Respond (args: text) get one each
  const shared = new Map();
  const inputsOf = new Map();
  const usedBy = new Map();  // field key -> the labels of the actions that send it
  const fieldsOf = new Map();
  for (const action of actions) {
    const inputs = {};
    for (const name of action.fields || []) {
      let { spec, required } = propertySpec(variantFor(schema, action), name, schema);
      const key = name + ":" + (spec.type || "string");
      if (!shared.has(key)) {
        const taken = [...shared.keys()].some((k) => k.startsWith(name + ":"));
        const id = prefix + (taken ? action.answer.type + "-" : "");
        // an approval's payload, edited: the form starts as the payload asked for
        if (pause.kind === "approval" && name === "edited_payload" && (spec.default === null || spec.default === undefined)) {
          spec = { ...spec, default: pause.context };
        }
        const field = fieldInput(name, spec, required, id, schema);
        if (pause.kind === "approval" && name === "edited_payload") offerJsonView(field);
        shared.set(key, field.value);
        fieldsOf.set(key, field);
        usedBy.set(key, []);
      }
      usedBy.get(key).push(action.label);
      inputs[name] = shared.get(key);
    }
    inputsOf.set(action, inputs);
  }
  // a field only one action sends stands with that action's name, so it is not taken as
  // needed by the others ("Reason" is for Reject, not for Approve)
  for (const [key, field] of fieldsOf) {
    const labels = usedBy.get(key);
    if (actions.length > 1 && labels.length === 1) {
      box.append(el("fieldset", { class: "for-action" }, el("legend", { text: `Only for “${labels[0]}”` }), field));
    } else {
      box.append(field);
    }
  }
  if (!actions.length) {
    const typed = schema.type === "object" || schema.properties
      ? Object.keys(schema.properties || {})
      : ["answer"];
    for (const name of typed) {
      const { spec, required } = name === "answer" && !schema.properties
        ? { spec: schema, required: true }
        : propertySpec(schema, name);
      box.append(fieldInput(name, spec, required, prefix, schema));
    }
  }
  const error = el("div", { class: "error pause-error" });
  const buttons = el("div", { class: "actions" });
  const submit = (action) => chat
    ? sendInChat(box, pause, error, action, inputsOf.get(action), chat)
    : submitPause(view, pause, box, error, action, inputsOf.get(action));
  if (actions.length) {
    actions.forEach((action, index) =>
      buttons.append(el("button", { type: "button", class: index ? "secondary" : "", text: action.label, onclick: () => submit(action) })),
    );
  } else {
    buttons.append(el("button", { type: "button", text: "Submit", onclick: () => submit(null) }));
  }
  box.append(buttons, error);
  // Ctrl+Enter in a text area, Enter in a one-line box: the action that sends that field
  box.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.isComposing || event.shiftKey || event.altKey) return;
    const target = event.target;
    const typing = target.tagName === "TEXTAREA" ? event.ctrlKey || event.metaKey
      : target.tagName === "INPUT" && !["checkbox", "radio", "button", "submit"].includes(target.type);
    if (!typing || box.querySelector("button:disabled")) return;
    event.preventDefault();
    const sends = actions.find((action) => Object.values(inputsOf.get(action)).some((node) => node.contains(target)));
    submit(sends || actions[0] || null);
  });
  return box;
}

// What formAnswer gives when a field cannot be read.
const UNREAD = Symbol("unread");

// The form's answer, or UNREAD when a field cannot be read (said at the field, focused).
function formAnswer(box, pause, error, action, inputs) {
  try {
    return collectAnswer(box, pause, action, inputs);
  } catch (problem) {
    if (!(problem instanceof FormProblem)) throw problem;
    setError(document.getElementById(problem.input.id + "-error") || error, problem.message);
    problem.input.focus();
    return UNREAD;
  }
}

// The chat panel's form: the answer checked as the page checks it, then handed to `send`.
function sendInChat(box, pause, error, action, inputs, send) {
  const answer = formAnswer(box, pause, error, action, inputs);
  if (answer === UNREAD) return;
  box.querySelectorAll(".field-error").forEach((n) => setError(n, ""));
  setError(error, "");
  send(answer, box, error, action ? action.label : null);
}

function collectAnswer(box, pause, action, inputs) {
  if (action) {
    const answer = { ...action.answer };
    for (const [name, input] of Object.entries(inputs)) {
      const value = readValue(input);
      if (value !== undefined) answer[name] = value;
    }
    return answer;
  }
  const values = {};
  for (const field of box.querySelectorAll(":scope > .field")) {
    values[field.value.dataset.name] = readValue(field.value);
  }
  const schema = pause.response_schema || {};
  if (!schema.properties) return values.answer;
  const answer = {};
  for (const [name, value] of Object.entries(values)) {
    const optional = !(schema.required || []).includes(name);
    if (!(optional && (value === "" || value === undefined))) answer[name] = value;
  }
  return answer;
}

async function submitPause(view, pause, box, error, action, inputs) {
  const answer = formAnswer(box, pause, error, action, inputs);
  if (answer === UNREAD) return;
  busy = true;
  box.querySelectorAll("button").forEach((b) => (b.disabled = true));
  try {
    const next = await api("POST", `/api/threads/${encodeURIComponent(view.thread_id)}/answers?wait=0`, {
      interrupt_id: pause.interrupt_id,
      answer,
    });
    showNotice(null);
    newer = null;
    focusAfter = view.thread_id;
    announce(`Answer sent to “${pause.title}”.`);
    renderThread(next);
    refreshLists();
  } catch (problem) {
    if (problem instanceof Stale) return;
    const body = problem.body || {};
    if (problem.status === 409) {
      await showConflict(view, pause, typed(box), problem);
      return;
    }
    showFieldErrors(box, body.fields, error);
    if (!(body.fields && body.fields.length)) setError(error, problem.message);
  } finally {
    busy = false;
    box.querySelectorAll("button").forEach((b) => (b.disabled = false));
    // events that came while the answer was on its way were not applied: catch up once
    if (currentThread === view.thread_id) openThread(view.thread_id, true);
  }
}

// ---- what changed while the person was at it ----

// The newer version of the open thread, held back while the person types.
let newer = null;

// What the person typed into a pause form (differing from what it was filled with).
function typed(form) {
  return [...form.querySelectorAll("input:not([type=checkbox]), textarea")]
    .filter((input) => input.value.trim() && input.value !== input.dataset.initial)
    .map((input) => ({ name: input.name, label: labelOf(input), value: input.value }));
}

function typedHere() {
  return [...$("pauses").querySelectorAll("form.pause")].flatMap(typed);
}

function labelOf(input) {
  const label = input.id ? document.querySelector(`label[for="${CSS.escape(input.id)}"]`) : null;
  return label ? label.textContent : input.name;
}

function when(at) {
  const date = new Date(at);
  const time = date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return date.toDateString() === new Date().toDateString() ? time : `${date.toLocaleDateString()} ${time}`;
}

// A line above the thread saying what changed, with what the person had typed offered back.
function showNotice(text, kept, actions) {
  const notice = $("thread-notice");
  notice.hidden = text === null;
  notice.replaceChildren();
  if (text === null) return;
  notice.append(el("p", { class: "notice-text", text }));
  for (const draft of kept || []) {
    const back = () => {
      const target = [...$("pauses").querySelectorAll(`[name="${CSS.escape(draft.name)}"]`)]
        .find((n) => n.type !== "checkbox");
      if (!target) return;
      target.value = draft.value;
      target.focus();
    };
    notice.append(
      el("div", { class: "kept" },
        el("span", { class: "muted", text: `What you typed in ${draft.label}:` }),
        el("blockquote", { class: "kept-text", text: draft.value }),
        el("button", { type: "button", class: "secondary put-back", text: "Put my text back", onclick: back })),
    );
  }
  for (const [label, onclick] of actions || []) {
    notice.append(el("button", { type: "button", text: label, onclick }));
  }
}

function holdNewer(view) {
  const first = newer === null;
  newer = view;
  if (!first) return;
  showNotice("This thread has changed since you began typing: a newer version is here. Your text stays until you look.", [], [
    ["Show the newer version", () => {
      const kept = typedHere();
      const view = newer;
      newer = null;
      renderThread(view);
      showNotice("Here is the newer version.", kept);
      $("thread-notice").focus();
    }],
  ]);
}

// A 409: someone answered first. Say who and when, show where the thread is now, keep what
// the person typed and offer it back.
async function showConflict(view, pause, kept, problem) {
  let by = null;
  try {
    const log = await api("GET", `/api/threads/${encodeURIComponent(view.thread_id)}/decisions`);
    by = log.decisions.filter((d) => d.interrupt_id === pause.interrupt_id).pop() || null;
  } catch (error) {
    if (error instanceof Stale) return;
  }
  let text;
  if (by) {
    const who = by.actor === (me && me.user) ? `${by.actor} (you, elsewhere)` : by.actor;
    text = `“${pause.title}” was already answered by ${who} at ${when(by.decided_at)} — here is where the thread is now.`;
  } else {
    text = `Your answer to “${pause.title}” was not taken: ${problem.message}. Here is where the thread is now.`;
  }
  newer = null;
  try {
    renderThread(await api("GET", "/api/threads/" + encodeURIComponent(view.thread_id)));
  } catch (error) {
    if (error instanceof Stale) return;
  }
  refreshLists();
  showNotice(text, kept);
  $("thread-notice").focus();
}


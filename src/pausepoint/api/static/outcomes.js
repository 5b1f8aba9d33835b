// Pausepoint's web page: a thread's outcome, its steps and decisions in words, results as
// text and tables. Plain functions over the JSON API's values; app.js draws them.
"use strict";

// Tasks an orchestrator's result reports, and those that did not finish well.
function taskProblems(result) {
  const tasks = result && typeof result === "object" && Array.isArray(result.tasks) ? result.tasks : [];
  return { tasks, failed: tasks.filter((t) => t && t.status && t.status !== "done") };
}

// The badge colour of an outcome word (a thread's `outcome`, computed by the server).
function toneOf(word, status) {
  if (word === "rejected") return "rejected";
  return word && word.endsWith("failed") ? "failed" : status;
}

// What a finished thread came to, for people: {label, tone, line} — a rejection is a decision,
// not a crash; a run whose tasks failed is not shown as a success. The word is the server's
// (`outcome`, one rule for the list and the open thread); the line says why, from the result.
function outcomeOf(view) {
  const found = outcomeFromResult(view);
  if (!view.outcome) return found;  // a thread completed before the server kept outcomes
  return { label: view.outcome, tone: toneOf(view.outcome, view.status), line: view.outcome === found.label ? found.line : "" };
}

function outcomeFromResult(view) {
  const result = view.result;
  if (view.status === "completed" && result && typeof result === "object") {
    const rejected = result.rejected;
    if (rejected && !rejected.handled) {
      const by = rejected.by ? ` by ${rejected.by}` : "";
      return { label: "rejected", tone: "rejected", line: `Rejected${by}: ${rejected.reason}` };
    }
    const { tasks, failed } = taskProblems(result);
    if (failed.length) {
      const first = failed[0];
      const why = first.error ? `: ${first.error}` : "";
      return {
        label: failed.length === tasks.length ? "failed" : "partly failed",
        tone: "failed",
        line: `${failed.length} of ${tasks.length} task${tasks.length > 1 ? "s" : ""} did not finish (${first.task || first.id} ${first.status}${why})`,
      };
    }
  }
  if (view.status === "failed") return { label: "failed", tone: "failed", line: view.error || "" };
  return { label: view.status, tone: view.status, line: "" };
}

function stepText(name, state) {
  if (!state || typeof state !== "object" || !("status" in state)) {
    return `${name}: ${typeof state === "string" ? state : JSON.stringify(state)}`;
  }
  if (state.rejected && state.approval) {
    const a = state.approval;
    return `${name}: rejected${a.by ? " by " + a.by : ""}${a.reason ? ": " + a.reason : ""}`;
  }
  const status = typeof state.status === "string" ? state.status : JSON.stringify(state.status);
  return `${name}: ${status}${state.status === "failed" && state.error ? " — " + state.error : ""}`;
}

// One decision of the log in words: "ann rejected: not today", "ann asked for changes: …".
function decisionText(decision, at) {
  const answer = decision.answer;
  let what = "answered";
  if (answer && typeof answer === "object" && !Array.isArray(answer)) {
    const kind = answer.decision;
    if (kind === "approve") what = answer.edited_payload ? "approved with changes" : "approved";
    else if (kind === "reject") what = "rejected" + (answer.reason ? `: ${answer.reason}` : "");
    else if (kind === "accept") what = "accepted";
    else if (kind === "update") what = "asked for changes" + (answer.comments ? `: ${answer.comments}` : "");
    else {
      const text = Object.entries(answer).filter(([k]) => k !== "digest")
        .map(([k, v]) => `${k} ${typeof v === "string" ? v : JSON.stringify(v)}`).join(", ");
      what = text ? `answered: ${text}` : "answered";
    }
  } else if (typeof answer === "string") {
    what = `answered: ${answer}`;
  }
  if (decision.actor === "system:deadline") return `${at} — no one answered in time; the default applied (${what})`;
  return `${at} — ${decision.actor} ${what}`;
}

// A value as people read it: text as text, an object as a table of its fields, a list of
// objects as a table with a column per field.
function valueNode(value, depth = 0) {
  if (value === null || value === undefined) return el("span", { class: "muted", text: "—" });
  if (typeof value !== "object") return el("span", { class: "value", text: String(value) });
  if (depth > 2) return el("code", { text: JSON.stringify(value) });
  if (Array.isArray(value)) {
    if (!value.length) return el("span", { class: "muted", text: "none" });
    const rows = value.every((v) => v && typeof v === "object" && !Array.isArray(v));
    if (!rows) return el("ul", {}, ...value.map((v) => el("li", {}, valueNode(v, depth + 1))));
    const columns = [...new Set(value.flatMap((v) => Object.keys(v)))];
    return el("div", { class: "table-wrap" },
      el("table", { class: "value-table" },
        el("thead", {}, el("tr", {}, ...columns.map((c) => el("th", { scope: "col", text: c })))),
        el("tbody", {}, ...value.map((v) => el("tr", {}, ...columns.map((c) => el("td", {}, valueNode(v[c], depth + 1))))))));
  }
  return el("div", { class: "table-wrap" },
    el("table", { class: "value-table" },
      el("tbody", {}, ...Object.entries(value).map(([k, v]) =>
        el("tr", {}, el("th", { scope: "row", text: k }), el("td", {}, valueNode(v, depth + 1)))))));
}

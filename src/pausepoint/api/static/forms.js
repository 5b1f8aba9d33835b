// Pausepoint's web page: forms from JSON Schema. Each field is a wrapper whose `value` is the
// node `readValue` reads: an input, a select, or a fieldset (an object's fields, a list's
// items). Needs app.js's el and setError.
"use strict";

function resolve(schema, root) {
  if (schema && schema.$ref && schema.$ref.startsWith("#/$defs/")) {
    return (root.$defs || {})[schema.$ref.slice(8)] || {};
  }
  return schema || {};
}

function branches(schema) {
  const out = [schema];
  for (const key of ["oneOf", "anyOf"]) {
    for (const sub of schema[key] || []) out.push(resolve(sub, schema));
  }
  return out;
}

function propertySpec(schema, name, root = schema) {
  for (const branch of branches(schema)) {
    const spec = (branch.properties || {})[name];
    const required = (branch.required || []).includes(name);
    if (spec) return { spec: simplify(spec, root), required };
  }
  return { spec: { type: "string" }, required: true };
}

// the branch of a tagged union an action answers (its `type`), else the whole schema
function variantFor(schema, action) {
  const type = (action.answer || {}).type;
  if (type === undefined) return schema;
  return branches(schema).find((b) => ((b.properties || {}).type || {}).const === type) || schema;
}

function simplify(spec, root) {
  spec = resolve(spec, root);
  if (spec.anyOf) {
    const real = resolve(spec.anyOf.find((s) => resolve(s, root).type !== "null") || {}, root);
    return {
      ...real,
      title: spec.title,
      description: spec.description || real.description,
      default: "default" in spec ? spec.default : real.default,
    };
  }
  return spec;
}

// Strings people write at length get a text area; names, versions, ids a one-line box.
const LONG_TEXT = /^(prompt|comments?|text|message|reason|description|feedback|notes|body|content|story|draft|response|answer|instructions?)$/i;
// ...and so does a string whose `format` says it is long.
const LONG_FORMATS = new Set(["textarea", "markdown", "multiline"]);
// A string's `format` that has an input of its own.
const FORMAT_INPUTS = { date: "date", "date-time": "datetime-local", email: "email", uri: "url" };

function humanize(name) {
  const words = String(name).replace(/[_-]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

// What the person typed that the page can tell is wrong before sending it: said next to
// `input`, nothing is sent.
class FormProblem extends Error {
  constructor(input, message) {
    super(message);
    this.input = input;
  }
}

// Items are added and removed: each gets an id no other item had.
let itemCount = 0;

// One field of a form from its JSON Schema: enums as selects, booleans as checkboxes, numbers
// as number boxes, dates, emails and addresses as their inputs, long text as a text area, an
// object with known fields as a fieldset of them, a list of items the form can build as a
// list with Add and Remove (both filled from the default); other values as JSON.
function fieldInput(name, spec, required, prefix, root = spec) {
  const id = prefix + name;
  const label = (spec.title || humanize(name)) + (required ? "" : " (optional)");
  if (spec.type === "object" && spec.properties) return objectField(name, spec, id, label, root);
  const item = spec.type === "array" ? itemSpec(spec, root) : null;
  if (item) return listField(name, spec, item, id, label, required, root);
  const input = inputFor(spec, id, name, required);
  input.dataset.type = spec.type || "string";
  input.dataset.name = name;
  if (spec.format) input.dataset.format = spec.format;
  fillDefault(input, spec.default);
  input.dataset.initial = input.value;
  // the hint and the error are read out with the field
  const hint = spec.description ? el("div", { class: "muted hint", id: id + "-hint", text: spec.description }) : null;
  const error = el("div", { class: "field-error", "data-for": name, "data-input": id, id: id + "-error" });
  input.setAttribute("aria-describedby", [hint ? hint.id : null, error.id].filter(Boolean).join(" "));
  if (required && input.type !== "checkbox") input.setAttribute("aria-required", "true");
  const field = el("div", { class: "field" }, el("label", { for: id, text: label }), hint, input, error);
  field.value = input;
  return field;
}

function inputFor(spec, id, name, required) {
  if (spec.enum) {
    const select = el("select", { id, name });
    if (!required) select.append(el("option", { value: "", text: "" }));
    for (const value of spec.enum) select.append(el("option", { value, text: String(value) }));
    return select;
  }
  if (spec.type === "boolean") return el("input", { id, name, type: "checkbox" });
  if (spec.type === "integer" || spec.type === "number") {
    return el("input", { id, name, type: "number", step: spec.type === "integer" ? "1" : "any" });
  }
  if (spec.type === "object" || spec.type === "array") {
    return el("textarea", { id, name, rows: "6", placeholder: "JSON", spellcheck: "false" });
  }
  if (LONG_FORMATS.has(spec.format) || LONG_TEXT.test(name) || spec.maxLength > 200) {
    return el("textarea", { id, name, rows: spec.format === "markdown" ? "8" : "3" });
  }
  return el("input", { id, name, type: FORMAT_INPUTS[spec.format] || "text" });
}

// The schema of a list's items when the form can build them (a value, a choice, an object
// with known fields), else null: the list is then written as JSON. Items of one of several
// kinds (a chat's messages: AI, human, tool…) are written as JSON too.
function itemSpec(spec, root) {
  if (!spec.items || typeof spec.items !== "object" || Array.isArray(spec.items)) return null;
  const raw = resolve(spec.items, root);
  const kinds = [...(raw.anyOf || []), ...(raw.oneOf || [])].filter((s) => resolve(s, root).type !== "null");
  if (kinds.length > 1) return null;
  const item = simplify(spec.items, root);
  if (item.enum || ["string", "number", "integer", "boolean"].includes(item.type)) return item;
  return item.type === "object" && item.properties ? item : null;
}

function objectField(name, spec, id, label, root) {
  const group = el("fieldset", { class: "field object", id, name });
  group.dataset.type = "object";
  group.dataset.name = name;
  group.append(el("legend", { text: label }));
  if (spec.description) group.append(el("div", { class: "muted hint", id: id + "-hint", text: spec.description }));
  const parts = el("div", { class: "parts" });
  group.append(parts, el("div", { class: "field-error", "data-for": name, id: id + "-error" }));
  // (re)built from a value: its own default first, the JSON view's values when it goes back
  group.fill = (given) => {
    group.parts = [];
    parts.replaceChildren();
    for (const [sub, raw] of Object.entries(spec.properties)) {
      const subSpec = { ...simplify(raw, root) };
      if (sub in given) subSpec.default = given[sub];
      const needed = (spec.required || []).includes(sub);
      const field = fieldInput(sub, subSpec, needed, id + "-", root);
      group.parts.push([sub, field.value, needed]);
      parts.append(field);
    }
  };
  group.fill(spec.default && typeof spec.default === "object" ? spec.default : {});
  group.value = group;
  return group;
}

// A list of item inputs, each with its Remove button, and Add below; read back as an array.
function listField(name, spec, item, id, label, required, root) {
  const group = el("fieldset", { class: "field list-field", id, name });
  group.dataset.type = "array";
  group.dataset.name = name;
  const title = spec.title || humanize(name);
  const noun = item.title || `${title} item`;
  group.append(el("legend", { text: label }));
  if (spec.description) group.append(el("div", { class: "muted hint", id: id + "-hint", text: spec.description }));
  const list = el("ol", { class: "items" });
  const add = el("button", { type: "button", class: "secondary add", text: "Add", "aria-label": `Add to ${title}` });
  const error = el("div", { class: "field-error", "data-for": name, id: id + "-error" });
  group.append(list, add, error);
  group.list = list;
  const relabel = () => {
    [...list.children].forEach((li, index) => {
      li.caption.textContent = `${noun} ${index + 1}`;
      // a value's name follows its place, so text kept across a newer version finds its way back
      if (li.input.tagName !== "FIELDSET") li.input.name = `${name}.${index + 1}`;
      li.removeButton.setAttribute("aria-label", `Remove ${noun} ${index + 1}`);
    });
  };
  const addItem = (value, focus) => {
    itemCount += 1;
    const itemSpec = { ...item, title: noun };
    if (value !== undefined) itemSpec.default = value;
    const field = fieldInput(`${name}-${itemCount}`, itemSpec, true, id + "-", root);
    const remove = el("button", { type: "button", class: "secondary remove", text: "Remove" });
    const li = el("li", { class: field.value.tagName === "FIELDSET" ? "item" : "item inline" }, field, remove);
    li.input = field.value;
    li.caption = field.querySelector("label, legend");
    li.removeButton = remove;
    remove.onclick = () => {
      const next = li.nextElementSibling || li.previousElementSibling;
      li.remove();
      relabel();
      (next ? next.removeButton : add).focus();
    };
    list.append(li);
    relabel();
    if (focus) field.querySelector("input, select, textarea").focus();
  };
  add.onclick = () => addItem(undefined, true);
  const given = Array.isArray(spec.default) ? spec.default : required ? [undefined] : [];
  for (const value of given) addItem(value, false);
  group.value = group;
  return group;
}

function fillDefault(input, value) {
  if (value === undefined || value === null) return;
  if (input.type === "checkbox") input.checked = value === true;
  else if (input.type === "datetime-local") input.value = localTime(value);
  else input.value = typeof value === "object" ? JSON.stringify(value, null, 2) : String(value);
}

// An instant as a datetime-local input shows it: the person's own time, to the minute.
function localTime(value) {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) return "";
  const two = (n) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}T${two(at.getHours())}:${two(at.getMinutes())}`;
}

function readValue(input) {
  if (input.tagName === "FIELDSET" && input.dataset.type === "array") {
    return [...input.list.children].map((li) => readValue(li.input)).filter((v) => v !== undefined && v !== "");
  }
  if (input.tagName === "FIELDSET") return input.jsonView ? readJsonView(input.jsonView) : readParts(input);
  if (input.dataset.type === "boolean") return input.checked;
  if (input.dataset.type === "object" || input.dataset.type === "array") {
    if (!input.value.trim()) return undefined;
    try {
      return JSON.parse(input.value);
    } catch (e) {
      return input.value; // the server's 422 says what is wrong with it
    }
  }
  if (input.dataset.type === "integer" || input.dataset.type === "number") {
    return input.value === "" ? undefined : Number(input.value);
  }
  if (input.type === "datetime-local" && input.value) return new Date(input.value).toISOString();
  return input.value;
}

function readParts(group) {
  const out = {};
  for (const [name, node, required] of group.parts) {
    const value = readValue(node);
    if (value !== undefined && (required || value !== "")) out[name] = value;
  }
  return out;
}

// ---- an object's JSON view ----

function readJsonView(text) {
  let value;
  try {
    value = JSON.parse(text.value);
  } catch (problem) {
    throw new FormProblem(text, `This is not valid JSON: ${problem.message}. Fix it, or go back to the form.`);
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new FormProblem(text, "This must be one JSON object, in braces: { … }.");
  }
  return value;
}

// Beside an object's fieldset, "Edit as JSON": a text area with the form's values as pretty
// JSON, and back ("Edit as form") with the JSON's values in the form. JSON that does not
// parse is said next to it, stays in JSON, and is not sent.
function offerJsonView(group) {
  if (!group.parts) return;
  const id = group.id + "-json";
  const parts = group.querySelector(":scope > .parts");
  const legend = group.querySelector(":scope > legend").textContent.replace(/ \(optional\)$/, "");
  const text = el("textarea", { id, name: group.dataset.name + "-json", rows: "14", spellcheck: "false", "aria-describedby": id + "-error" });
  text.dataset.initial = "";
  const error = el("div", { class: "field-error", "data-input": id, id: id + "-error" });
  const view = el("div", { class: "json-view", hidden: true }, el("label", { for: id, text: `${legend} as JSON` }), text, error);
  const toggle = el("button", { type: "button", class: "secondary json-toggle", text: "Edit as JSON" });
  toggle.onclick = () => {
    if (!group.jsonView) {
      text.value = JSON.stringify(readParts(group), null, 2);
      setError(error, "");
      group.jsonView = text;
    } else {
      let value;
      try {
        value = readJsonView(text);
      } catch (problem) {
        setError(error, problem.message);
        text.focus();
        return;
      }
      group.fill(value);
      group.jsonView = null;
    }
    const json = Boolean(group.jsonView);
    view.hidden = !json;
    parts.hidden = json;
    toggle.textContent = json ? "Edit as form" : "Edit as JSON";
    if (json) text.focus();
  };
  text.addEventListener("input", () => {
    try {
      readJsonView(text);
      setError(error, "");
    } catch (problem) {
      setError(error, problem.message);
    }
  });
  parts.before(toggle);
  parts.after(view);
}

function showFieldErrors(container, fields, fallback) {
  container.querySelectorAll(".field-error").forEach((n) => setError(n, ""));
  let rest = "";
  let first = null;
  for (const field of fields || []) {
    const top = String(field.loc || "").split(".")[0];
    const slot = container.querySelector(`.field-error[data-for="${CSS.escape(top)}"]`);
    if (slot) {
      setError(slot, slot.textContent || field.message);
      first = first || document.getElementById(slot.dataset.input);
    } else rest += (field.loc ? field.loc + ": " : "") + field.message + " ";
  }
  setError(fallback, rest.trim());
  if (first) first.focus();  // the first field to fix
}

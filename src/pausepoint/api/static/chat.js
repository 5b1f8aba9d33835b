// Pausepoint's web page: the chat panel, over WS /ws/chat (the same protocol every chat
// client speaks). The key travels as a subprotocol, never in a URL. Needs app.js ($, el, key,
// me, refreshLists); app.js calls initChat, openChat and closeChat.
"use strict";

let chatSocket = null;
// The conversation waiting for the person's reply: their next message continues it.
let chatThread = null;
// The pause form in the conversation whose answer is on its way, with its error slot.
let chatForm = null;

function chatLine(who, text, kind) {
  // an answer written in markdown reads as what it says (markdown.js escapes any HTML in it)
  const said = kind === "answer" && looksLikeMarkdown(text) ? markdownNode(text, 4) : el("span", { text });
  const line = el("li", { class: "chat-" + kind }, el("span", { class: "chat-who", text: who + ": " }), said);
  $("chat-log").append(line);
  line.scrollIntoView({ block: "nearest" });
}

function openChat() {
  closeChat();
  const protocols = ["pausepoint"];
  if (key()) protocols.push("pausepoint.key." + key());
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  const socket = new WebSocket(scheme + location.host + "/ws/chat", protocols);
  chatSocket = socket;
  socket.onmessage = (message) => {
    if (socket === chatSocket) onChat(JSON.parse(message.data));
  };
  socket.onclose = () => {
    if (socket !== chatSocket) return;
    $("chat-send").disabled = true;
    $("chat-state").textContent = "Chat is offline; it reconnects when you reload.";
  };
}

function closeChat() {
  const socket = chatSocket;
  chatSocket = null;
  chatThread = null;
  chatForm = null;
  if (socket) socket.close();
  $("chat-log").replaceChildren();
  $("chat-send").disabled = true;
  $("chat-state").textContent = "";
}

function onChat(message) {
  if (message.type === "connected") {
    $("chat-send").disabled = false;
    return;
  }
  if (message.type === "error") {
    if (chatForm) {  // the form's answer was refused: said there, the form usable again
      const { box, error } = chatForm;
      chatForm = null;
      box.querySelectorAll("button").forEach((b) => (b.disabled = false));
      showFieldErrors(box, message.fields, error);
      if (!(message.fields && message.fields.length)) setError(error, message.detail);
      return;
    }
    chatLine("Pausepoint", message.detail, "error");
    return;
  }
  if (message.type !== "response") return;  // events: the lists and the thread show them
  if (chatForm) {  // answered: the form stays in the conversation, done with
    chatForm.box.inert = true;
    chatForm.box.classList.add("answered");
    chatForm = null;
  }
  if (message.status === "pending_user_input") {
    chatThread = message.thread_id;
    chatLine("Pausepoint", message.question_for_user || "Waiting for your answer.", "ask");
    showChatPause(message.thread_id);
  } else if (message.status === "completed") {
    chatThread = null;
    chatLine("Pausepoint", message.final_response || "Done.", "answer");
  } else if (message.status === "error") {
    chatThread = null;
    chatLine("Pausepoint", message.error_message || "That did not work.", "error");
  } else {
    chatLine("Pausepoint", "Working on it…", "note");
  }
  refreshLists();
}

// A pause that asks for more than a line of text (choices, several fields, a number, a list)
// gets the page's own form in the conversation, its answer sent over the socket; a line of
// text is answered in the message box.
function wantsForm(pause) {
  if ((pause.actions || []).length) return true;
  const schema = pause.response_schema || {};
  const fields = Object.values(schema.properties || {});
  if (!fields.length) return false;
  return fields.length > 1 || (fields[0].type || "string") !== "string" || Boolean(fields[0].enum);
}

async function showChatPause(threadId) {
  let view;
  try {
    view = await api("GET", "/api/threads/" + encodeURIComponent(threadId));
  } catch (problem) {
    return;  // the question is in the conversation; a text reply still answers it
  }
  const pause = (view.pauses || [])[0];
  if (!pause || !wantsForm(pause) || chatThread !== threadId) return;
  const form = renderPause(view, pause, (answer, box, error, label) => {
    if (!chatSocket || chatSocket.readyState !== WebSocket.OPEN) {
      setError(error, "Chat is offline; reload to reconnect.");
      return;
    }
    chatForm = { box, error };
    box.querySelectorAll("button").forEach((b) => (b.disabled = true));
    chatLine(me ? me.user : "you", label || answerText(answer), "mine");
    chatSocket.send(JSON.stringify({ type: "answer", thread_id: threadId, interrupt_id: pause.interrupt_id, answer }));
  });
  const line = el("li", { class: "chat-form" }, form);
  $("chat-log").append(line);
  line.scrollIntoView({ block: "nearest" });
}

// An answer in a line: its fields as "name: value".
function answerText(answer) {
  if (answer === null || typeof answer !== "object") return String(answer);
  return Object.entries(answer)
    .map(([name, value]) => `${name}: ${typeof value === "object" ? JSON.stringify(value) : value}`)
    .join(", ");
}

function sendChat(event) {
  event.preventDefault();
  const input = $("chat-input");
  const text = input.value.trim();
  if (!text || !chatSocket || chatSocket.readyState !== WebSocket.OPEN) return;
  chatLine(me ? me.user : "you", text, "mine");
  const message = chatThread
    ? { type: "continue", thread_id: chatThread, response: text }
    : { type: "start", prompt: text };
  chatSocket.send(JSON.stringify(message));
  input.value = "";
}

function initChat() {
  $("chat-form").onsubmit = sendChat;
  $("chat-input").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) sendChat(event);  // Shift+Enter: a new line
  });
}

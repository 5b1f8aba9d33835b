// Pausepoint's web page: the chat panel, over WS /ws/chat (the same protocol every chat
// client speaks). The key travels as a subprotocol, never in a URL. Needs app.js ($, el, key,
// me, refreshLists); app.js calls initChat, openChat and closeChat.
"use strict";

let chatSocket = null;
// The conversation waiting for the person's reply: their next message continues it.
let chatThread = null;

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
    chatLine("Pausepoint", message.detail, "error");
    return;
  }
  if (message.type !== "response") return;  // events: the lists and the thread show them
  if (message.status === "pending_user_input") {
    chatThread = message.thread_id;
    chatLine("Pausepoint", message.question_for_user || "Waiting for your answer.", "ask");
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

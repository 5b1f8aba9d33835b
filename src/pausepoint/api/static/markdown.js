// Pausepoint's web page: a small markdown renderer for results (headings, lists, emphasis,
// code, quotes, links). All HTML in the text is escaped first, so none passes through; the
// only tags are the ones made here, and a link goes only to http, https or mailto.
"use strict";

// Whether a text is written in markdown (and not plain prose that happens to hold a star).
const MARKDOWN_SIGNS = /^#{1,6}\s+\S|^\s*[-*+]\s+\S|^\s*\d+[.)]\s+\S|^\s*```|^>\s|\*\*[^*\n]+\*\*|\[[^\]\n]+\]\([^)\s]+\)|`[^`\n]+`/m;

function looksLikeMarkdown(text) {
  return typeof text === "string" && MARKDOWN_SIGNS.test(text);
}

function escapeHtml(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

// A link's address, escaped, when it is one we follow; else null (the link stays text).
function safeHref(escaped) {
  const address = escaped.replace(/&amp;/g, "&").trim();
  return /^(https?:\/\/|mailto:)/i.test(address) ? escaped : null;
}

// Inline marks of one escaped line: code spans and links first, set aside (a code span's
// insides and an address stay as written), then bold and emphasis.
function inline(escaped) {
  const kept = [];
  const keep = (html) => {
    kept.push(html);
    return `\u0000${kept.length - 1}\u0000`;
  };
  let out = escaped.replace(/`([^`]+)`/g, (_, code) => keep(`<code>${code}</code>`));
  out = out.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (whole, text, href) => {
    const safe = safeHref(href);
    return safe ? keep(`<a href="${safe}" rel="noopener noreferrer">${marks(text)}</a>`) : whole;
  });
  const restore = (html) => html.replace(/\u0000(\d+)\u0000/g, (_, i) => restore(kept[Number(i)]));
  return restore(marks(out));
}

function marks(text) {
  let out = text;
  out = out.replace(/\*\*([^*]+)\*\*|__([^_]+)__/g, (_, a, b) => `<strong>${a || b}</strong>`);
  out = out.replace(/(^|[^\w*])\*([^*\s][^*]*)\*|(^|[^\w])_([^_\s][^_]*)_(?!\w)/g,
    (_, p1, a, p3, b) => `${p1 || p3 || ""}<em>${a || b}</em>`);
  return out;
}

// Markdown text as HTML (a string of tags made here only). `level` is the heading level a
// "# " takes, so a result's headings stand below the page's own.
function markdownHtml(text, level = 4) {
  const lines = escapeHtml(text.replace(/\r\n?/g, "\n").replace(/\u0000/g, "")).split("\n");
  const out = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (/^\s*```/.test(line)) {
      const code = [];
      i += 1;
      while (i < lines.length && !/^\s*```/.test(lines[i])) code.push(lines[i++]);
      i += 1;
      out.push(`<pre><code>${code.join("\n")}</code></pre>`);
      continue;
    }
    const heading = line.match(/^(#{1,6})\s+(.*?)\s*#*\s*$/);
    if (heading) {
      const h = Math.min(6, level + heading[1].length - 1);
      out.push(`<h${h}>${inline(heading[2])}</h${h}>`);
      i += 1;
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      out.push("<hr>");
      i += 1;
      continue;
    }
    const list = line.match(/^\s*([-*+]|\d+[.)])\s+/);
    if (list) {
      const ordered = /\d/.test(list[1]);
      const pattern = ordered ? /^\s*\d+[.)]\s+(.*)$/ : /^\s*[-*+]\s+(.*)$/;
      const items = [];
      while (i < lines.length && pattern.test(lines[i])) items.push(`<li>${inline(lines[i++].match(pattern)[1])}</li>`);
      const tag = ordered ? "ol" : "ul";
      out.push(`<${tag}>${items.join("")}</${tag}>`);
      continue;
    }
    if (/^&gt;\s?/.test(line)) {
      const quote = [];
      while (i < lines.length && /^&gt;\s?/.test(lines[i])) quote.push(lines[i++].replace(/^&gt;\s?/, ""));
      out.push(`<blockquote>${inline(quote.join(" "))}</blockquote>`);
      continue;
    }
    if (!line.trim()) {
      i += 1;
      continue;
    }
    const paragraph = [];
    while (i < lines.length && lines[i].trim() && !/^(\s*```|#{1,6}\s|\s*([-*+]|\d+[.)])\s+|&gt;)/.test(lines[i])) {
      paragraph.push(lines[i++]);
    }
    if (!paragraph.length) paragraph.push(lines[i++]);
    out.push(`<p>${inline(paragraph.join("\n")).replace(/\n/g, "<br>")}</p>`);
  }
  return out.join("\n");
}

// Markdown text as a node to put on the page.
function markdownNode(text, level = 4) {
  const node = document.createElement("div");
  node.className = "markdown";
  node.innerHTML = markdownHtml(text, level);
  return node;
}

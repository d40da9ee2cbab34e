// The NLP Journey lab: chat, playground, tokenizer, attention and progress, in plain
// JavaScript over the server's own API (/v1/... as any OpenAI client, /lab/api/...).
"use strict";

const $ = (id) => document.getElementById(id);
const KEY_STORE = "nlpjourney-lab-api-key";
let modelId = null;

// --- talking to the server ------------------------------------------------------------

function headers() {
  const h = { "Content-Type": "application/json" };
  const key = $("api-key").value.trim();
  if (key) h.Authorization = `Bearer ${key}`;
  return h;
}

/** A sentence for the user from a failed answer (OpenAI's error shape, or anything). */
async function explain(response) {
  let message = "";
  try {
    const body = await response.json();
    message = (body && body.error && body.error.message) || JSON.stringify(body);
  } catch (_) {
    message = response.statusText || "no details";
  }
  const status = response.status;
  const wait = response.headers.get("Retry-After");
  if (status === 401) return `The server needs an API key: enter it in the “API key” box at the top. (${message})`;
  if (status === 429) return `The server is busy or the rate limit is reached; try again${wait ? ` in ${wait} s` : " soon"}. (${message})`;
  if (status === 404) return `Not available: ${message}`;
  if (status === 413) return `The request is too large: ${message}`;
  if (status === 422) return `That does not fit the model's context: ${message}`;
  if (status >= 500) return `The server failed (${status}): ${message}`;
  return `The request was refused (${status}): ${message}`;
}

function networkWords(error) {
  return `Cannot reach the server (${error.message}). Is journey serve still running?`;
}

function showError(element, text) {
  element.textContent = text;
  element.hidden = !text;
}

/** POST json to path; the parsed answer, or throws an Error with a plain sentence. */
async function post(path, body, signal) {
  let response;
  try {
    response = await fetch(path, { method: "POST", headers: headers(), body: JSON.stringify(body), signal });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new Error(networkWords(error));
  }
  if (!response.ok) throw new Error(await explain(response));
  return response;
}

/** The JSON events of a server-sent event stream, until [DONE]. */
async function* events(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of block.split("\n")) {
        if (!line.startsWith("data:")) continue;
        const data = line.slice(5).trim();
        if (data === "[DONE]") return;
        const event = JSON.parse(data);
        if (event.error) throw new Error(`The server failed while answering: ${event.error.message}`);
        yield event;
      }
    }
  }
}

function sampling(prefix) {
  const number = (name) => $(`${prefix}-${name}`).value;
  const body = {
    temperature: Number(number("temperature")),
    top_p: Number(number("top-p")),
    max_tokens: Math.round(Number(number("max-tokens"))),
  };
  if (number("seed") !== "") body.seed = Math.round(Number(number("seed")));
  return body;
}

// --- page furniture: key, sampling controls, tabs ----------------------------------------

function setUpKey() {
  const input = $("api-key");
  try { input.value = localStorage.getItem(KEY_STORE) || ""; } catch (_) { /* storage off */ }
  input.addEventListener("change", () => {
    try { localStorage.setItem(KEY_STORE, input.value.trim()); } catch (_) { /* storage off */ }
  });
  $("key-form").addEventListener("submit", (event) => event.preventDefault());
}

function setUpSampling() {
  const template = $("sampling-template").innerHTML;
  for (const holder of document.querySelectorAll(".sampling")) {
    holder.innerHTML = template.replaceAll("PREFIX", holder.dataset.prefix);
  }
}

function setUpTabs() {
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  const opened = new Set();
  const select = (tab) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      $(t.getAttribute("aria-controls")).hidden = !on;
    }
    if (!opened.has(tab.id)) {
      opened.add(tab.id);
      if (tab.id === "tab-tokenizer") tokenize();
      if (tab.id === "tab-attention") loadAttention();
      if (tab.id === "tab-progress") loadProgress();
    }
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => select(tab));
    tab.addEventListener("keydown", (event) => {
      const moves = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 };
      if (!(event.key in moves)) return;
      event.preventDefault();
      const next = tabs[(moves[event.key] + tabs.length) % tabs.length];
      next.focus();
      select(next);
    });
  });
}

async function loadModel() {
  try {
    const response = await fetch("/health");
    const body = await response.json();
    modelId = body.model;
    $("model-id").textContent = modelId || "none (this server serves no chat model)";
  } catch (error) {
    $("model-id").textContent = "unknown";
    showError($("chat-error"), networkWords(error));
  }
}

// --- 1. chat ----------------------------------------------------------------------------

const chat = { history: [], controller: null };

function addMessage(role, text) {
  const item = document.createElement("li");
  item.className = `message ${role}`;
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = role === "user" ? "You" : "Assistant";
  const body = document.createElement("span");
  body.className = "text";
  body.textContent = text;
  item.append(who, body);
  $("conversation").append(item);
  item.scrollIntoView({ block: "end" });
  return item;
}

async function sendChat(event) {
  event.preventDefault();
  const input = $("chat-input");
  const text = input.value.trim();
  if (!text || chat.controller) return;
  showError($("chat-error"), "");
  input.value = "";
  addMessage("user", text);
  chat.history.push({ role: "user", content: text });
  const messages = [];
  const system = $("chat-system").value.trim();
  if (system) messages.push({ role: "system", content: system });
  messages.push(...chat.history);
  const reply = addMessage("assistant", "");
  reply.classList.add("streaming");
  reply.setAttribute("aria-busy", "true"); // screen readers read the reply once, when done
  const replyText = reply.querySelector(".text");
  chat.controller = new AbortController();
  $("chat-send").disabled = true;
  $("chat-stop").disabled = false;
  const started = performance.now();
  let pieces = 0;
  try {
    const body = { model: modelId, messages, stream: true, ...sampling("chat") };
    const response = await post("/v1/chat/completions", body, chat.controller.signal);
    for await (const chunk of events(response)) {
      const delta = chunk.choices.length ? chunk.choices[0].delta : {};
      if (delta.content) {
        replyText.textContent += delta.content;
        pieces += 1;
        reply.scrollIntoView({ block: "end" });
      }
    }
  } catch (error) {
    if (error.name === "AbortError") replyText.textContent += " [stopped]";
    else showError($("chat-error"), error.message);
  } finally {
    reply.classList.remove("streaming");
    reply.removeAttribute("aria-busy");
    chat.controller = null;
    $("chat-send").disabled = false;
    $("chat-stop").disabled = true;
  }
  const seconds = (performance.now() - started) / 1000;
  $("chat-stats").textContent = `${pieces} pieces in ${seconds.toFixed(1)} s`;
  if (replyText.textContent) chat.history.push({ role: "assistant", content: replyText.textContent });
  else reply.remove();
  input.focus();
}

function setUpChat() {
  $("chat-form").addEventListener("submit", sendChat);
  $("chat-input").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("chat-form").requestSubmit();
    }
  });
  // aborting the fetch closes the connection: the server cancels the request and frees its slot
  $("chat-stop").addEventListener("click", () => chat.controller && chat.controller.abort());
  $("chat-clear").addEventListener("click", () => {
    if (chat.controller) chat.controller.abort();
    chat.history = [];
    $("conversation").replaceChildren();
    $("chat-stats").textContent = "";
    $("chat-input").focus();
  });
}

// --- 2. playground ------------------------------------------------------------------------

const play = { controller: null, tokens: [] };

function probabilityColour(p) {
  // red (unlikely) through yellow to green (likely); always light, so the text stays dark
  return `hsl(${Math.round(120 * p)} ${p < 0.5 ? 85 : 55}% 80%)`;
}

function percent(logprob) {
  const p = 100 * Math.exp(logprob);
  return `${p >= 0.1 ? p.toFixed(1) : p.toPrecision(2)}%`;
}

function visible(text) {
  return text.replaceAll(" ", "·").replaceAll("\n", "↵").replaceAll("\t", "⇥");
}

function showAlternatives(entry) {
  const detail = $("play-detail");
  detail.replaceChildren();
  const title = document.createElement("p");
  title.innerHTML = "Chosen: <code></code> with probability <strong></strong>";
  title.querySelector("code").textContent = visible(entry.token);
  title.querySelector("strong").textContent = percent(entry.logprob);
  const table = document.createElement("table");
  table.innerHTML = "<caption class='visually-hidden'>Top alternatives</caption><thead><tr><th scope='col'>Alternative</th><th scope='col'>Probability</th></tr></thead><tbody></tbody>";
  for (const alt of entry.top) {
    const row = document.createElement("tr");
    const token = document.createElement("td");
    const code = document.createElement("code");
    code.textContent = visible(alt.token);
    token.append(code);
    const p = document.createElement("td");
    p.textContent = percent(alt.logprob);
    row.append(token, p);
    table.tBodies[0].append(row);
  }
  detail.append(title, table);
}

function addToken(entry) {
  const span = document.createElement("span");
  span.className = "tok";
  span.tabIndex = 0;
  span.textContent = entry.token;
  span.style.background = probabilityColour(Math.exp(entry.logprob));
  const label = `${visible(entry.token)}: ${percent(entry.logprob)}`;
  span.title = label;
  span.setAttribute("aria-label", label);
  span.addEventListener("mouseenter", () => showAlternatives(entry));
  span.addEventListener("focus", () => showAlternatives(entry));
  $("play-output").append(span);
  play.tokens.push(entry);
}

async function runPlayground(event) {
  event.preventDefault();
  if (play.controller) return;
  const prompt = $("play-prompt").value;
  const mode = document.querySelector('input[name="play-mode"]:checked').value;
  const output = $("play-output");
  output.replaceChildren();
  play.tokens = [];
  showError($("play-error"), "");
  play.controller = new AbortController();
  $("play-run").disabled = true;
  $("play-stop").disabled = false;
  try {
    if (mode === "chat") {
      const body = { model: modelId, messages: [{ role: "user", content: prompt }], stream: true,
        logprobs: true, top_logprobs: 5, ...sampling("play") };
      const response = await post("/v1/chat/completions", body, play.controller.signal);
      for await (const chunk of events(response)) {
        const choice = chunk.choices[0];
        const content = choice && choice.logprobs && choice.logprobs.content;
        for (const e of content || []) addToken({ token: e.token, logprob: e.logprob, top: e.top_logprobs });
      }
    } else {
      const shown = document.createElement("span");
      shown.className = "prompt";
      shown.textContent = prompt;
      output.append(shown);
      const body = { model: modelId, prompt, logprobs: 5, ...sampling("play") };
      const response = await post("/v1/completions", body, play.controller.signal);
      const lp = (await response.json()).choices[0].logprobs;
      lp.tokens.forEach((token, i) => addToken({ token, logprob: lp.token_logprobs[i],
        top: Object.entries(lp.top_logprobs[i]).map(([t, p]) => ({ token: t, logprob: p })) }));
    }
  } catch (error) {
    if (error.name !== "AbortError") showError($("play-error"), error.message);
  } finally {
    play.controller = null;
    $("play-run").disabled = false;
    $("play-stop").disabled = true;
  }
}

function setUpPlayground() {
  $("play-form").addEventListener("submit", runPlayground);
  $("play-stop").addEventListener("click", () => play.controller && play.controller.abort());
}

// --- 3a. tokenizer ------------------------------------------------------------------------

let tokenizeTimer = null;

async function tokenize(event) {
  if (event) event.preventDefault();
  try {
    const response = await post("/lab/api/tokenize", { text: $("tok-text").value });
    const body = await response.json();
    showError($("tok-error"), "");
    const output = $("tok-output");
    output.replaceChildren();
    body.tokens.forEach((t, i) => {
      const piece = document.createElement("span");
      piece.className = `piece c${i % 6}${t.special ? " special" : ""}`;
      piece.title = `id ${t.id}, vocabulary entry ${t.token}${t.special ? " (special token)" : ""}`;
      const text = document.createElement("span");
      text.className = "text";
      text.textContent = t.special ? t.text : visible(t.text);
      const id = document.createElement("span");
      id.className = "id";
      id.textContent = t.id;
      piece.append(text, id);
      output.append(piece);
    });
    const chars = $("tok-text").value.length;
    $("tok-count").textContent = `${body.count} tokens for ${chars} characters (${body.model}'s tokenizer)`;
  } catch (error) {
    showError($("tok-error"), error.message);
  }
}

function setUpTokenizer() {
  $("tok-form").addEventListener("submit", tokenize);
  $("tok-text").addEventListener("input", () => {
    clearTimeout(tokenizeTimer);
    tokenizeTimer = setTimeout(tokenize, 300);
  });
}

// --- 3b. attention ------------------------------------------------------------------------

const att = { data: null, head: 0 };

function shade(w) {
  // white (0) to dark blue (1) on a square-root scale: a head that puts most of its
  // weight on one token still shows where the rest goes
  const s = Math.sqrt(Math.max(0, Math.min(1, w)));
  const mix = (from, to) => Math.round(from + (to - from) * s);
  return `rgb(${mix(255, 16)}, ${mix(255, 52)}, ${mix(255, 140)})`;
}

function drawMap(canvas, weights, labels) {
  const n = weights.length;
  const margin = labels ? 110 : 0;
  const cell = labels ? Math.max(8, Math.min(28, Math.floor(520 / n))) : Math.max(1, Math.floor(72 / n));
  const size = margin + cell * n;
  const scale = window.devicePixelRatio || 1;
  canvas.width = size * scale;
  canvas.height = size * scale;
  canvas.style.width = `${size}px`;
  canvas.style.height = `${size}px`;
  const g = canvas.getContext("2d");
  g.scale(scale, scale);
  g.fillStyle = "#ffffff";
  g.fillRect(0, 0, size, size);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      g.fillStyle = c > r ? "#eef0f4" : shade(weights[r][c]);
      g.fillRect(margin + c * cell, margin + r * cell, cell, cell);
    }
  }
  if (!labels) return;
  g.fillStyle = "#1d2433";
  g.font = `${Math.min(13, cell)}px system-ui, sans-serif`;
  g.textBaseline = "middle";
  const short = (t) => { const s = visible(t); return s.length > 14 ? `${s.slice(0, 13)}…` : s; };
  labels.forEach((t, i) => {
    g.textAlign = "right";
    g.fillText(short(t), margin - 4, margin + (i + 0.5) * cell);
    g.save();
    g.translate(margin + (i + 0.5) * cell, margin - 4);
    g.rotate(-Math.PI / 2);
    g.textAlign = "left";
    g.fillText(short(t), 0, 0);
    g.restore();
  });
}

function showHead() {
  const data = att.data;
  if (!data) return;
  const weights = data.attention[0].weights[att.head];
  const labels = data.tokens.map((t) => t.text);
  drawMap($("att-canvas"), weights, labels);
  const layer = data.attention[0].layer;
  $("att-canvas").setAttribute("aria-label", `Attention of layer ${layer}, head ${att.head}, over ${labels.length} tokens`);
  for (const button of $("att-heads").children) {
    button.setAttribute("aria-pressed", String(Number(button.dataset.head) === att.head));
  }
  $("att-head").value = String(att.head);
  const most = weights.map((row, r) => {
    let best = 0;
    row.forEach((w, c) => { if (w > row[best]) best = c; });
    return `“${visible(labels[r])}” → “${visible(labels[best])}” (${row[best].toFixed(2)})`;
  });
  $("att-summary").textContent = `Layer ${layer}, head ${att.head}: each token and the one it looks at most: ${most.join("; ")}.` +
    (data.truncated ? " (The text was cut to its first 64 tokens.)" : "");
}

function fillSelect(select, count, value) {
  if (select.options.length === count) return;
  select.replaceChildren(...Array.from({ length: count }, (_, i) => new Option(String(i), String(i))));
  select.value = String(Math.min(value, count - 1));
}

async function loadAttention(event) {
  if (event) event.preventDefault();
  try {
    const layer = Number($("att-layer").value || 0);
    const response = await post("/lab/api/attention", { text: $("att-text").value, layer });
    const data = await response.json();
    showError($("att-error"), "");
    att.data = data;
    fillSelect($("att-layer"), data.layers, layer);
    fillSelect($("att-head"), data.heads, att.head);
    att.head = Math.min(att.head, data.heads - 1);
    const heads = $("att-heads");
    heads.replaceChildren();
    data.attention[0].weights.forEach((w, h) => {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.head = String(h);
      button.setAttribute("aria-label", `Head ${h}`);
      const canvas = document.createElement("canvas");
      drawMap(canvas, w, null);
      canvas.style.width = "72px";
      canvas.style.height = "72px";
      const caption = document.createElement("span");
      caption.textContent = `head ${h}`;
      button.append(canvas, caption);
      button.addEventListener("click", () => { att.head = h; showHead(); });
      heads.append(button);
    });
    showHead();
  } catch (error) {
    showError($("att-error"), error.message);
  }
}

function setUpAttention() {
  $("att-form").addEventListener("submit", loadAttention);
  $("att-layer").addEventListener("change", loadAttention);
  $("att-head").addEventListener("change", () => { att.head = Number($("att-head").value); showHead(); });
}

// --- 4. progress --------------------------------------------------------------------------

async function loadProgress() {
  let response;
  try {
    response = await fetch("/lab/api/progress", { headers: headers() });
  } catch (error) {
    showError($("prog-error"), networkWords(error));
    return;
  }
  if (!response.ok) {
    showError($("prog-error"), await explain(response));
    return;
  }
  const data = await response.json();
  showError($("prog-error"), "");
  $("prog-summary").textContent = `${data.done} of ${data.total} topics done (workspace ${data.workspace}).`;
  const output = $("prog-output");
  output.replaceChildren();
  for (const area of data.areas) {
    const section = document.createElement("section");
    section.className = "area";
    const title = document.createElement("h2");
    title.textContent = `${area.id} ${area.title}`;
    const list = document.createElement("ul");
    for (const topic of area.topics) {
      const item = document.createElement("li");
      const badge = document.createElement("span");
      const tried = topic.attempts > 0;
      badge.className = `badge ${topic.done ? "done" : tried ? "tried" : "todo"}`;
      badge.textContent = topic.done ? "✓ done" : tried ? `${topic.passed}/${topic.total}` : "not yet";
      item.append(badge, `${topic.id} ${topic.title}`);
      list.append(item);
    }
    section.append(title, list);
    output.append(section);
  }
}

// --- start ----------------------------------------------------------------------------------

setUpKey();
setUpSampling();
setUpTabs();
setUpChat();
setUpPlayground();
setUpTokenizer();
setUpAttention();
loadModel();

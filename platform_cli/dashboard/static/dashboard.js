// The dashboard's one script: renders the event stream (processes, board, logs) and posts actions
// with the page's CSRF token. No framework and no CDN: a laptop on a train has no internet.
"use strict";
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const staff = document.body.dataset.role === "staff";
const HISTORY = 120;  // points per chart: two minutes at one a second
const trends = {};    // name -> {pid, cpu: [], mem: []}
const $ = (sel) => document.querySelector(sel);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) k.startsWith("on") ? node.addEventListener(k.slice(2), v) : node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c ?? ""));
  return node;
}

async function post(url, body) {
  const response = await fetch(url, {method: "POST", headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
                                     body: JSON.stringify(body || {}), credentials: "same-origin"});
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error((data.error && data.error.message) || `HTTP ${response.status}`);
  return data;
}

function problem(message) { const p = $("#problem"); p.hidden = !message; p.textContent = message || ""; }

// -- processes -------------------------------------------------------------------------------
const duration = (s) => s == null ? "-" : s < 60 ? `${Math.floor(s)}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, "0")}s` : `${Math.floor(s / 3600)}h${String(Math.floor(s % 3600 / 60)).padStart(2, "0")}m`;
const size = (n) => n == null ? "-" : n < 1048576 ? `${(n / 1024).toFixed(0)}KB` : `${(n / 1048576).toFixed(1)}MB`;

function chart(values, kind) {
  // The points present fill the width (the oldest at the left); the scale is the curve's own maximum.
  const w = 120, h = 22, top = Math.max(kind === "cpu" ? 5 : 1, ...values), step = w / Math.max(values.length - 1, 1);
  const xy = values.map((v, i) => `${(i * step).toFixed(1)},${(h - 1 - v / top * (h - 3)).toFixed(1)}`);
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", `chart ${kind}`); svg.setAttribute("width", w); svg.setAttribute("height", h);
  svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
  const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
  title.textContent = `${kind} over the last ${values.length} s`;
  const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
  line.setAttribute("points", values.length === 1 ? `0,${xy[0].split(",")[1]} ${w},${xy[0].split(",")[1]}` : xy.join(" "));
  svg.append(title, line);
  return svg;
}

function renderProcesses(data) {
  const rows = data.processes, body = $("#process-rows");
  body.replaceChildren(...rows.map((p) => {
    const t = trends[p.name] && trends[p.name].pid === p.pid ? trends[p.name] : (trends[p.name] = {pid: p.pid, cpu: [], mem: []});
    if (p.pid && p.cpu_percent != null) { t.cpu.push(p.cpu_percent); t.mem.push(p.memory_bytes || 0); t.cpu.splice(0, t.cpu.length - HISTORY); t.mem.splice(0, t.mem.length - HISTORY); }
    const h = p.health || {};
    const health = h.status === "ok" ? `ok ${h.latency_ms != null ? Math.round(h.latency_ms) + "ms" : ""}` : (h.status || "-");
    const state = p.state === "STARTING" && p.healthy ? "RUNNING" : p.state;
    const row = el("tr", {"data-name": p.name, "data-pid": p.pid ?? "", "data-healthy": p.healthy},
      el("td", {}, p.name), el("td", {class: state}, state), el("td", {class: h.status || ""}, health),
      el("td", {class: "pid"}, String(p.pid ?? "-")), el("td", {}, String(p.restarts)), el("td", {}, duration(p.uptime_s)),
      el("td", {}, p.cpu_percent == null ? "-" : `${p.cpu_percent.toFixed(0)}%`, chart(t.cpu, "cpu")),
      el("td", {}, size(p.memory_bytes), chart(t.mem, "mem")), el("td", {}, String(p.port ?? "-")));
    if (staff) {
      const running = ["RUNNING", "STARTING", "BACKOFF"].includes(p.state);
      row.append(el("td", {},
        el("button", {class: "restart", onclick: () => act(p.name, "restart")}, "restart"), " ",
        running ? el("button", {class: "stop", onclick: () => act(p.name, "stop")}, "stop")
                : el("button", {class: "start", onclick: () => act(p.name, "start")}, "start")));
    }
    return row;
  }));
  $("#healthy").textContent = `${rows.filter((p) => p.healthy).length}/${rows.length} healthy · ${new Date(data.at * 1000).toLocaleTimeString()}`;
}

async function act(name, verb) {
  try { problem(""); await post(`/api/processes/${encodeURIComponent(name)}/${verb}`); } catch (e) { problem(`${verb} ${name}: ${e.message}`); }
}

// -- orders board ----------------------------------------------------------------------------
const NEXT = {received: "brewing", brewing: "delivering", delivering: "delivered"};

function renderBoard(data) {
  $("#board").replaceChildren(...data.columns.map((column) => el("div", {class: "column", "data-status": column.status},
    el("h3", {}, `${column.status} (${column.orders.length})`),
    ...column.orders.map((o) => {
      const card = el("div", {class: "card", "data-order": o.order_id},
        el("div", {}, `${o.coffee_qty ?? ""} × ${o.coffee_name ?? "?"}`), el("div", {class: "id"}, o.order_id.slice(0, 8)));
      if (staff && NEXT[o.status]) card.append(el("button", {class: "advance", onclick: () => advance(o, NEXT[o.status])}, `→ ${NEXT[o.status]}`));
      return card;
    }))));
}

async function advance(order, status) {
  try { problem(""); await post(`/api/orders/${order.user_id}/${order.order_id}/status`, {status}); } catch (e) { problem(e.message); }
}

// -- logs ------------------------------------------------------------------------------------
const logLines = [];
function addLogs(lines) {
  logLines.push(...lines); logLines.splice(0, logLines.length - 1000);
  renderLogs();
}
function renderLogs() {
  const pre = $("#log-lines"); if (!pre) return;
  const filter = $("#log-filter").value.toLowerCase();
  const shown = logLines.filter((l) => !filter || l.name.toLowerCase().includes(filter) || l.text.toLowerCase().includes(filter));
  const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
  pre.replaceChildren(...shown.slice(-400).map((l) => el("div", {class: l.stream}, `${l.at} ${l.name} | ${l.text}`)));
  if (atEnd) pre.scrollTop = pre.scrollHeight;
}
if ($("#log-filter")) $("#log-filter").addEventListener("input", renderLogs);

// -- speech ----------------------------------------------------------------------------------
function renderRecent(recent) {
  $("#recent").replaceChildren(...recent.map((r) => el("li", {},
    el("a", {onclick: () => play(r.url)}, r.text.length > 60 ? r.text.slice(0, 60) + "…" : r.text), ` (${r.lang}, ${r.engine})`)));
}
function play(url) { const a = $("#player"); a.src = url; a.play().catch(() => {}); }

$("#speak").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  $("#speech-status").textContent = "speaking…";
  try {
    const made = await post("/api/speech", {text: form.get("text"), lang: form.get("lang"), engine: form.get("engine")});
    $("#speech-status").textContent = "";
    play(made.url);
    renderRecent((await (await fetch("/api/speech")).json()).recent);
  } catch (e) { $("#speech-status").textContent = e.message; }
});
fetch("/api/speech").then((r) => r.json()).then((d) => renderRecent(d.recent));

// -- the event stream ------------------------------------------------------------------------
const stream = new EventSource("/api/feed");
stream.addEventListener("processes", (e) => { problem(""); renderProcesses(JSON.parse(e.data)); });
stream.addEventListener("board", (e) => renderBoard(JSON.parse(e.data)));
stream.addEventListener("logs", (e) => addLogs(JSON.parse(e.data)));
stream.addEventListener("problem", (e) => problem(JSON.parse(e.data).message));
stream.addEventListener("signed_out", () => { stream.close(); location.href = "/login"; });
stream.onerror = () => fetch("/api/processes").then((r) => { if (r.status === 401) location.href = "/login"; });

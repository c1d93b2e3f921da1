// The sandbox console (/admin/console): plain JavaScript over the gateway's own JSON API
// (GET/PUT /admin/clock, GET /admin/outbox, GET /admin/audit, POST /admin/reset). The key
// is kept in sessionStorage and sent as X-API-Key; the gateway checks the admin role on
// every call.
"use strict";

const $ = (id) => document.getElementById(id);

function key() {
  return sessionStorage.getItem("cmp-api-key") || "";
}

// Calls the API; resolves to the parsed JSON answer, rejects with the fault's text.
async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (key()) headers["X-API-Key"] = key();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let value = null;
  try {
    value = text ? JSON.parse(text) : null;
  } catch (_) {
    value = null;
  }
  if (!r.ok) {
    const d = value && value.details;
    const errors = (value && value.errors) || [];
    const detail = errors.map((e) => `${e.extraInfo || ""}: ${e.messageText || e.messageId}`).join("; ");
    throw new Error(`${r.status} ${d ? d.messageId + ": " + d.messageText : text}${detail ? " (" + detail + ")" : ""}`);
  }
  return value;
}

function report(id, text, failed) {
  const el = $(id);
  el.textContent = text;
  el.classList.toggle("error", !!failed);
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text === undefined || text === null ? "" : String(text);
  row.appendChild(td);
}

async function showClock() {
  try {
    const c = await api("GET", "/admin/clock");
    $("clock-now").textContent = c.now;
    $("clock-now").dataset.now = c.now;
    report("clock-status", "");
  } catch (e) {
    report("clock-status", e.message, true);
  }
}

async function setClock(now) {
  try {
    const c = await api("PUT", "/admin/clock", { now });
    $("clock-now").textContent = c.now;
    $("clock-now").dataset.now = c.now;
    report("clock-status", `The clock is at ${c.now}; ${c.appliedActions || 0} scheduled action(s) applied.`);
    showOutbox();
  } catch (e) {
    report("clock-status", e.message, true);
  }
}

async function showOutbox() {
  try {
    const o = await api("GET", "/admin/outbox");
    const messages = (o.message || []).slice().sort((a, b) => b.messageId - a.messageId);
    const rows = $("outbox-rows");
    rows.replaceChildren();
    for (const m of messages) {
      const tr = document.createElement("tr");
      tr.dataset.messageId = m.messageId;
      for (const v of [m.messageId, m.createdAt, m.kind, m.channel, m.address, m.text]) cell(tr, v);
      rows.appendChild(tr);
    }
    report("outbox-status", `${messages.length} message(s).`);
  } catch (e) {
    report("outbox-status", e.message, true);
  }
}

async function showAudit() {
  const entity = $("audit-entity").value.trim();
  const query = entity ? `?entity=${encodeURIComponent(entity)}` : "";
  try {
    const a = await api("GET", `/admin/audit${query}`);
    const rows = $("audit-rows");
    rows.replaceChildren();
    for (const e of a.entry || []) {
      const tr = document.createElement("tr");
      for (const v of [e.at, e.actor, e.operation, `${e.entityType}:${e.entityId}`, e.externalReference, e.requestId]) cell(tr, v);
      rows.appendChild(tr);
    }
    report("audit-status", `${(a.entry || []).length} entr${(a.entry || []).length === 1 ? "y" : "ies"}.`);
  } catch (e) {
    report("audit-status", e.message, true);
  }
}

async function reset() {
  if (!window.confirm("Wipe the data and reload the demo fixtures?")) return;
  try {
    const r = await api("POST", "/admin/reset", {});
    report("reset-status", `Reloaded: ${r.operations} operation(s) run.`);
    showClock();
    showOutbox();
  } catch (e) {
    report("reset-status", e.message, true);
  }
}

window.addEventListener("load", () => {
  $("api-key").value = key();
  $("save-key").onclick = () => {
    sessionStorage.setItem("cmp-api-key", $("api-key").value.trim());
    showClock();
    showOutbox();
  };
  $("clock-refresh").onclick = showClock;
  $("clock-set").onclick = () => setClock($("clock-input").value.trim());
  $("clock-advance").onclick = () => {
    const now = Date.parse($("clock-now").dataset.now || "");
    if (Number.isNaN(now)) return report("clock-status", "read the clock first", true);
    const days = Number($("clock-days").value || "1");
    setClock(new Date(now + days * 86400000).toISOString().replace(/\.\d{3}Z$/, "Z"));
  };
  $("outbox-refresh").onclick = showOutbox;
  $("audit-read").onclick = showAudit;
  $("reset").onclick = reset;
  showClock();
  showOutbox();
});

// Petitioner portal: book a slot of a leader's reception day (约访, decisions R10–R12) with the case number and the
// query code (a header, never a URL), and see one's bookings: the portal is the petitioner's reminder (no mailbox).
const $ = (s) => document.querySelector(s);
let days = [];
let chosen = null;

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) { if (v != null && v !== false) e.setAttribute(k, v === true ? "" : v); }
  children.flat().forEach((c) => c != null && e.append(c instanceof Node ? c : document.createTextNode(String(c))));
  return e;
}

async function call(method, path, code, body) {
  const res = await fetch(path, { method, credentials: "omit",
    headers: { ...(code ? { "X-Query-Code": code } : {}), ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  return { ok: res.ok, status: res.status, json };
}

const say = (text, error = false) => $("#result").replaceChildren(el("p", error ? { class: "error", role: "alert" } : { class: "ok", role: "status" }, text));

async function loadDays() {
  const r = await call("GET", "/api/portal/receptions");
  if (!r.ok) { $("#days").replaceChildren(el("p", { class: "error", role: "alert" }, "暂时无法加载接访日，请稍后再试。")); return; }
  days = r.json.items || [];
  if (!days.length) { $("#days").replaceChildren(el("p", {}, "目前没有公布的接访日。")); return; }
  $("#days").replaceChildren(el("ul", { class: "stack", id: "day-list" }, days.map((d) => {
    const free = d.slots.filter((s) => !s.taken).length;
    const b = el("button", { type: "button", class: "secondary", "data-day": d.id, "aria-pressed": chosen?.id === d.id ? "true" : "false" },
      `${d.date} ${d.leaderName} 接访（${d.place}），空闲 ${free} 个时段`);
    b.addEventListener("click", () => { chosen = d; showSlots(); loadDays(); });
    return el("li", {}, b);
  })));
}

function showSlots() {
  if (!chosen) return;
  $("#slots").replaceChildren(...chosen.slots.map((s) => el("label", { class: "row" },
    el("input", { type: "radio", name: "slot", value: String(s.slot), disabled: s.taken, required: true }),
    ` ${chosen.date} ${s.time}${s.taken ? "（已约满）" : ""}`)));
}

$("#book").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const slot = document.querySelector("input[name=slot]:checked");
  if (!chosen || !slot) { say("请选择接访日和时段。", true); return; }
  const r = await call("POST", `/api/portal/receptions/${encodeURIComponent(chosen.id)}/bookings`, $("#code").value,
    { caseId: $("#case-id").value.trim(), slot: Number(slot.value) });
  if (r.ok) {
    $("#result").replaceChildren(el("section", { class: "card", id: "booked", "aria-labelledby": "h-ok" }, el("h2", { id: "h-ok" }, "预约成功"),
      el("p", {}, `请于 ${r.json.date} ${r.json.time} 到 ${r.json.place}，由${r.json.leaderName}接待。请携带身份证件和相关材料。`)));
    const fresh = await call("GET", "/api/portal/receptions");
    if (fresh.ok) { days = fresh.json.items || []; chosen = days.find((d) => d.id === chosen.id) || null; showSlots(); loadDays(); }
    return;
  }
  // A wrong code and an unknown case get the same words; other refusals carry the server's reason.
  say(r.status === 404 ? "未查询到该事项，请核对事项编号和查询码。" : r.status === 429 ? "尝试过于频繁，请稍后再试。"
    : `未能预约：${r.json?.detail || "请稍后再试"}`, true);
});

// One's bookings, each with 取消预约; to move a booking, cancel it and book another slot.
async function showMine(note) {
  const id = $("#case-id").value.trim();
  if (!id || !$("#code").value) { say("请填写事项编号和查询码。", true); return; }
  const r = await call("GET", `/api/petitioner/cases/${encodeURIComponent(id)}/receptions`, $("#code").value);
  if (!r.ok) { say(r.status === 429 ? "尝试过于频繁，请稍后再试。" : "未查询到该事项，请核对事项编号和查询码。", true); return; }
  const items = r.json.items || [];
  $("#result").replaceChildren(el("section", { class: "card", id: "my-bookings", "aria-labelledby": "h-mine" }, el("h2", { id: "h-mine" }, "我的预约"),
    note ? el("p", { class: "ok", role: "status" }, note) : null,
    items.length ? el("ul", {}, items.map((b) => {
      const cancel = el("button", { type: "button", class: "secondary", "data-cancel": b.dayId }, "取消预约");
      cancel.addEventListener("click", async () => {
        const c = await call("DELETE", `/api/petitioner/cases/${encodeURIComponent(id)}/receptions/${encodeURIComponent(b.dayId)}`, $("#code").value);
        if (!c.ok) { say(c.status === 429 ? "尝试过于频繁，请稍后再试。" : `未能取消：${c.json?.detail || "请稍后再试"}`, true); return; }
        await showMine(`已取消 ${b.date} ${b.time} 的预约。如需改约，请重新选择时段预约。`);
        const fresh = await call("GET", "/api/portal/receptions");
        if (fresh.ok) { days = fresh.json.items || []; chosen = chosen && (days.find((d) => d.id === chosen.id) || null); showSlots(); loadDays(); }
      });
      return el("li", {}, `${b.date} ${b.time} ${b.place}（${b.leaderName}接访） `, cancel);
    })) : el("p", {}, "暂无预约。")));
}

$("#mine").addEventListener("click", () => showMine());

loadDays();

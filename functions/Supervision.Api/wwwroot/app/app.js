// Supervision UI: plain JavaScript against the same HTTP API every client uses. No build step.
"use strict";
const $ = (s) => document.querySelector(s);
const lightName = { Green: "绿", Yellow: "黄", Orange: "橙", Red: "红" };
const statusName = { Registered: "已登记", ReceivedByAgency: "机关直接受理", Routed: "已转送/交办", ObjectionPending: "异议审核中",
  Accepted: "已受理", Replied: "已答复", UnderReview: "复查中", Reviewed: "已复查", UnderReExamination: "复核中", Final: "终结",
  Closed: "已办结", ReferredOut: "已导出信访程序" };
const categoryName = { Suggestion: "建议意见类", Accusation: "检举控告类", Complaint: "申诉求决类" };
const clockStatusName = { Running: "计时中", Paused: "中止", Stopped: "已停止", Lapsed: "已届满" };
const zh = (map, v) => map[v] || v || "";

// Times are stored in UTC; people read Beijing time.
function beijing(iso) {
  const d = new Date(new Date(iso).getTime() + 8 * 3600 * 1000);
  return d.toISOString().slice(0, 16).replace("T", " ");
}
let selected = null;

function getCookie(name) {
  return document.cookie.split("; ").find((c) => c.startsWith(name + "="))?.split("=")[1];
}

async function api(path, options = {}) {
  const res = await fetch(path, { credentials: "same-origin", ...options,
    headers: { "Content-Type": "application/json", ...(options.headers || {}) } });
  const text = await res.text();
  const body = text ? JSON.parse(text) : null;
  if (!res.ok) throw new Error(body?.detail || body?.title || res.statusText);
  return body;
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  Object.entries(attrs).forEach(([k, v]) => (k === "class" ? (e.className = v) : e.setAttribute(k, v)));
  children.flat().forEach((c) => e.append(c instanceof Node ? c : document.createTextNode(c ?? "")));
  return e;
}

async function loadUsers() {
  const users = await api("/api/demo/users");
  const select = $("#user");
  users.forEach((u) => select.append(el("option", { value: u.id }, `${u.name}（${u.roles}）`)));
  const current = getCookie("supervision-user") || users[0]?.id;
  select.value = current;
  document.cookie = `supervision-user=${current}; path=/; SameSite=Strict`;
  select.addEventListener("change", () => {
    document.cookie = `supervision-user=${select.value}; path=/; SameSite=Strict`;
    selected = null;
    $("#detail-panel").hidden = true;
    refresh();
  });
}

async function loadList() {
  const q = new URLSearchParams();
  if ($("#f-light").value) q.set("light", $("#f-light").value);
  if ($("#f-open").checked) q.set("open", "true");
  try {
    const page = await api("/api/cases?" + q);
    $("#list-error").textContent = "";
    $("#count").textContent = `共 ${page.total} 件`;
    const body = $("#cases tbody");
    body.replaceChildren(...page.items.map((c) => {
      const tr = el("tr", { "data-id": c.id, "data-light": c.light || "" },
        el("td", {}, c.light ? el("span", { class: `light ${c.light}`, title: lightName[c.light] }) : ""),
        el("td", {}, c.id), el("td", {}, zh(statusName, c.status)), el("td", {}, c.nextRule || ""), el("td", {}, c.nextDueDate || ""));
      if (c.id === selected) tr.classList.add("selected");
      tr.addEventListener("click", () => { selected = c.id; loadDetail(); });
      return tr;
    }));
  } catch (e) {
    $("#list-error").textContent = e.message;
  }
}

async function loadDetail() {
  if (!selected) return;
  const c = await api(`/api/cases/${selected}`);
  $("#detail-panel").hidden = false;
  $("#d-title").textContent = `${c.id} · ${zh(statusName, c.status)}`;
  $("#d-summary").textContent = `${c.summary || ""}（${zh(categoryName, c.category) || "未分类"}，承办：${c.handlingUnit?.name || c.responsibleUnit?.name || "—"}）`;
  $("#d-clocks").replaceChildren(...c.clocks.map((k) => el("div", { class: "clock", "data-clock": k.name, "data-light": k.light },
    el("span", { class: `light ${k.light}` }),
    k.status === "Running"
      ? ` ${k.rule}：届满 ${k.dueDate}（${k.workingDaysLeft >= 0 ? `剩余 ${k.workingDaysLeft} 个工作日` : `已超期 ${-k.workingDaysLeft} 个工作日`}）`
      : ` ${k.rule}：届满 ${k.dueDate}（${zh(clockStatusName, k.status)}）`,
    el("details", {}, el("summary", {}, "期限说明"), el("ul", {}, k.explanation.map((l) => el("li", {}, l)))))));
  $("#d-timeline").replaceChildren(...c.timeline.map((e) => el("li", {}, `${beijing(e.at)} ${e.type} ${e.actorName || (e.actor === "system" ? "系统" : e.actor)}`)));
}

async function loadMail() {
  try {
    const items = await api("/api/mailbox");
    $("#mail").replaceChildren(...items.slice(0, 30).map((m) => el("li", { class: m.urgency }, `${m.subject} — ${m.body}`)));
  } catch { /* not signed in yet */ }
}

async function loadClock() {
  const c = await api("/api/clock");
  $("#clock").textContent = `北京时间 ${c.local}${c.speed > 1 ? `（加速 ×${c.speed}）` : ""}`;
}

async function refresh() {
  await Promise.all([loadClock(), loadList(), loadMail(), loadDetail().catch(() => {})]);
}

function commandForm() {
  const actions = ["route", "accept", "object", "decide-objection", "approve-extension", "reply", "completion-report",
    "refer-out", "classify", "review-opinion", "start-hearing", "end-hearing", "reexamination-opinion", "report-major"];
  actions.forEach((a) => $("#c-action").append(el("option", { value: a }, a)));
  $("#command").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      await api(`/api/cases/${selected}/${$("#c-action").value}`, { method: "POST", body: $("#c-body").value || "{}" });
      $("#c-result").textContent = "已提交";
    } catch (e) {
      $("#c-result").textContent = e.message;
    }
    refresh();
  });
}

$("#f-light").addEventListener("change", loadList);
$("#f-open").addEventListener("change", loadList);
commandForm();
loadUsers().then(refresh);
setInterval(refresh, 2000);

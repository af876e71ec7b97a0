// Leader page sections for reception days (领导接访, decisions R10–R12) and owned cases (领导包案, O1): today's
// appointments with each case's history link and a 包案 step citing the booking; the cases the leader owns.
import { $, api, el, showError, table, caseLink, light, zh, statusName, categoryName, post, showOk } from "../shell.js";

let day = "";

export function receptionSections(today) {
  day = today;
  return [
    el("section", { class: "card", "aria-labelledby": "h-recv" }, el("h2", { id: "h-recv" }, `接访安排（${today} 起）`),
      el("div", { id: "receptions" }), el("div", { id: "recv-result", "aria-live": "polite" })),
    el("section", { class: "card", "aria-labelledby": "h-owned" }, el("h2", { id: "h-owned" }, "我包案的事项"), el("div", { id: "owned", class: "table-wrap" })),
  ];
}

export async function loadReceptions() {
  try {
    const data = await api("/api/receptions"); // every day from today on, today's first
    const days = data.items || [];
    $("#receptions").replaceChildren(...(days.length ? days.map((d) => el("div", { class: "reception", "data-day": d.id },
      el("h3", {}, `${d.date}${d.date === day ? "（今日）" : ""} ${d.leaderName} · ${d.place}（每个时段 ${d.slotMinutes} 分钟）`),
      table(`${d.date} 预约情况`, [
        ["时段", (s) => s.time],
        ["事项", (s) => (s.booking ? caseLink(s.booking.caseId) : s.taken ? "已预约" : "空闲")],
        ["类别", (s) => zh(categoryName, s.booking?.category) || ""],
        ["状态", (s) => zh(statusName, s.booking?.status) || ""],
        ["诉求", (s) => s.booking?.summary || ""],
        ["预约方式", (s) => (s.booking ? (s.booking.bookedOnline ? "网上约访" : "窗口预约") : "")],
        ["接访结果", (s) => (s.booking ? (s.booking.owner ? `已由${s.booking.owner}包案` : ownButton(s.booking)) : "")],
      ], d.slots, (s) => ({ "data-slot": String(s.slot), "data-case": s.booking?.caseId || "" })))) : [el("p", {}, "今日起没有接访安排。")]));
  } catch (e) { showError($("#receptions"), e); }
}

function ownButton(b) {
  const button = el("button", { type: "button", class: "secondary", "data-own": b.caseId }, "接访后包案");
  button.addEventListener("click", async () => {
    try {
      await post(`/api/cases/${encodeURIComponent(b.caseId)}/take-ownership`, { reason: "领导接访后包案", receptionId: b.id });
      showOk($("#recv-result"), `已包案信访事项 ${b.caseId}。`);
      await Promise.all([loadReceptions(), loadOwned()]);
    } catch (e) { showError($("#recv-result"), e); }
  });
  return button;
}

export async function loadOwned() {
  try {
    const owned = await api("/api/cases?ownedByMe=true&pageSize=200");
    $("#owned").replaceChildren(owned.items.length ? table("包案事项", [["灯", (c) => light(c.light)], ["编号", (c) => caseLink(c.id)],
      ["状态", (c) => zh(statusName, c.status)], ["下一期限", (c) => c.nextDueDate || ""]], owned.items, (c) => ({ "data-id": c.id }))
      : el("p", {}, "暂无包案事项。"));
  } catch (e) { showError($("#owned"), e); }
}

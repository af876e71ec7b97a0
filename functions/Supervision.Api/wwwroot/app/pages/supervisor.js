// Supervisor (督查): tickets (督办单) by state and due date, and issuing one by hand (POST /api/tickets).
import { $, api, post, el, shell, field, select, showError, showOk, table, caseLink, light, zh, statusName } from "../shell.js";

const ticketStatus = { New: "新建", Open: "待签收", Acknowledged: "已签收", Responded: "已反馈", Closed: "已结束" };
const formName = { Reminder: "催办", Written: "文书督办", Interview: "约谈督办", OnSite: "实地督办", ConferenceReferral: "提请联席会议" };

async function main() {
  const me = await shell("督办");
  const bureau = (me.roles || []).find((r) => r.role === "supervisor")?.unit;
  const form = el("form", { id: "issue", class: "stack" },
    field("事项编号 *", el("input", { name: "caseId", required: true, autocomplete: "off" })),
    field("督办形式", select("form", formName)),
    field("督办事由 *", el("textarea", { name: "problem", rows: 2, required: true })),
    el("div", { class: "row" }, el("button", { type: "submit" }, "下发督办单")), el("div", { id: "issue-result", "aria-live": "polite" }));
  $("main").append(
    el("section", { class: "card", "aria-labelledby": "h-t" }, el("h2", { id: "h-t" }, "督办单"), el("div", { id: "tickets", class: "table-wrap" })),
    el("section", { class: "card", "aria-labelledby": "h-red" }, el("h2", { id: "h-red" }, "超期与临期事项"), el("div", { id: "late", class: "table-wrap" })),
    el("section", { class: "card", "aria-labelledby": "h-i" }, el("h2", { id: "h-i" }, "人工下发督办单"), form));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    try {
      const r = await post("/api/tickets", { caseId: f.get("caseId"), form: f.get("form"), problem: f.get("problem"), ground: "Manual", bureauId: bureau });
      showOk($("#issue-result"), `已下发督办单 ${r?.id || r?.ticketId || ""}。`);
      await loadTickets();
    } catch (e) {
      if (e.status === 404 || e.status === 405) showError($("#issue-result"), new Error("下发督办单功能尚未开放（服务器未提供 POST /api/tickets）。"));
      else showError($("#issue-result"), e);
    }
  });
  await Promise.all([loadTickets(), loadLate()]);
}

async function loadTickets() {
  try {
    // The supervisor's inbox: open tickets of their bureaus, grouped by state (in ladder order), each group by due date.
    const data = await api("/api/inbox/supervisor");
    const items = (data.groups || []).flatMap((g) => g.items || []);
    $("#tickets").replaceChildren(table("按状态和反馈期限排列", [["编号", (t) => el("a", { href: `ticket.html?id=${encodeURIComponent(t.id || t.ticketId)}` }, t.id || t.ticketId)],
      ["事项", (t) => caseLink(t.caseId)], ["形式", (t) => zh(formName, t.form)], ["状态", (t) => zh(ticketStatus, t.status)], ["反馈期限", (t) => t.dueDate || ""],
      ["升级次数", (t) => t.escalations ?? 0]], items, (t) => ({ "data-ticket": t.id || t.ticketId })));
  } catch (e) { showError($("#tickets"), e); }
}

async function loadLate() {
  try {
    const [red, orange] = await Promise.all([api("/api/cases?light=red&open=true&pageSize=100"), api("/api/cases?light=orange&open=true&pageSize=100")]);
    $("#late").replaceChildren(table("红灯、橙灯事项", [["灯", (c) => light(c.light)], ["编号", (c) => caseLink(c.id)], ["状态", (c) => zh(statusName, c.status)], ["届满日", (c) => c.nextDueDate || ""]],
      [...red.items, ...orange.items], (c) => ({ "data-id": c.id })));
  } catch (e) { showError($("#late"), e); }
}

main();

// Supervisor (督查): tickets (督办单) by state and due date, issuing one by hand (POST /api/tickets), and the month's
// 分析研判 of the units under the supervisor's government (analysis-section.js).
// Each ticket opens on the ticket page, where a response is accepted (审核通过) or rejected (退回).
import { analysisSection, loadAnalysis } from "./analysis-section.js";
import { $, api, command, el, every, shell, field, select, showError, showOk, table, caseLink, light, zh, statusName, ticketStatusName, formName } from "../shell.js";

// Grounds a supervisor raises by hand (Art. 40); overdue and late-report tickets come from the case clocks.
const manualGround = { Stalling: "推诿、敷衍、拖延", Shifting: "推卸责任", FakedResults: "弄虚作假", RefusedOpinion: "拒不执行处理意见",
  DissatisfiedFollowUpFault: "不满意回访发现问题" };
// A ticket starts at most at on-site supervision; the conference office is reached by escalation.
const startForm = Object.fromEntries(Object.entries(formName).filter(([f]) => f !== "ConferenceReferral"));

async function main() {
  const me = await shell("督办");
  const bureau = (me.roles || []).find((r) => r.role === "supervisor")?.unit;
  const form = el("form", { id: "issue", class: "stack" },
    field("事项编号 *", el("input", { name: "caseId", required: true, autocomplete: "off" }), "督办单下发给事项当前的责任单位"),
    field("督办事由", select("ground", manualGround)),
    field("督办形式", select("form", startForm)),
    field("存在问题 *", el("textarea", { name: "problem", rows: 2, required: true })),
    el("div", { class: "row" }, el("button", { type: "submit" }, "下发督办单")), el("div", { id: "issue-result", "aria-live": "polite" }));
  form.elements.form.value = "Written";
  $("main").append(
    el("section", { class: "card", "aria-labelledby": "h-t" }, el("h2", { id: "h-t" }, "督办单"), el("div", { id: "tickets", class: "table-wrap" })),
    el("section", { class: "card", "aria-labelledby": "h-red" }, el("h2", { id: "h-red" }, "超期与临期事项"), el("div", { id: "late", class: "table-wrap" })),
    el("section", { class: "card", "aria-labelledby": "h-i" }, el("h2", { id: "h-i" }, "人工下发督办单"), form));
  const clock = await api("/api/clock").catch(() => null);
  const month = (clock?.local || new Date().toISOString()).slice(0, 7);
  $("main").append(analysisSection(month));
  $("#an-month").addEventListener("change", () => loadAnalysis($("#an-month").value));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    const caseId = String(f.get("caseId")).trim();
    try {
      // The supervised agency is the unit now responsible for the case; the server checks the rest.
      const c = await api(`/api/cases/${encodeURIComponent(caseId)}`);
      const agency = c.responsibleUnit || c.handlingUnit;
      const r = await command("/api/tickets", { caseId, agencyId: agency?.id, ground: f.get("ground"), form: f.get("form"), problem: f.get("problem"), bureauId: bureau });
      const id = r?.id || decodeURIComponent(r?.statusUrl?.split("/")[3] || "");
      $("#issue-result").replaceChildren(el("p", { class: "ok", role: "status", id: "issued" }, `已向${agency?.name || ""}下发督办单 `,
        el("a", { href: `ticket.html?id=${encodeURIComponent(id)}` }, id), "。"));
      form.reset();
      form.elements.form.value = "Written";
      await loadTickets();
    } catch (e) {
      showError($("#issue-result"), e);
    }
  });
  await Promise.all([loadTickets(), loadLate(), loadAnalysis(month)]);
  every(5000, loadTickets);
}

async function loadTickets() {
  try {
    // The supervisor's inbox: open tickets of their bureaus, grouped by state (in ladder order), each group by due date.
    const data = await api("/api/inbox/supervisor");
    const items = (data.groups || []).flatMap((g) => g.items || []);
    $("#tickets").replaceChildren(table("按状态和反馈期限排列", [["编号", (t) => el("a", { href: `ticket.html?id=${encodeURIComponent(t.id || t.ticketId)}` }, t.id || t.ticketId)],
      ["事项", (t) => caseLink(t.caseId)], ["形式", (t) => zh(formName, t.form)], ["状态", (t) => zh(ticketStatusName, t.status)], ["反馈期限", (t) => t.dueDate || ""],
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

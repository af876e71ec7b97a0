// Agency (承办单位): the cases the person's units hold, with traffic lights and the working-day countdown of each
// case's current duty (both in the list rows, one call per refresh), and the step each status allows; the step itself
// is taken on the case page. Above them, the open 督办单 addressed to the person's units (GET /api/inbox/agency), each
// opened on the ticket page to sign (签收) and respond (反馈).
import { $, api, el, every, shell, showError, table, caseLink, light, daysLeft, zh, statusName, categoryName, clockName, ticketStatusName, formName } from "../shell.js";

const next = { Routed: "受理或提出异议", ReceivedByAgency: "受理", Accepted: "答复（可延期）", ObjectionPending: "等待异议审核", Registered: "转送交办",
  UnderReview: "出具复查意见", UnderReExamination: "出具复核意见", Replied: "等待信访人评价或申请复查", Reviewed: "等待评价或申请复核" };

async function main() {
  await shell("承办事项");
  const filters = el("form", { class: "row", id: "filters" },
    el("label", {}, "灯色 ", el("select", { name: "light", id: "f-light" }, [["", "全部"], ["red", "红"], ["orange", "橙"], ["yellow", "黄"], ["green", "绿"]].map(([v, t]) => el("option", { value: v }, t)))),
    el("label", {}, el("input", { type: "checkbox", name: "open", id: "f-open", checked: true }), " 仅办理中"));
  $("main").append(
    el("section", { class: "card", "aria-labelledby": "h-tickets" }, el("h2", { id: "h-tickets" }, "督办单"), el("div", { id: "tickets", class: "table-wrap" })),
    el("section", { class: "card", "aria-labelledby": "h-cases" }, el("h2", { id: "h-cases" }, "信访事项"),
      filters, el("div", { id: "list", class: "table-wrap", "aria-live": "polite" }), el("p", { id: "count" })));
  filters.addEventListener("change", load);
  await Promise.all([load(), loadTickets()]);
  every(3000, load);
  every(5000, loadTickets);
}

const ticketNext = { Open: "签收、反馈", Acknowledged: "反馈", Responded: "等待督办单位审核" };

async function loadTickets() {
  try {
    const inbox = await api("/api/inbox/agency");
    $("#tickets").replaceChildren(table("待签收、待反馈的督办单", [
      ["编号", (t) => el("a", { href: `ticket.html?id=${encodeURIComponent(t.id)}` }, t.id)],
      ["事项", (t) => caseLink(t.caseId)],
      ["形式", (t) => zh(formName, t.form)],
      ["状态", (t) => zh(ticketStatusName, t.status)],
      ["反馈期限", (t) => t.dueDate || ""],
      ["下一步", (t) => ticketNext[t.status] || "—"],
    ], inbox.tickets || [], (t) => ({ "data-ticket": t.id })));
  } catch (e) {
    showError($("#tickets"), e);
  }
}

async function load() {
  const q = new URLSearchParams({ pageSize: "100" });
  if ($("#f-light").value) q.set("light", $("#f-light").value);
  if ($("#f-open").checked) q.set("open", "true");
  try {
    // One call per refresh: each list row carries its light and its duty's working-day countdown as of now.
    const page = await api("/api/cases?" + q);
    $("#list").replaceChildren(table("本单位可见的信访事项", [
      ["灯", (c) => light(c.light)],
      ["编号", (c) => caseLink(c.id)],
      ["类别", (c) => zh(categoryName, c.category)],
      ["状态", (c) => zh(statusName, c.status)],
      ["当前期限", (c) => duty(c.duty)],
      ["下一步", (c) => next[c.status] || "—"],
    ], page.items, (c) => ({ "data-id": c.id, "data-light": c.light ?? "" })));
    $("#count").textContent = `共 ${page.total} 件`;
  } catch (e) {
    showError($("#list"), e);
  }
}

function duty(k) {
  if (!k) return "—";
  return el("span", { "data-countdown": k.workingDaysLeft }, `${zh(clockName, k.clock)} 届满 ${k.dueDate}，${daysLeft(k.workingDaysLeft, k.overdue)}`);
}

main();

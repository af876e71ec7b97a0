// Printable 督办单 (A4): from a ticket (GET /api/tickets/{id}) or, while that route is not there, drafted from a case's
// overdue or nearest clock (GET /api/cases/{id}). Legal fields only; no petitioner personal data.
import { $, api, optional, el, shell, showError, zh, statusName, categoryName, clockName, countdown } from "../shell.js";

const q = new URLSearchParams(location.search);
const formName = { Reminder: "催办", Written: "文书督办", Interview: "约谈督办", OnSite: "实地督办", ConferenceReferral: "提请联席会议" };

async function main() {
  await shell("督办单");
  $("main").append(el("div", { class: "no-print row" }, el("button", { type: "button", id: "print" }, "打印"), el("span", { id: "note" })), el("article", { id: "doc", class: "doc" }));
  $("#print").addEventListener("click", () => window.print());
  try {
    let ticket = null;
    if (q.get("id")) ticket = await optional(`/api/tickets/${encodeURIComponent(q.get("id"))}`, $("#note"), "督办单查询");
    const caseId = ticket?.caseId || q.get("case");
    if (!caseId) { $("#doc").replaceChildren(el("p", {}, "请从事项页或督办页打开督办单。")); return; }
    const c = await api(`/api/cases/${encodeURIComponent(caseId)}`);
    const duty = c.clocks.filter((k) => k.kind === "Obligation").sort((a, b) => ((a.light === "Red") === (b.light === "Red") ? (a.dueDate < b.dueDate ? -1 : 1) : a.light === "Red" ? -1 : 1))[0];
    const clock = await api("/api/clock").catch(() => null);
    const issued = ticket?.raisedOn || ticket?.issuedOn || clock?.local?.slice(0, 10) || "";
    const rows = [
      ["督办事项", `信访事项 ${c.id}（${zh(categoryName, c.category) || "未分类"}）`],
      ["登记日期", c.receivedOn], ["事项摘要", c.summary],
      ["被督办单位", ticket?.agencyName || c.handlingUnit?.name || c.responsibleUnit?.name || ""],
      ["办理状态", zh(statusName, c.status)],
      ["办理期限", duty ? `${zh(clockName, duty.name)}：${duty.rule}（${duty.article}），届满日 ${duty.dueDate}，${countdown(duty)}` : "—"],
      ["督办形式", zh(formName, ticket?.form) || "文书督办"],
      ["督办依据", `《信访工作条例》${ticket?.article || "第四十条"}${duty ? `；${duty.article}` : ""}`],
      ["督办事由", ticket?.problem || (duty?.light === "Red" ? "未按规定期限办结" : "请按期办理")],
      ["督办要求", `请于 ${ticket?.dueDate || "收到本督办单之日起5个工作日内"} 书面反馈办理情况；逾期未反馈的，将升级督办直至提请联席会议。`],
    ];
    $("#doc").replaceChildren(
      el("h2", { class: "title" }, "信访事项督办单"),
      el("p", { class: "no" }, `督办单编号：${ticket?.id || ticket?.ticketId || `（草稿）DB-${c.id}`}`),
      el("table", {}, el("caption", { class: "sr" }, "督办单内容"), el("tbody", {}, rows.map(([k, v]) => el("tr", {}, el("th", { scope: "row" }, k), el("td", {}, v ?? ""))))),
      el("div", { class: "sign" }, el("span", {}, "签发人：________"), el("span", {}, "联系人及电话：________")),
      el("p", { class: "seal" }, `${c.bureau?.name || ""}（盖章）`, el("br"), issued));
  } catch (e) { showError($("#doc"), e); }
}

main();

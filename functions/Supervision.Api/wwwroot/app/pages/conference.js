// Conference office (联席会议办公室): joint assignments awaiting approval, disputes, referrals, and the 挂牌 list.
import { $, api, post, optional, el, shell, showError, showOk, table, caseLink } from "../shell.js";

async function main() {
  await shell("联席会议办公室");
  $("main").append(el("div", { id: "result", "aria-live": "polite" }),
    el("section", { class: "card", "aria-labelledby": "h-a" }, el("h2", { id: "h-a" }, "待审批的联合交办"), el("div", { id: "approvals", class: "table-wrap" })),
    el("section", { class: "card", "aria-labelledby": "h-d" }, el("h2", { id: "h-d" }, "争议"), el("div", { id: "disputes", class: "table-wrap" })),
    el("section", { class: "card", "aria-labelledby": "h-r" }, el("h2", { id: "h-r" }, "提请联席会议的督办"), el("div", { id: "referrals", class: "table-wrap" })),
    el("section", { class: "card", "aria-labelledby": "h-l" }, el("h2", { id: "h-l" }, "挂牌督办"), el("div", { id: "listed", class: "table-wrap" })));
  await load();
}

async function load() {
  try {
    const inbox = await optional("/api/inbox/conference", $("#approvals"), "联席办待办");
    if (!inbox) {
      ["#disputes", "#referrals", "#listed"].forEach((s) => $(s).replaceChildren(el("p", { class: "notice" }, "待服务器提供 /api/inbox/conference 后显示。")));
      return;
    }
    const list = (k) => inbox[k] || [];
    const joint = [["编号", (j) => j.id || j.assignmentId], ["事项", (j) => caseLink(j.caseId)], ["牵头单位", (j) => j.leadAgencyName || j.leadAgencyId || ""], ["期限", (j) => j.dueDate || ""]];
    $("#approvals").replaceChildren(table("待审批", [...joint, ["操作", (j) => decide(j)]], list("approvals"), (j) => ({ "data-joint": j.id || j.assignmentId })));
    $("#disputes").replaceChildren(table("协办单位有争议", joint, list("disputes")));
    const tickets = [["督办单", (t) => el("a", { href: `ticket.html?id=${encodeURIComponent(t.id || t.ticketId)}` }, t.id || t.ticketId)], ["事项", (t) => caseLink(t.caseId)], ["反馈期限", (t) => t.dueDate || ""]];
    $("#referrals").replaceChildren(table("提请联席会议", tickets, list("referrals")));
    $("#listed").replaceChildren(table("挂牌督办事项", tickets, list("listed")));
  } catch (e) { showError($("#approvals"), e); }
}

function decide(j) {
  const id = j.id || j.assignmentId;
  const b = el("button", { type: "button", "aria-label": `批准联合交办 ${id}` }, "批准");
  b.addEventListener("click", async () => {
    try {
      await post(`/api/joint-assignments/${encodeURIComponent(id)}/approve`, {});
      showOk($("#result"), `联合交办 ${id} 已批准。`);
      await load();
    } catch (e) { showError($("#result"), e); }
  });
  return b;
}

main();

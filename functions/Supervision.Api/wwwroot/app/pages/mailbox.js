// Mailbox: the person's alerts (GET /api/mailbox), acknowledged through POST /api/alerts/{id}/ack when the server offers it.
import { $, api, post, el, shell, showError, showOk, beijing, caseLink } from "../shell.js";

async function main() {
  await shell("提醒与预警");
  $("main").append(el("div", { id: "ack-result", "aria-live": "polite" }), el("div", { id: "mail", class: "table-wrap" }));
  await load();
}

async function load() {
  try {
    const items = await api("/api/mailbox");
    const rows = items.slice(0, 100);
    $("#mail").replaceChildren(el("table", {}, el("caption", {}, `共 ${items.length} 条`),
      el("thead", {}, el("tr", {}, ["时间", "紧急程度", "事项", "内容", "操作"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows.length ? rows.map((m) => el("tr", { "data-alert": m.alertId, class: m.urgency === "Urgent" ? "urgent" : "" },
        el("td", {}, beijing(m.deliveredAt)), el("td", {}, m.urgency === "Urgent" ? "紧急" : "一般"),
        el("td", {}, m.sourceType === "case" ? caseLink(m.sourceInstanceId) : m.sourceInstanceId),
        el("td", {}, el("strong", {}, m.subject), el("br"), m.body),
        el("td", {}, m.acknowledgedAt ? `已确认 ${beijing(m.acknowledgedAt)}` : ackButton(m))))
        : el("tr", {}, el("td", { colspan: 5, class: "empty" }, "暂无提醒")))));
  } catch (e) {
    showError($("#mail"), e);
  }
}

function ackButton(m) {
  const b = el("button", { type: "button", class: "secondary", "aria-label": `确认收到：${m.subject}` }, "确认收到");
  b.addEventListener("click", async () => {
    try {
      await post(`/api/alerts/${encodeURIComponent(m.alertId)}/ack`, {});
      showOk($("#ack-result"), "已确认。");
      await load();
    } catch (e) {
      if (e.status === 404 || e.status === 405) showError($("#ack-result"), new Error("确认功能尚未开放（服务器未提供 /api/alerts/{id}/ack）。"));
      else showError($("#ack-result"), e);
    }
  });
  return b;
}

main();

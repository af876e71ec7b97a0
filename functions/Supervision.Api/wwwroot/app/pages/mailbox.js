// Mailbox: the person's alerts (GET /api/mailbox), acknowledged through POST /api/alerts/{id}/ack when the server offers it.
import { $, api, post, el, shell, showError, showOk, beijing, caseLink } from "../shell.js";

async function main() {
  await shell("提醒与预警");
  $("main").append(el("div", { id: "ack-result", "aria-live": "polite" }), el("div", { id: "mail", class: "table-wrap" }));
  // The link in an urgent alert's mail: /app/mailbox.html?ack={alertId} acknowledges it (it escalates until someone does).
  const ack = new URLSearchParams(location.search).get("ack");
  if (ack) await acknowledge(ack);
  await load();
}

async function acknowledge(alertId) {
  try {
    const r = await post(`/api/alerts/${encodeURIComponent(alertId)}/ack`, {});
    showOk($("#ack-result"), `已确认收到${r.escalations ? `（此前已逐级上报 ${r.escalations} 次）` : ""}，不再上报。`);
  } catch (e) {
    showError($("#ack-result"), e);
  }
}

async function load() {
  try {
    const items = await api("/api/mailbox");
    const rows = items.slice(0, 100);
    $("#mail").replaceChildren(el("table", {}, el("caption", {}, `共 ${items.length} 条`),
      el("thead", {}, el("tr", {}, ["时间", "紧急程度", "事项", "内容", "操作"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows.length ? rows.map((m) => el("tr", { "data-alert": m.alertId, class: m.urgency === "Urgent" ? "urgent" : "" },
        el("td", {}, beijing(m.deliveredAt)), el("td", {}, urgencyLabel(m)),
        el("td", {}, m.caseId ? caseLink(m.caseId) : m.kind === "digest.daily" ? "每日汇总" : m.sourceInstanceId),
        el("td", {}, el("strong", {}, m.subject), el("br"), el("span", { class: "mail-body" }, m.body)),
        el("td", {}, m.acknowledgedAt ? `已确认 ${beijing(m.acknowledgedAt)}` : ackButton(m))))
        : el("tr", {}, el("td", { colspan: 5, class: "empty" }, "暂无提醒")))));
  } catch (e) {
    showError($("#mail"), e);
  }
}

/** Timed alerts (a reception reminder, R13) come at their set time, never with the morning digest. */
function urgencyLabel(m) {
  if (m.urgency === "Urgent") return "紧急";
  if (m.urgency === "Timed") return "定时提醒";
  return m.digested ? "一般（随每日汇总）" : "一般";
}

/** Only urgent alerts are acknowledged (they escalate until someone does); routine ones and digests need nothing. */
function ackButton(m) {
  if (m.urgency !== "Urgent") return "—";
  const b = el("button", { type: "button", class: "secondary", "aria-label": `确认收到：${m.subject}` }, "确认收到");
  b.addEventListener("click", async () => {
    await acknowledge(m.alertId);
    await load();
  });
  return b;
}

main();

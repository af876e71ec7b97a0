// 督办单 page. With ?id=: the ticket (GET /api/tickets/{id}) — its state, response deadline (light, working-day countdown,
// how it is computed), timeline, and the steps the signed-in person may take in its state: the supervised agency signs
// (签收) and responds (反馈, with an optional report file uploaded to the case's files and cited as {fileId}@sha256:{hex});
// the supervising bureau accepts (审核通过) or rejects (退回). The server decides every step and says why it refuses.
// Below, on screen and on paper, the printable A4 督办单; with ?case= and no ticket yet, a draft from the case's clocks.
// Legal fields only; no petitioner personal data.
import { $, api, command, uploadFile, el, every, shell, field, showError, showOk, zh, light, countdown, beijing, caseLink, fileSize,
  statusName, categoryName, clockName, ticketStatusName, formName, ticketEventName } from "../shell.js";

const q = new URLSearchParams(location.search);
const ticketId = q.get("id");
const closeReasonName = { ResponseAccepted: "反馈经审核通过", CaseClosed: "信访事项已办结" };
const causeName = { Unanswered: "逾期未反馈", ResponseRejected: "反馈被退回" };

/** The ticket's steps in this page: who takes them (the agency or the supervising bureau), the command they need allowed. */
const steps = {
  acknowledge: { label: "签收", who: "agency", allowed: "acknowledge", done: "已签收",
    note: "确认本单位已收到督办单。签收不等于反馈，请在反馈期限内书面反馈办理情况。", fields: () => [], body: () => ({}) },
  respond: { label: "反馈", button: "提交反馈", who: "agency", allowed: "respond", done: "已提交反馈，等待督办单位审核",
    fields: () => [field("办理情况 *", el("textarea", { name: "report", rows: 4, required: true })),
      field("附件（可选）", el("input", { type: "file", name: "file", accept: ".pdf,.ofd,.docx,.xlsx" }),
        "办理情况报告：PDF、OFD、Word 或 Excel，不超过 20 MB。上传到本事项的材料，反馈中记录其 SHA-256。")] },
  accept: { label: "审核通过", who: "supervisor", allowed: "accept-response", done: "已审核通过，督办单结束",
    fields: () => [field("审核意见", el("input", { name: "comment", autocomplete: "off" }))],
    body: (f) => ({ comment: f.get("comment") || undefined }) },
  reject: { label: "退回", who: "supervisor", allowed: "reject-response", done: "已退回，督办升级一级",
    note: "退回后督办升级一级（文书 → 约谈 → 实地 → 提请联席会议），重新计算反馈期限。",
    fields: () => [field("退回理由 *", el("textarea", { name: "reason", rows: 2, required: true })),
      field("新的反馈期限", el("input", { type: "date", name: "newDueDate" }), "不填则按升级后的督办形式计算")],
    body: (f) => ({ reason: f.get("reason"), newDueDate: f.get("newDueDate") || undefined }) },
};

let me;
let refused = false;
let printedVersion = null;
let shownVersion = -1;
const fileNames = new Map();

async function main() {
  me = await shell("督办单");
  $("main").append(
    ticketId ? el("div", { id: "ticket", class: "no-print" },
      el("div", { id: "ticket-result", "aria-live": "polite" }),
      el("section", { class: "card", "aria-labelledby": "h-state" }, el("h2", { id: "h-state" }, "督办情况"), el("div", { id: "ticket-state" })),
      el("section", { class: "card", "aria-labelledby": "h-deadline" }, el("h2", { id: "h-deadline" }, "反馈期限"), el("div", { id: "deadline" })),
      el("section", { class: "card", "aria-labelledby": "h-steps" }, el("h2", { id: "h-steps" }, "办理"), el("div", { id: "ticket-actions" })),
      el("section", { class: "card", "aria-labelledby": "h-ttl" }, el("h2", { id: "h-ttl" }, "办理留痕"), el("ol", { id: "ticket-timeline", class: "timeline" }),
        el("div", { id: "ticket-rejected" }))) : null,
    el("div", { class: "no-print row", id: "print-row" }, el("button", { type: "button", id: "print" }, "打印督办单"), el("span", { id: "note" })),
    el("article", { id: "doc", class: "doc" }));
  $("#print").addEventListener("click", () => window.print());
  if (!ticketId) {
    await printable(null);
    return;
  }

  if (await load()) every(3000, load);
}

/** Reads the ticket and redraws what changed; a ticket the person may not see (404) ends the page with the server's answer. */
async function load() {
  if (refused) return null;
  let t;
  try {
    t = await api(`/api/tickets/${encodeURIComponent(ticketId)}`);
  } catch (e) {
    if (e.status === 404 || e.status === 403) {
      refused = true;
      $("#ticket").replaceChildren(el("div", { class: "error", role: "alert", id: "ticket-refused" },
        el("p", {}, `未找到督办单 ${ticketId}，或您无权查看。`), el("p", {}, e.message)));
      $("#print-row").remove();
      $("#doc").replaceChildren();
    } else {
      showError($("#ticket-result"), e);
    }
    return null;
  }

  // A refresh that started before a step of this page may answer after it: never draw an older version over a newer one.
  if (t.version < shownVersion) return t;
  shownVersion = t.version;
  await names(t);
  renderState(t);
  renderDeadline(t);
  renderActions(t);
  renderTimeline(t);
  if (printedVersion !== t.version) {
    printedVersion = t.version;
    await printable(t);
  }

  return t;
}

/** The names of the cited report files, from the case's file list (only when a reference is new). */
async function names(t) {
  const ids = (t.files || []).map((ref) => ref.split("@")[0]);
  if (ids.every((i) => fileNames.has(i))) return;
  try {
    for (const f of await api(`/api/cases/${encodeURIComponent(t.caseId)}/files`)) fileNames.set(f.id, f);
  } catch {
    // The references themselves are shown; names are a courtesy.
  }
}

function fileRef(t, ref) {
  const [id, sha] = ref.split("@sha256:");
  const f = fileNames.get(id);
  return el("li", { "data-file": id },
    el("a", { href: `/api/cases/${encodeURIComponent(t.caseId)}/files/${encodeURIComponent(id)}` }, f?.name || id),
    f ? `（${fileSize(f.size)}）` : "", " SHA-256 ", el("code", { class: "sha" }, sha || ""));
}

function renderState(t) {
  const status = zh(ticketStatusName, t.status) + (t.closeReason ? `（${zh(closeReasonName, t.closeReason)}）` : "");
  const marks = [t.listed ? "挂牌督办" : null, t.circulated ? "通报" : null].filter(Boolean).join("、");
  $("#ticket-state").replaceChildren(el("dl", { id: "ticket-facts", "data-status": t.status, "data-form": t.form },
    ...[["编号", t.id], ["状态", el("strong", { id: "ticket-status" }, status)], ["督办形式", t.formName || zh(formName, t.form)],
      ["督办事由", t.groundName || t.ground], ["存在问题", t.problem || "—"], ["信访事项", caseLink(t.caseId)],
      ["被督办单位", t.agency?.name || t.agency?.id], ["督办单位", t.bureau?.name || t.bureau?.id], ["升级次数", String(t.escalations ?? 0)],
      ["反馈情况", el("span", { id: "ticket-report" }, t.report || "尚未反馈")],
      ["反馈附件", t.files?.length ? el("ul", { id: "ticket-files" }, t.files.map((ref) => fileRef(t, ref))) : "—"],
      ["退回理由", el("span", { id: "ticket-rejection" }, t.lastRejection || "—")], ...(marks ? [["联席会议", marks]] : [])]
      .map(([k, v]) => [el("dt", {}, k), el("dd", {}, v ?? "")])));
}

function renderDeadline(t) {
  const r = t.response;
  const open = $("#deadline details")?.open;
  $("#deadline").replaceChildren(r ? el("div", { class: "clock", id: "response-clock", "data-light": r.light || "", "data-status": r.status },
    el("div", {}, light(r.light), " ", el("strong", {}, r.rule || "督办反馈期限"), r.article ? `（${r.article}）` : ""),
    el("div", {}, `届满日 ${r.dueDate ?? ""}　`, el("span", { id: "response-countdown" }, countdown(r)), `　${r.responsibleUnit?.name ?? ""}`),
    el("details", { open }, el("summary", {}, "期限如何计算"), el("ul", {}, (r.explanation || []).map((l) => el("li", {}, l))),
      el("p", { class: "meta" }, `${r.rolledBecause ? `顺延原因：${r.rolledBecause}；` : ""}日历版本 ${r.calendarVersion ?? "—"}`)))
    : el("p", {}, "—"));
}

function renderActions(t) {
  const where = $("#ticket-actions");
  if (where.contains(document.activeElement) && document.activeElement !== where) return; // do not redraw under the user's hands
  const mine = (roles, unit) => !!unit && (me.roles || []).some((r) => roles.includes(r.role) && r.unit === unit);
  // As the ticket decider: the agency's officers and head (a petition bureau's registrars and supervisors when the
  // supervised unit is the bureau itself); the supervisors of the supervising bureau.
  const agency = t.agency?.id;
  const who = { agency: mine(["handling-officer", "agency-head"], agency) || (/bureau$/.test(agency || "") && mine(["registrar", "supervisor"], agency)),
    supervisor: mine(["supervisor"], t.bureau?.id) };
  const allowed = Object.entries(steps).filter(([, s]) => who[s.who] && (t.allowed || []).includes(s.allowed));
  const key = `${t.status}|${allowed.map(([a]) => a).join()}`;
  if (where.dataset.key === key) return;
  where.dataset.key = key;
  if (!allowed.length) {
    const waiting = !t.open ? "督办单已结束。"
      : who.agency && t.status === "Responded" ? "已反馈，等待督办单位审核。"
        : who.supervisor ? "等待被督办单位签收和反馈。" : "当前状态下您没有可办理的操作。";
    where.replaceChildren(el("p", { id: "no-steps" }, waiting));
    return;
  }

  where.replaceChildren(...allowed.map(([action, s]) => {
    const form = el("form", { class: "stack step", "data-action": action, "aria-labelledby": `h-step-${action}` },
      el("h3", { id: `h-step-${action}` }, s.label), s.note ? el("p", {}, s.note) : null, ...s.fields(),
      el("div", { class: "row" }, el("button", { type: "submit" }, s.button || s.label)));
    form.addEventListener("submit", (ev) => submit(ev, t, action, s));
    return form;
  }));
}

async function submit(ev, t, action, s) {
  ev.preventDefault();
  const form = ev.target;
  const button = form.querySelector("button[type='submit']");
  const out = $("#ticket-result");
  button.disabled = true;
  try {
    const body = action === "respond" ? await response(form, t, out) : s.body(new FormData(form));
    if (!body) return;
    await command(`/api/tickets/${encodeURIComponent(ticketId)}/${action}`, body);
    showOk(out, `${s.done}。`);
    $("#ticket-actions").dataset.key = "";
    document.activeElement?.blur();
    await load();
  } catch (e) {
    showError(out, e);
  } finally {
    button.disabled = false;
  }
}

/** The respond body: the report, and the attached file uploaded first (once per chosen file, so a retry cites the same upload). */
async function response(form, t, out) {
  const file = form.elements.file?.files?.[0];
  const files = [];
  if (file) {
    const key = `${file.name}|${file.size}|${file.lastModified}`;
    if (form.uploaded?.key !== key) {
      out.replaceChildren(el("p", { role: "status" }, `正在上传附件“${file.name}”……`));
      try {
        const stored = await uploadFile(t.caseId, file, "TicketReport");
        form.uploaded = { key, ref: `${stored.id}@sha256:${stored.sha256}` };
      } catch (e) {
        showError(out, new Error(`附件“${file.name}”上传失败，反馈未提交：${e.message}`));
        return null;
      }
    }

    files.push(form.uploaded.ref);
  }

  return { report: new FormData(form).get("report"), files };
}

function renderTimeline(t) {
  const data = (e) => e.data || {};
  const what = {
    TicketRaised: (d) => `（${zh(formName, d.form)}，反馈期限 ${d.response?.dueDate ?? ""}）`,
    TicketResponded: (d) => `：${d.report}${d.files?.length ? `（附件 ${d.files.length} 个）` : ""}${d.late ? "（逾期反馈）" : ""}`,
    TicketResponseAccepted: (d) => (d.comment ? `：${d.comment}` : ""),
    TicketResponseRejected: (d) => `：${d.reason}`,
    TicketEscalated: (d) => `（${zh(formName, d.from)} → ${zh(formName, d.to)}，${zh(causeName, d.cause)}，新的反馈期限 ${d.response?.dueDate ?? ""}）`,
    TicketReminderSent: (d) => `（届满日 ${d.dueDate}）`,
    TicketDeadlineMissed: (d) => `（${zh(formName, d.form)}，届满日 ${d.dueDate}）`,
    ConferenceDecided: (d) => `（${[d.listed ? "挂牌督办" : null, d.circulated ? "通报" : null, d.reassignTo ? `改派 ${d.reassignTo}` : null,
      d.extensionDays ? `延期 ${d.extensionDays} 日` : null, d.note].filter(Boolean).join("，")}）`,
    TicketClosed: (d) => `（${zh(closeReasonName, d.reason)}）`,
  };
  $("#ticket-timeline").replaceChildren(...(t.timeline || []).map((e) => el("li", { "data-type": e.type },
    el("time", { datetime: e.at }, beijing(e.at)), ` ${zh(ticketEventName, e.type)}${what[e.type]?.(data(e)) ?? ""} — `,
    e.actorName || (e.actor === "system" ? "系统" : e.actor))));
  $("#ticket-rejected").replaceChildren(...(t.rejected?.length ? [el("h3", {}, "被拒绝的操作"),
    el("ul", {}, t.rejected.map((r) => el("li", {}, `${beijing(r.at)} ${r.actor}：${r.command} — ${r.reason}`)))] : []));
}

/** The A4 document: from the ticket when there is one, else drafted from the case's overdue or nearest clock. */
async function printable(ticket) {
  try {
    const caseId = ticket?.caseId || q.get("case");
    if (!caseId) { $("#doc").replaceChildren(el("p", {}, "请从事项页或督办页打开督办单。")); return; }
    const c = await api(`/api/cases/${encodeURIComponent(caseId)}`);
    // The duty to cite: a running one before a finished one, a red one first, then the nearest.
    const rank = (k) => [k.status === "Running" ? 0 : 1, k.light === "Red" ? 0 : 1, k.dueDate || ""];
    const duty = c.clocks.filter((k) => k.kind === "Obligation").map((k) => [rank(k), k])
      .sort(([a], [b]) => a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0))[0]?.[1];
    const clock = await api("/api/clock").catch(() => null);
    const raised = ticket?.timeline?.find((e) => e.type === "TicketRaised");
    const issued = raised ? beijing(raised.at).slice(0, 10) : clock?.local?.slice(0, 10) || "";
    const due = ticket?.response?.dueDate;
    const rows = [
      ["督办事项", `信访事项 ${c.id}（${zh(categoryName, c.category) || "未分类"}）`],
      ["登记日期", c.receivedOn], ["事项摘要", c.summary],
      ["被督办单位", ticket?.agency?.name || c.handlingUnit?.name || c.responsibleUnit?.name || ""],
      ["办理状态", zh(statusName, c.status)],
      ["包案领导", c.owner ? `${c.owner.name}（${c.owner.unit?.name ?? ""}，${c.owner.since} 起包案）` : "—"],
      ["办理期限", duty ? `${zh(clockName, duty.name)}：${duty.rule}（${duty.article}），届满日 ${duty.dueDate}，${countdown(duty)}` : "—"],
      ["督办形式", ticket ? ticket.formName || zh(formName, ticket.form) : "文书督办"],
      ["督办依据", `《信访工作条例》第四十条${duty ? `；${duty.article}` : ""}`],
      ["督办事由", ticket ? [ticket.groundName, ticket.problem].filter(Boolean).join("：") : (duty?.light === "Red" ? "未按规定期限办结" : "请按期办理")],
      ["督办要求", `请于 ${due ? `${due} 前` : "收到本督办单之日起5个工作日内"} 书面反馈办理情况；逾期未反馈的，将升级督办直至提请联席会议。`],
    ];
    $("#doc").replaceChildren(
      el("h2", { class: "title" }, "信访事项督办单"),
      el("p", { class: "no" }, `督办单编号：${ticket?.id || `（草稿）DB-${c.id}`}`),
      el("table", {}, el("caption", { class: "sr" }, "督办单内容"), el("tbody", {}, rows.map(([k, v]) => el("tr", {}, el("th", { scope: "row" }, k), el("td", {}, v ?? ""))))),
      el("div", { class: "sign" }, el("span", {}, "签发人：________"), el("span", {}, "联系人及电话：________")),
      el("p", { class: "seal" }, `${ticket?.bureau?.name || c.bureau?.name || ""}（盖章）`, el("br"), issued));
  } catch (e) { showError($("#doc"), e); }
}

main();

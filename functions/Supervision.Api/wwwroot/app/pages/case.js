// Case page: every clock with its explanation, the steps the status allows for this person, timeline, refused steps,
// alerts, tickets and files. Steps go to POST /api/cases/{id}/{action}; refusals show the server's problem detail.
import { $, api, post, optional, el, every, shell, field, select, showError, showOk, zh, light, countdown, beijing,
  statusName, categoryName, channelName, clockStatusName, outcomeName, ratingName, clockName, eventName, ticketStatusName } from "../shell.js";

const id = new URLSearchParams(location.search).get("id");
const date = (name, label, required = false) => field(label, el("input", { type: "date", name, required }));
const text = (name, label, required = true) => field(label, el("textarea", { name, rows: 2, required }));
const line = (name, label, required = true) => field(label, el("input", { name, required }));

/** Each step: who (roles at the responsible unit, or at the bureau), the statuses it applies to, and its fields. */
const steps = {
  accept: { label: "受理", at: "unit", roles: ["handling-officer", "agency-head"], in: ["Routed", "ReceivedByAgency"],
    fields: () => [field("办理方式", select("mode", { Ordinary: "普通程序", Simplified: "简易办理（10个工作日）" })),
      el("label", {}, el("input", { type: "checkbox", name: "noticeSent", checked: true }), " 已书面告知信访人")] },
  object: { label: "提出异议（不属于本单位职责）", at: "unit", roles: ["handling-officer", "agency-head"], in: ["Routed"], fields: () => [text("reason", "异议理由 *")] },
  "decide-objection": { label: "审核异议", at: "bureau", roles: ["registrar", "supervisor"], in: ["ObjectionPending"],
    fields: () => [el("label", {}, el("input", { type: "checkbox", name: "upheld" }), " 异议成立（退回重新转送交办）"), text("reason", "审核意见 *")] },
  "approve-extension": { label: "批准延期", at: "unit", roles: ["agency-head"], in: ["Accepted"],
    note: "延期由本单位负责人批准（第三十四条，最长30日），并告知信访人。",
    fields: () => [field("延长天数 *", el("input", { type: "number", name: "days", min: 1, max: 30, value: 30, required: true })),
      text("reason", "延期理由 *"), date("petitionerToldOn", "告知信访人日期 *", true)] },
  reply: { label: "出具信访处理意见书", at: "unit", roles: ["handling-officer", "agency-head"], in: ["Accepted"],
    fields: () => [field("处理意见", select("outcome", outcomeName)), line("opinionFile", "意见书文号或文件 *"), date("servedOn", "送达日期")] },
  "completion-report": { label: "报送办结报告", at: "handling", roles: ["handling-officer", "agency-head"], in: ["Replied", "UnderReview", "Reviewed", "UnderReExamination", "Final"],
    only: (c) => c.routing === "Assign", fields: () => [line("reportFile", "办结报告文号或文件 *")] },
  "review-opinion": { label: "出具复查意见", at: "unit", roles: ["handling-officer", "agency-head"], in: ["UnderReview"],
    fields: () => [field("复查意见", select("outcome", outcomeName)), line("opinionFile", "复查意见书 *"), date("servedOn", "送达日期")] },
  "start-hearing": { label: "开始听证", at: "unit", roles: ["handling-officer", "agency-head"], in: ["UnderReExamination"], fields: () => [date("on", "日期 *", true)] },
  "end-hearing": { label: "结束听证", at: "unit", roles: ["handling-officer", "agency-head"], in: ["UnderReExamination"], fields: () => [date("on", "日期 *", true)] },
  "reexamination-opinion": { label: "出具复核意见", at: "unit", roles: ["handling-officer", "agency-head"], in: ["UnderReExamination"],
    fields: () => [field("复核意见", select("outcome", outcomeName)), line("opinionFile", "复核意见书 *"), date("servedOn", "送达日期")] },
  rate: { label: "代信访人评价", at: "anyBureau", roles: ["registrar"], in: ["Replied", "Reviewed", "UnderReview"],
    fields: () => [field("评价", select("rating", ratingName)), field("意见", el("input", { name: "comment", required: false }))] },
  // 领导包案 (O1): any leader may offer; the server checks the leader is over the case's units (403 with the reason otherwise).
  "take-ownership": { label: "领导包案", at: "leader", roles: ["leader"], only: (c) => !c.owner,
    in: ["Registered", "ReceivedByAgency", "Routed", "ObjectionPending", "Accepted", "Replied", "UnderReview", "Reviewed", "UnderReExamination"],
    note: "包案后，本事项每一项超期都将同时提醒您；事项页和督办单载明包案领导。", fields: () => [text("reason", "包案说明 *")] },
  "report-major": { label: "报告重大紧急事项", at: "unitOrBureau", roles: ["registrar", "handling-officer", "agency-head", "supervisor"],
    in: ["Registered", "ReceivedByAgency", "Routed", "ObjectionPending", "Accepted"], fields: () => [text("reason", "情况说明 *")] },
};

let me;
async function main() {
  me = await shell(`信访事项 ${id ?? ""}`);
  $("main").append(
    el("section", { class: "card", "aria-labelledby": "h-sum" }, el("h2", { id: "h-sum" }, "基本情况"), el("div", { id: "summary" })),
    el("section", { class: "card", "aria-labelledby": "h-clocks" }, el("h2", { id: "h-clocks" }, "期限"), el("div", { id: "clocks" })),
    el("section", { class: "card", "aria-labelledby": "h-act" }, el("h2", { id: "h-act" }, "办理"), el("div", { id: "actions" }), el("div", { id: "act-result", "aria-live": "polite" })),
    el("section", { class: "card", id: "booking", "aria-labelledby": "h-book", hidden: true }),
    el("section", { class: "card", "aria-labelledby": "h-tl" }, el("h2", { id: "h-tl" }, "办理留痕"), el("ol", { id: "timeline", class: "timeline" }), el("div", { id: "rejected" })),
    el("div", { class: "grid" },
      el("section", { class: "card", "aria-labelledby": "h-alerts" }, el("h2", { id: "h-alerts" }, "提醒与预警"), el("ul", { id: "alerts" })),
      el("section", { class: "card", "aria-labelledby": "h-tickets" }, el("h2", { id: "h-tickets" }, "督办单"), el("div", { id: "tickets" })),
      el("section", { class: "card", "aria-labelledby": "h-files" }, el("h2", { id: "h-files" }, "材料"), el("div", { id: "files" }))));
  await load();
  loadSide();
  every(3000, load);
}

async function load() {
  let c;
  try {
    c = await api(`/api/cases/${encodeURIComponent(id)}`);
  } catch (e) {
    showError($("#summary"), e);
    return;
  }
  $("#summary").replaceChildren(el("dl", { id: "facts", "data-status": c.status },
    ...[["状态", zh(statusName, c.status)], ["类别", zh(categoryName, c.category) || "未分类"], ["形式", zh(channelName, c.channel)],
      ["收到日期", c.receivedOn], ["诉求", c.summary], ["信访部门", c.bureau?.name], ["当前责任单位", c.responsibleUnit?.name],
      ["承办单位", c.handlingUnit?.name || "—"], ["方式", c.routing === "Assign" ? "交办" : c.routing === "Forward" ? "转送" : "—"],
      ["处理意见", zh(outcomeName, c.replyOutcome) || "—"], ["延期", c.extension ? `${c.extension.days ?? ""} 日` : "—"],
      ["评价", (c.ratings || []).map((r) => zh(ratingName, r.rating)).join("、") || "—"],
      ["包案领导", c.owner ? `${c.owner.name}（${c.owner.unit?.name ?? ""}，${c.owner.since} 起）` : "—"], ["期限规则", c.policy]]
      .map(([k, v]) => [el("dt", {}, k), el("dd", {}, v ?? "")])),
    el("p", {}, el("a", { href: `ticket.html?case=${encodeURIComponent(c.id)}` }, "打印督办单")));
  const opened = new Set([...document.querySelectorAll("#clocks details[open]")].map((d) => d.closest(".clock")?.dataset.clock));
  $("#clocks").replaceChildren(...c.clocks.map((k) => el("div", { class: "clock", "data-clock": k.name, "data-light": k.light || "" },
    el("div", {}, k.kind === "Obligation" ? light(k.light) : null, " ", el("strong", {}, zh(clockName, k.name)), `（${k.rule}，${k.article}）`,
      k.provisional ? el("span", { class: "tag warn" }, "节假日安排未公布，届满日为暂定") : null),
    el("div", {}, `届满日 ${k.dueDate}　${countdown(k)}　${k.responsibleUnit?.name ?? ""}`),
    el("details", { open: opened.has(k.name) }, el("summary", {}, "期限如何计算"),
      el("ul", {}, k.explanation.map((l) => el("li", {}, l))),
      el("p", { class: "meta" }, `${k.rolledBecause ? `顺延原因：${k.rolledBecause}；` : ""}日历版本 ${k.calendarVersion ?? "—"}；状态 ${zh(clockStatusName, k.status)}`)))));
  renderActions(c);
  renderBooking(c);
  $("#timeline").replaceChildren(...c.timeline.map((e) => el("li", { "data-type": e.type },
    el("time", { datetime: e.at }, beijing(e.at)), ` ${zh(eventName, e.type)}${e.data?.clock?.name ? `（${zh(clockName, e.data.clock.name)}）` : e.data?.clock ? `（${zh(clockName, e.data.clock)}）` : ""} — ${e.actorName || (e.actor === "system" ? "系统" : e.actor === "petitioner" ? "信访人" : e.actor === "portal" ? "网上信访平台" : e.actor)}`)));
  $("#rejected").replaceChildren(...(c.rejected?.length ? [el("h3", {}, "被拒绝的操作"), el("ul", {}, c.rejected.map((r) => el("li", {}, `${beijing(r.at)} ${r.actorName || r.actor}：${r.command} — ${r.reason}`)))] : []));
}

/** A bureau registrar books a leader's reception slot for the case at the counter (约访, R10–R12). */
async function renderBooking(c) {
  const where = $("#booking");
  const open = !["New", "Final", "Closed", "ReferredOut"].includes(c.status);
  const registrar = (me.roles || []).some((r) => r.role === "registrar" && /bureau/.test(r.unit));
  if (!where || !open || !registrar || where.dataset.loaded) { if (where && (!open || !registrar)) where.hidden = true; return; }
  where.dataset.loaded = "1";
  where.hidden = false;
  try {
    const [days, mine] = await Promise.all([api("/api/portal/receptions"), api(`/api/cases/${encodeURIComponent(id)}/receptions`)]);
    // The case's bookings, each with 取消 (the petitioner asked at the counter or by phone; to move one, cancel and book again).
    const booked = (mine.items || []).length ? el("ul", { id: "case-bookings" }, mine.items.map((b) => {
      const cancel = el("button", { type: "button", class: "secondary", "data-booking": b.id }, "取消预约");
      cancel.addEventListener("click", async () => {
        try {
          await api(`/api/receptions/${encodeURIComponent(b.dayId)}/bookings/${b.slot}`, { method: "DELETE" });
          delete where.dataset.loaded;
          await renderBooking(c);
          showOk($("#book-result"), `已取消 ${b.date} ${b.time} 的预约，该时段已空出。请告知信访人。`);
        } catch (e) { showError($("#book-result"), e); }
      });
      return el("li", {}, `已预约 ${b.date} ${b.time} ${b.leaderName}（${b.place}） `, cancel);
    })) : null;
    const options = (days.items || []).flatMap((d) => d.slots.filter((x) => !x.taken).map((x) => [`${d.id}|${x.slot}`, `${d.date} ${x.time} ${d.leaderName}（${d.place}）`]));
    if (!options.length) { where.replaceChildren(el("h2", { id: "h-book" }, "预约领导接访"), ...(booked ? [booked] : []), el("p", {}, "暂无可预约的接访时段。"), el("div", { id: "book-result", "aria-live": "polite" })); return; }
    const form = el("form", { class: "stack", id: "book-form" }, field("接访时段", select("slot", Object.fromEntries(options))),
      el("div", { class: "row" }, el("button", { type: "submit" }, "预约")));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const [day, slot] = ev.target.elements.slot.value.split("|");
      try {
        const b = await post(`/api/receptions/${encodeURIComponent(day)}/bookings`, { caseId: id, slot: Number(slot) });
        delete where.dataset.loaded;
        await renderBooking(c);
        showOk($("#book-result"), `已预约 ${b.date} ${b.time}，${b.leaderName}接访（${b.place}）。请告知信访人。`);
      } catch (e) { showError($("#book-result"), e); }
    });
    where.replaceChildren(el("h2", { id: "h-book" }, "预约领导接访"), ...(booked ? [booked] : []), form, el("div", { id: "book-result", "aria-live": "polite" }));
  } catch (e) { showError(where, e); }
}

function renderActions(c) {
  const where = $("#actions");
  if (where.contains(document.activeElement) && document.activeElement !== where) return; // do not redraw under the user's hands
  const mine = (roles, unit) => (me.roles || []).some((r) => roles.includes(r.role) && (!unit || r.unit === unit));
  const allowed = Object.entries(steps).filter(([, s]) => s.in.includes(c.status) && (!s.only || s.only(c)) && (
    s.at === "unit" ? mine(s.roles, c.responsibleUnit?.id)
      : s.at === "handling" ? mine(s.roles, c.handlingUnit?.id)
        : s.at === "bureau" ? mine(s.roles, c.bureau?.id)
          : s.at === "anyBureau" ? (me.roles || []).some((r) => s.roles.includes(r.role) && /bureau/.test(r.unit))
          : s.at === "leader" ? mine(s.roles)
            : mine(s.roles, c.responsibleUnit?.id) || mine(s.roles, c.bureau?.id)));
  const key = c.status + allowed.map(([a]) => a).join();
  if (where.dataset.key === key) return;
  where.dataset.key = key;
  const extras = [];
  if (c.status === "Registered" && mine(["registrar"], c.bureau?.id)) extras.push(el("p", {}, el("a", { href: "register.html" }, "到“登记与转送交办”转送或交办")));
  if (c.status === "Accepted" && mine(["handling-officer"], c.responsibleUnit?.id) && !mine(["agency-head"], c.responsibleUnit?.id)) {
    extras.push(el("p", { class: "notice" }, "需要延期的，请报本单位负责人批准（第三十四条）。"));
  }
  where.replaceChildren(...extras, ...(allowed.length || extras.length ? allowed.map(([action, s]) => {
    const form = el("form", { class: "stack", "data-action": action }, s.note ? el("p", {}, s.note) : null, ...s.fields(), el("div", { class: "row" }, el("button", { type: "submit" }, s.label)));
    form.addEventListener("submit", (ev) => submit(ev, action, s));
    return el("details", { class: "step" }, el("summary", {}, s.label), form);
  }) : [el("p", {}, "当前状态下您没有可办理的操作。")]));
}

async function submit(ev, action, s) {
  ev.preventDefault();
  const body = {};
  for (const input of ev.target.elements) {
    if (!input.name) continue;
    if (input.type === "checkbox") body[input.name] = input.checked;
    else if (input.type === "number") body[input.name] = Number(input.value);
    else if (input.value !== "") body[input.name] = input.value;
  }
  try {
    await post(`/api/cases/${encodeURIComponent(id)}/${action}`, body);
    showOk($("#act-result"), `已${s.label}。`);
    $("#actions").dataset.key = "";
    document.activeElement?.blur();
    ev.target.closest("details")?.removeAttribute("open");
    await load();
  } catch (e) {
    showError($("#act-result"), e);
  }
}

async function loadSide() {
  try {
    const mail = await api("/api/mailbox");
    // By case id: a routine alert is filed by the daily digest (source "digest-…") under its own id with the case id;
    // the subject still finds supervision alerts (督办单, joint assignments), which carry no case id.
    const mine = mail.filter((m) => m.caseId === id || (m.kind !== "digest.daily" && (m.subject || "").includes(id)));
    $("#alerts").replaceChildren(...(mine.length ? mine.map((m) => el("li", { class: m.urgency === "Urgent" ? "urgent" : "" }, `${beijing(m.deliveredAt)} ${m.subject}`)) : [el("li", {}, "暂无")]));
  } catch (e) { showError($("#alerts"), e); }
  try {
    // The case lists every 督办单 raised against it; each ticket's state comes from its own API.
    const c = await api(`/api/cases/${encodeURIComponent(id)}`);
    const ids = c.tickets || [];
    const items = await Promise.all(ids.map((t) => api(`/api/tickets/${encodeURIComponent(t)}`).catch(() => ({ id: t }))));
    $("#tickets").replaceChildren(items.length ? el("ul", {}, items.map((x) => el("li", { "data-ticket": x.id },
      el("a", { href: `ticket.html?id=${encodeURIComponent(x.id)}` }, x.id), ` ${zh(ticketStatusName, x.status)} ${x.formName ?? ""} ${x.response?.dueDate ? "反馈期限 " + x.response.dueDate : ""}`))) : el("p", {}, "暂无督办单"));
  } catch (e) { showError($("#tickets"), e); }
  try {
    const f = await optional(`/api/cases/${encodeURIComponent(id)}/files`, $("#files"), "材料");
    if (f) {
      const items = Array.isArray(f) ? f : f.items || [];
      $("#files").replaceChildren(items.length ? el("ul", {}, items.map((x) => el("li", {},
        el("a", { href: `/api/cases/${encodeURIComponent(id)}/files/${encodeURIComponent(x.id || x.fileId)}` }, x.name || x.fileName || x.id)))) : el("p", {}, "暂无材料"));
    }
  } catch (e) { showError($("#files"), e); }
}

main();

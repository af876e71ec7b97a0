// Supervision UI: shared shell for every staff page. Plain ES modules against the same HTTP API every client uses
// (docs/api.md, /openapi/v1.json); no UI-only endpoints. The server authorises every call; the UI only hides what the
// server would refuse anyway, and shows the server's problem detail when it does refuse.
export const $ = (s, root = document) => root.querySelector(s);

export const lightName = { Green: "绿灯", Yellow: "黄灯", Orange: "橙灯", Red: "红灯" };
export const statusName = { New: "新建", Registered: "已登记", ReceivedByAgency: "机关直接受理", Routed: "已转送/交办", ObjectionPending: "异议审核中",
  Accepted: "已受理", Replied: "已答复", UnderReview: "复查中", Reviewed: "已复查", UnderReExamination: "复核中", Final: "终结",
  Closed: "已办结", ReferredOut: "已导出信访程序" };
export const categoryName = { Suggestion: "建议意见类", Accusation: "检举控告类", Complaint: "申诉求决类" };
export const channelName = { Letter: "来信", Visit: "来访", Phone: "来电", Online: "网上信访" };
export const clockStatusName = { Running: "计时中", Paused: "中止", Stopped: "已停止", Lapsed: "已届满" };
export const outcomeName = { Support: "支持", Explain: "解释说明", NotSupport: "不予支持" };
export const ratingName = { Satisfied: "满意", BasicallySatisfied: "基本满意", Dissatisfied: "不满意" };
export const roleName = { registrar: "登记人员", "handling-officer": "承办人", "agency-head": "负责人", supervisor: "督查专员",
  "conference-staff": "联席办工作人员", leader: "领导", admin: "管理员" };
export const clockName = { routing: "转送交办期限", acceptance: "受理期限", objection: "异议期", assignment: "交办期限", handling: "办理期限",
  "review-window": "申请复查期", review: "复查期限", "reexam-window": "申请复核期", reexam: "复核期限" };
// Event types by CLR name (as the timeline stores them) and by JSON discriminator.
export const eventName = Object.fromEntries(Object.entries({
  CaseRegistered: ["registered", "登记"], CaseClassified: ["classified", "分类"], CaseRouted: ["routed", "转送/交办"],
  CaseReferredOut: ["referred-out", "导出信访程序"], ObjectionRaised: ["objection-raised", "提出异议"], ObjectionUpheld: ["objection-upheld", "异议成立"],
  ObjectionOverruled: ["objection-overruled", "异议不成立"], CaseAccepted: ["accepted", "受理"], ExtensionApproved: ["extension-approved", "批准延期"],
  ReplyIssued: ["replied", "出具处理意见"], CompletionReportSubmitted: ["completion-reported", "报送办结报告"], HandlingRated: ["rated", "信访人评价"],
  ReviewRequested: ["review-requested", "申请复查"], ReviewOpinionIssued: ["review-opinion-issued", "出具复查意见"],
  ReExaminationRequested: ["reexamination-requested", "申请复核"], HearingStarted: ["hearing-started", "开始听证"], HearingEnded: ["hearing-ended", "结束听证"],
  ReExaminationOpinionIssued: ["reexamination-opinion-issued", "出具复核意见"], MajorItemReported: ["major-reported", "报告重大紧急事项"],
  RepeatPetitionRefused: ["repeat-refused", "重复信访不予受理"], DuplicatePetitionNoted: ["duplicate-noted", "重复信访已记录"],
  PolicyMigrated: ["policy-migrated", "期限规则升级"], ClockStarted: ["clock-started", "开始计时"], ClockRescheduled: ["clock-rescheduled", "期限调整"],
  ClockPaused: ["clock-paused", "中止计时"], ClockStopped: ["clock-stopped", "停止计时"], ClockReminderSent: ["clock-reminder", "提醒"],
  ClockWarningRaised: ["clock-warning", "预警（黄灯）"], ClockCriticalRaised: ["clock-critical", "临期（橙灯）"], ClockOverdue: ["clock-overdue", "超期（红灯）"],
  ClockLapsed: ["clock-lapsed", "期间届满"], QueryCodeReissued: ["query-code-reissued", "重新发放查询码"],
  ConferenceExtensionApplied: ["conference-extension-applied", "联席会议延期"], CaseReassigned: ["reassigned", "改派"],
  SupervisionMarked: ["supervision-marked", "挂牌/通报"], JointAssignmentApplied: ["joint-assignment-applied", "联合交办"], TicketRecorded: ["ticket-recorded", "督办立单"],
  OwnershipTaken: ["ownership-taken", "领导包案"],
}).flatMap(([clr, [json, text]]) => [[clr, text], [json, text]]));
export const zh = (map, v) => (v == null ? "" : map[v] || v);
// Supervision tickets (督办单): states, the ladder of forms, and the timeline's event types (CLR names).
export const ticketStatusName = { New: "新建", Open: "待签收", Acknowledged: "已签收", Responded: "已反馈", Closed: "已结束" };
export const formName = { Reminder: "催办", Written: "文书督办", Interview: "约谈督办", OnSite: "实地督办", ConferenceReferral: "提请联席会议" };
export const ticketEventName = { TicketRaised: "下发督办单", TicketAcknowledged: "签收", TicketResponded: "反馈", TicketResponseAccepted: "审核通过",
  TicketResponseRejected: "退回", TicketEscalated: "升级督办", TicketReminderSent: "反馈期限提醒", TicketDeadlineMissed: "逾期未反馈",
  ConferenceDecided: "联席会议决定", AccountabilityRecommended: "问责建议", AccountabilityReplied: "问责书面答复",
  AccountabilityReplyOverdue: "问责答复逾期", TicketClosed: "督办结束" };

/** Times are stored in UTC; people read Beijing time. */
export function beijing(iso) {
  if (!iso) return "";
  const d = new Date(new Date(iso).getTime() + 8 * 3600 * 1000);
  return d.toISOString().slice(0, 16).replace("T", " ");
}

export function getCookie(name) {
  return decodeURIComponent(document.cookie.split("; ").find((c) => c.startsWith(name + "="))?.split("=")[1] || "");
}
export function setUser(id) {
  document.cookie = `supervision-user=${encodeURIComponent(id)}; path=/; max-age=31536000; SameSite=Strict`;
}

/** An API refusal: the problem+json's detail, with the HTTP status kept for pages that degrade on 404. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export async function api(path, options = {}) {
  const res = await fetch(path, { credentials: "same-origin", ...options,
    headers: { ...(options.body ? { "Content-Type": "application/json" } : {}), ...(options.headers || {}) } });
  const text = await res.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = { detail: text.slice(0, 200) }; }
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}
export const post = (path, body, headers) => api(path, { method: "POST", body: JSON.stringify(body ?? {}), headers });

/** A fresh Idempotency-Key: one per submitted step, so a retried request is recorded once. */
export const newKey = () => crypto.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;

const rejectionStatus = { InvalidTransition: 409, Forbidden: 403 };

/**
 * Sends a step with its own Idempotency-Key. The server answers with the outcome, or 202 with a status link when its
 * engine is slow (docs/decisions.md E4); then the link is polled until the outcome is recorded. Resolves with the
 * answer; a refusal (at once or recorded later) throws an ApiError carrying the server's reason.
 */
export async function command(path, body) {
  const first = await post(path, body, { "Idempotency-Key": newKey() });
  if (first?.status !== "Pending" || !first.statusUrl) return first;
  for (let wait = 200, waited = 0; waited < 60_000; waited += wait, wait = Math.min(wait * 2, 2000)) {
    await new Promise((done) => setTimeout(done, wait));
    // A new instance (a ticket raised by hand) is not visible until its first decision is recorded: 404 means "not yet".
    const s = await api(first.statusUrl).catch((e) => { if (e.status === 404) return first; throw e; });
    if (s?.status === "Rejected") throw new ApiError(rejectionStatus[s.rejection?.kind] ?? 400, { detail: s.rejection?.reason });
    if (s?.status !== "Pending") return { ...s, statusUrl: first.statusUrl };
  }
  throw new Error("已提交，服务器尚未确认结果，请稍后刷新查看。");
}

/** "12.3 KB" for a byte count. */
export function fileSize(bytes) {
  if (bytes == null) return "";
  if (bytes < 1024) return `${bytes} 字节`;
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Uploads one file to a case (POST /api/cases/{id}/files?kind=…): the raw body streamed, its name in an RFC 5987
 * Content-Disposition. Resolves with the stored file ({id, name, size, sha256, …}); the server sniffs the type.
 */
export function uploadFile(caseId, file, kind) {
  const name = encodeURIComponent(file.name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return api(`/api/cases/${encodeURIComponent(caseId)}/files?kind=${encodeURIComponent(kind)}`, { method: "POST", body: file,
    headers: { "Content-Type": file.type || "application/octet-stream", "Content-Disposition": `attachment; filename*=UTF-8''${name}` } });
}

/** GET a route that another team may not have shipped yet: null (and a message in `where`) when it answers 404/405. */
export async function optional(path, where, what) {
  try {
    return await api(path);
  } catch (e) {
    if (e.status === 404 || e.status === 405) {
      if (where) where.replaceChildren(el("p", { class: "notice", role: "status" }, `${what}功能尚未开放（服务器未提供 ${path.split("?")[0]}）。`));
      return null;
    }
    throw e;
  }
}

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  children.flat().forEach((c) => { if (c != null && c !== false) e.append(c instanceof Node ? c : document.createTextNode(String(c))); });
  return e;
}

export function light(l) {
  return l ? el("span", { class: `light ${l}`, role: "img", "aria-label": zh(lightName, l), title: zh(lightName, l) }) : el("span", { class: "light none", "aria-hidden": "true" });
}

/** "剩余 N 个工作日" / "已超期 N 个工作日" for a running clock; its status otherwise. */
export function countdown(k) {
  if (k.status !== "Running") return zh(clockStatusName, k.status);
  return daysLeft(k.workingDaysLeft, k.display === "Overdue");
}

/**
 * The countdown's words: "剩余 N 个工作日" ahead of the due date, "已超期 N 个工作日" after it, and plain "已超期" on a
 * rest day straight after it (past due, no working day lost yet: the server's count is 0 then).
 */
export function daysLeft(left, overdue) {
  if (left < 0) return `已超期 ${-left} 个工作日`;
  return overdue ? "已超期" : `剩余 ${left} 个工作日`;
}

/** Shows an error (problem detail) in a live region. */
export function showError(where, e) {
  where.replaceChildren(el("p", { class: "error", role: "alert" }, e instanceof ApiError ? `${e.problem?.title ? e.problem.title + "：" : ""}${e.message}` : String(e.message || e)));
}
export function showOk(where, text) {
  where.replaceChildren(el("p", { class: "ok", role: "status" }, text));
}

export const pages = [
  { href: "register.html", text: "登记交办", roles: ["registrar"] },
  { href: "agency.html", text: "承办", roles: ["handling-officer", "agency-head", "registrar"] },
  { href: "supervisor.html", text: "督办", roles: ["supervisor"] },
  { href: "conference.html", text: "联席办", roles: ["conference-staff"] },
  { href: "leader.html", text: "领导看板", roles: ["leader", "supervisor", "conference-staff"] },
  { href: "campaign.html", text: "积案化解", roles: ["leader", "supervisor"] },
  { href: "mailbox.html", text: "提醒", roles: null },
];

/** The home page of a person: the first page one of their roles uses. */
export function homeOf(me) {
  const roles = new Set((me.roles || []).map((r) => r.role));
  const types = (me.roles || []).map((r) => r.unit);
  if (roles.has("registrar") && types.some((u) => /bureau$/.test(u))) return "register.html";
  if (roles.has("handling-officer") || roles.has("agency-head") || roles.has("registrar")) return "agency.html";
  if (roles.has("supervisor")) return "supervisor.html";
  if (roles.has("conference-staff")) return "conference.html";
  if (roles.has("leader")) return "leader.html";
  return "agency.html";
}

/** Header, navigation and the signed-in person; resolves with /api/me (or sends the visitor to sign in). */
export async function shell(title) {
  document.title = `${title} · 信访事项督办`;
  const header = el("header", { class: "top" },
    el("a", { href: "#main", class: "skip" }, "跳到正文"),
    el("a", { href: "index.html", class: "brand" }, "信访事项督办"),
    el("nav", { "aria-label": "主导航" }, el("ul", { id: "nav" })),
    el("span", { id: "clock", class: "clock-now" }),
    el("span", { id: "who", class: "who" }));
  document.body.prepend(header);
  const main = $("main") || document.body.appendChild(el("main"));
  main.id = "main";
  main.prepend(el("h1", {}, title));
  if (!getCookie("supervision-user")) {
    location.href = "signin.html";
    return new Promise(() => {});
  }
  api("/api/clock").then((c) => { $("#clock").textContent = `北京时间 ${c.local}${c.speed > 1 ? `（演示加速 ×${c.speed}）` : ""}`; }).catch(() => {});
  let me;
  try {
    me = await api("/api/me");
  } catch (e) {
    showError(main, e);
    main.append(el("p", {}, el("a", { href: "signin.html" }, "重新选择身份")));
    throw e;
  }
  const roles = new Set((me.roles || []).map((r) => r.role));
  const here = location.pathname.split("/").pop();
  $("#nav").replaceChildren(...pages.filter((p) => !p.roles || p.roles.some((r) => roles.has(r)) || me.admin).map((p) =>
    el("li", {}, el("a", { href: p.href, "aria-current": p.href === here ? "page" : null }, p.text))));
  $("#who").replaceChildren(`${me.name || me.id}（${(me.roles || []).map((r) => `${r.unitName}${zh(roleName, r.role)}`).join("、") || (me.admin ? "管理员" : "无角色")}）`, " ",
    el("a", { href: "signin.html" }, "切换身份"));
  return me;
}

/** A table from rows; `cols` = [[heading, row => cell]]. */
export function table(caption, cols, rows, rowAttrs = () => ({})) {
  return el("table", {},
    el("caption", {}, caption),
    el("thead", {}, el("tr", {}, cols.map(([h]) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows.length ? rows.map((r) => el("tr", rowAttrs(r), cols.map(([, f]) => el("td", {}, f(r)))))
      : el("tr", {}, el("td", { colspan: cols.length, class: "empty" }, "暂无"))));
}

export function caseLink(id) {
  return el("a", { href: `case.html?id=${encodeURIComponent(id)}` }, id);
}

/** A labelled form field. */
export function field(label, input, hint) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 8)}`;
  input.id = id;
  return el("div", { class: "field" }, el("label", { for: id }, label), input, hint ? el("small", {}, hint) : null);
}
export function select(name, options, attrs = {}) {
  return el("select", { name, ...attrs }, Object.entries(options).map(([v, t]) => el("option", { value: v }, t)));
}
export function today() {
  return beijing(new Date().toISOString()).slice(0, 10);
}

/** Runs `load` again `ms` after each run ends (never two at once, so a slow server is not piled on). */
export function every(ms, load) {
  const again = () => setTimeout(async () => { try { await load(); } finally { again(); } }, ms);
  again();
}

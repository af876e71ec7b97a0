// Petitioner portal: progress with the query code (X-Query-Code), no internal names; rate; request review or
// re-examination while the window is open. A wrong code gets the same answer as a case that does not exist.
const $ = (s) => document.querySelector(s);
const statusText = { Registered: "已登记，正在转送", ReceivedByAgency: "已收到，正在审查受理", Routed: "已转送有权处理机关，等待受理",
  ObjectionPending: "正在确定办理机关", Accepted: "已受理，正在办理", Replied: "已出具处理意见", UnderReview: "复查中", Reviewed: "已出具复查意见",
  UnderReExamination: "复核中", Final: "已终结", Closed: "已办结", ReferredOut: "已告知通过其他法定途径解决" };
const outcomeText = { Support: "支持", Explain: "解释说明", NotSupport: "不予支持" };
const ruleText = (r) => r || "";
let current = null;

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) { if (v != null && v !== false) e.setAttribute(k, v === true ? "" : v); }
  children.flat().forEach((c) => c != null && e.append(c instanceof Node ? c : document.createTextNode(String(c))));
  return e;
}

async function call(method, path, body) {
  const res = await fetch(path, { method, headers: { "X-Query-Code": current.code, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined, credentials: "omit" });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  return { ok: res.ok, status: res.status, json };
}

/** A served written opinion: downloaded with the query code (a header, so the code never sits in a URL or history). */
function replyItem(r) {
  const li = el("li", {}, `${r.on} ${r.text} `);
  if (!/^[0-9a-f]{32}$/.test(r.fileId)) { li.append("（纸质送达）"); return li; }
  const b = el("button", { type: "button", class: "secondary", "aria-label": `下载${r.text}（${r.on}）` }, "下载");
  b.addEventListener("click", async () => {
    const res = await fetch(`/api/petitioner/cases/${encodeURIComponent(current.id)}/files/${r.fileId}`, { headers: { "X-Query-Code": current.code }, credentials: "omit" });
    if (!res.ok) { $("#msg").replaceChildren(el("p", { class: "error", role: "alert" }, "暂时无法下载，请稍后再试。")); return; }
    const url = URL.createObjectURL(await res.blob());
    const a = el("a", { href: url, download: `${r.text}-${r.on}.pdf` });
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });
  li.append(b);
  return li;
}

async function show() {
  const r = await call("GET", `/api/petitioner/cases/${encodeURIComponent(current.id)}`);
  if (!r.ok) {
    // Same words for a wrong code, an unknown number and a rate limit: nothing about the case is revealed.
    $("#result").replaceChildren(el("p", { class: "error", role: "alert", id: "not-found" },
      r.status === 429 ? "查询过于频繁，请稍后再试。" : "未查询到该事项。请核对事项编号和查询码。"));
    return;
  }
  const c = r.json;
  const can = (s) => ({ rate: ["Replied", "Reviewed", "UnderReview"], review: ["Replied"], reexam: ["Reviewed"] })[s].includes(c.status);
  $("#result").replaceChildren(el("section", { class: "card", id: "progress", "data-status": c.status, "aria-labelledby": "h-p" },
    el("h2", { id: "h-p" }, `事项 ${c.id}`),
    el("dl", {}, el("dt", {}, "收到日期"), el("dd", {}, c.receivedOn), el("dt", {}, "办理进展"), el("dd", { id: "status" }, statusText[c.status] || c.status),
      c.replyOutcome ? [el("dt", {}, "处理意见"), el("dd", {}, outcomeText[c.replyOutcome] || c.replyOutcome)] : null),
    c.deadlines?.length ? [el("h3", {}, "正在进行的期限"), el("ul", { id: "deadlines" }, c.deadlines.map((d) => el("li", {}, `${ruleText(d.rule)}：${d.dueDate} 届满`)))] : null,
    (c.steps || c.timeline)?.length ? [el("h3", {}, "办理经过"), el("ol", { class: "timeline", id: "steps" }, (c.steps || c.timeline).map((s) => el("li", {}, `${s.on || s.date || s.at || ""} ${s.text || s.step || s.type || ""}`)))] : null,
    c.replies?.length ? [el("h3", {}, "书面意见"), el("ul", { id: "replies" }, c.replies.map(replyItem))] : null),
  el("div", { id: "do" }), el("div", { id: "msg", "aria-live": "polite" }));
  const actions = [];
  if (can("rate")) {
    actions.push(el("form", { id: "rate", class: "stack" }, el("fieldset", {}, el("legend", {}, "对办理情况进行评价"),
      ...[["Satisfied", "满意"], ["BasicallySatisfied", "基本满意"], ["Dissatisfied", "不满意"]].map(([v, t], i) =>
        el("label", {}, el("input", { type: "radio", name: "rating", value: v, checked: i === 0 }), ` ${t}`)),
      el("div", { class: "field" }, el("label", { for: "comment" }, "意见（可选）"), el("textarea", { id: "comment", name: "comment", rows: 2 })),
      el("button", { type: "submit" }, "提交评价"))));
  }
  if (can("review")) actions.push(el("form", { id: "review" }, el("p", {}, "对处理意见不服的，可自收到之日起30日内请求复查（第三十五条）。"), el("button", { type: "submit" }, "申请复查")));
  if (can("reexam")) actions.push(el("form", { id: "reexam" }, el("p", {}, "对复查意见不服的，可自收到之日起30日内请求复核（第三十六条）。"), el("button", { type: "submit" }, "申请复核")));
  $("#do").replaceChildren(...actions);
  const act = (form, action, body, done) => form?.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const r2 = await call("POST", `/api/petitioner/cases/${encodeURIComponent(current.id)}/${action}`, body());
    if (r2.ok) {
      await show();
      $("#msg").replaceChildren(el("p", { class: "ok", role: "status" }, done));
    } else {
      $("#msg").replaceChildren(el("p", { class: "error", role: "alert" }, r2.json?.detail || "提交未成功，请稍后再试。"));
    }
  });
  act($("#rate"), "rate", () => ({ rating: new FormData($("#rate")).get("rating"), comment: $("#comment").value || undefined }), "评价已提交，感谢您的反馈。");
  act($("#review"), "request-review", () => ({}), "复查申请已提交。");
  act($("#reexam"), "request-reexamination", () => ({}), "复核申请已提交。");
}

$("#lookup").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  current = { id: $("#case-id").value.trim(), code: $("#code").value.trim() };
  await show();
});

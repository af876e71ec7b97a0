// Online petition (网上信访): the form, a small proof of work instead of a third-party CAPTCHA (GET a signed
// challenge, find a solution with SHA-256 here, send it with the petition), the answer with the case number, the query
// code (shown once) and the legal route-by date (Art. 22), then each file uploaded with the query code. A refused file
// never undoes the registration. User text is only ever set as text.
// A lost answer is recovered (decision P2): the page makes a random submission key once per petition and keeps it in
// sessionStorage with a hash of the form's content until an answer with a case number is shown; 重新提交 after a network
// error, a 5xx or a 202 sends the same key (with a fresh check), and the service answers the same case number and query
// code again. An edited form gets a new key. The key never leaves this browser except in that request.
const $ = (s) => document.querySelector(s);
const form = $("#petition");

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) { if (v != null && v !== false) e.setAttribute(k, v === true ? "" : v); }
  children.flat().forEach((c) => c != null && e.append(c instanceof Node ? c : document.createTextNode(String(c))));
  return e;
}

async function call(method, path, { body, headers = {}, raw } = {}) {
  const res = await fetch(path, {
    method, credentials: "omit",
    headers: { ...(body !== undefined ? { "Content-Type": "application/json" } : {}), ...headers },
    body: raw ?? (body !== undefined ? JSON.stringify(body) : undefined),
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  return { ok: res.ok, status: res.status, json, retryAfter: Number(res.headers.get("Retry-After")) || null };
}

/** Leading zero bits of a digest. */
function zeroBits(bytes) {
  let n = 0;
  for (const b of bytes) {
    if (b === 0) { n += 8; continue; }
    return n + Math.clz32(b) - 24;
  }
  return n;
}

/** The proof of work: a decimal solution such that SHA-256(challenge + ":" + solution) starts with `bits` zero bits. */
async function solve(challenge, bits) {
  const enc = new TextEncoder();
  for (let start = 0; ; start += 256) {
    const batch = [];
    for (let n = start; n < start + 256; n++) batch.push(crypto.subtle.digest("SHA-256", enc.encode(`${challenge}:${n}`)));
    const hashes = await Promise.all(batch);
    for (let i = 0; i < hashes.length; i++) if (zeroBits(new Uint8Array(hashes[i])) >= bits) return String(start + i);
  }
}

async function loadBureaus() {
  const r = await call("GET", "/api/portal/bureaus");
  const select = $("#f-bureau");
  if (!r.ok) { select.append(el("option", { value: "" }, "暂时无法加载，请刷新页面")); return; }
  const level = { Province: "省级", City: "市级", County: "县级", Township: "乡镇" };
  select.replaceChildren(el("option", { value: "" }, "请选择"), ...r.json.items.map((b) => el("option", { value: b.id }, `${b.name}（${level[b.level] || b.level}）`)));
}

function clearErrors() {
  $("#form-errors").replaceChildren();
  form.querySelectorAll("[aria-invalid]").forEach((i) => {
    i.removeAttribute("aria-invalid");
    i.setAttribute("aria-describedby", (i.getAttribute("aria-describedby") || "").split(" ").filter((x) => !x.startsWith("e-")).join(" ") || "");
    if (!i.getAttribute("aria-describedby")) i.removeAttribute("aria-describedby");
  });
  form.querySelectorAll(".field-error").forEach((e) => e.remove());
}

const fieldText = {
  bureauId: "请选择信访部门。", "petitioner.name": "请填写姓名。", "petitioner.idNumber": "公民身份号码不正确，请核对（18 位，最后一位为校验码）。",
  "petitioner.phone": "联系电话不正确，请填写 5 到 20 位数字。", "petitioner.address": "请填写通信地址。", summary: "请写明反映的问题和诉求（不超过 2000 字）。",
  matterKey: "请填写问题简称（不超过 200 字）。", category: "请从列表中选择事项类型。",
  submissionKey: "页面生成的提交编号无效，已经换成新的，请再点击一次“提交信访事项”。",
};

/** 400 naming fields: each message beside its input (aria-invalid, aria-describedby), a summary on top. */
function showFieldErrors(errors) {
  const items = [];
  Object.keys(errors).forEach((field, i) => {
    const input = form.elements.namedItem(field);
    const text = fieldText[field] || `${field}：${errors[field].join("；")}`;
    items.push(el("li", {}, text));
    if (input instanceof HTMLElement) {
      const id = `e-${i}`;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby") || ""} ${id}`.trim());
      input.closest(".field")?.append(el("small", { class: "error field-error", id, "data-field": field }, text));
    }
  });
  $("#form-errors").replaceChildren(el("div", { class: "error", role: "alert", id: "error-summary" }, el("p", {}, "提交未成功，请修改以下内容后再提交："), el("ul", {}, items)));
  form.querySelector("[aria-invalid='true']")?.focus();
}

const KEY_STORE = "portal.submission";
let memoryKey = null; // when sessionStorage is not available (private mode, disabled storage)

/** base64url of 16 random bytes: 22 characters of [A-Za-z0-9_-]. */
function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function contentHash(petition) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify(petition)));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function readKey() {
  try {
    const kept = sessionStorage.getItem(KEY_STORE);
    return kept ? JSON.parse(kept) : memoryKey;
  } catch { return memoryKey; }
}

function writeKey(entry) {
  memoryKey = entry;
  try {
    if (entry) sessionStorage.setItem(KEY_STORE, JSON.stringify(entry)); else sessionStorage.removeItem(KEY_STORE);
  } catch { /* memory only */ }
}

/** The key for this content: the kept one while the content is unchanged, a new one for new or edited content. */
async function keyFor(petition) {
  const content = await contentHash(petition);
  const kept = readKey();
  if (kept?.key && kept.content === content) return kept.key;
  const entry = { key: newKey(), content };
  writeKey(entry);
  return entry.key;
}

/** A failure after which the same petition may be sent again with the same key: 重新提交. */
function showRetry(text) {
  const retry = el("button", { type: "button", id: "retry", class: "secondary" }, "重新提交");
  retry.addEventListener("click", () => form.requestSubmit());
  $("#form-errors").replaceChildren(el("div", { class: "error", role: "alert", id: "retry-notice" },
    el("p", {}, text),
    el("p", {}, "请不要修改已填写的内容，直接点击“重新提交”：如果上次已经登记，页面会再次显示同一个事项编号和查询码，不会重复登记。"),
    retry));
}

function body() {
  const v = (k) => (form.elements.namedItem(k)?.value || "").trim() || undefined;
  return {
    bureauId: v("bureauId"),
    petitioner: { name: v("petitioner.name"), idNumber: v("petitioner.idNumber")?.toUpperCase(), phone: v("petitioner.phone"), address: v("petitioner.address") },
    summary: v("summary"), matterKey: v("matterKey"), category: v("category"),
  };
}

async function submit(ev) {
  ev.preventDefault();
  clearErrors();
  const button = $("#submit");
  const progress = $("#progress");
  button.disabled = true;
  const files = [...($("#f-files").files || [])];
  const petition = body();
  try {
    const submissionKey = await keyFor(petition);
    let r;
    for (let attempt = 0; attempt < 2; attempt++) {
      progress.textContent = "正在进行安全校验，请稍候……";
      const c = await call("GET", "/api/portal/challenge");
      if (!c.ok) { r = c; break; }
      const solution = await solve(c.json.challenge, c.json.bits);
      progress.textContent = "正在提交……";
      r = await call("POST", "/api/portal/petitions", { body: { ...petition, submissionKey, challenge: c.json.challenge, solution } });
      // An expired, used or foreign check: fetch a fresh one and send once more, without bothering the petitioner.
      if (!(r.json?.reason || "").startsWith("challenge-")) break;
    }
    progress.textContent = "";
    if (r.status === 201 || (r.status === 200 && r.json?.status === "Registered")) {
      // Registered (or registered before and told again: replayed): the key has done its work.
      writeKey(null);
      showRegistered(r.json);
      form.reset();
      if (files.length) await uploadAll(r.json, files);
    } else if (r.status === 202) {
      // Received but still being recorded: the key is kept, so 重新提交 confirms the same case and code.
      showRegistered(r.json);
    } else if (r.status === 200 && r.json?.status === "Repeat") {
      writeKey(null);
      showRepeat(r.json);
    } else if (r.status === 409 && r.json?.reason === "submission-key-used") {
      writeKey(null);
      $("#form-errors").replaceChildren(el("p", { class: "error", role: "alert", id: "key-used" },
        "这份表单的提交编号已经用于另一件信访事项，本次没有登记。请再点击一次“提交信访事项”，页面会作为新的事项提交。"));
    } else if (r.status === 400 && r.json?.errors?.submissionKey) {
      writeKey(null);
      showFieldErrors(r.json.errors);
    } else if (r.status === 400 && r.json?.errors) {
      showFieldErrors(r.json.errors);
    } else if (r.status === 429) {
      const minutes = r.retryAfter ? Math.max(1, Math.ceil(r.retryAfter / 60)) : null;
      $("#form-errors").replaceChildren(el("p", { class: "error", role: "alert", id: "too-many" },
        `从您的网络提交的信访事项过多，本次没有登记。${minutes ? `请在约 ${minutes} 分钟后再试，` : "请稍后再试，"}或者通过来信、来访反映。`));
    } else if (r.status >= 500 || r.status === 0) {
      showRetry("提交时服务暂时出现问题，不能确定是否已经登记。");
    } else {
      $("#form-errors").replaceChildren(el("p", { class: "error", role: "alert" },
        `提交未成功，本次没有登记。${r.json?.reason?.startsWith("challenge-") ? "安全校验未通过，请刷新页面后重新提交。" : "请稍后再试。"}`));
    }
  } catch {
    progress.textContent = "";
    showRetry("网络连接出现问题，不能确定是否已经登记。请检查网络后重新提交。");
  } finally {
    button.disabled = false;
  }
}

function showRegistered(a) {
  const steps = (a.next || []).map((s) => ({
    route: ["转送交办", `信访部门将在 `, el("strong", { id: "r-route-by" }, a.routeBy || "近日"), ` 前，把您的事项转送或交办有权处理的机关（收到之日起 15 日内，《信访工作条例》第二十二条）。`],
    accept: ["告知受理", "有权处理的机关收到后 15 日内，书面告知您是否受理（第二十三条）。"],
    handle: ["办理答复", "受理后 60 日内办结并出具书面意见；情况复杂的，可以延长，最多 30 日，会告知您理由（第三十四条）。"],
  })[s.step]).filter(Boolean);
  const card = el("section", { class: "card", id: "registered", "aria-labelledby": "h-registered", "data-status": a.status, tabindex: "-1" },
    el("h2", { id: "h-registered" }, a.status === "Pending" ? "已收到您的信访事项" : "您的信访事项已登记"),
    el("dl", {},
      el("dt", {}, "事项编号"), el("dd", {}, el("strong", { id: "r-case-id" }, a.caseId)),
      el("dt", {}, "查询码"), el("dd", {}, el("strong", { id: "r-query-code" }, a.queryCode)),
      a.receivedAt ? [el("dt", {}, "收到时间"), el("dd", { id: "r-received" }, new Date(a.receivedAt).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false }))] : null,
      a.bureau?.name ? [el("dt", {}, "受理的信访部门"), el("dd", { id: "r-bureau" }, a.bureau.name)] : null),
    el("p", { class: "notice", id: "code-warning" }, "查询码只显示这一次，请抄写或截图保存，不要告诉他人。凭事项编号和查询码可以在“查询办理进展”中查看进展、进行评价。"),
    steps.length ? [el("h3", {}, "接下来会怎样"), el("ol", { id: "r-next" }, steps.map(([title, ...text]) => el("li", {}, el("strong", {}, `${title}：`), ...text)))] : null,
    a.provisional ? el("p", { class: "notice" }, "当年节假日安排尚未公布，上述日期按周末计算，公布后以实际为准。") : null,
    a.status === "Pending" ? [el("p", {}, "登记正在完成，请稍后凭事项编号和查询码查询进展。也可以稍等片刻后点击“重新提交”确认登记结果，不会重复登记。"),
      (() => { const b = el("button", { type: "button", id: "pending-retry", class: "secondary" }, "重新提交"); b.addEventListener("click", () => form.requestSubmit()); return b; })()] : null,
    el("div", { id: "uploads" }));
  $("#outcome").replaceChildren(card);
  card.focus();
}

function showRepeat(a) {
  const text = a.final
    ? "您反映的这一事项已经复核终结。依照《信访工作条例》第三十六条，同一事实和理由的请求不再受理。本次提交已记录在原事项中，没有重新登记。"
    : "您反映的这一事项正在办理期限内（《信访工作条例》第十九条）。本次提交已记录在原事项中，没有重复登记，请继续关注原事项的办理。";
  const card = el("section", { class: "card", id: "repeat", "aria-labelledby": "h-repeat", tabindex: "-1", "data-final": String(!!a.final) },
    el("h2", { id: "h-repeat" }, "这一事项已经在办理"),
    el("p", {}, text),
    a.caseId ? el("p", {}, "原事项编号：", el("strong", { id: "repeat-case-id" }, a.caseId)) : null,
    el("p", {}, "凭原事项编号和当时获得的查询码，可以在“查询办理进展”中查看进展；查询码遗失的，可以向登记的信访部门申请重新发放。"),
    el("p", {}, el("a", { href: "index.html" }, "去查询办理进展")));
  $("#outcome").replaceChildren(card);
  card.focus();
}

const fileReason = {
  "file-too-large": "文件太大", "file-empty": "文件是空的", "file-bad-name": "文件名不能使用", "file-type-not-allowed": "不支持这种文件类型",
  "file-type-mismatch": "文件内容与扩展名不符",
};

async function uploadAll(a, files) {
  const list = el("ul", { id: "upload-list" });
  const summary = el("div", { id: "upload-summary", "aria-live": "polite" });
  $("#uploads").replaceChildren(el("h3", {}, "材料上传"), list, summary);
  const one = async (file, li) => {
    li.dataset.state = "uploading";
    li.className = "";
    li.replaceChildren(`${file.name}：正在上传……`);
    const r = await call("POST", `/api/petitioner/cases/${encodeURIComponent(a.caseId)}/files?kind=Evidence`, {
      raw: file, headers: { "X-Query-Code": a.queryCode, "Content-Type": file.type || "application/octet-stream", "Content-Disposition": `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}` },
    }).catch(() => ({ ok: false, status: 0, json: null }));
    if (r.ok) {
      li.dataset.state = "uploaded";
      li.replaceChildren(`${file.name}：已上传`);
      return;
    }
    li.dataset.state = "failed";
    li.className = "error";
    const why = fileReason[(r.json?.type || "").split("/").pop()] || (r.status === 409 ? "事项已转送，不能再在网上补充" : "上传未成功");
    const retry = el("button", { type: "button", class: "secondary", "aria-label": `重新上传 ${file.name}` }, "重新上传");
    retry.addEventListener("click", async () => { await one(file, li); summarise(); });
    li.replaceChildren(`${file.name}：${why}。 `, retry);
  };
  const summarise = () => {
    const failed = [...list.querySelectorAll("li[data-state='failed']")].map((li) => li.dataset.file);
    summary.replaceChildren(failed.length
      ? el("p", { class: "error", role: "alert", id: "upload-failed" }, `您的信访事项 ${a.caseId} 已登记，不受影响。以下材料没有上传成功：${failed.join("、")}。可以换成 PDF 或图片后点“重新上传”，也可以注明事项编号寄送或交到信访部门。`)
      : el("p", { class: "ok", role: "status", id: "upload-done" }, `材料已全部上传到事项 ${a.caseId}。`));
  };
  for (const file of files) {
    const li = el("li", { "data-file": file.name });
    list.append(li);
    await one(file, li);
  }
  summarise();
}

form.addEventListener("submit", submit);
await loadBureaus();

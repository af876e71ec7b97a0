// Registrar (登记人员): register a petition (登记) with the material the petitioner handed in, see the repeat warning
// (409, Arts. 19/36), and route it (转送/交办). Files go up one by one after the case exists (POST /api/cases/{id}/files):
// a failed upload is reported by name and never undoes the registration.
import { $, api, post, command, uploadFile, el, shell, field, select, showError, showOk, table, caseLink, light, zh, categoryName, channelName, fileSize } from "../shell.js";

const routable = new Set(["CompetentAgency", "Government", "DisciplineInspection", "LegalOrgan"]);
const fileKind = { Evidence: "证据材料", Letter: "信访件（来信或其扫描件）" };
let org = { units: [] };

async function main() {
  const me = await shell("登记与转送交办");
  const desks = (me.roles || []).filter((r) => r.role === "registrar");
  org = await api("/api/org").catch(() => ({ units: [] }));
  const clock = await api("/api/clock").catch(() => null);
  const now = clock ? clock.local.replace(" ", "T") : "";
  const units = Object.fromEntries(desks.map((r) => [r.unit, r.unitName]));
  const accusable = { "": "（无）", ...Object.fromEntries(org.units.filter((u) => routable.has(u.type)).map((u) => [u.id, u.name])) };

  const form = el("form", { id: "intake", class: "stack", "aria-describedby": "intake-help" },
    el("p", { id: "intake-help" }, "带 * 的为必填项。登记后系统生成事项编号和查询码，请将查询码告知信访人。"),
    field("登记单位 *", select("unitId", units, { required: true })),
    field("信访形式 *", select("channel", channelName, { required: true })),
    field("收到时间（北京时间）*", el("input", { type: "datetime-local", name: "receivedAt", value: now, required: true })),
    field("信访人姓名 *", el("input", { name: "name", required: true, maxlength: 100, autocomplete: "off" })),
    field("身份证号码", el("input", { name: "idNumber", maxlength: 18, autocomplete: "off" }), "如填写，按 GB 11643 校验"),
    field("联系电话", el("input", { name: "phone", type: "tel", autocomplete: "off" })),
    field("通讯地址", el("input", { name: "address", autocomplete: "off" })),
    field("诉求摘要 *", el("textarea", { name: "summary", rows: 3, required: true, maxlength: 2000 })),
    field("事项要点 *", el("input", { name: "matterKey", required: true }), "同一信访人同一事项使用相同要点，用于识别重复信访"),
    field("事项类别", select("category", { "": "（暂不分类）", ...categoryName })),
    field("被检举单位（检举控告类）", select("accusedUnitId", accusable)),
    field("材料类别", select("fileKind", fileKind)),
    field("信访人提交的材料", el("input", { type: "file", name: "files", multiple: true }),
      "可选多个文件，登记后逐个上传到本事项：PDF、OFD、Word、Excel、图片或文本，单个不超过 50 MB"),
    el("div", { class: "row" }, el("button", { type: "submit" }, "登记")),
    el("div", { id: "intake-result", "aria-live": "polite" }));
  $("main").append(el("section", { class: "card", "aria-labelledby": "h-intake" }, el("h2", { id: "h-intake" }, "登记信访事项"), form),
    el("section", { class: "card", "aria-labelledby": "h-route" }, el("h2", { id: "h-route" }, "待转送交办"), el("div", { id: "routing", class: "table-wrap" }),
      el("div", { id: "route-result", "aria-live": "polite" })));
  form.addEventListener("submit", register);
  await loadRouting();
}

async function register(ev) {
  ev.preventDefault();
  const f = new FormData(ev.target);
  const v = (k) => (f.get(k) || "").toString().trim() || undefined;
  const body = {
    unitId: v("unitId"), channel: v("channel"), receivedAt: `${v("receivedAt")}:00+08:00`,
    petitioner: { name: v("name"), idNumber: v("idNumber"), phone: v("phone"), address: v("address") },
    summary: v("summary"), matterKey: v("matterKey"), category: v("category"), accusedUnitId: v("accusedUnitId"),
  };
  const out = $("#intake-result");
  const files = [...(ev.target.elements.files?.files || [])];
  const kind = v("fileKind") || "Evidence";
  try {
    // 201 with the case; 202 (engine slow) is polled, and then the case id is in the status link.
    const r = await command("/api/cases", body);
    const id = r.case?.id ?? decodeURIComponent(r.statusUrl.split("/")[3]);
    out.replaceChildren(el("div", { class: "ok", role: "status", id: "registered" },
      el("p", {}, "已登记：", caseLink(id)),
      el("p", {}, "查询码（仅显示一次，请交给信访人）：", el("strong", { id: "query-code" }, r.queryCode ?? "（未生成或已显示过，如需要请重新发放）"))));
    ev.target.reset();
    if (files.length) await uploads(out, id, files, kind);
    await loadRouting();
  } catch (e) {
    if (e.status === 409) {
      out.replaceChildren(el("div", { class: "error", role: "alert", id: "repeat-warning" },
        el("p", {}, e.problem?.final ? "重复信访：不再受理（《信访工作条例》第三十六条）" : "重复信访：该事项正在办理期限内（《信访工作条例》第十九条）"),
        el("p", {}, e.message), e.problem?.caseId ? el("p", {}, "原事项：", caseLink(e.problem.caseId)) : null));
    } else {
      showError(out, e);
    }
  }
}

/** Uploads each file to the registered case, listing each with its size and SHA-256, or why it failed (with a retry). */
async function uploads(out, id, files, kind) {
  const list = el("ul", { id: "upload-list" });
  const summary = el("div", { id: "upload-summary" });
  out.append(el("section", { id: "uploads", "aria-labelledby": "h-uploads" }, el("h3", { id: "h-uploads" }, "材料上传"), list, summary));
  const summarise = () => {
    const failed = [...list.querySelectorAll("li[data-state='failed']")].map((li) => li.dataset.file);
    const done = list.querySelectorAll("li[data-state='uploaded']").length;
    summary.replaceChildren(failed.length
      ? el("p", { class: "error", role: "alert" }, `事项 ${id} 已登记，不受影响；已上传 ${done} 个材料，以下材料上传失败：${failed.join("、")}。请核对文件类型和大小后重试。`)
      : el("p", { class: "ok", role: "status" }, `已上传 ${done} 个材料到事项 ${id}。`));
  };
  const one = async (file, li) => {
    li.dataset.state = "uploading";
    li.className = "";
    li.replaceChildren(`${file.name}：正在上传……`);
    try {
      const f = await uploadFile(id, file, kind);
      li.dataset.state = "uploaded";
      li.dataset.sha256 = f.sha256;
      li.replaceChildren(el("a", { href: `/api/cases/${encodeURIComponent(id)}/files/${encodeURIComponent(f.id)}` }, f.name),
        `（${f.size} 字节${f.size >= 1024 ? `，约 ${fileSize(f.size)}` : ""}）SHA-256 `, el("code", { class: "sha" }, f.sha256));
    } catch (e) {
      li.dataset.state = "failed";
      li.className = "error";
      const retry = el("button", { type: "button", class: "secondary", "aria-label": `重新上传 ${file.name}` }, "重新上传");
      retry.addEventListener("click", async () => { await one(file, li); summarise(); });
      li.replaceChildren(`${file.name}：上传失败 — ${e.message} `, retry);
    }
  };
  for (const file of files) {
    const li = el("li", { "data-file": file.name });
    list.append(li);
    await one(file, li);
  }
  summarise();
}

async function loadRouting() {
  const where = $("#routing");
  try {
    const page = await api("/api/cases?status=Registered&open=true&pageSize=100");
    const agencies = Object.fromEntries(org.units.filter((u) => routable.has(u.type)).map((u) => [u.id, u.name]));
    where.replaceChildren(table("已登记、待转送或交办的事项", [
      ["灯", (c) => light(c.light)],
      ["编号", (c) => caseLink(c.id)],
      ["类别", (c) => zh(categoryName, c.category) || "未分类"],
      ["形式", (c) => zh(channelName, c.channel) || ""],
      ["收到日期", (c) => c.receivedOn || ""],
      ["转送期限届满", (c) => c.nextDueDate || ""],
      ["转送/交办", (c) => routeForm(c, agencies)],
    ], page.items, (c) => ({ "data-id": c.id, "data-light": c.light || "" })));
  } catch (e) {
    showError(where, e);
  }
}

function routeForm(c, agencies) {
  const idp = `r-${c.id}`;
  const due = el("input", { type: "date", name: "assignedDueDate", id: `${idp}-due`, "aria-label": "交办期限" });
  const form = el("form", { class: "row", "data-route": c.id },
    el("label", { for: `${idp}-kind`, class: "sr" }, "方式"),
    select("kind", { Forward: "转送", Assign: "交办" }, { id: `${idp}-kind`, "aria-label": "方式" }),
    select("agencyId", agencies, { id: `${idp}-agency`, "aria-label": "承办单位" }),
    due, el("button", { type: "submit" }, "提交"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    const body = { kind: f.get("kind"), agencyId: f.get("agencyId") };
    if (body.kind === "Assign") body.assignedDueDate = f.get("assignedDueDate") || undefined;
    try {
      await post(`/api/cases/${encodeURIComponent(c.id)}/route`, body);
      showOk($("#route-result"), `${c.id} 已${body.kind === "Assign" ? "交办" : "转送"}至 ${agencies[body.agencyId]}。`);
      await loadRouting();
    } catch (e) {
      showError($("#route-result"), e);
    }
  });
  return form;
}

main();

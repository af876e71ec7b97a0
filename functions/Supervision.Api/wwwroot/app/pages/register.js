// Registrar (登记人员): register a petition (登记), see the repeat warning (409, Arts. 19/36), and route it (转送/交办).
import { $, api, post, el, shell, field, select, showError, showOk, table, caseLink, light, zh, statusName, categoryName, channelName, beijing } from "../shell.js";

const routable = new Set(["CompetentAgency", "Government", "DisciplineInspection", "LegalOrgan"]);
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
  try {
    const r = await post("/api/cases", body, { "Idempotency-Key": crypto.randomUUID?.() ?? String(Date.now()) });
    out.replaceChildren(el("div", { class: "ok", role: "status", id: "registered" },
      el("p", {}, "已登记：", caseLink(r.case.id)),
      el("p", {}, "查询码（仅显示一次，请交给信访人）：", el("strong", { id: "query-code" }, r.queryCode ?? "（重复提交，未重新生成）"))));
    ev.target.reset();
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

async function loadRouting() {
  const where = $("#routing");
  try {
    const page = await api("/api/cases?status=Registered&open=true&pageSize=100");
    const agencies = Object.fromEntries(org.units.filter((u) => routable.has(u.type)).map((u) => [u.id, u.name]));
    where.replaceChildren(table("已登记、待转送或交办的事项", [
      ["灯", (c) => light(c.light)],
      ["编号", (c) => caseLink(c.id)],
      ["类别", (c) => zh(categoryName, c.category) || "未分类"],
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

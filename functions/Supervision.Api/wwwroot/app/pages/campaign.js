// 积案化解 (backlog campaigns, decision B1). Without ?id: the campaigns the person oversees, leads or has cases in, and
// (for a supervisor or leader) a form to start one. With ?id=: the campaign — leader, target date, 化解率 — its backlog
// cases each with the leader who owns it (包案) and the responsible unit, a form to add a backlog case, a result form
// per case (化解 / 未化解 with the reason) and closing. The server decides every step and says why it refuses; the page
// shows only what the server returns (an accusation against the reader's unit is not in it).
import { $, api, command, el, shell, field, showError, showOk, caseLink } from "../shell.js";
import { campaignTable, pct } from "./campaigns-table.js";

const id = new URLSearchParams(location.search).get("id");

async function main() {
  await shell("积案化解");
  if (!id) return list();
  $("main").append(
    el("section", { class: "card", "aria-labelledby": "h-camp" }, el("h2", { id: "h-camp" }, "专项工作"), el("div", { id: "campaign" })),
    el("section", { class: "card", "aria-labelledby": "h-entries" }, el("h2", { id: "h-entries" }, "积案及化解情况"), el("div", { id: "entries", class: "table-wrap" })),
    el("section", { class: "card", "aria-labelledby": "h-add" }, el("h2", { id: "h-add" }, "列入积案"), addForm()),
    el("div", { id: "result", "aria-live": "polite" }));
  await load();
}

async function list() {
  const form = el("form", { id: "start", class: "stack" },
    field("专项工作名称 *", el("input", { name: "name", required: true, maxlength: 100 })),
    field("负责领导（人员编号） *", el("input", { name: "leaderId", required: true, autocomplete: "off" }), "例如 c-leader"),
    field("化解目标日期 *", el("input", { type: "date", name: "targetDate", required: true })),
    el("button", { type: "submit" }, "启动专项工作"), el("div", { id: "start-result", "aria-live": "polite" }));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    try {
      const c = await command("/api/campaigns", { name: f.get("name"), leaderId: f.get("leaderId"), targetDate: f.get("targetDate") });
      location.href = `campaign.html?id=${encodeURIComponent(c.id)}`;
    } catch (e) { showError($("#start-result"), e); }
  });
  $("main").append(
    el("section", { class: "card", "aria-labelledby": "h-list" }, el("h2", { id: "h-list" }, "积案化解专项工作"), el("div", { id: "campaigns", class: "table-wrap" })),
    el("section", { class: "card", "aria-labelledby": "h-start" }, el("h2", { id: "h-start" }, "启动专项工作"), form));
  try {
    $("#campaigns").replaceChildren(campaignTable(await api("/api/campaigns")));
  } catch (e) { showError($("#campaigns"), e); }
}

function addForm() {
  const form = el("form", { id: "add", class: "stack" },
    field("事项编号 *", el("input", { name: "caseId", required: true, autocomplete: "off" })),
    field("包案领导（人员编号） *", el("input", { name: "leaderId", required: true, autocomplete: "off" })),
    field("责任单位（单位编号） *", el("input", { name: "unitId", required: true, autocomplete: "off" })),
    el("p", { class: "hint" }, "只有超期未办结或终结后重复信访的事项可以列入积案（按积案认定规则）。"),
    el("button", { type: "submit" }, "列入"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    await step("add-case", { caseId: f.get("caseId"), leaderId: f.get("leaderId"), unitId: f.get("unitId") }, `已列入信访事项 ${f.get("caseId")}。`);
  });
  return form;
}

async function step(action, body, done) {
  try {
    await command(`/api/campaigns/${encodeURIComponent(id)}/${action}`, body);
    showOk($("#result"), done);
    await load();
  } catch (e) { showError($("#result"), e); }
}

async function load() {
  let c;
  try { c = await api(`/api/campaigns/${encodeURIComponent(id)}`); } catch (e) { return showError($("#campaign"), e); }
  const running = c.status === "Running";
  const close = el("button", { type: "button", class: "secondary", id: "close" }, "结束专项工作");
  close.addEventListener("click", () => step("close", {}, "专项工作已结束。"));
  $("#campaign").replaceChildren(el("dl", { id: "facts", "data-status": c.status },
    ...[["名称", c.name], ["负责领导", c.leader?.name], ["牵头单位", c.bureau?.name], ["目标日期", c.targetDate + (c.targetPassed ? "（已过）" : "")],
      ["状态", c.statusName], ["化解率", el("strong", { id: "rate", "data-rate": String(c.rate) }, `${pct(c.rate)}（${c.resolved}/${c.total}）`)]]
      .flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v ?? "")])), running ? close : null);
  $("#add").hidden = !running;
  $("#entries").replaceChildren(el("table", {}, el("caption", {}, "积案"),
    el("thead", {}, el("tr", {}, ["事项", "包案领导", "责任单位", "列入原因", "列入日期", "结果", "说明", "化解"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, c.entries.length ? c.entries.map((e) => el("tr", { "data-case": e.caseId, "data-result": e.result },
      el("td", {}, caseLink(e.caseId)), el("td", {}, e.leader?.name || ""), el("td", {}, e.unit?.name || ""), el("td", {}, e.why),
      el("td", {}, e.addedOn), el("td", { class: "result" }, e.resultName), el("td", {}, e.reason || ""),
      el("td", {}, running ? resultForm(e) : ""))) : el("tr", {}, el("td", { colspan: 8, class: "empty" }, "暂无")))));
}

function resultForm(e) {
  const form = el("form", { class: "row", "data-result-for": e.caseId },
    el("label", {}, el("input", { type: "radio", name: "resolved", value: "true", checked: e.result !== "Unresolved" }), "化解"),
    el("label", {}, el("input", { type: "radio", name: "resolved", value: "false", checked: e.result === "Unresolved" }), "未化解"),
    el("input", { name: "reason", "aria-label": `信访事项 ${e.caseId} 的化解说明或未化解原因`, placeholder: "说明（未化解必填）", autocomplete: "off" }),
    el("button", { type: "submit", class: "secondary" }, "记录"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    await step("record-result", { caseId: e.caseId, resolved: f.get("resolved") === "true", reason: f.get("reason") || undefined }, `已记录信访事项 ${e.caseId} 的化解结果。`);
  });
  return form;
}

main();

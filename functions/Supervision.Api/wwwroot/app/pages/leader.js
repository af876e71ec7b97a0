// Leader dashboard: overdue cases, escalations, unacknowledged alerts, the month's scorecard as an ECharts chart
// with CSV/Excel export links (GET /api/scorecard?month=&format=csv|xlsx), and the month's repeat petitions (重复信访,
// GET /api/analysis/repeats?month=&format=csv) as a table and a bar chart, and the month's 分析研判 (analysis-section.js).
import { $, api, optional, el, shell, showError, table, caseLink, light, zh, statusName, beijing } from "../shell.js";
import { receptionSections, loadReceptions, loadOwned } from "./leader-reception.js";
import { campaignTable } from "./campaigns-table.js";
import { analysisSection, loadAnalysis } from "./analysis-section.js";

async function main() {
  await shell("领导看板");
  const clock = await api("/api/clock").catch(() => null);
  const month = (clock?.local || new Date().toISOString()).slice(0, 7);
  $("main").append(
    el("section", { class: "card", "aria-labelledby": "h-kpi" }, el("h2", { id: "h-kpi" }, "概况"), el("div", { id: "kpis", class: "kpis" })),
    el("section", { class: "card", "aria-labelledby": "h-score" }, el("h2", { id: "h-score" }, "红黄榜与考核指标"),
      el("form", { class: "row", id: "month-form" }, el("label", { for: "month" }, "月份"), el("input", { type: "month", id: "month", value: month }),
        el("a", { id: "csv", href: "#" }, "导出 CSV"), el("a", { id: "xlsx", href: "#" }, "导出 Excel")),
      el("div", { id: "chart", role: "img", "aria-label": "各单位本月考核指标柱状图" }), el("div", { id: "score-table", class: "table-wrap" })),
    el("section", { class: "card", "aria-labelledby": "h-repeats" }, el("h2", { id: "h-repeats" }, "重复信访"),
      el("p", { class: "row" }, el("span", { id: "repeat-total" }), el("a", { id: "repeats-csv", href: "#" }, "导出 CSV")),
      el("div", { id: "repeat-chart", role: "img", "aria-label": "各单位本月重复信访件次柱状图" }), el("div", { id: "repeat-table", class: "table-wrap" })),
    analysisSection(),
    el("div", { class: "grid" },
      el("section", { class: "card", "aria-labelledby": "h-over" }, el("h2", { id: "h-over" }, "超期事项"), el("div", { id: "overdue", class: "table-wrap" })),
      el("section", { class: "card", "aria-labelledby": "h-esc" }, el("h2", { id: "h-esc" }, "督办升级"), el("div", { id: "escalations" })),
      el("section", { class: "card", "aria-labelledby": "h-unack" }, el("h2", { id: "h-unack" }, "未确认的预警"), el("div", { id: "unacked" }))));
  const today = (clock?.local || new Date().toISOString()).slice(0, 10);
  $("main").append(...receptionSections(today),
    el("section", { class: "card", "aria-labelledby": "h-campaigns" }, el("h2", { id: "h-campaigns" }, "积案化解"),
      el("div", { id: "campaigns", class: "table-wrap" }), el("a", { href: "campaign.html" }, "全部专项工作")));
  $("#month").addEventListener("change", () => Promise.all([loadScorecard($("#month").value), loadRepeats($("#month").value), loadAnalysis($("#month").value)]));
  await Promise.all([loadCases(), loadScorecard(month), loadRepeats(month), loadAnalysis(month), loadInbox(), loadReceptions(), loadOwned(), loadCampaigns()]);
}

async function loadCases() {
  try {
    const [red, open] = await Promise.all([api("/api/cases?light=red&open=true&pageSize=200"), api("/api/cases?open=true&pageSize=1")]);
    $("#kpis").replaceChildren(kpi("办理中", open.total, "open"), kpi("超期（红灯）", red.total, "red"));
    $("#overdue").replaceChildren(table("红灯事项", [["灯", (c) => light(c.light)], ["编号", (c) => caseLink(c.id)], ["状态", (c) => zh(statusName, c.status)], ["届满日", (c) => c.nextDueDate || ""]],
      red.items, (c) => ({ "data-id": c.id })));
  } catch (e) { showError($("#overdue"), e); }
}

function kpi(label, n, key) {
  return el("div", { class: "kpi", "data-kpi": key }, el("strong", {}, String(n)), label);
}

async function loadInbox() {
  try {
    const inbox = await optional("/api/inbox/leader", $("#escalations"), "督办升级");
    if (inbox) {
      const items = Array.isArray(inbox) ? inbox : inbox.items || inbox.escalations || [];
      $("#escalations").replaceChildren(items.length ? el("ul", {}, items.map((t) => el("li", { "data-ticket": t.id }, t.caseId ? caseLink(t.caseId) : "", ` ${t.formName || ""} ${t.statusName || ""} ${t.dueDate ? "反馈期限 " + t.dueDate : ""}`))) : el("p", {}, "暂无"));
    }
  } catch (e) { showError($("#escalations"), e); }
  try {
    const mail = await api("/api/mailbox");
    const open = mail.filter((m) => m.urgency === "Urgent" && !m.acknowledgedAt); // only urgent alerts await acknowledgement
    $("#kpis").append(kpi("未确认预警", open.length, "unacked"));
    $("#unacked").replaceChildren(open.length ? el("ul", {}, open.slice(0, 20).map((m) => el("li", { class: m.urgency === "Urgent" ? "urgent" : "" }, `${beijing(m.deliveredAt)} ${m.subject}`))) : el("p", {}, "暂无"),
      el("p", {}, el("a", { href: "mailbox.html" }, "全部提醒")));
  } catch (e) { showError($("#unacked"), e); }
}

const pct = (v) => (v == null ? null : Math.round(v * 1000) / 10);
const pick = (u, ...names) => names.map((n) => u[n]).find((v) => v !== undefined);

async function loadScorecard(month) {
  $("#csv").href = `/api/scorecard?month=${month}&format=csv`;
  $("#xlsx").href = `/api/scorecard?month=${month}&format=xlsx`;
  try {
    const data = await optional(`/api/scorecard?month=${month}`, $("#score-table"), "考核统计");
    if (!data) { $("#chart").hidden = true; return; }
    const units = Array.isArray(data) ? data : data.units || data.items || [];
    const rows = units.map((u) => ({
      name: pick(u, "unitName", "name", "unitId") ?? "", list: pick(u, "list", "placement"), score: pick(u, "score"), red: pick(u, "redCases") ?? 0,
      timely: pct(pick(u, "timelyAcceptanceRate")), onTime: pct(pick(u, "onTimeCompletionRate")), part: pct(pick(u, "participationRate")), sat: pct(pick(u, "satisfactionRate")),
      backlog: pct(pick(u, "backlogResolutionRate")),
    }));
    const listName = { Red: "红榜", Yellow: "黄榜", None: "" };
    $("#score-table").replaceChildren(table(`${month} 各单位指标（%）`, [["单位", (r) => r.name], ["及时受理率", (r) => r.timely ?? "—"], ["按期办结率", (r) => r.onTime ?? "—"],
      ["参评率", (r) => r.part ?? "—"], ["满意率", (r) => r.sat ?? "—"], ["超期件数", (r) => r.red], ["得分", (r) => r.score ?? "—"], ["红黄榜", (r) => listName[r.list] ?? r.list ?? ""],
      ["积案化解率", (r) => r.backlog ?? "—"]], rows)); // beside the list, not scored (docs/metrics.md)
    if (!window.echarts) {
      $("#chart").replaceChildren(el("p", { class: "notice" }, "图表库未加载（运行 scripts/run.sh 会安装 ECharts），请查看下表。"));
      return;
    }
    $("#chart").hidden = false;
    const chart = window.echarts.getInstanceByDom($("#chart")) || window.echarts.init($("#chart"), null, { renderer: "svg" });
    chart.setOption({
      aria: { enabled: true },
      // The tooltip drawn by the chart itself, not as HTML: ECharts' HTML tooltip sets its content with innerHTML and
      // styles its markers with inline style attributes, which the page's CSP (style-src 'self') refuses (W1).
      tooltip: { trigger: "axis", renderMode: "richText" }, legend: { top: 0 }, grid: { left: 40, right: 40, bottom: 80, top: 40 },
      xAxis: { type: "category", data: rows.map((r) => r.name), axisLabel: { interval: 0, rotate: 30 } },
      yAxis: [{ type: "value", name: "%", max: 100 }, { type: "value", name: "超期件数", minInterval: 1 }],
      series: [["及时受理率", "timely"], ["按期办结率", "onTime"], ["参评率", "part"], ["满意率", "sat"]].map(([name, k]) => ({ name, type: "bar", data: rows.map((r) => r[k]) }))
        .concat([{ name: "超期件数", type: "line", yAxisIndex: 1, data: rows.map((r) => r.red) }]),
    }, true);
    $("#chart").dataset.units = String(rows.length);
    window.addEventListener("resize", () => chart.resize());
  } catch (e) { showError($("#score-table"), e); }
}

// 重复信访 (Arts. 19, 36): per unit, repeat petitions, distinct repeated matters, petitioners with two or more petitions
// (a count, never who) and the most repeated matters with their latest case. Text only (el()), no HTML from the server.
async function loadRepeats(month) {
  $("#repeats-csv").href = `/api/analysis/repeats?month=${month}&format=csv`;
  try {
    const data = await optional(`/api/analysis/repeats?month=${month}`, $("#repeat-table"), "重复信访统计");
    if (!data) { $("#repeat-chart").hidden = true; return; }
    const units = data.units || [];
    const t = data.total || {};
    $("#repeat-total").textContent = `${month} 合计：重复信访 ${t.repeatPetitions ?? 0} 件次，涉及 ${t.repeatedMatters ?? 0} 个事项，多次信访 ${t.petitionersWithRepeats ?? 0} 人。`;
    const top = (u) => (u.topMatters || []).map((m, i) => [i ? "；" : "", `${m.matterKey}×${m.count}（`, caseLink(m.latestCaseId), "）"]).flat();
    $("#repeat-table").replaceChildren(table(`${month} 各单位重复信访`, [["单位", (u) => u.unitName ?? u.unitId], ["信访件次", (u) => u.petitions],
      ["重复信访件次", (u) => u.repeatPetitions], ["重复事项数", (u) => u.repeatedMatters], ["多次信访人数", (u) => u.petitionersWithRepeats],
      ["重复最多的事项", (u) => el("span", {}, top(u))]], units, (u) => ({ "data-unit": u.unitId })));
    if (!window.echarts || units.length === 0) { $("#repeat-chart").hidden = true; return; }
    $("#repeat-chart").hidden = false;
    const chart = window.echarts.getInstanceByDom($("#repeat-chart")) || window.echarts.init($("#repeat-chart"), null, { renderer: "svg" });
    chart.setOption({
      aria: { enabled: true },
      tooltip: { trigger: "axis", renderMode: "richText" }, legend: { top: 0 }, grid: { left: 40, right: 40, bottom: 80, top: 40 },
      xAxis: { type: "category", data: units.map((u) => u.unitName ?? u.unitId), axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [["重复信访件次", "repeatPetitions"], ["重复事项数", "repeatedMatters"], ["多次信访人数", "petitionersWithRepeats"]]
        .map(([name, k]) => ({ name, type: "bar", data: units.map((u) => u[k]) })),
    }, true);
    $("#repeat-chart").dataset.units = String(units.length);
    window.addEventListener("resize", () => chart.resize());
  } catch (e) { showError($("#repeat-table"), e); }
}

main();

async function loadCampaigns() {
  try {
    $("#campaigns").replaceChildren(campaignTable(await api("/api/campaigns")));
  } catch (e) { showError($("#campaigns"), e); }
}

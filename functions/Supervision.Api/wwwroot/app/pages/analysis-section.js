// 分析研判 (issue 16 §4; docs/analysis.md): the month's counts by category, channel, area and unit, the trend with month
// over month and year over year, the hot matters, and overdue clocks and satisfaction by unit — each as a table and an
// ECharts chart of the same figures (GET /api/analysis?month=), with CSV and Excel exports of the whole report. Shared by
// the leader and the supervisor pages; the server scopes it to the viewer and keeps accusations against them out.
// Text only (el()), never HTML from the server.
import { $, el, optional, showError, table, zh, categoryName, channelName } from "../shell.js";

/** The section's frame; `loadAnalysis` fills it. With `month`, the section has its own month picker (the supervisor's). */
export function analysisSection(month) {
  const block = (id, title, chartLabel) => el("div", { class: "analysis-block" }, el("h3", { id: `h-an-${id}` }, title),
    chartLabel ? el("div", { id: `an-${id}-chart`, class: "chart", role: "img", "aria-label": chartLabel }) : null,
    el("div", { id: `an-${id}`, class: "table-wrap" }));
  return el("section", { class: "card", "aria-labelledby": "h-analysis", id: "analysis" }, el("h2", { id: "h-analysis" }, "分析研判"),
    month ? el("form", { class: "row", id: "an-month-form" }, el("label", { for: "an-month" }, "月份"), el("input", { type: "month", id: "an-month", value: month })) : null,
    el("p", { class: "row" }, el("span", { id: "an-total", role: "status" }), el("a", { id: "an-csv", href: "#" }, "导出 CSV"), el("a", { id: "an-xlsx", href: "#" }, "导出 Excel")),
    block("trend", "信访趋势（近 12 个月）", "近 12 个月信访件次与重复信访件次折线图"),
    el("div", { class: "grid" }, block("category", "按类别", "本月各类别信访件次饼图"), block("channel", "按渠道", "本月各渠道信访件次饼图")),
    block("unit", "按单位", "本月各单位信访件次与重复信访件次柱状图"),
    el("div", { class: "grid" }, block("area", "按地区", "本月各地区信访件次柱状图"), block("hot", "热点事项", null)),
    block("handling", "超期与满意度", "本月各单位超期件数与满意率柱状图"));
}

/**
 * A rate as the page shows it: percent with up to two decimals from the server's four-decimal fraction (an exact count
 * of basis points, so the page and the exports never round differently); `signed` puts + before a rise.
 */
export function percent(v, signed = false) {
  if (v == null) return "—";
  const bp = Math.round(v * 10000);
  return `${signed && bp > 0 ? "+" : ""}${bp / 100}%`;
}

const label = (names, key) => (key === "-" ? "未分类" : zh(names, key));

export async function loadAnalysis(month) {
  $("#an-csv").href = `/api/analysis?month=${month}&format=csv`;
  $("#an-xlsx").href = `/api/analysis?month=${month}&format=xlsx`;
  try {
    const r = await optional(`/api/analysis?month=${month}`, $("#an-trend"), "分析研判");
    if (!r) return;
    $("#an-total").textContent = `${r.month} 合计：信访 ${r.received} 件次，其中重复信访 ${r.repeats} 件次。`;
    $("#an-trend").replaceChildren(table(`${r.month} 及之前各月`, [["月份", (m) => m.month], ["信访件次", (m) => m.received], ["重复信访件次", (m) => m.repeats],
      ["环比", (m) => percent(m.monthOverMonth, true)], ["同比", (m) => percent(m.yearOverYear, true)]], r.trend, (m) => ({ "data-id": m.month })));
    $("#an-category").replaceChildren(table(`${r.month} 按类别`, [["类别", (c) => label(categoryName, c.key)], ["件次", (c) => c.count]], r.byCategory, (c) => ({ "data-id": c.key })));
    $("#an-channel").replaceChildren(table(`${r.month} 按渠道`, [["渠道", (c) => label(channelName, c.key)], ["件次", (c) => c.count]], r.byChannel, (c) => ({ "data-id": c.key })));
    $("#an-unit").replaceChildren(table(`${r.month} 按单位（登记单位）`, [["单位", (u) => u.unitName ?? u.unitId], ["地区代码", (u) => u.region ?? "—"], ["信访件次", (u) => u.received],
      ["重复信访件次", (u) => u.repeats]], r.byUnit, (u) => ({ "data-id": u.unitId })));
    $("#an-area").replaceChildren(table(`${r.month} 按地区（行政区划代码）`, [["地区代码", (c) => c.key], ["件次", (c) => c.count]], r.byArea, (c) => ({ "data-id": c.key })));
    $("#an-hot").replaceChildren(table(`${r.month} 信访最多的事项（事项键，不含信访人信息）`, [["事项键", (m) => m.matterKey], ["件次", (m) => m.petitions]], r.hotMatters, (m) => ({ "data-id": m.matterKey })));
    $("#an-handling").replaceChildren(table(`${r.month} 各单位超期与满意度`, [["单位", (h) => h.unitName ?? h.unitId], ["超期件数", (h) => h.overdue], ["满意", (h) => h.satisfied],
      ["基本满意", (h) => h.basicallySatisfied], ["不满意", (h) => h.dissatisfied], ["满意率", (h) => percent(h.satisfactionRate)]], r.handling, (h) => ({ "data-id": h.unitId })));
    if (!window.echarts) {
      $("#an-trend-chart").replaceChildren(el("p", { class: "notice" }, "图表库未加载（运行 scripts/run.sh 会安装 ECharts），请查看下表。"));
      return;
    }
    const bars = (x, series, yAxis = { type: "value", minInterval: 1 }) => ({
      grid: { left: 48, right: 48, bottom: 80, top: 40 }, legend: { top: 0 },
      xAxis: { type: "category", data: x, axisLabel: { interval: 0, rotate: x.length > 6 ? 30 : 0 } }, yAxis, series,
    });
    const pie = (name, items) => ({ legend: { bottom: 0 }, series: [{ name, type: "pie", radius: "60%", data: items }] });
    draw("an-trend-chart", bars(r.trend.map((m) => m.month), [
      { name: "信访件次", type: "line", data: r.trend.map((m) => m.received) }, { name: "重复信访件次", type: "line", data: r.trend.map((m) => m.repeats) }]));
    draw("an-category-chart", pie("按类别", r.byCategory.map((c) => ({ name: label(categoryName, c.key), value: c.count }))));
    draw("an-channel-chart", pie("按渠道", r.byChannel.map((c) => ({ name: label(channelName, c.key), value: c.count }))));
    draw("an-unit-chart", bars(r.byUnit.map((u) => u.unitName ?? u.unitId), [
      { name: "信访件次", type: "bar", data: r.byUnit.map((u) => u.received) }, { name: "重复信访件次", type: "bar", data: r.byUnit.map((u) => u.repeats) }]));
    draw("an-area-chart", bars(r.byArea.map((c) => c.key), [{ name: "件次", type: "bar", data: r.byArea.map((c) => c.count) }]));
    draw("an-handling-chart", bars(r.handling.map((h) => h.unitName ?? h.unitId), [
      { name: "超期件数", type: "bar", data: r.handling.map((h) => h.overdue) },
      { name: "满意率（%）", type: "line", yAxisIndex: 1, data: r.handling.map((h) => (h.satisfactionRate == null ? null : Math.round(h.satisfactionRate * 10000) / 100)) }],
    [{ type: "value", name: "超期件数", minInterval: 1 }, { type: "value", name: "%", max: 100 }]));
  } catch (e) { showError($("#an-trend"), e); }
}

/**
 * One chart (SVG, aria on, tooltips drawn by the chart: ECharts' HTML tooltip uses innerHTML and inline styles, which the
 * page's CSP refuses). `data-points` counts the points drawn, so a test can hold the chart to its table.
 */
function draw(id, option) {
  const host = $(`#${id}`);
  const chart = window.echarts.getInstanceByDom(host) || window.echarts.init(host, null, { renderer: "svg" });
  chart.setOption({ aria: { enabled: true }, tooltip: { trigger: option.series[0].type === "pie" ? "item" : "axis", renderMode: "richText" }, ...option }, true);
  host.dataset.points = String(option.series.reduce((n, s) => n + s.data.length, 0));
  if (!host.dataset.resizes) {
    host.dataset.resizes = "1";
    window.addEventListener("resize", () => chart.resize());
  }
}

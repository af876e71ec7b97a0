// The table of 积案化解 campaigns (GET /api/campaigns), on the campaign list page and the leader page: name, leader,
// target date, state and the 化解率 the server computed.
import { el } from "../shell.js";

export const pct = (r) => `${Math.round((r || 0) * 1000) / 10}%`;

/** The campaigns table, shared with the leader page. */
export function campaignTable(items) {
  return el("table", {}, el("caption", {}, "专项工作及化解率"),
    el("thead", {}, el("tr", {}, ["名称", "负责领导", "目标日期", "状态", "积案", "已化解", "未化解", "化解率"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, items.length ? items.map((c) => el("tr", { "data-campaign": c.id },
      el("td", {}, el("a", { href: `campaign.html?id=${encodeURIComponent(c.id)}` }, c.name || c.id)), el("td", {}, c.leader?.name || ""),
      el("td", {}, c.targetDate || ""), el("td", {}, c.statusName || ""), el("td", {}, String(c.total)), el("td", {}, String(c.resolved)),
      el("td", {}, String(c.unresolved)), el("td", { "data-rate": String(c.rate) }, pct(c.rate))))
      : el("tr", {}, el("td", { colspan: 8, class: "empty" }, "暂无"))));
}


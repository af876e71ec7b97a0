// Sign-in (demo mode): the demo people grouped by unit, the choice remembered in the supervision-user cookie.
import { $, api, el, getCookie, setUser, roleName, zh, homeOf, showError } from "../shell.js";

const typeOrder = { PetitionBureau: 1, CompetentAgency: 2, Government: 3, ConferenceOffice: 4, DisciplineInspection: 5, LegalOrgan: 6, PartyCommittee: 7 };

async function main() {
  let data;
  try {
    data = await api("/api/demo/people");
  } catch (e) {
    showError($("#people"), e.status === 404 ? new Error("本服务未开启演示登录（Supervision:Demo）。请通过单位统一身份认证登录。") : e);
    $("#go").disabled = true;
    return;
  }
  const current = getCookie("supervision-user");
  const known = data.people.some((p) => p.id === current);
  const chosen = known ? current : data.defaultId;
  const byUnit = new Map();
  for (const p of data.people) {
    for (const r of p.roles) {
      if (!byUnit.has(r.unit)) byUnit.set(r.unit, { name: r.unitName, type: r.unitType, people: [] });
      byUnit.get(r.unit).people.push({ ...p, role: r.role });
    }
  }
  const units = [...byUnit.entries()].sort((a, b) => (typeOrder[a[1].type] || 9) - (typeOrder[b[1].type] || 9) || a[0].localeCompare(b[0]));
  const seen = new Set();
  $("#people").replaceChildren(...units.map(([id, u]) => el("fieldset", {},
    el("legend", {}, u.name),
    u.people.map((p) => {
      const first = !seen.has(p.id);
      seen.add(p.id);
      // A person with roles in two units (a leader of government and Party committee) has one radio, at the first unit.
      return first ? el("label", {}, el("input", { type: "radio", name: "person", value: p.id, checked: p.id === chosen, "data-unit": id }),
        ` ${p.name}（${zh(roleName, p.role)}）`, p.id === data.defaultId ? el("span", { class: "tag" }, "有待办") : null) : null;
    }))));
  $("#msg").replaceChildren(el("p", {}, known ? "已记住上次选择的身份。" : `建议：${data.people.find((p) => p.id === chosen)?.name ?? ""}——其所在单位有正在办理的事项。`));
  $("#signin").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const id = new FormData(ev.target).get("person");
    if (!id) return;
    setUser(id);
    try {
      const me = await api("/api/me");
      location.href = homeOf(me);
    } catch (e) {
      showError($("#msg"), e);
    }
  });
}
main();

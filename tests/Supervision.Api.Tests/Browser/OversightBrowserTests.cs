using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Supervision.Api.Demo;
using Supervision.Api.Tests.Cases;
using Supervision.Api.Tests.Oversight;

namespace Supervision.Api.Tests.Browser;

/// <summary>
/// The oversight roles in the browser on the seeded demo (a slow clock, so the demo stands still): the conference office
/// approves the joint assignment, the leader reads the month's figures as a chart, the mailbox acknowledges an urgent
/// alert, and people outside a case (another unit, the accused unit) are refused it.
/// </summary>
public sealed class OversightBrowserTests
{
    private static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_conference_office_approves_the_joint_assignment_and_the_leader_and_the_supervisor_read_the_month_as_charts()
    {
        await using var app = await CaseApp.StartAsync(Start, kestrel: true, demo: true, speed: 60);
        await CaseApp.EventuallyAsync(
            async () => await app.As("c-conf-staff").GetAsync(new Uri($"/api/joint-assignments/{DemoSeeder.JointAssignmentId}", UriKind.Relative)) is { IsSuccessStatusCode: true } r
                && JsonNode.Parse(await r.Content.ReadAsStringAsync()) is { } j && (string?)j["status"] == "AwaitingApproval" ? j : null,
            "the demo joint assignment awaiting approval");
        await using var ui = await BrowserSession.StartAsync(app);

        var office = await ui.PageAsync("c-conf-staff");
        await office.GotoAsync(ui.Url("/app/conference.html"));
        var row = office.Locator($"tr[data-joint='{DemoSeeder.JointAssignmentId}']");
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await BrowserSession.CheckAsync(office, "conference-approvals");
        await row.GetByRole(AriaRole.Button, new() { Name = $"批准联合交办 {DemoSeeder.JointAssignmentId}" }).ClickAsync();
        await Assertions.Expect(office.Locator("#result")).ToContainTextAsync("已批准", new() { Timeout = 30_000 });
        await Assertions.Expect(row).ToHaveCountAsync(0);
        var approved = await app.As("c-conf-staff").GetJsonAsync($"/api/joint-assignments/{DemoSeeder.JointAssignmentId}");
        Assert.Equal("Approved", (string)approved["status"]!);

        // The leader's dashboard: the month's scorecard as a chart (ECharts, SVG) with one bar group per unit, and the
        // table showing the API's figures per unit: rates as percentages to one decimal, red count, score and list. The
        // demo clock runs, so the page is reloaded until it and the API describe the same moment.
        var month = OversightApi.LegalDate(app.Now)[..7];
        static string Pct(JsonNode? v) => v is null ? "—" : (Math.Round((double)v * 1000, MidpointRounding.AwayFromZero) / 10).ToString(System.Globalization.CultureInfo.InvariantCulture);
        static string Text(JsonNode? v) => v is null ? "—" : v.ToJsonString().Trim('"');
        var lists = new Dictionary<string, string> { ["Red"] = "红榜", ["Yellow"] = "黄榜", ["None"] = string.Empty };
        var leader = await ui.PageAsync("c-leader");
        var rows = await PageVersusApi.AgreeAsync(
            async () =>
            {
                await leader.GotoAsync(ui.Url("/app/leader.html"));
                await Assertions.Expect(leader.Locator("#chart")).ToHaveAttributeAsync("data-units", new System.Text.RegularExpressions.Regex("^[0-9]+$"), new() { Timeout = 15_000 });
                var shown = (await PageVersusApi.RowsAsync(leader.Locator("#score-table"))).Select(r => string.Join(" | ", r.Cells)).ToList();
                shown.Add("units " + await leader.Locator("#chart").GetAttributeAsync("data-units"));
                var card = await app.As("c-leader").GetJsonAsync($"/api/scorecard?month={month}");
                var units = (card["units"] ?? card["items"])!.AsArray();
                var expected = units.Select(u => string.Join(" | ",
                    (string?)(u!["unitName"] ?? u["name"] ?? u["unitId"]), Pct(u["timelyAcceptanceRate"]), Pct(u["onTimeCompletionRate"]), Pct(u["participationRate"]),
                    Pct(u["satisfactionRate"]), Text(u["redCases"] ?? 0), Text(u["score"]), lists.GetValueOrDefault(Text(u["list"] ?? u["placement"]), Text(u["list"] ?? u["placement"])),
                    Pct(u["backlogResolutionRate"]))).ToList();
                expected.Add("units " + units.Count);
                return (shown, expected);
            },
            "the leader's scorecard table and chart",
            TimeSpan.FromSeconds(60));
        Assert.True(rows.Count > 1, "the scorecard lists no unit");
        await Assertions.Expect(leader.Locator("#chart svg")).ToHaveCountAsync(1);

        // 重复信访: the section's table shows the repeat analysis's figures per unit, and its chart one bar group per unit.
        await PageVersusApi.AgreeAsync(async () =>
        {
            var repeats = await app.As("c-leader").GetJsonAsync($"/api/analysis/repeats?month={month}");
            var api = repeats["units"]!.AsArray().Select(u => string.Join(" | ",
                (string?)(u!["unitName"] ?? u["unitId"]), Text(u["petitions"]), Text(u["repeatPetitions"]), Text(u["repeatedMatters"]), Text(u["petitionersWithRepeats"]),
                string.Concat(u["topMatters"]!.AsArray().Select((m, i) => $"{(i > 0 ? "；" : string.Empty)}{(string)m!["matterKey"]!}×{Text(m["count"])}（{(string)m["latestCaseId"]!}）")))).ToList();
            var page = (await PageVersusApi.RowsAsync(leader.Locator("#repeat-table"))).Select(r => string.Join(" | ", r.Cells)).ToList();
            return (page, api);
        }, "the leader's 重复信访 table");
        var repeatUnits = (await app.As("c-leader").GetJsonAsync($"/api/analysis/repeats?month={month}"))["units"]!.AsArray().Count;
        Assert.True(repeatUnits > 0); // the demo's registrations are petitions too
        await Assertions.Expect(leader.Locator("#repeat-chart")).ToHaveAttributeAsync("data-units", repeatUnits.ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = 15_000 });
        await BrowserSession.CheckAsync(leader, "leader-chart");

        // 分析研判 on both oversight pages: every table shows the API's figures, every chart draws as many points.
        await AnalysisAgreesAsync(app, leader, "c-leader", month);
        var supervisor = await ui.PageAsync("c-supervisor");
        await supervisor.GotoAsync(ui.Url("/app/supervisor.html"));
        await AnalysisAgreesAsync(app, supervisor, "c-supervisor", month);
        await BrowserSession.CheckAsync(supervisor, "supervisor-analysis");
    }

    private static readonly Dictionary<string, string> Categories = new() { ["Suggestion"] = "建议意见类", ["Accusation"] = "检举控告类", ["Complaint"] = "申诉求决类", ["-"] = "未分类" };
    private static readonly Dictionary<string, string> Channels = new() { ["Letter"] = "来信", ["Visit"] = "来访", ["Phone"] = "来电", ["Online"] = "网上信访", ["-"] = "未分类" };

    /// <summary>A rate as the pages show it: percent from the basis points, + before a rise when signed, — when none.</summary>
    private static string Percent(JsonNode? v, bool signed = false)
    {
        if (v is null)
        {
            return "—";
        }

        var bp = Math.Round((double)v * 10000);
        return (signed && bp > 0 ? "+" : string.Empty) + (bp / 100).ToString(System.Globalization.CultureInfo.InvariantCulture) + "%";
    }

    /// <summary>
    /// The analysis section of <paramref name="page"/> against <c>GET /api/analysis</c> as <paramref name="person"/>: each
    /// table row by row, and each chart's drawn points (<c>data-points</c>) against its series' lengths. Reloads the
    /// figures until both describe the same moment (the demo clock runs).
    /// </summary>
    private static async Task AnalysisAgreesAsync(CaseApp app, IPage page, string person, string month)
    {
        static string T(JsonNode? v) => v is null ? "—" : v.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string)v! : v.ToJsonString();
        static List<string> Of(JsonNode r, string name, Func<JsonNode, string> row) => [.. r[name]!.AsArray().Select(x => row(x!))];
        var sections = new (string Id, Func<JsonNode, List<string>> Rows, Func<JsonNode, int> Points)[]
        {
            ("trend", r => Of(r, "trend", m => string.Join(" | ", T(m["month"]), T(m["received"]), T(m["repeats"]), Percent(m["monthOverMonth"], true), Percent(m["yearOverYear"], true))),
                r => 2 * r["trend"]!.AsArray().Count),
            ("category", r => Of(r, "byCategory", c => $"{Categories.GetValueOrDefault(T(c["key"]), T(c["key"]))} | {T(c["count"])}"), r => r["byCategory"]!.AsArray().Count),
            ("channel", r => Of(r, "byChannel", c => $"{Channels.GetValueOrDefault(T(c["key"]), T(c["key"]))} | {T(c["count"])}"), r => r["byChannel"]!.AsArray().Count),
            ("unit", r => Of(r, "byUnit", u => string.Join(" | ", T(u["unitName"] ?? u["unitId"]), T(u["region"]), T(u["received"]), T(u["repeats"]))), r => 2 * r["byUnit"]!.AsArray().Count),
            ("area", r => Of(r, "byArea", c => $"{T(c["key"])} | {T(c["count"])}"), r => r["byArea"]!.AsArray().Count),
            ("hot", r => Of(r, "hotMatters", m => $"{T(m["matterKey"])} | {T(m["petitions"])}"), _ => -1),
            ("handling", r => Of(r, "handling", h => string.Join(" | ", T(h["unitName"] ?? h["unitId"]), T(h["overdue"]), T(h["satisfied"]), T(h["basicallySatisfied"]),
                T(h["dissatisfied"]), Percent(h["satisfactionRate"]))), r => 2 * r["handling"]!.AsArray().Count),
        };
        await Assertions.Expect(page.Locator("#an-trend-chart")).ToHaveAttributeAsync("data-points", new System.Text.RegularExpressions.Regex("^[0-9]+$"), new() { Timeout = 15_000 });
        var report = await PageVersusApi.AgreeAsync(
            async () =>
            {
                var api = await app.As(person).GetJsonAsync($"/api/analysis?month={month}");
                var expected = new List<string> { $"{month} 合计：信访 {T(api["received"])} 件次，其中重复信访 {T(api["repeats"])} 件次。" };
                var shown = new List<string> { await page.Locator("#an-total").InnerTextAsync() };
                foreach (var (id, rows, points) in sections)
                {
                    expected.AddRange(rows(api).Select(r => $"{id}: {r}"));
                    shown.AddRange((await PageVersusApi.RowsAsync(page.Locator($"#an-{id}"))).Select(r => $"{id}: {string.Join(" | ", r.Cells)}"));
                    if (points(api) >= 0)
                    {
                        expected.Add($"{id} points {points(api)}");
                        shown.Add($"{id} points {await page.Locator($"#an-{id}-chart").GetAttributeAsync("data-points")}");
                    }
                }

                if (shown.SequenceEqual(expected, StringComparer.Ordinal))
                {
                    return (shown, expected);
                }

                // The clock moved between the two reads: load the figures again and compare anew.
                await page.ReloadAsync();
                await Assertions.Expect(page.Locator("#an-trend-chart")).ToHaveAttributeAsync("data-points", new System.Text.RegularExpressions.Regex("^[0-9]+$"), new() { Timeout = 15_000 });
                return (shown, expected);
            },
            $"{person}'s 分析研判",
            TimeSpan.FromSeconds(60));
        Assert.True(report.Count > 12, $"{person}'s analysis shows the twelve months of trend and the month's figures"); // the trend alone has 12 rows
        Assert.Contains(report, r => r.StartsWith("unit: ", StringComparison.Ordinal)); // the demo's registrations count under their units
        await Assertions.Expect(page.Locator("#an-trend-chart svg")).ToHaveCountAsync(1);
        Assert.Equal($"/api/analysis?month={month}&format=xlsx", await page.Locator("#an-xlsx").GetAttributeAsync("href"));
    }

    [Fact]
    public async Task Another_unit_and_the_accused_unit_are_refused_the_case_page()
    {
        await using var app = await CaseApp.StartAsync(Start, kestrel: true, demo: true, speed: 60);
        await CaseApp.EventuallyAsync(
            async () => await app.As("ca-registrar").GetAsync(new Uri("/api/cases/XF-DEMO-0003", UriKind.Relative)) is { IsSuccessStatusCode: true } r ? r : null,
            "the demo accusation");
        await using var ui = await BrowserSession.StartAsync(app);

        // The accusation XF-DEMO-0003 names 东城县自然资源局 (ca-land): its people never see it; nor does another county's officer.
        foreach (var person in new[] { "ca-land-officer", "cb-housing-officer" })
        {
            var page = await ui.PageAsync(person);
            await page.GotoAsync(ui.Url("/app/case.html?id=XF-DEMO-0003"));
            await Assertions.Expect(page.Locator("#summary [role='alert']")).ToBeVisibleAsync(new() { Timeout = 15_000 });
            await Assertions.Expect(page.Locator("#facts")).ToHaveCountAsync(0);
            await Assertions.Expect(page.Locator("main")).Not.ToContainTextAsync("收受好处");
        }

        // The registrar who holds it sees it.
        var own = await ui.PageAsync("ca-registrar");
        await own.GotoAsync(ui.Url("/app/case.html?id=XF-DEMO-0003"));
        await Assertions.Expect(own.Locator("#facts")).ToBeVisibleAsync(new() { Timeout = 15_000 });
    }
}

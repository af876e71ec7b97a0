using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Supervision.Api.Tests.Cases;

namespace Supervision.Api.Tests.Oversight;

/// <summary>
/// 信访积案 化解 (issue 16.3, decision B1) through the API on the accelerated clock: a case left unrouted past its
/// 15 days is backlog and joins a campaign with its owning leader; a fresh case is refused; results give the 化解率; the
/// accused unit never sees, counts or touches an accusation against it.
/// </summary>
public sealed class BacklogCampaignScenarios
{
    private static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_campaign_takes_backlog_cases_records_results_and_keeps_accusations_from_the_accused_unit()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var registrar = app.As("c-registrar");
        var supervisor = app.As("c-supervisor");
        var head = app.As("c-housing-head");
        var (late, _) = await registrar.RegisterAsync(app.Now, matter: "backlog:elevator");
        var (accusation, _) = await registrar.RegisterAsync(app.Now, matter: "backlog:accusation", category: "Accusation", accusedUnit: "c-housing", petitioner: "李四");

        // Nobody routes them: after the 15 days of Art. 22 both are backlog (超期未办结).
        await app.AdvanceAsync(TimeSpan.FromDays(20));
        await app.CaseWhenAsync("c-registrar", late, d => d["timeline"]!.AsArray().Any(e => (string)e!["type"]! == "ClockOverdue"), "the routing clock's 超期 record");
        await app.CaseWhenAsync("c-registrar", accusation, d => d["timeline"]!.AsArray().Any(e => (string)e!["type"]! == "ClockOverdue"), "the accusation's routing 超期 record");
        var (fresh, _) = await registrar.RegisterAsync(app.Now, matter: "backlog:fresh", petitioner: "王五");

        var target = Legal.DateOf(app.Now).PlusDays(60).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var started = await supervisor.PostJsonAsync("/api/campaigns", new { name = "积案化解专项工作", leaderId = "c-leader", targetDate = target }).OkAsync();
        var id = (string)started["id"]!;
        Assert.Equal(("Running", "化解中", "c-leader", "c-bureau"), ((string)started["status"]!, (string)started["statusName"]!, (string)started["leader"]!["id"]!, (string)started["bureau"]!["id"]!));

        var added = await supervisor.PostJsonAsync($"/api/campaigns/{id}/add-case", new { caseId = late, leaderId = "c-leader", unitId = "c-housing", why = "client text is ignored" }).OkAsync();
        var entry = added["entries"]!.AsArray().Single()!;
        Assert.StartsWith("超期未办结", (string)entry["why"]!);
        Assert.Equal(("c-leader", "c-housing", "待化解"), ((string)entry["leader"]!["id"]!, (string)entry["unit"]!["id"]!, (string)entry["resultName"]!));

        // A case within its limits is refused with the reason; the accused unit cannot be made responsible for the accusation.
        var notBacklog = await supervisor.PostJsonAsync($"/api/campaigns/{id}/add-case", new { caseId = fresh, leaderId = "c-leader", unitId = "c-housing" });
        Assert.Equal(HttpStatusCode.BadRequest, notBacklog.StatusCode);
        Assert.Contains("not a backlog case", await notBacklog.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var accused = await supervisor.PostJsonAsync($"/api/campaigns/{id}/add-case", new { caseId = accusation, leaderId = "c-leader", unitId = "c-housing" });
        Assert.Equal(HttpStatusCode.Forbidden, accused.StatusCode);
        await supervisor.PostJsonAsync($"/api/campaigns/{id}/add-case", new { caseId = accusation, leaderId = "c-leader", unitId = "c-cdi" }).OkAsync();

        // The housing bureau's head sees its own entry only: the accusation is not shown, counted or in the timeline.
        var seen = await head.GetJsonAsync($"/api/campaigns/{id}");
        Assert.Equal([late], seen["entries"]!.AsArray().Select(e => (string)e!["caseId"]!));
        Assert.Equal(1, (int)seen["total"]!);
        Assert.DoesNotContain(accusation, seen.ToJsonString(), StringComparison.Ordinal);
        var touch = await head.PostJsonAsync($"/api/campaigns/{id}/record-result", new { caseId = accusation, resolved = true });
        Assert.Equal(HttpStatusCode.NotFound, touch.StatusCode);

        // Results: 化解 by the unit head, 未化解 needs a reason; the 化解率 over both for the supervisor, in the list too.
        var noReason = await app.As("c-cdi-head").PostJsonAsync($"/api/campaigns/{id}/record-result", new { caseId = accusation, resolved = false });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        await head.PostJsonAsync($"/api/campaigns/{id}/record-result", new { caseId = late, resolved = true, reason = "电梯已修复，信访人表示满意" }).OkAsync();
        await app.As("c-cdi-head").PostJsonAsync($"/api/campaigns/{id}/record-result", new { caseId = accusation, resolved = false, reason = "线索不实，已答复" }).OkAsync();
        var all = await supervisor.GetJsonAsync($"/api/campaigns/{id}");
        Assert.Equal((2, 1, 1, 0.5), ((int)all["total"]!, (int)all["resolved"]!, (int)all["unresolved"]!, (double)all["rate"]!));
        var list = await CaseApp.EventuallyAsync(async () =>
            (await app.As("c-leader").GetJsonAsync("/api/campaigns")).AsArray().FirstOrDefault(c => (string)c!["id"]! == id && (int)c["resolved"]! == 1), "the campaign's row with one 化解");
        Assert.Equal((2, 0.5, "化解中"), ((int)list["total"]!, (double)list["rate"]!, (string)list["statusName"]!));

        // The scorecard carries each responsible unit's backlog and 化解率 beside its row (cumulative, not scored): housing
        // resolved its case, the discipline inspection unit did not; neither had a duty this month, so neither has a score.
        var month = Legal.DateOf(app.Now).ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var card = (await supervisor.GetJsonAsync($"/api/scorecard?month={month}"))["units"]!.AsArray().ToDictionary(u => (string)u!["unitId"]!, u => u!);
        Assert.Equal((1, 1, 1.0), ((int)card["c-housing"]["backlogCases"]!, (int)card["c-housing"]["backlogResolved"]!, (double)card["c-housing"]["backlogResolutionRate"]!));
        Assert.Equal((1, 0, 0.0), ((int)card["c-cdi"]["backlogCases"]!, (int)card["c-cdi"]["backlogResolved"]!, (double)card["c-cdi"]["backlogResolutionRate"]!));
        Assert.Null(card["c-cdi"]["score"]);
        var csv = System.Text.Encoding.UTF8.GetString(await (await supervisor.GetAsync(new Uri($"/api/scorecard?month={month}&format=csv", UriKind.Relative))).Content.ReadAsByteArrayAsync());
        Assert.Contains(csv.Split("\r\n"), l => l.StartsWith("c-housing,", StringComparison.Ordinal) && l.EndsWith(",1,1,1", StringComparison.Ordinal));

        // Someone with no part in it is told 404; the leader closes it and no result is taken after.
        Assert.Equal(HttpStatusCode.NotFound, (await app.As("ca-registrar").GetAsync(new Uri($"/api/campaigns/{id}", UriKind.Relative))).StatusCode);
        await app.As("c-leader").PostJsonAsync($"/api/campaigns/{id}/close", new { note = "专项工作结束" }).OkAsync();
        var closed = await supervisor.PostJsonAsync($"/api/campaigns/{id}/record-result", new { caseId = late, resolved = false, reason = "x" });
        Assert.Equal(HttpStatusCode.Conflict, closed.StatusCode);
    }
}

using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Supervision.Api.Tests.Cases;
using Supervision.Api.Tests.Oversight;
using Supervision.Domain.Reception;
using Supervision.Orchestrations;

namespace Supervision.Api.Tests.Demo;

/// <summary>
/// The demo story's reception part (R10–R12, O1): 郑国栋 (c-leader) has a published reception day with XF-DEMO-0001 booked
/// at the counter and XF-DEMO-0004 online, and owns XF-DEMO-0001 as the reception's outcome. And the backlog part (B1):
/// he leads a 化解 campaign that XF-DEMO-0002 joins as backlog once its routing clock has lapsed, owned by him with 人社局
/// responsible. One demo host for both (each demo host at this speed is a real load on the 2-core box).
/// </summary>
public sealed class DemoReceptionTests
{
    [Fact]
    public async Task The_demo_has_a_booked_reception_day_a_case_owned_by_the_demo_leader_and_a_backlog_campaign()
    {
        await using var app = await CaseApp.StartAsync(new DateTimeOffset(2025, 9, 10, 1, 0, 0, TimeSpan.Zero), demo: true, speed: 86_400);
        var owned = await CaseApp.EventuallyAsync(
            async () => await app.As("c-leader").GetAsync(new Uri("/api/cases/XF-DEMO-0001", UriKind.Relative)) is { IsSuccessStatusCode: true } r
                && JsonNode.Parse(await r.Content.ReadAsStringAsync()) is { } d && d["owner"] is not null ? d : null,
            "XF-DEMO-0001 owned by the demo leader", TimeSpan.FromSeconds(90));
        Assert.Equal(("c-leader", "郑国栋"), ((string)owned["owner"]!["id"]!, (string)owned["owner"]!["name"]!));
        var receptionId = (string)owned["owner"]!["receptionId"]!;

        // The day by its date: on a loaded box the demo clock (a day a second) can pass it before the case is owned, and the
        // plain list shows only days from today.
        var dayId = receptionId[..receptionId.IndexOf('#', StringComparison.Ordinal)];
        var days = await app.As("c-leader").GetJsonAsync($"/api/receptions?date={dayId[^10..]}");
        var day = Assert.Single(days["items"]!.AsArray(), d => receptionId.StartsWith((string)d!["id"]! + "#", StringComparison.Ordinal))!;
        var booked = day["slots"]!.AsArray().Where(s => s!["booking"] is not null).Select(s => ((string)s!["booking"]!["caseId"]!, (bool)s["booking"]!["bookedOnline"]!));
        Assert.Equal([("XF-DEMO-0001", false), ("XF-DEMO-0004", true)], booked);

        // Each demo booking booked its reminder too (R13), due a day before its slot.
        var store = app.Services.GetRequiredService<DecisionStore>();
        foreach (var slot in new[] { 1, 2 })
        {
            var record = await CaseApp.EventuallyAsync(
                async () => await store.ReadEventsAsync(AppointmentDecider.Type, AppointmentDecider.InstanceId((string)day["id"]!, slot)) is { Count: > 0 } r ? r : null,
                $"the reminder of demo slot {slot}");
            Assert.Equal(nameof(AppointmentBooked), record[0].EventType);
        }
        var mine = await app.As("c-leader").GetJsonAsync("/api/cases?ownedByMe=true");
        Assert.Contains(mine["items"]!.AsArray(), i => (string)i!["id"]! == "XF-DEMO-0001");

        var campaign = await CaseApp.EventuallyAsync(
            async () => await app.As("c-leader").GetAsync(new Uri("/api/campaigns/ZX-DEMO-0001", UriKind.Relative)) is { IsSuccessStatusCode: true } r
                && JsonNode.Parse(await r.Content.ReadAsStringAsync()) is { } d && d["entries"]!.AsArray().Count > 0 ? d : null,
            "XF-DEMO-0002 in the demo campaign", TimeSpan.FromSeconds(120));
        var entry = campaign["entries"]!.AsArray().Single()!;
        Assert.Equal(("XF-DEMO-0002", "c-leader", "c-hrss", "待化解"), ((string)entry["caseId"]!, (string)entry["leader"]!["id"]!, (string)entry["unit"]!["id"]!, (string)entry["resultName"]!));
        Assert.StartsWith("超期未办结", (string)entry["why"]!);
        var unrouted = await app.As("c-leader").GetJsonAsync("/api/cases/XF-DEMO-0002");
        Assert.Contains(unrouted["timeline"]!.AsArray(), e => (string)e!["type"]! == "ClockOverdue");
        var list = await app.As("c-leader").GetJsonAsync("/api/campaigns");
        Assert.Contains(list.AsArray(), i => (string)i!["id"]! == "ZX-DEMO-0001" && (string)i["leader"]!["id"]! == "c-leader");
    }
}

using System.Text.Json.Nodes;
using Supervision.Api.Tests.Cases;
using Supervision.Api.Tests.Oversight;

namespace Supervision.Api.Tests.Demo;

/// <summary>
/// The demo story's backlog part (B1): 郑国栋 (c-leader) leads a 化解 campaign, and XF-DEMO-0002 joins it as backlog once
/// its routing clock has lapsed (on the run command's clock), owned by him with 人社局 responsible.
/// </summary>
public sealed class DemoCampaignTests
{
    [Fact]
    public async Task The_demo_campaign_takes_the_unrouted_case_once_it_is_overdue()
    {
        await using var app = await CaseApp.StartAsync(new DateTimeOffset(2025, 9, 10, 1, 0, 0, TimeSpan.Zero), demo: true, speed: 86_400);
        var campaign = await CaseApp.EventuallyAsync(
            async () => await app.As("c-leader").GetAsync(new Uri("/api/campaigns/ZX-DEMO-0001", UriKind.Relative)) is { IsSuccessStatusCode: true } r
                && JsonNode.Parse(await r.Content.ReadAsStringAsync()) is { } d && d["entries"]!.AsArray().Count > 0 ? d : null,
            "XF-DEMO-0002 in the demo campaign", TimeSpan.FromSeconds(120));
        var entry = campaign["entries"]!.AsArray().Single()!;
        Assert.Equal(("XF-DEMO-0002", "c-leader", "c-hrss", "待化解"), ((string)entry["caseId"]!, (string)entry["leader"]!["id"]!, (string)entry["unit"]!["id"]!, (string)entry["resultName"]!));
        Assert.StartsWith("超期未办结", (string)entry["why"]!);

        // The case really is overdue in its own record, and the leader's list names the campaign.
        var c = await app.As("c-leader").GetJsonAsync("/api/cases/XF-DEMO-0002");
        Assert.Contains(c["timeline"]!.AsArray(), e => (string)e!["type"]! == "ClockOverdue");
        var list = await app.As("c-leader").GetJsonAsync("/api/campaigns");
        Assert.Contains(list.AsArray(), i => (string)i!["id"]! == "ZX-DEMO-0001" && (string)i["leader"]!["id"]! == "c-leader");
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Supervision.Api.Tests.Cases;

namespace Supervision.Api.Tests.Oversight;

/// <summary>
/// Joint assignment (联合交办, Art. 24) through the API: a dispute settled by the common superior, then approval and the
/// co-handler's sub-deadline, whose lapse raises a ticket against that co-handler; and a dispute between parties with no
/// common superior, settled by the conference office.
/// </summary>
public sealed class JointAssignmentScenarios
{
    private static readonly DateTimeOffset Start = new(2025, 11, 3, 1, 0, 0, TimeSpan.Zero);

    /// <summary>Half a legal day per real second: the five or six API steps before approval fit inside the co-handler's fourteen days even on a loaded machine.</summary>
    private const double Speed = 43_200;

    [Fact]
    public async Task A_dispute_goes_to_the_common_superior_and_a_co_handler_missing_its_sub_deadline_is_supervised()
    {
        await using var app = await CaseApp.StartAsync(Start, speed: Speed);
        var registrar = app.As("ca-registrar");
        var (caseId, _) = await registrar.RegisterAsync(app.Now, matter: "land:boundary:lot-3", unit: "ca-bureau");
        var today = DateOnly.Parse(OversightApi.LegalDate(app.Now), System.Globalization.CultureInfo.InvariantCulture);
        var arrangement = new
        {
            leadAgencyId = "ca-housing",
            leadDueDate = today.AddDays(45).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            coHandlers = new[] { new { unitId = "ca-land", dueDate = today.AddDays(14).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) } },
        };

        // Only a bureau registrar proposes (the bureau's supervisor sees the case but may not).
        Assert.Equal(HttpStatusCode.Forbidden, (await app.As("ca-supervisor").PostJsonAsync("/api/joint-assignments", new { caseId, arrangement, bureauId = "ca-bureau" })).StatusCode);
        var proposed = await registrar.PostJsonAsync("/api/joint-assignments", new { caseId, arrangement }).OkAsync();
        var id = (string)proposed["id"]!;
        Assert.Equal("Consulting", (string)proposed["status"]!);
        Assert.Contains(id, (await app.As("ca-land-officer").GetJsonAsync("/api/inbox/agency"))["jointAnswers"].Ids());

        await app.As("ca-housing-officer").PostJsonAsync($"/api/joint-assignments/{id}/consent").OkAsync();
        var disputed = await app.As("ca-land-officer").PostJsonAsync($"/api/joint-assignments/{id}/dispute", new { reason = "界址争议应由住建部门牵头核实" }).OkAsync();
        Assert.Equal("Disputed", (string)disputed["status"]!);
        Assert.Equal("CommonSuperior", (string)disputed["resolver"]!);
        Assert.Equal("ca-gov", (string)disputed["resolverUnit"]!["id"]!);
        Assert.Contains(id, (await app.As("ca-leader").GetJsonAsync("/api/inbox/leader"))["disputes"].Ids());
        await app.AlertAsync("ca-leader", $"/joint/{id}", "joint.dispute");

        // The conference office does not settle a dispute that has a common superior; the county government does.
        Assert.Equal(HttpStatusCode.Forbidden, (await app.As("ca-conf-staff").PostJsonAsync($"/api/joint-assignments/{id}/resolve-dispute", new { arrangement, note = "x" })).StatusCode);
        var resolved = await app.As("ca-leader").PostJsonAsync($"/api/joint-assignments/{id}/resolve-dispute", new { arrangement, note = "维持住建局牵头、自然资源局协办" }).OkAsync();
        Assert.Equal("AwaitingApproval", (string)resolved["status"]!);

        // The conference office approves from its inbox; the case gets the lead's and the co-handler's clocks.
        Assert.Contains(id, (await app.As("ca-conf-staff").GetJsonAsync("/api/inbox/conference"))["approvals"].Ids());
        var approved = await app.As("ca-conf-staff").PostJsonAsync($"/api/joint-assignments/{id}/approve", new { note = "同意" }).OkAsync();
        Assert.Equal("Approved", (string)approved["status"]!);
        var assigned = await app.CaseWhenAsync("ca-registrar", caseId, d => d["clocks"]!.AsArray().Any(c => (string)c!["name"]! == "cohandler:ca-land"), "the co-handler's clock on the case");
        var coDue = OversightApi.Instant(assigned.Clock("cohandler:ca-land")["dueInstant"]);
        Assert.True(string.CompareOrdinal((string)assigned.Clock("cohandler:ca-land")["dueDate"]!, arrangement.coHandlers[0].dueDate) >= 0); // a rest day rolls over

        // ca-land lets its sub-deadline pass: a ticket is raised against it, recorded at the sub-deadline.
        var inbox = await CaseApp.EventuallyAsync<JsonNode>(async () =>
        {
            var i = await app.As("ca-land-officer").GetJsonAsync("/api/inbox/agency");
            return i["tickets"]!.AsArray().Any(t => (string)t!["caseId"]! == caseId) ? i : null;
        }, "the co-handler's ticket in ca-land's inbox", TimeSpan.FromSeconds(120));
        var ticketId = (string)inbox["tickets"]!.AsArray().Single(t => (string)t!["caseId"]! == caseId)!["id"]!;
        var ticket = await app.As("ca-supervisor").GetJsonAsync($"/api/tickets/{ticketId}");
        Assert.Equal("ca-land", (string)ticket["agency"]!["id"]!);
        Assert.Equal("ca-bureau", (string)ticket["bureau"]!["id"]!);
        Assert.Equal("cohandler:ca-land", (string)ticket["clockName"]!);
        Assert.Equal("Overdue", (string)ticket["ground"]!);
        Assert.Equal(coDue, OversightApi.Instant(ticket.Timeline("TicketRaised").Single()["at"]));
        await app.AlertAsync("ca-land-head", $"/tickets/{ticketId}", "ticket.raised");
        Assert.Empty(await app.AlertKindsAsync("ca-housing-officer", $"/tickets/{ticketId}"));
        Assert.DoesNotContain(ticketId, (await app.As("ca-housing-officer").GetJsonAsync("/api/inbox/agency"))["tickets"].Ids());
    }

    [Fact]
    public async Task A_dispute_without_a_common_superior_is_settled_by_the_conference_office()
    {
        await using var app = await CaseApp.StartAsync(Start, speed: Speed);
        var registrar = app.As("p-registrar");
        var (caseId, _) = await registrar.RegisterAsync(app.Now, matter: "housing:policy:province", unit: "p-bureau");
        var today = DateOnly.Parse(OversightApi.LegalDate(app.Now), System.Globalization.CultureInfo.InvariantCulture);
        var arrangement = new
        {
            leadAgencyId = "p-gov",
            leadDueDate = today.AddDays(40).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            coHandlers = new[] { new { unitId = "p-housing", dueDate = today.AddDays(20).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) } },
        };

        // The provincial government leads: no unit in the tree is above both it and its own department.
        var id = (string)(await registrar.PostJsonAsync("/api/joint-assignments", new { caseId, arrangement }).OkAsync())["id"]!;
        var disputed = await app.As("p-housing-officer").PostJsonAsync($"/api/joint-assignments/{id}/dispute", new { reason = "应由厅牵头" }).OkAsync();
        Assert.Equal("ConferenceOffice", (string)disputed["resolver"]!);
        Assert.Equal("p-conf", (string)disputed["resolverUnit"]!["id"]!);
        Assert.Contains(id, (await app.As("p-conf-staff").GetJsonAsync("/api/inbox/conference"))["disputes"].Ids());
        Assert.DoesNotContain(id, (await app.As("p-leader").GetJsonAsync("/api/inbox/leader"))["disputes"].Ids());

        // The office settling the dispute is its approval (S-decision of the joint decider).
        var resolved = await app.As("p-conf-staff").PostJsonAsync($"/api/joint-assignments/{id}/resolve-dispute", new { arrangement, note = "省政府牵头，住建厅协办" }).OkAsync();
        Assert.Equal("Approved", (string)resolved["status"]!);
        await app.CaseWhenAsync("p-registrar", caseId, d => d["clocks"]!.AsArray().Any(c => (string)c!["name"]! == "cohandler:p-housing"), "the co-handler's clock");

        // A unit with no part in it cannot see it.
        Assert.Equal(HttpStatusCode.NotFound, (await app.As("ca-housing-officer").GetAsync(new Uri($"/api/joint-assignments/{id}", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task OpenApi_lists_the_ticket_joint_assignment_inbox_and_scorecard_operations()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var doc = await app.As("admin").GetJsonAsync("/openapi/v1.json");
        var paths = doc["paths"]!.AsObject().Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var path in new[]
        {
            "/api/tickets", "/api/tickets/{id}", "/api/tickets/{id}/acknowledge", "/api/tickets/{id}/respond", "/api/tickets/{id}/accept",
            "/api/tickets/{id}/reject", "/api/tickets/{id}/conference-decision", "/api/tickets/{id}/recommend-accountability",
            "/api/tickets/{id}/accountability-reply", "/api/joint-assignments", "/api/joint-assignments/{id}", "/api/joint-assignments/{id}/consent",
            "/api/joint-assignments/{id}/dispute", "/api/joint-assignments/{id}/resolve-dispute", "/api/joint-assignments/{id}/approve",
            "/api/joint-assignments/{id}/amend", "/api/joint-assignments/{id}/reject", "/api/inbox/conference", "/api/inbox/supervisor",
            "/api/inbox/agency", "/api/inbox/leader", "/api/scorecard",
        })
        {
            Assert.Contains(path, paths);
        }
    }
}

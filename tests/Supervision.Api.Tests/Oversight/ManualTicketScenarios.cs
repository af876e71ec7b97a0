using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Supervision.Api.Tests.Cases;

namespace Supervision.Api.Tests.Oversight;

/// <summary>A ticket raised by hand (Art. 40 grounds), a rejected response escalating it, and an accountability recommendation.</summary>
public sealed class ManualTicketScenarios
{
    private static readonly DateTimeOffset Start = new(2025, 11, 3, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_supervisor_raises_a_ticket_by_hand_rejects_the_response_and_recommends_accountability()
    {
        await using var app = await CaseApp.StartAsync(Start, speed: 43_200);
        var registrar = app.As("c-registrar");
        var officer = app.As("c-housing-officer");
        var supervisor = app.As("c-supervisor");
        var (caseId, _) = await registrar.RegisterAsync(app.Now, matter: "housing:repair:block-9");
        await registrar.Command(caseId, "route", new { kind = "Forward", agencyId = "c-housing" }).OkAsync();
        await officer.Command(caseId, "accept").OkAsync();

        // Only a supervisor raises by hand, and only for the grounds that need judgement.
        var body = new { caseId, agencyId = "c-housing", ground = "Stalling", problem = "多次推诿，未实质办理" };
        Assert.Equal(HttpStatusCode.Forbidden, (await officer.PostJsonAsync("/api/tickets", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await supervisor.PostJsonAsync("/api/tickets", body with { ground = "Overdue" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.As("ca-supervisor").PostJsonAsync("/api/tickets", body)).StatusCode);

        // An idempotent raise: the same key gives the same ticket, once.
        using var first = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/tickets", UriKind.Relative)) { Content = JsonContent.Create(body) };
        first.Headers.Add("Idempotency-Key", "manual-1");
        var created = await supervisor.SendAsync(first);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var ticket = await created.JsonAsync();
        var id = (string)ticket["id"]!;
        Assert.Equal("Written", (string)ticket["form"]!);
        Assert.Equal("Stalling", (string)ticket["ground"]!);
        using var again = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/tickets", UriKind.Relative)) { Content = JsonContent.Create(body) };
        again.Headers.Add("Idempotency-Key", "manual-1");
        var replayed = await supervisor.SendAsync(again);
        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        Assert.Equal(id, (string)(await replayed.JsonAsync())["id"]!);

        // The supervisor's inbox lists it among the open ones; the case records it.
        var inbox = await supervisor.GetJsonAsync("/api/inbox/supervisor");
        Assert.Contains(id, inbox["groups"]!.AsArray().Single(g => (string)g!["status"]! == "Open")!["items"].Ids());
        await app.CaseWhenAsync("c-supervisor", caseId, d => d.EventTypes().Contains("TicketRecorded"), "the ticket recorded on the case");

        // A response the supervisor rejects: the ticket goes one form up (约谈督办) with a new deadline.
        await officer.PostJsonAsync($"/api/tickets/{id}/respond", new { report = "已催办", files = Array.Empty<string>() }).OkAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await supervisor.PostJsonAsync($"/api/tickets/{id}/reject", new { reason = "" })).StatusCode);
        var rejected = await supervisor.PostJsonAsync($"/api/tickets/{id}/reject", new { reason = "未说明实质办理情况" }).OkAsync();
        Assert.Equal("Open", (string)rejected["status"]!);
        Assert.Equal("Interview", (string)rejected["form"]!);
        var step = rejected.Timeline("TicketEscalated").Single();
        Assert.Equal("ResponseRejected", (string)step["data"]!["cause"]!);
        Assert.Equal(2, (int)rejected["response"]!["generation"]!);
        Assert.Equal(HttpStatusCode.Conflict, (await supervisor.PostJsonAsync($"/api/tickets/{id}/accept")).StatusCode);

        // Accountability: recommended by the bureau, the written reply owed by the target body and recorded by it.
        var recommended = await supervisor.PostJsonAsync($"/api/tickets/{id}/recommend-accountability", new { targetUnitId = "c-housing", reason = "推诿拖延" }).OkAsync();
        Assert.Equal("c-housing", (string)recommended["accountability"]!["target"]!["id"]!);
        Assert.Contains(id, (await app.As("c-housing-head").GetJsonAsync("/api/inbox/agency"))["accountabilityReplies"].Ids());
        await app.As("c-housing-head").PostJsonAsync($"/api/tickets/{id}/accountability-reply", new { replyFile = "replies/accountability-1.pdf" }).OkAsync();
        Assert.DoesNotContain(id, (await app.As("c-housing-head").GetJsonAsync("/api/inbox/agency"))["accountabilityReplies"].Ids());
        await app.AlertAsync("c-housing-head", $"/tickets/{id}", "ticket.accountability");
    }
}

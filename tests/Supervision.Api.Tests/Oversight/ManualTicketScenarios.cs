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
        var officer = app.As("c-housing-officer");
        var supervisor = app.As("c-supervisor");
        var caseId = await AcceptedByHousingAsync(app, "housing:repair:block-9");

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

    [Fact]
    public async Task A_response_must_cite_the_report_as_stored_on_the_case_and_seals_it()
    {
        await using var app = await CaseApp.StartAsync(Start, speed: 3_600);
        var officer = app.As("c-housing-officer");
        var supervisor = app.As("c-supervisor");
        var caseId = await AcceptedByHousingAsync(app, "housing:repair:block-11");
        var id = (string)(await supervisor.PostJsonAsync("/api/tickets", new { caseId, agencyId = "c-housing", ground = "Stalling", problem = "未实质办理" }).OkAsync())["id"]!;

        // The agency uploads its report to the case's files.
        var bytes = "%PDF-1.7\n% 办理情况报告\n%%EOF\n"u8.ToArray();
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/pdf");
        content.Headers.ContentDisposition = new System.Net.Http.Headers.ContentDispositionHeaderValue("attachment") { FileNameStar = "报告.pdf" };
        var stored = await officer.PostAsync(new Uri($"/api/cases/{caseId}/files?kind=TicketReport", UriKind.Relative), content).OkAsync();
        var fileId = (string)stored["id"]!;
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        Assert.Equal(sha, (string)stored["sha256"]!);

        // A reference whose hash is not the stored file's, or to a file the case does not have, is refused and changes nothing.
        var wrongHash = await officer.PostJsonAsync($"/api/tickets/{id}/respond", new { report = "已整改", files = new[] { $"{fileId}@sha256:{new string('0', 64)}" } });
        Assert.Equal(HttpStatusCode.BadRequest, wrongHash.StatusCode);
        Assert.Equal("application/problem+json", wrongHash.Content.Headers.ContentType?.MediaType);
        Assert.Contains(sha, (string)(await wrongHash.JsonAsync())["detail"]!, StringComparison.Ordinal);
        var missing = await officer.PostJsonAsync($"/api/tickets/{id}/respond", new { report = "已整改", files = new[] { $"{new string('a', 32)}@sha256:{sha}" } });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("upload it first", (string)(await missing.JsonAsync())["detail"]!, StringComparison.Ordinal);
        Assert.Equal("Open", (string)(await supervisor.GetJsonAsync($"/api/tickets/{id}"))["status"]!);

        // The report as stored is accepted, recorded with its hash, and sealed: it can no longer be deleted.
        var responded = await officer.PostJsonAsync($"/api/tickets/{id}/respond", new { report = "已整改", files = new[] { $"{fileId}@sha256:{sha}" } }).OkAsync();
        Assert.Equal("Responded", (string)responded["status"]!);
        Assert.Equal($"{fileId}@sha256:{sha}", (string)responded["files"]!.AsArray().Single()!);
        var listed = (await officer.GetJsonAsync($"/api/cases/{caseId}/files")).AsArray().Single(f => (string)f!["id"]! == fileId)!;
        Assert.True((bool)listed["sealed"]!);
        Assert.Equal(HttpStatusCode.Conflict, (await officer.DeleteAsync(new Uri($"/api/cases/{caseId}/files/{fileId}", UriKind.Relative))).StatusCode);
    }

    /// <summary>A case registered, forwarded to c-housing and accepted there: the unit a ticket supervises.</summary>
    private static async Task<string> AcceptedByHousingAsync(CaseApp app, string matter)
    {
        var registrar = app.As("c-registrar");
        var (caseId, _) = await registrar.RegisterAsync(app.Now, matter: matter);
        await registrar.Command(caseId, "route", new { kind = "Forward", agencyId = "c-housing" }).OkAsync();
        await app.As("c-housing-officer").Command(caseId, "accept").OkAsync();
        return caseId;
    }
}

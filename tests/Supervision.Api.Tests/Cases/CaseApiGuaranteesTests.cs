using System.Net;
using System.Net.Http.Json;

namespace Supervision.Api.Tests.Cases;

/// <summary>What every endpoint promises: scope, the accusation guard in queries, idempotency, clear problems, OpenAPI.</summary>
public sealed class CaseApiGuaranteesTests
{
    private static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_accusation_is_invisible_to_the_accused_unit_in_lists_and_detail()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var registrar = app.As("ca-registrar");
        var (id, _) = await registrar.RegisterAsync(app.Now, matter: "land:approval:plot-12", category: "Accusation", unit: "ca-bureau", accusedUnit: "ca-land");

        // The bureau sees it; the accused unit's people see nothing, not even that it exists.
        var mine = await registrar.GetAsync(new Uri("/api/cases", UriKind.Relative)).OkAsync();
        Assert.Contains(mine["items"]!.AsArray(), i => (string)i!["id"]! == id);
        foreach (var accused in new[] { "ca-land-officer", "ca-land-head" })
        {
            var client = app.As(accused);
            var list = await client.GetAsync(new Uri("/api/cases", UriKind.Relative)).OkAsync();
            Assert.DoesNotContain(list["items"]!.AsArray(), i => (string)i!["id"]! == id);
            var detail = await client.GetAsync(new Uri($"/api/cases/{id}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, detail.StatusCode);
        }

        // Routing it to the accused unit is refused with a reason.
        var route = await registrar.Command(id, "route", new { kind = "Forward", agencyId = "ca-land" });
        Assert.Equal(HttpStatusCode.Forbidden, route.StatusCode);
        Assert.Equal("application/problem+json", route.Content.Headers.ContentType?.MediaType);
        var mailbox = await app.As("ca-land-head").GetAsync(new Uri("/api/mailbox", UriKind.Relative)).OkAsync();
        Assert.DoesNotContain(mailbox.AsArray(), m => ((string?)m!["link"] ?? string.Empty).Contains(id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_retried_request_with_the_same_idempotency_key_acts_once()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var registrar = app.As("c-registrar");
        var body = new
        {
            // Beijing time with its offset: accepted as the same instant as Start.
            channel = "Online",
            receivedAt = "2025-09-10T09:00:00+08:00",
            unitId = "c-bureau",
            petitioner = new { name = "王五" },
            summary = "噪音扰民",
            matterKey = "noise:plant-3",
            category = "Complaint",
        };

        async Task<HttpResponseMessage> Register()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/cases") { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", "reg-001");
            return await registrar.SendAsync(request);
        }

        var first = await Register();

        // The retry arrives the next day: it must still address the same case.
        await app.AdvanceAsync(TimeSpan.FromDays(1));
        var second = await Register();
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var a = await first.JsonAsync();
        var b = await second.JsonAsync();
        Assert.Equal((string)a["case"]!["id"]!, (string)b["case"]!["id"]!);
        Assert.Matches("^[0-9]{10}$", (string)a["queryCode"]!);
        Assert.Null((string?)b["queryCode"]); // a credential is shown once: the retry does not reveal it again
        Assert.True((bool)b["replayed"]!);
        Assert.Equal("2025-09-10T01:00:00Z", (string)a["case"]!["receivedAt"]!);

        var id = (string)a["case"]!["id"]!;
        async Task<HttpResponseMessage> Route()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/cases/{id}/route")
            {
                Content = JsonContent.Create(new { kind = "Forward", agencyId = "c-housing" }),
            };
            request.Headers.Add("Idempotency-Key", "route-001");
            return await registrar.SendAsync(request);
        }

        var r1 = await Route();
        var r2 = await Route();
        Assert.Equal(HttpStatusCode.OK, r1.StatusCode);
        Assert.Equal(HttpStatusCode.OK, r2.StatusCode);
        Assert.Equal("true", r2.Headers.GetValues("Idempotent-Replayed").Single());
        var detail = await r2.JsonAsync();
        Assert.Single(detail.EventTypes(), t => t == "CaseRouted");
        var list = await registrar.GetAsync(new Uri("/api/cases", UriKind.Relative)).OkAsync();
        Assert.Equal(1, (int)list["total"]!);
    }

    [Fact]
    public async Task Bad_input_scope_and_unknown_cases_get_actionable_problems_and_change_nothing()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var registrar = app.As("c-registrar");
        var (id, _) = await registrar.RegisterAsync(app.Now);

        // 400: malformed field, with the field named.
        var bad = await registrar.Command(id, "route", new { kind = "Teleport", agencyId = "c-housing" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Forward", (string)(await bad.JsonAsync())["errors"]!["kind"]![0]!, StringComparison.Ordinal);

        // 415: a body that is not JSON is refused, not taken as an empty command.
        using var text = new StringContent("kind=Forward", System.Text.Encoding.UTF8, "text/plain");
        var notJson = await registrar.PostAsync(new Uri($"/api/cases/{id}/route", UriKind.Relative), text);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notJson.StatusCode);
        Assert.Equal("application/problem+json", notJson.Content.Headers.ContentType?.MediaType);

        // 404: a registrar of another county may not even see the city's case (its existence is not disclosed).
        var other = await app.As("cb-registrar").Command(id, "route", new { kind = "Forward", agencyId = "c-housing" });
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);

        // 409: the bureau's own supervisor sees the case, but accepting before routing is not a transition it allows.
        var early = await app.As("c-supervisor").Command(id, "accept");
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);

        // 404 for a case that does not exist; 401 without a sign-in.
        Assert.Equal(HttpStatusCode.NotFound, (await registrar.GetAsync(new Uri("/api/cases/XF-NOPE", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetAsync(new Uri("/api/cases", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await registrar.GetAsync(new Uri("/api/cases?light=purple", UriKind.Relative))).StatusCode);

        // Nothing was half-written: the case is still just registered, with one event.
        var detail = await registrar.GetAsync(new Uri($"/api/cases/{id}", UriKind.Relative)).OkAsync();
        Assert.Equal("Registered", (string)detail["status"]!);
        Assert.DoesNotContain("CaseRouted", detail.EventTypes());
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_the_case_commands()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var doc = await app.Anonymous().GetAsync(new Uri("/openapi/v1.json", UriKind.Relative)).OkAsync();
        var paths = doc["paths"]!.AsObject().Select(p => p.Key).ToList();

        Assert.Contains("/api/cases", paths);
        Assert.Contains("/api/cases/{id}/approve-extension", paths);
        Assert.Contains("/api/petitioner/cases/{id}", paths);
    }

    [Fact]
    public async Task Administrators_edit_the_org_directory_and_invalid_edits_are_refused_whole()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var admin = app.As("admin");
        var unit = new { id = "c-water", name = "临川市水务局", type = "CompetentAgency", level = "City", parent = "c-gov", region = "demo" };

        var etag = (await admin.GetAsync(new Uri("/api/org", UriKind.Relative))).Headers.ETag!.Tag;
        admin.DefaultRequestHeaders.TryAddWithoutValidation("If-Match", etag);
        var added = await admin.PutAsJsonAsync("/api/org/units/c-water", unit);
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        admin.DefaultRequestHeaders.Remove("If-Match");
        admin.DefaultRequestHeaders.TryAddWithoutValidation("If-Match", added.Headers.ETag!.Tag);
        var read = await app.As("c-registrar").GetAsync(new Uri("/api/org/units/c-water", UriKind.Relative)).OkAsync();
        Assert.Equal("c-gov", (string)read["parent"]!["id"]!);

        // A unit whose parent does not exist would break the tree: 400 with the reason, nothing stored.
        var orphan = await admin.PutAsJsonAsync("/api/org/units/c-ghost", unit with { });
        Assert.Equal(HttpStatusCode.Conflict, orphan.StatusCode); // body id differs from the route
        var broken = await admin.PutAsJsonAsync("/api/org/units/c-ghost", new { id = "c-ghost", name = "无上级单位", type = "CompetentAgency", level = "City", parent = "nowhere", region = "demo" });
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync(new Uri("/api/org/units/c-ghost", UriKind.Relative))).StatusCode);

        // Only administrators edit.
        var registrar = app.As("c-registrar");
        registrar.DefaultRequestHeaders.TryAddWithoutValidation("If-Match", added.Headers.ETag!.Tag);
        var byRegistrar = await registrar.PutAsJsonAsync("/api/org/units/c-water", unit);
        Assert.Equal(HttpStatusCode.Forbidden, byRegistrar.StatusCode);
    }
}

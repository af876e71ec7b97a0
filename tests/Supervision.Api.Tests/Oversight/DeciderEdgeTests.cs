using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Supervision.Api.Tests.Cases;

namespace Supervision.Api.Tests.Oversight;

/// <summary>
/// Issue 14: every decider's commands go through the one pipeline, so a ticket's and a joint assignment's steps refuse a
/// malformed, oversized or forged body exactly as a case's do (400 naming the field, or 413), write nothing, and their
/// views are typed: the OpenAPI document describes the response, and the state carries its display name.
/// </summary>
public sealed class DeciderEdgeTests
{
    private static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);

    private static Task<HttpResponseMessage> PostRaw(HttpClient client, string path, string json) =>
        client.PostAsync(new Uri(path, UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));

    private static async Task<JsonNode> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{what}: expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(body)!;
    }

    /// <summary>The same bad bodies, sent to one step of each decider; each answer is the problem the case API gives.</summary>
    private static async Task RefusesBadBodiesAsync(HttpClient client, string path, string validField)
    {
        // Not JSON, not an object, a duplicate key, a forged discriminator, a wrong type for a field the step reads.
        await ProblemAsync(await PostRaw(client, path, "{\"reason\": "), HttpStatusCode.BadRequest, $"{path} truncated JSON");
        await ProblemAsync(await PostRaw(client, path, "[1,2]"), HttpStatusCode.BadRequest, $"{path} an array");
        await ProblemAsync(await PostRaw(client, path, $"{{\"{validField}\":\"a\",\"{validField}\":\"b\"}}"), HttpStatusCode.BadRequest, $"{path} duplicate key");
        var forged = await ProblemAsync(await PostRaw(client, path, """{"$type":"timer","clock":"response","level":"Overdue","generation":1}"""), HttpStatusCode.BadRequest, $"{path} forged $type");
        Assert.True(forged["errors"]?["$type"] is JsonArray { Count: > 0 }, $"{path}: the forged discriminator is named: {forged.ToJsonString()}");
        var wrongType = await ProblemAsync(await PostRaw(client, path, $"{{\"{validField}\":{{\"nested\":true}}}}"), HttpStatusCode.BadRequest, $"{path} wrong type");
        Assert.True(wrongType["errors"]?[validField] is JsonArray { Count: > 0 }, $"{path}: the field is named: {wrongType.ToJsonString()}");

        // A lone surrogate in text: 400 naming the field, never a 5xx.
        var surrogate = await ProblemAsync(await PostRaw(client, path, $"{{\"{validField}\":\"a\\ud800b\"}}"), HttpStatusCode.BadRequest, $"{path} lone surrogate");
        Assert.True(surrogate["errors"]?[validField] is JsonArray { Count: > 0 }, $"{path}: the bad text's field is named: {surrogate.ToJsonString()}");

        // Over the 1 MB command cap, with and without a Content-Length.
        var big = new JsonObject { [validField] = new string('长', 2 * 1024 * 1024 / 3) }.ToJsonString();
        await ProblemAsync(await PostRaw(client, path, big), HttpStatusCode.RequestEntityTooLarge, $"{path} 2 MB");
        using var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big)));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        chunked.Headers.ContentLength = null;
        await ProblemAsync(await client.PostAsync(new Uri(path, UriKind.Relative), chunked), HttpStatusCode.RequestEntityTooLarge, $"{path} 2 MB chunked");

        // Not JSON at all.
        await ProblemAsync(await client.PostAsync(new Uri(path, UriKind.Relative), new StringContent("reason=x", Encoding.UTF8, "text/plain")), HttpStatusCode.UnsupportedMediaType, $"{path} text/plain");
    }

    [Fact]
    public async Task Ticket_joint_and_case_steps_refuse_bad_bodies_alike_and_write_nothing()
    {
        await using var app = await CaseApp.StartAsync(Start, speed: 1);
        var registrar = app.As("c-registrar");
        var (caseId, _) = await registrar.RegisterAsync(app.Now);
        await registrar.Command(caseId, "route", new { kind = "Forward", agencyId = "c-housing" }).OkAsync();
        var supervisor = app.As("c-supervisor");
        var ticket = await supervisor.PostJsonAsync("/api/tickets", new { caseId, agencyId = "c-housing", ground = "Stalling", problem = "多次推诿" }).OkAsync();
        var ticketId = (string)ticket["id"]!;
        var county = app.As("ca-registrar");
        var (countyCase, _) = await county.RegisterAsync(app.Now, matter: "edge:joint", unit: "ca-bureau");
        var today = Legal.DateOf(app.Now);
        var joint = await county.PostJsonAsync("/api/joint-assignments", new
        {
            caseId = countyCase,
            arrangement = new
            {
                leadAgencyId = "ca-housing",
                leadDueDate = today.PlusDays(45).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                coHandlers = new[] { new { unitId = "ca-land", dueDate = today.PlusDays(14).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) } },
            },
        }).OkAsync();
        var jointId = (string)joint["id"]!;

        var ticketBefore = await supervisor.GetJsonAsync($"/api/tickets/{ticketId}");
        var jointBefore = await county.GetJsonAsync($"/api/joint-assignments/{jointId}");
        var caseBefore = await registrar.GetJsonAsync($"/api/cases/{caseId}");

        await RefusesBadBodiesAsync(supervisor, $"/api/tickets/{ticketId}/reject", "reason");
        await RefusesBadBodiesAsync(app.As("ca-housing-officer"), $"/api/joint-assignments/{jointId}/dispute", "reason");
        await RefusesBadBodiesAsync(registrar, $"/api/cases/{caseId}/route", "agencyId");

        // Nothing refused was written: the same version and timeline everywhere.
        var ticketAfter = await supervisor.GetJsonAsync($"/api/tickets/{ticketId}");
        var jointAfter = await county.GetJsonAsync($"/api/joint-assignments/{jointId}");
        var caseAfter = await registrar.GetJsonAsync($"/api/cases/{caseId}");
        Assert.Equal((long)ticketBefore["version"]!, (long)ticketAfter["version"]!);
        Assert.Equal(ticketBefore["timeline"]!.ToJsonString(), ticketAfter["timeline"]!.ToJsonString());
        Assert.Equal((long)jointBefore["version"]!, (long)jointAfter["version"]!);
        Assert.Equal(jointBefore["timeline"]!.ToJsonString(), jointAfter["timeline"]!.ToJsonString());
        Assert.Equal((long)caseBefore["version"]!, (long)caseAfter["version"]!);
        Assert.Equal(caseBefore.EventTypes(), caseAfter.EventTypes());

        // The views name their state for people: the ticket waits for 签收, the joint assignment is being consulted on.
        Assert.Equal("Open", (string)ticketAfter["status"]!);
        Assert.Equal("待签收", (string)ticketAfter["statusName"]!);
        Assert.Equal("Consulting", (string)jointAfter["status"]!);
        Assert.Equal("协商中", (string)jointAfter["statusName"]!);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_ticket_and_joint_views()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var doc = await app.Anonymous().GetAsync(new Uri("/openapi/v1.json", UriKind.Relative)).OkAsync();
        var schemas = doc["components"]!["schemas"]!.AsObject();

        foreach (var (path, verb, view) in new[]
        {
            ("/api/tickets/{id}", "get", "TicketView"),
            ("/api/tickets/{id}/acknowledge", "post", "TicketView"),
            ("/api/tickets", "post", "TicketView"),
            ("/api/joint-assignments/{id}", "get", "JointView"),
            ("/api/joint-assignments/{id}/approve", "post", "JointView"),
        })
        {
            var responses = doc["paths"]![path]![verb]!["responses"]!.AsObject();
            var ok = responses["200"] ?? responses["201"];
            var reference = (string?)ok?["content"]?["application/json"]?["schema"]?["$ref"];
            Assert.True(reference == $"#/components/schemas/{view}", $"{verb} {path}: a success response described as {view}, got {ok?.ToJsonString()}");
        }

        // The views' schemas name the display fields pages rely on.
        foreach (var (view, fields) in new[]
        {
            ("TicketView", new[] { "status", "statusName", "formName", "groundName", "response", "allowed", "timeline" }),
            ("JointView", new[] { "status", "statusName", "arrangement", "answers", "window", "timeline" }),
            ("DeadlineView", new[] { "dueDate", "dueInstant", "light", "explanation" }),
        })
        {
            var properties = schemas[view]?["properties"]?.AsObject();
            Assert.NotNull(properties);
            foreach (var field in fields)
            {
                Assert.True(properties!.ContainsKey(field), $"{view} has {field}: {properties.ToJsonString()}");
            }
        }

        // A step answered while the engine is slow and a refusal are described too.
        var acknowledge = doc["paths"]!["/api/tickets/{id}/acknowledge"]!["post"]!["responses"]!.AsObject();
        Assert.True(acknowledge.ContainsKey("202") && acknowledge.ContainsKey("409") && acknowledge.ContainsKey("400"), acknowledge.ToJsonString());
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Supervision.Api.Cases;
using static Supervision.Api.Tests.Cases.OnlinePetitionScenarios;

namespace Supervision.Api.Tests.Cases;

/// <summary>
/// A lost portal answer is recovered by the submission key (decision P2): the page sends a random key made once per
/// petition; the query code is derived from it, so a retry of the same petition with the same key (and a fresh
/// challenge) is answered 200 with the same case number and the same code, which works for the lookup. The key used for
/// another petition is 409 and writes nothing; another key (or none) for the same petition stays a repeat without a
/// code; a malformed key is a 400 naming <c>submissionKey</c>.
/// </summary>
public sealed class OnlinePetitionRetryScenarios
{
    private static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);

    private static readonly Dictionary<string, string> Cheap = new() { ["Supervision:Portal:ProofOfWorkBits"] = "6" };

    [Fact]
    public async Task A_retry_with_the_same_key_after_a_lost_answer_is_told_the_same_case_and_code_and_registers_once()
    {
        await using var app = await CaseApp.StartAsync(Start, settings: Cheap);
        var portal = app.Anonymous();
        var key = NewKey();
        var petition = Keyed(Petition(IdNumber("19880808"), "house:leak:12"), key);

        // The first answer is "lost": the test does not look at it beyond its status.
        var first = await SubmitAsync(portal, petition);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var lost = await first.JsonAsync();

        var retry = await SubmitAsync(portal, petition); // a new challenge, solved again, as the page does
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        var answer = await retry.JsonAsync();
        Assert.Equal("Registered", (string)answer["status"]!);
        Assert.True((bool)answer["replayed"]!);
        var id = (string)answer["caseId"]!;
        var code = (string)answer["queryCode"]!;
        Assert.Equal((string)lost["caseId"]!, id);
        Assert.Equal((string)lost["queryCode"]!, code);
        Assert.Matches("^[0-9]{10}$", code);
        Assert.Equal((string)lost["routeBy"]!, (string)answer["routeBy"]!);
        Assert.NotNull(answer["next"]);

        // The code works for the petitioner's lookup, and exactly one case exists (no repeat recorded either).
        var mine = await app.Petitioner(code).GetAsync(new Uri($"/api/petitioner/cases/{id}", UriKind.Relative)).OkAsync();
        Assert.Equal("Registered", (string)mine["status"]!);
        Assert.Equal(1, await CountAsync(app));
        var queue = await app.As("c-registrar").GetAsync(new Uri("/api/cases?status=Registered&open=true&unit=c-bureau", UriKind.Relative)).OkAsync();
        Assert.Single(queue["items"]!.AsArray());
        var detail = await app.As("c-registrar").GetAsync(new Uri($"/api/cases/{id}", UriKind.Relative)).OkAsync();
        Assert.DoesNotContain("DuplicatePetitionNoted", detail.EventTypes());

        // The key is never stored nor echoed: not in the answer, not in the case.
        Assert.DoesNotContain(key, answer.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(key, detail.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_first_answer_of_202_pending_is_recovered_with_the_same_case_and_code()
    {
        // No wait for the engine: every registration answers 202 Pending at once.
        await using var app = await CaseApp.StartAsync(Start, settings: new Dictionary<string, string>(Cheap)
        {
            ["Supervision:Commands:Wait"] = "00:00:00",
        });
        var portal = app.Anonymous();
        var petition = Keyed(Petition(IdNumber("19770303"), "water:outage:4"), NewKey());

        var first = await SubmitAsync(portal, petition);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var pending = await first.JsonAsync();
        var id = (string)pending["caseId"]!;
        var code = (string)pending["queryCode"]!;

        // Retried at once (perhaps still being recorded: 202 again) and later (recorded: 200): the same case and code.
        var again = await SubmitAsync(portal, petition);
        Assert.True(again.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK, again.StatusCode.ToString());
        var body = await again.JsonAsync();
        Assert.Equal(id, (string)body["caseId"]!);
        Assert.Equal(code, (string)body["queryCode"]!);

        // Once the engine has recorded it, a retry is answered as registered.
        await app.CaseWhenAsync("c-registrar", id, _ => true, "the registration to be recorded");
        var recorded = await SubmitAsync(portal, petition);
        Assert.Equal(HttpStatusCode.OK, recorded.StatusCode);
        var replayed = await recorded.JsonAsync();
        Assert.Equal("Registered", (string)replayed["status"]!);
        Assert.True((bool)replayed["replayed"]!);
        Assert.Equal(id, (string)replayed["caseId"]!);
        Assert.Equal(code, (string)replayed["queryCode"]!);

        var mine = await app.Petitioner(code).GetAsync(new Uri($"/api/petitioner/cases/{id}", UriKind.Relative)).OkAsync();
        Assert.Equal("Registered", (string)mine["status"]!);
        Assert.Equal(1, await CountAsync(app));
    }

    [Fact]
    public async Task The_same_key_for_another_petition_is_409_and_registers_nothing()
    {
        await using var app = await CaseApp.StartAsync(Start, settings: Cheap);
        var portal = app.Anonymous();
        var key = NewKey();
        var person = IdNumber("19660606");
        var first = await SubmitAsync(portal, Keyed(Petition(person, "road:noise:1"), key)).OkAsync();
        var code = (string)first["queryCode"]!;

        foreach (var other in new[] { Petition(person, "school:fees:3"), Petition(IdNumber("19950505"), "road:noise:1") })
        {
            var reused = await SubmitAsync(portal, Keyed(other, key));
            Assert.True(reused.StatusCode == HttpStatusCode.Conflict, $"{(int)reused.StatusCode}: {await reused.Content.ReadAsStringAsync()}");
            Assert.Equal("application/problem+json", reused.Content.Headers.ContentType?.MediaType);
            var problem = await reused.JsonAsync();
            Assert.Equal("submission-key-used", (string)problem["reason"]!);
            Assert.Contains("already used for another petition; start a new petition", (string)problem["detail"]!, StringComparison.Ordinal);
            Assert.DoesNotContain(code, problem.ToJsonString(), StringComparison.Ordinal);
            Assert.DoesNotContain((string)first["caseId"]!, problem.ToJsonString(), StringComparison.Ordinal);
        }

        Assert.Equal(1, await CountAsync(app));

        // Nothing of the refused petitions was claimed: the same petitions with keys of their own register normally.
        var fresh = await SubmitAsync(portal, Keyed(Petition(person, "school:fees:3"), NewKey()));
        Assert.Equal(HttpStatusCode.Created, fresh.StatusCode);
        Assert.Equal(2, await CountAsync(app));
    }

    [Fact]
    public async Task A_retry_after_the_bureau_reissued_the_code_hands_out_no_code()
    {
        await using var app = await CaseApp.StartAsync(Start, settings: Cheap);
        var portal = app.Anonymous();
        var petition = Keyed(Petition(IdNumber("19720214"), "bridge:cracks:5"), NewKey());
        var first = await SubmitAsync(portal, petition).OkAsync();
        var id = (string)first["caseId"]!;
        var oldCode = (string)first["queryCode"]!;

        // The petitioner went to the bureau: the registrar re-issued the code, so the derived one no longer works.
        var reissued = await app.As("c-registrar").PostAsync(new Uri($"/api/cases/{id}/reissue-query-code", UriKind.Relative), null).OkAsync();
        Assert.NotEqual(oldCode, (string)reissued["queryCode"]!);

        var retry = await SubmitAsync(portal, petition);
        Assert.Equal(HttpStatusCode.Conflict, retry.StatusCode);
        var problem = await retry.JsonAsync();
        Assert.Equal("submission-key-code-reissued", (string)problem["reason"]!);
        Assert.DoesNotContain(oldCode, problem.ToJsonString(), StringComparison.Ordinal);
        Assert.Null(problem["queryCode"]);
        Assert.Equal(1, await CountAsync(app));
    }

    [Fact]
    public async Task Another_key_or_none_for_the_same_petition_stays_a_repeat_without_a_code()
    {
        await using var app = await CaseApp.StartAsync(Start, settings: Cheap);
        var portal = app.Anonymous();
        var person = IdNumber("19810909");
        var first = await SubmitAsync(portal, Keyed(Petition(person, "market:stalls:2"), NewKey())).OkAsync();
        var id = (string)first["caseId"]!;

        foreach (var again in new[] { Keyed(Petition(person, "market:stalls:2"), NewKey()), Petition(person, "market:stalls:2") })
        {
            var repeat = await SubmitAsync(portal, again);
            Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
            var body = await repeat.JsonAsync();
            Assert.Equal("Repeat", (string)body["status"]!);
            Assert.Equal(id, (string)body["caseId"]!);
            Assert.Null(body["queryCode"]);
        }

        Assert.Equal(1, await CountAsync(app));
    }

    [Fact]
    public async Task A_malformed_key_is_a_400_naming_submissionKey_and_writes_nothing()
    {
        await using var app = await CaseApp.StartAsync(Start, settings: Cheap);
        var portal = app.Anonymous();
        foreach (JsonNode bad in new JsonNode[] { "short", "has spaces and is long enough 123", new string('a', 65), "+/+/+/+/+/+/+/+/+/+/+/+/", 12345, new JsonObject() })
        {
            var petition = Petition(IdNumber("19900101"), "bad:key");
            petition["submissionKey"] = bad.DeepClone();
            var refused = await SubmitAsync(portal, petition);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var errors = (await refused.JsonAsync())["errors"]!.AsObject();
            Assert.True(errors.ContainsKey("submissionKey"), errors.ToJsonString());
            Assert.Contains("22 to 64 characters", errors["submissionKey"]!.ToJsonString(), StringComparison.Ordinal);
        }

        Assert.Equal(0, await CountAsync(app));
    }

    /// <summary>A key as the page makes it: 16 random bytes, base64url without padding (22 characters).</summary>
    internal static string NewKey() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static JsonObject Keyed(JsonObject petition, string key)
    {
        petition["submissionKey"] = key;
        return petition;
    }

    private static async Task<int> CountAsync(CaseApp app) =>
        (int)(await app.As("c-registrar").GetAsync(new Uri("/api/cases?unit=c-bureau", UriKind.Relative)).OkAsync())["total"]!;
}

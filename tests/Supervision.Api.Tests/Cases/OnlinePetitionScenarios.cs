using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Supervision.Api.Cases;
using Supervision.Testing;

namespace Supervision.Api.Tests.Cases;

/// <summary>
/// Online petitions (网上信访) through the API on Azurite and the accelerated clock: registered with channel Online
/// at the service's legal instant into the bureau's queue (Art. 22), repeats told with the earlier case (Arts. 19, 36),
/// refusals (bad identity number, budget, proof of work) write nothing, and a refused file never loses the case.
/// </summary>
public sealed class OnlinePetitionScenarios
{
    private static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);

    /// <summary>A cheap proof of work, so the tests solve it in microseconds (the service's default is 16 bits).</summary>
    private static readonly Dictionary<string, string> Cheap = new() { ["Supervision:Portal:ProofOfWorkBits"] = "6" };

    [Fact]
    public async Task An_online_petition_is_registered_at_the_legal_instant_into_the_registrars_queue_and_the_petitioner_can_look_it_up()
    {
        await using var app = await CaseApp.StartAsync(Start, settings: Cheap);
        var portal = app.Anonymous();
        var before = app.Now;
        var answer = await SubmitAsync(portal, Petition(IdNumber("19900101"), "house:elevator:3")).OkAsync();
        var after = app.Now;

        Assert.Equal("Registered", (string)answer["status"]!);
        var id = (string)answer["caseId"]!;
        var code = (string)answer["queryCode"]!;
        Assert.Matches("^[0-9]{10}$", code);
        Assert.Equal("Online", (string)answer["channel"]!);
        Assert.Equal("c-bureau", (string)answer["bureau"]!["id"]!);

        // The received instant is the service's legal clock (the accelerated one, far from the wall clock), not the client's.
        var receivedAt = DateTimeOffset.Parse((string)answer["receivedAt"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(receivedAt, before, after);

        // The registrar's queue (the list the registration page shows) has it, as channel Online.
        var registrar = app.As("c-registrar");
        var queue = await registrar.GetAsync(new Uri("/api/cases?status=Registered&open=true&unit=c-bureau", UriKind.Relative)).OkAsync();
        var row = queue["items"]!.AsArray().Single(i => (string)i!["id"]! == id)!;
        Assert.Equal("Online", (string)row["channel"]!);

        // The route-by date is the case's own routing clock (Art. 22, computed by the legal calendar), as staff see it.
        var detail = await registrar.GetAsync(new Uri($"/api/cases/{id}", UriKind.Relative)).OkAsync();
        Assert.Equal("Online", (string)detail["channel"]!);
        Assert.Equal((string)detail["receivedAt"]!, (string)answer["receivedAt"]!);
        var routing = detail.Clock("routing");
        Assert.Equal((string)routing["dueDate"]!, (string)answer["routeBy"]!);
        Assert.Equal((string)routing["dueDate"]!, (string)answer["next"]![0]!["dueDate"]!);
        Assert.Equal("portal", (string)detail.Event("CaseRegistered")["actor"]!);

        // The petitioner looks it up with the code the answer showed once.
        var mine = await app.Petitioner(code).GetAsync(new Uri($"/api/petitioner/cases/{id}", UriKind.Relative)).OkAsync();
        Assert.Equal("Registered", (string)mine["status"]!);
        Assert.Contains(mine["deadlines"]!.AsArray(), d => (string)d!["dueDate"]! == (string)answer["routeBy"]!);
        var wrong = await app.Petitioner("0000000000").GetAsync(new Uri($"/api/petitioner/cases/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, wrong.StatusCode);
    }

    [Fact]
    public async Task A_bad_identity_number_or_a_client_receipt_time_is_a_400_naming_the_field_and_writes_nothing()
    {
        await using var app = await CaseApp.StartAsync(Start, settings: Cheap);
        var portal = app.Anonymous();
        var good = IdNumber("19900101");
        var badCheck = good[..17] + (good[17] == '0' ? '1' : '0');

        var bad = await SubmitAsync(portal, Petition(badCheck, "noise:plant-1"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        var errors = (await bad.JsonAsync())["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("petitioner.idNumber"), errors.ToJsonString());

        // Online the identity number, phone and address are required; the receipt time is the service's, never sent.
        var missing = Petition(good, "noise:plant-1");
        missing["petitioner"]!.AsObject().Remove("idNumber");
        missing["petitioner"]!["phone"] = " ";
        missing["receivedAt"] = "2025-09-01T00:00:00Z";
        var refused = await SubmitAsync(portal, missing);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var named = (await refused.JsonAsync())["errors"]!.AsObject();
        Assert.True(named.ContainsKey("petitioner.idNumber") && named.ContainsKey("petitioner.phone") && named.ContainsKey("receivedAt"), named.ToJsonString());

        var unknownBureau = Petition(good, "noise:plant-1");
        unknownBureau["bureauId"] = "ca-housing"; // an agency, not a petition bureau
        var notBureau = await SubmitAsync(portal, unknownBureau);
        Assert.Equal(HttpStatusCode.BadRequest, notBureau.StatusCode);
        Assert.True((await notBureau.JsonAsync())["errors"]!.AsObject().ContainsKey("bureauId"));

        Assert.Equal(0, await CountAsync(app));
    }

    [Fact]
    public async Task A_repeat_is_told_kindly_with_the_existing_case_number_and_creates_nothing()
    {
        await using var app = await CaseApp.StartAsync(Start, settings: Cheap);
        var portal = app.Anonymous();
        var person = IdNumber("19850607");
        var first = await SubmitAsync(portal, Petition(person, "wage:arrears:site-9")).OkAsync();
        var id = (string)first["caseId"]!;

        // Same petitioner (identity number) and matter, written a little differently: the fingerprint normalises (H2).
        var again = Petition(person, "Wage: arrears, site-9");
        again["summary"] = "再次反映：工资仍未发放";
        var repeat = await SubmitAsync(portal, again);
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        var body = await repeat.JsonAsync();
        Assert.Equal("Repeat", (string)body["status"]!);
        Assert.Equal(id, (string)body["caseId"]!);
        Assert.False((bool)body["final"]!);
        Assert.Null(body["queryCode"]);

        Assert.Equal(1, await CountAsync(app));
        var detail = await app.CaseWhenAsync("c-registrar", id, d => d.EventTypes().Contains("DuplicatePetitionNoted"), "the repeat recorded on the earlier case");
        Assert.Equal("portal", (string)detail.Event("DuplicatePetitionNoted")["actor"]!);
    }

    [Fact]
    public async Task The_budget_and_the_proof_of_work_refuse_with_4xx_and_write_nothing()
    {
        await using var app = await CaseApp.StartAsync(Start, settings: new Dictionary<string, string>(Cheap)
        {
            ["Supervision:Api:PortalSubmissionsPerClient"] = "4",
        });
        var portal = app.Anonymous();

        // No work, wrong work, a forged challenge: refused before anything is written.
        var challenge = await portal.GetAsync(new Uri("/api/portal/challenge", UriKind.Relative)).OkAsync();
        var token = (string)challenge["challenge"]!;
        var bits = (int)challenge["bits"]!;
        var wrong = WrongSolution(token, bits);
        var petition = Petition(IdNumber("19700202"), "road:potholes:7");
        var refused = await PostAsync(portal, With(petition, token, wrong));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("challenge-invalid", (string)(await refused.JsonAsync())["reason"]!);
        var forged = await PostAsync(portal, With(petition, "AAAA." + token.Split('.')[1], "1"));
        Assert.Equal("challenge-invalid", (string)(await forged.JsonAsync())["reason"]!);
        Assert.Equal(0, await CountAsync(app));

        // A solved challenge works once; sent again (even with another matter) it is 409 and registers nothing.
        var solution = PortalChallenges.Solve(token, bits);
        var ok = await PostAsync(portal, With(petition, token, solution));
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        var reused = await PostAsync(portal, With(Petition(IdNumber("19700202"), "road:lights:8"), token, solution));
        Assert.Equal(HttpStatusCode.Conflict, reused.StatusCode);
        Assert.Equal("challenge-used", (string)(await reused.JsonAsync())["reason"]!);
        Assert.Equal(1, await CountAsync(app));

        // Four submissions from this address in the window (refused ones count); the fifth is 429 with Retry-After.
        var over = await SubmitAsync(portal, Petition(IdNumber("19700202"), "road:trees:9"));
        Assert.Equal(HttpStatusCode.TooManyRequests, over.StatusCode);
        Assert.Equal("application/problem+json", over.Content.Headers.ContentType?.MediaType);
        Assert.True(over.Headers.RetryAfter?.Delta > TimeSpan.FromMinutes(1), over.Headers.RetryAfter?.ToString());
        Assert.Contains("nothing was registered", (string)(await over.JsonAsync())["detail"]!, StringComparison.Ordinal);
        Assert.Equal(1, await CountAsync(app));

        // The budget is the submissions' own: the petitioner can still look the case up.
        var lookup = await portal.GetAsync(new Uri("/api/portal/bureaus", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, lookup.StatusCode);
    }

    [Fact]
    public async Task A_challenge_issued_by_one_instance_is_verified_and_spent_once_by_another_and_its_marker_is_left_to_the_lifecycle_rule()
    {
        await using var app = await CaseApp.StartAsync(Start, settings: Cheap);
        var challenge = await app.Anonymous().GetAsync(new Uri("/api/portal/challenge", UriKind.Relative)).OkAsync();
        var token = (string)challenge["challenge"]!;
        var solution = PortalChallenges.Solve(token, (int)challenge["bits"]!);

        // A second instance of the service (no key configured, nothing cached) reads the same key from storage.
        var other = ActivatorUtilities.CreateInstance<PortalChallenges>(app.Services);
        var (nonce, refusal) = await other.VerifyAsync(token, solution, CancellationToken.None);
        Assert.Null(refusal);
        Assert.True(await other.SpendAsync(nonce!, CancellationToken.None));
        Assert.False(await app.Services.GetRequiredService<PortalChallenges>().SpendAsync(nonce!, CancellationToken.None));

        // Where the lifecycle rule (infra-bicep/modules/storage.bicep) looks: the marker under spent/, the key outside it.
        var prefix = app.Services.GetRequiredService<Supervision.Orchestrations.OrchestrationStorage>().Options.Prefix;
        var container = new Azure.Storage.Blobs.BlobContainerClient(await TestStorage.GetConnectionStringAsync(), PortalChallenges.ContainerName(prefix));
        var names = new List<string>();
        await foreach (var b in container.GetBlobsAsync())
        {
            names.Add(b.Name);
        }

        Assert.Equal([PortalChallenges.KeyBlob, PortalChallenges.SpentPrefix + nonce], names.Order(StringComparer.Ordinal).ToArray());

        // A challenge that could outlive its marker is refused at start-up.
        var tooLong = Microsoft.Extensions.Options.Options.Create(new PortalOptions { ChallengeLifetime = TimeSpan.FromDays(2) });
        Assert.Throws<InvalidOperationException>(() => ActivatorUtilities.CreateInstance<PortalChallenges>(app.Services, tooLong));
    }

    [Fact]
    public async Task A_refused_file_does_not_lose_the_case_and_a_good_one_is_attached_with_the_query_code()
    {
        await using var app = await CaseApp.StartAsync(Start, settings: Cheap);
        var portal = app.Anonymous();
        var answer = await SubmitAsync(portal, Petition(IdNumber("19921111"), "school:fees:2")).OkAsync();
        var id = (string)answer["caseId"]!;
        var petitioner = app.Petitioner((string)answer["queryCode"]!);

        // A program disguised as a PDF is sniffed and refused; the case is untouched.
        var exe = new byte[4096];
        "MZ"u8.CopyTo(exe);
        var refused = await UploadAsync(petitioner, id, exe, "收据.pdf", "application/pdf");
        Assert.True((int)refused.StatusCode is >= 400 and < 500, refused.StatusCode.ToString());
        Assert.StartsWith("https://supervision.example/problems/file-type-", (string)(await refused.JsonAsync())["type"]!, StringComparison.Ordinal);
        var still = await petitioner.GetAsync(new Uri($"/api/petitioner/cases/{id}", UriKind.Relative)).OkAsync();
        Assert.Equal("Registered", (string)still["status"]!);

        var pdf = new byte[2048];
        "%PDF-1.7\n"u8.CopyTo(pdf);
        var stored = await UploadAsync(petitioner, id, pdf, "收据.pdf", "application/pdf");
        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        var files = await app.As("c-registrar").GetAsync(new Uri($"/api/cases/{id}/files", UriKind.Relative)).OkAsync();
        var file = files.AsArray().Single()!;
        Assert.Equal("application/pdf", (string)file["contentType"]!);
        Assert.Equal("Evidence", (string)file["kind"]!);

        // A wrong code attaches nothing (the same 404 as an unknown case).
        var stranger = await UploadAsync(app.Petitioner("1234567890"), id, pdf, "x.pdf", "application/pdf");
        Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);

        // Once the bureau has routed the case, online material is refused with what to do instead.
        var registrar = app.As("c-registrar");
        await registrar.Command(id, "route", new { kind = "Forward", agencyId = "c-housing" }).OkAsync();
        var late = await UploadAsync(petitioner, id, pdf, "补充.pdf", "application/pdf");
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Single((await registrar.GetAsync(new Uri($"/api/cases/{id}/files", UriKind.Relative)).OkAsync()).AsArray());
    }

    /// <summary>A fictional resident identity number (region 990101 of the demo org) born <paramref name="birth"/> (yyyyMMdd), with a correct check character.</summary>
    internal static string IdNumber(string birth, string serial = "123")
    {
        var body = "990101" + birth + serial;
        int[] weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        var sum = body.Select((c, i) => (c - '0') * weights[i]).Sum();
        return body + "10X98765432"[sum % 11];
    }

    internal static JsonObject Petition(string idNumber, string matterKey, string bureau = "c-bureau") => new()
    {
        ["bureauId"] = bureau,
        ["petitioner"] = new JsonObject { ["name"] = "李四", ["idNumber"] = idNumber, ["phone"] = "13900000000", ["address"] = "临川市幸福路1号" },
        ["summary"] = "小区电梯长期停运，要求维修",
        ["matterKey"] = matterKey,
        ["category"] = "Complaint",
    };

    /// <summary>Gets a challenge, solves it and submits, as the page does.</summary>
    internal static async Task<HttpResponseMessage> SubmitAsync(HttpClient portal, JsonObject petition)
    {
        var challenge = await portal.GetAsync(new Uri("/api/portal/challenge", UriKind.Relative)).OkAsync();
        var token = (string)challenge["challenge"]!;
        return await PostAsync(portal, With(petition, token, PortalChallenges.Solve(token, (int)challenge["bits"]!)));
    }

    private static JsonObject With(JsonObject petition, string challenge, string solution)
    {
        var copy = petition.DeepClone().AsObject();
        copy["challenge"] = challenge;
        copy["solution"] = solution;
        return copy;
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient portal, JsonObject body) =>
        portal.PostAsJsonAsync("/api/portal/petitions", body);

    private static string WrongSolution(string challenge, int bits)
    {
        for (var n = 0; ; n++)
        {
            var text = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(challenge + ":" + text));
            if (PortalChallenges.LeadingZeroBits(hash) < bits)
            {
                return text;
            }
        }
    }

    private static Task<HttpResponseMessage> UploadAsync(HttpClient client, string id, byte[] bytes, string name, string type)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        content.Headers.TryAddWithoutValidation("Content-Disposition", $"attachment; filename*=UTF-8''{Uri.EscapeDataString(name)}");
        return client.PostAsync(new Uri($"/api/petitioner/cases/{id}/files?kind=Evidence", UriKind.Relative), content);
    }

    /// <summary>Cases at the city bureau, as its registrar lists them.</summary>
    private static async Task<int> CountAsync(CaseApp app) =>
        (int)(await app.As("c-registrar").GetAsync(new Uri("/api/cases?unit=c-bureau", UriKind.Relative)).OkAsync())["total"]!;
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Supervision.Api.Tests.Cases;

namespace Supervision.Api.Tests.Hardening;

/// <summary>Issue 8 (API half), one test per item; each asserts the one status the contract promises.</summary>
public sealed class ApiHardeningTests
{
    private static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);

    private static object Registration(string matter = "housing:elevator", string name = "张三", object? receivedAt = null) => new
    {
        channel = "Letter",
        receivedAt = receivedAt ?? Cases.Api.Utc(Start),
        unitId = "c-bureau",
        petitioner = new { name, phone = "13800000000" },
        summary = "电梯停运",
        matterKey = matter,
        category = "Complaint",
    };

    private static JsonObject Body(object value) => System.Text.Json.JsonSerializer.SerializeToNode(value, System.Text.Json.JsonSerializerOptions.Web)!.AsObject();

    private static async Task<JsonNode> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(body)!;
    }

    private static async Task<JsonNode> BadRequestNamingAsync(HttpResponseMessage response, string field)
    {
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem["errors"]?[field] is JsonArray { Count: > 0 }, $"no error for '{field}': {problem.ToJsonString()}");
        return problem;
    }

    private static Task<HttpResponseMessage> PostRaw(HttpClient client, string path, string json) =>
        client.PostAsync(new Uri(path, UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));

    private static async Task<int> CountRowsAsync(HttpClient client) =>
        (int)(await client.GetAsync(new Uri("/api/cases?pageSize=200", UriKind.Relative)).OkAsync())["total"]!;

    /// <summary>Waits until the read model lists <paramref name="count"/> cases (it is written just after the decision).</summary>
    private static Task<string> RowsReachAsync(HttpClient client, int count) =>
        CaseApp.EventuallyAsync<string>(async () => await CountRowsAsync(client) == count ? "yes" : null, $"{count} rows in the cases read model");

    [Fact]
    public async Task Item1_bad_bodies_are_400_naming_the_field_and_nothing_is_written()
    {
        // Legal time at real speed: no deadline of the case falls due while the test runs, so any change to the case —
        // a timer event included, which is what a client-made `$type: timer` would forge — is a refused request's write.
        await using var app = await CaseApp.StartAsync(Start, speed: 1);
        var registrar = app.As("c-registrar");
        var (id, _) = await registrar.RegisterAsync(app.Now);
        await RowsReachAsync(registrar, 1);
        var before = await registrar.GetAsync(new Uri($"/api/cases/{id}", UriKind.Relative)).OkAsync();

        await BadRequestNamingAsync(await PostRaw(registrar, "/api/cases", "{}"), "channel");
        await BadRequestNamingAsync(await PostRaw(registrar, "/api/cases", "{}"), "receivedAt");
        var noPetitioner = Body(Registration());
        noPetitioner["petitioner"] = null;
        await BadRequestNamingAsync(await PostRaw(registrar, "/api/cases", noPetitioner.ToJsonString()), "petitioner");
        noPetitioner["petitioner"] = new JsonObject();
        await BadRequestNamingAsync(await PostRaw(registrar, "/api/cases", noPetitioner.ToJsonString()), "petitioner.name");
        var nullMatter = Body(Registration());
        nullMatter["matterKey"] = null;
        await BadRequestNamingAsync(await PostRaw(registrar, "/api/cases", nullMatter.ToJsonString()), "matterKey");

        // Numeric and missing enums, duplicate keys, a date beyond the calendar, a client-made timer.
        var numeric = Body(Registration(matter: "other:1"));
        numeric["channel"] = 5;
        await BadRequestNamingAsync(await PostRaw(registrar, "/api/cases", numeric.ToJsonString()), "channel");
        numeric.Remove("channel");
        await BadRequestNamingAsync(await PostRaw(registrar, "/api/cases", numeric.ToJsonString()), "channel");
        var duplicate = await PostRaw(registrar, "/api/cases", """{"channel":"Letter","channel":"Visit"}""");
        await ProblemAsync(duplicate, HttpStatusCode.BadRequest);
        await BadRequestNamingAsync(await registrar.PostAsJsonAsync("/api/cases", Registration(matter: "other:2", receivedAt: "9999-12-31T00:00:00Z")), "receivedAt");
        await ProblemAsync(await PostRaw(registrar, $"/api/cases/{id}/route", """{"kind":"Forward","kind":"Assign","agencyId":"c-housing"}"""), HttpStatusCode.BadRequest);
        await BadRequestNamingAsync(await PostRaw(registrar, $"/api/cases/{id}/route", """{"$type":"timer","clock":"handling","level":"Overdue","generation":1}"""), "$type");

        // No receivedAt, same petitioner and matter as the open case: 400, and no DuplicatePetitionNoted on that case.
        var missing = Body(Registration());
        missing.Remove("receivedAt");
        await BadRequestNamingAsync(await PostRaw(registrar, "/api/cases", missing.ToJsonString()), "receivedAt");

        // No refused request wrote anything: the same version and the same events.
        var after = await registrar.GetAsync(new Uri($"/api/cases/{id}", UriKind.Relative)).OkAsync();
        Assert.Equal((long)before["version"]!, (long)after["version"]!);
        Assert.Equal(before.EventTypes(), after.EventTypes());
        Assert.DoesNotContain("DuplicatePetitionNoted", after.EventTypes());
        Assert.Equal(1, await CountRowsAsync(registrar));
    }

    [Fact]
    public async Task Item1_oversized_bodies_are_413_problems()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var registrar = app.As("c-registrar");

        // A 10 MB summary (over the 1 MB command cap).
        var big = Body(Registration());
        big["summary"] = new string('长', 10 * 1024 * 1024 / 3);
        await ProblemAsync(await PostRaw(registrar, "/api/cases", big.ToJsonString()), HttpStatusCode.RequestEntityTooLarge);

        // A 100 MB body, announced by Content-Length: refused before it is read.
        using var huge = new StreamContent(new ZeroStream(100L * 1024 * 1024));
        huge.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        huge.Headers.ContentLength = 100L * 1024 * 1024;
        await ProblemAsync(await registrar.PostAsync(new Uri("/api/cases", UriKind.Relative), huge), HttpStatusCode.RequestEntityTooLarge);

        // 2 MB without a Content-Length (chunked): counted while read.
        using var chunked = new StreamContent(new ZeroStream(2L * 1024 * 1024));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        await ProblemAsync(await registrar.PostAsync(new Uri("/api/cases", UriKind.Relative), chunked), HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(0, await CountRowsAsync(registrar));
    }

    [Theory]
    [InlineData("dueWithinDays=2147483647", "dueWithinDays")]
    [InlineData("dueWithinDays=abc", "dueWithinDays")]
    [InlineData("open=maybe", "open")]
    [InlineData("pageSize=1e3", "pageSize")]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("light=purple", "light")]
    [InlineData("continuation=not-a-token", "continuation")]
    [InlineData("open=true&open=false", "open")]
    public async Task Item1_query_parameters_are_400_naming_the_parameter(string query, string parameter)
    {
        await using var app = await CaseApp.StartAsync(Start);
        await BadRequestNamingAsync(await app.As("c-registrar").GetAsync(new Uri("/api/cases?" + query, UriKind.Relative)), parameter);
    }

    [Fact]
    public async Task Item2_wrong_codes_never_lock_the_code_and_a_reissued_code_is_answered_once()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var registrar = app.As("c-registrar");
        var (id, code) = await registrar.RegisterAsync(app.Now);
        var view = $"/api/petitioner/cases/{id}";
        await app.Petitioner(code).GetAsync(new Uri(view, UriKind.Relative)).OkAsync();

        // Wrong code and unknown case: the same 404, the same words. The right code still works after wrong ones
        // (no lock; the throttle of guessers is QueryCodeTests).
        var wrong = await ProblemAsync(await app.Petitioner("0000000000").GetAsync(new Uri(view, UriKind.Relative)), HttpStatusCode.NotFound);
        var unknown = await ProblemAsync(await app.Petitioner(code).GetAsync(new Uri("/api/petitioner/cases/XF-20250910-DEADBEEF", UriKind.Relative)), HttpStatusCode.NotFound);
        Assert.Equal((string)wrong["detail"]!, (string)unknown["detail"]!);
        await ProblemAsync(await app.Petitioner("1111111111").GetAsync(new Uri(view, UriKind.Relative)), HttpStatusCode.NotFound);
        await app.Petitioner(code).GetAsync(new Uri(view, UriKind.Relative)).OkAsync();

        // A registrar re-issues: the new code is answered once, recorded on the timeline, the old one is dead.
        var reissued = await registrar.PostAsync(new Uri($"/api/cases/{id}/reissue-query-code", UriKind.Relative), null).OkAsync();
        var newCode = (string)reissued["queryCode"]!;
        Assert.Matches("^[0-9]{10}$", newCode);
        Assert.NotEqual(code, newCode);
        Assert.Contains("QueryCodeReissued", reissued["case"]!.EventTypes());
        await app.Petitioner(newCode).GetAsync(new Uri(view, UriKind.Relative)).OkAsync();
        await ProblemAsync(await app.Petitioner(code).GetAsync(new Uri(view, UriKind.Relative)), HttpStatusCode.NotFound);

        // Never shown again: not in the detail, not in the list.
        var detail = await registrar.GetStringAsync(new Uri($"/api/cases/{id}", UriKind.Relative));
        var list = await registrar.GetStringAsync(new Uri("/api/cases", UriKind.Relative));
        Assert.DoesNotContain(newCode, detail, StringComparison.Ordinal);
        Assert.DoesNotContain(code, detail, StringComparison.Ordinal);
        Assert.DoesNotContain(newCode, list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Item3_rate_limits_answer_429_with_retry_after()
    {
        await using var app = await CaseApp.StartAsync(Start, settings: new Dictionary<string, string>
        {
            ["Supervision:Api:PetitionerPerClient"] = "8",
            ["Supervision:Api:StaffPerUser"] = "5",
            ["Supervision:Api:Window"] = "00:10:00",
        });

        // There is no per-case request limit (it would refuse the owner while others hammer the case).
        var petitioner = app.Petitioner("0000000000");
        var other = app.Petitioner("1111111111");
        for (var i = 0; i < 3; i++)
        {
            await ProblemAsync(await other.GetAsync(new Uri("/api/petitioner/cases/XF-20250910-00000001", UriKind.Relative)), HttpStatusCode.NotFound);
        }

        // By client: other cases are answered until the client's budget is spent.
        HttpResponseMessage? byClient = null;
        for (var i = 2; i < 12 && byClient is null; i++)
        {
            var r = await petitioner.GetAsync(new Uri($"/api/petitioner/cases/XF-20250910-0000000{i:X}", UriKind.Relative));
            byClient = r.StatusCode == HttpStatusCode.TooManyRequests ? r : null;
        }

        Assert.NotNull(byClient);
        await ProblemAsync(byClient!, HttpStatusCode.TooManyRequests);
        Assert.True(byClient!.Headers.Contains("Retry-After"));

        // Staff: per person.
        var registrar = app.As("c-registrar");
        for (var i = 0; i < 5; i++)
        {
            await registrar.GetAsync(new Uri("/api/cases", UriKind.Relative)).OkAsync();
        }

        await ProblemAsync(await registrar.GetAsync(new Uri("/api/cases", UriKind.Relative)), HttpStatusCode.TooManyRequests);
        await app.As("c-supervisor").GetAsync(new Uri("/api/cases", UriKind.Relative)).OkAsync();
    }

    [Fact]
    public async Task Item4_identical_petitions_sent_at_once_create_exactly_one_case()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var registrar = app.As("c-registrar");
        const int n = 6;
        var responses = await Task.WhenAll(Enumerable.Range(0, n).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/cases") { Content = JsonContent.Create(Registration(matter: "Housing: Elevator!")) };
            request.Headers.Add("Idempotency-Key", $"race-{i}");
            return await registrar.SendAsync(request);
        }));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        foreach (var r in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await ProblemAsync(r, HttpStatusCode.Conflict);
        }

        await RowsReachAsync(registrar, 1);

        // Normalised: the same matter in other case, width and punctuation is the same petition.
        await ProblemAsync(await registrar.PostAsJsonAsync("/api/cases", Registration(matter: "ｈｏｕｓｉｎｇ elevator")), HttpStatusCode.Conflict);
        Assert.Equal(1, await CountRowsAsync(registrar));
    }

    [Fact]
    public async Task Item4_a_refused_registration_does_not_block_the_same_petition()
    {
        await using var app = await CaseApp.StartAsync(Start);

        // A county registrar may not register at the city bureau: refused by the decider after the claim was made.
        var refused = await app.As("cb-registrar").PostAsJsonAsync("/api/cases", Registration(matter: "noise:plant"));
        await ProblemAsync(refused, HttpStatusCode.Forbidden);
        var created = await app.As("c-registrar").PostAsJsonAsync("/api/cases", Registration(matter: "noise:plant"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task Item5_org_edits_need_if_match_and_are_validated_whole()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var admin = app.As("admin");
        var registrar = app.As("c-registrar");
        await registrar.RegisterAsync(app.Now);
        var get = await admin.GetAsync(new Uri("/api/org", UriKind.Relative));
        var etag = get.Headers.ETag!.Tag;
        var org = await get.JsonAsync();
        var peopleBefore = org["people"]!.AsArray().Count;

        async Task<HttpResponseMessage> Put(string path, string json, string? ifMatch)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
            if (ifMatch is not null)
            {
                request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
            }

            return await admin.SendAsync(request);
        }

        await ProblemAsync(await Put("/api/org", org.ToJsonString(), null), HttpStatusCode.PreconditionRequired);
        await ProblemAsync(await Put("/api/org/units/c-housing", "{}", null), HttpStatusCode.PreconditionRequired);
        await ProblemAsync(await Put("/api/org", org.ToJsonString(), "\"0x8DEADBEEF\""), HttpStatusCode.PreconditionFailed);
        await ProblemAsync(await Put("/api/org", "{}", etag), HttpStatusCode.BadRequest);
        await ProblemAsync(await Put("/api/org", """{"units":null,"people":null}""", etag), HttpStatusCode.BadRequest);
        await ProblemAsync(await Put("/api/org/units/c-housing", "[]", etag), HttpStatusCode.BadRequest);
        await ProblemAsync(await Put("/api/org/units/c-housing", "{\"id\":", etag), HttpStatusCode.BadRequest);
        await ProblemAsync(await Put("/api/org/units/c-housing", new string('[', 10_000) + new string(']', 10_000), etag), HttpStatusCode.BadRequest);

        // Dropping the bureau an open case is registered at (and its people) is refused by name.
        var without = org.DeepClone().AsObject();
        var units = without["units"]!.AsArray();
        units.Remove(units.Single(u => (string)u!["id"]! == "c-bureau"));
        var people = without["people"]!.AsArray();
        foreach (var p in people.Where(p => p!["roles"]!.AsArray().Any(r => (string)r!["unit"]! == "c-bureau")).ToList())
        {
            people.Remove(p);
        }

        var dropped = await ProblemAsync(await Put("/api/org", without.ToJsonString(), etag), HttpStatusCode.BadRequest);
        Assert.Contains("c-bureau", dropped.ToJsonString(), StringComparison.Ordinal);

        // Nothing was stored: the same ETag, every person still there.
        var again = await admin.GetAsync(new Uri("/api/org", UriKind.Relative));
        Assert.Equal(etag, again.Headers.ETag!.Tag);
        Assert.Equal(peopleBefore, (await again.JsonAsync())["people"]!.AsArray().Count);

        // Unknown signed-in people see nothing; people in it see no e-mail addresses; administrators do.
        await ProblemAsync(await app.As("stranger").GetAsync(new Uri("/api/org", UriKind.Relative)), HttpStatusCode.Forbidden);
        Assert.DoesNotContain("@", await registrar.GetStringAsync(new Uri("/api/org", UriKind.Relative)), StringComparison.Ordinal);
        Assert.Contains("@supervision.example", org.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Item6_keyset_paging_never_repeats_or_skips_while_timers_fire()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var registrar = app.As("c-registrar");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 7; i++)
        {
            ids.Add((await registrar.RegisterAsync(app.Now, matter: $"matter:{i}", petitioner: $"人{i}")).Id);
        }

        var seen = new List<string>();
        string? continuation = null;
        for (var pages = 0; pages < 10; pages++)
        {
            await app.AdvanceAsync(TimeSpan.FromDays(1)); // intake timers fire between pages
            var page = await registrar.GetAsync(new Uri("/api/cases?pageSize=2" + (continuation is null ? string.Empty : "&continuation=" + continuation), UriKind.Relative)).OkAsync();
            seen.AddRange(page["items"]!.AsArray().Select(i => (string)i!["id"]!));
            continuation = (string?)page["continuation"];
            if (continuation is null)
            {
                break;
            }
        }

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.True(ids.SetEquals(seen), $"paged {string.Join(",", seen)}; expected {string.Join(",", ids)}");
    }

    [Fact]
    public async Task Item7_views_carry_provisional_and_show_clocks_by_display()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var registrar = app.As("c-registrar");
        var (id, code) = await registrar.RegisterAsync(app.Now);

        var list = await registrar.GetAsync(new Uri("/api/cases", UriKind.Relative)).OkAsync();
        Assert.Equal(System.Text.Json.JsonValueKind.False, list["items"]![0]!["provisional"]!.GetValueKind());
        var mine = await app.Petitioner(code).GetAsync(new Uri($"/api/petitioner/cases/{id}", UriKind.Relative)).OkAsync();
        Assert.Equal(System.Text.Json.JsonValueKind.False, mine["provisional"]!.GetValueKind());

        var detail = await registrar.GetAsync(new Uri($"/api/cases/{id}", UriKind.Relative)).OkAsync();
        foreach (var clock in detail["clocks"]!.AsArray())
        {
            var display = (string)clock!["display"]!;
            var counts = display is "Counting" or "Overdue";
            Assert.Equal(counts, clock["remainingHours"] is not null);
            if (display is "WindowOpen" or "Lapsed")
            {
                Assert.Null(clock["light"]);
            }
        }

        Assert.All(detail["timeline"]!.AsArray(), e => Assert.False(((string)e!["actor"]!).StartsWith("petitioner:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Item8_openapi_leaves_out_server_fields_and_describes_dates_as_strings()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var doc = await app.Anonymous().GetAsync(new Uri("/openapi/v1.json", UriKind.Relative)).OkAsync();
        var schemas = doc["components"]!["schemas"]!.AsObject();

        JsonNode Resolve(JsonNode s) => s["$ref"] is { } r ? schemas[((string)r!).Split('/')[^1]]! : s;

        var register = schemas["RegisterCase"]!;
        foreach (var field in new[] { "actor", "caseId", "queryCode", "queryCodeSalt", "queryCodeHash" })
        {
            Assert.Null(register["properties"]![field]);
            Assert.DoesNotContain(register["required"]?.AsArray() ?? [], r => (string)r! == field);
        }

        var receivedAt = Resolve(register["properties"]!["receivedAt"]!);
        Assert.Contains("string", receivedAt["type"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("date-time", (string)receivedAt["format"]!);
        var localDates = schemas.Where(s => s.Key.StartsWith("LocalDate", StringComparison.Ordinal)).ToList();
        Assert.All(localDates, s => Assert.Equal("date", (string)s.Value!["format"]!));
        Assert.Null(schemas["ClassifyCase"]?["properties"]?["actor"]);

        // The petitioner's routes say that wrong codes are throttled: 429 problem+json (issue 15.2, decision H11).
        foreach (var (path, method) in new[] { ("/api/petitioner/cases/{id}", "get"), ("/api/petitioner/cases/{id}/rate", "post"), ("/api/petitioner/cases/{id}/files/{fileId}", "get") })
        {
            Assert.NotNull(doc["paths"]![path]![method]!["responses"]!["429"]);
        }
    }

    /// <summary>A read-only stream of zeros of a given length (a big body without allocating it).</summary>
    private sealed class ZeroStream(long length) : Stream
    {
        private long position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - position);
            Array.Clear(buffer, offset, n);
            position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

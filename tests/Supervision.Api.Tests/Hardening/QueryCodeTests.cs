using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Supervision.Api.Tests.Cases;
using Supervision.Testing;

namespace Supervision.Api.Tests.Hardening;

/// <summary>
/// Issue 15, items 1 and 2: the query code never reaches storage in clear (decision H1), and wrong codes throttle the
/// guesser, never the owner (decision H11). Clients are told apart by a test header that sets the connection's address;
/// the throttle's windows run on a manual real-time clock, so no test sleeps through a window.
/// </summary>
public sealed class QueryCodeTests
{
    private static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);
    private const string ClientHeader = "X-Test-Client-Address";

    [Fact]
    public async Task The_query_code_is_nowhere_in_the_task_hub_or_the_app_storage()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var registrar = app.As("c-registrar");
        var (id, code) = await registrar.RegisterAsync(app.Now);
        await app.Petitioner(code).GetAsync(new Uri($"/api/petitioner/cases/{id}", UriKind.Relative)).OkAsync();
        var reissued = await registrar.PostAsync(new Uri($"/api/cases/{id}/reissue-query-code", UriKind.Relative), null).OkAsync();
        var newCode = (string)reissued["queryCode"]!;
        await app.Petitioner(newCode).GetAsync(new Uri($"/api/petitioner/cases/{id}", UriKind.Relative)).OkAsync();

        var prefix = app.Services.GetRequiredService<IConfiguration>()["Supervision:Storage:Prefix"]!;
        var texts = await StoredTextsAsync(prefix);
        Assert.True(texts.Count > 10, $"expected the task hub and app rows, found {texts.Count} items");
        Assert.Contains(texts, t => t.Text.Contains(id, StringComparison.Ordinal)); // the scan does see the case's history

        // Neither code, nor the fields that carried a code or a caller salt in clear, anywhere.
        var found = texts.Where(t =>
                t.Text.Contains(code, StringComparison.Ordinal) || t.Text.Contains(newCode, StringComparison.Ordinal)
                || t.Text.Contains("queryCodeSalt", StringComparison.OrdinalIgnoreCase)
                || t.Text.Contains("\"queryCode\"", StringComparison.OrdinalIgnoreCase)
                || t.Text.Contains("\\\"queryCode\\\"", StringComparison.OrdinalIgnoreCase)
                || t.Text.Contains("petitioner:" + code, StringComparison.Ordinal))
            .Select(t => t.Where)
            .ToList();
        Assert.True(found.Count == 0, "the query code (or its salt) is stored in clear in: " + string.Join(", ", found));
    }

    [Fact]
    public async Task A_burst_of_wrong_codes_throttles_the_guesser_and_never_the_owner()
    {
        var clock = new ManualClock(Start.AddYears(1));
        await using var app = await StartAsync(clock);
        var (id, code) = await app.As("c-registrar").RegisterAsync(app.Now);
        var view = new Uri($"/api/petitioner/cases/{id}", UriKind.Relative);
        var guesser = Client(app, "0000000000", "2001:db8:aaaa:1::1");

        // The case's limit (10 wrong codes) is reached; then this guesser is refused on the case without a check.
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await guesser.GetAsync(view)).StatusCode);
        }

        var refused = await guesser.GetAsync(view);
        await ProblemAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.Equal("900", refused.Headers.GetValues("Retry-After").Single()); // the window is 15 min, on the manual clock

        // The same /64 is the same guesser, even with the right code.
        await ProblemAsync(await Client(app, code, "2001:db8:aaaa:1::2").GetAsync(view), HttpStatusCode.TooManyRequests);

        // Owner from elsewhere: answered at once, however many wrong codes came before (and more keep coming).
        for (var i = 0; i < 20; i++)
        {
            await Client(app, "1111111111", $"198.51.100.{i + 1}").GetAsync(view);
        }

        var owner = await Client(app, code, "2001:db8:bbbb:2::7").GetAsync(view);
        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
        Assert.Equal(id, (string)(await owner.JsonAsync())["id"]!);
        Assert.Equal(HttpStatusCode.OK, (await Client(app, code, "192.0.2.50").GetAsync(view)).StatusCode);

        // Retry-After counts down on the clock, and the refusal ends with the window.
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("600", (await guesser.GetAsync(view)).Headers.GetValues("Retry-After").Single());
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(HttpStatusCode.NotFound, (await guesser.GetAsync(view)).StatusCode);
    }

    [Fact]
    public async Task A_client_over_its_own_limit_is_refused_on_every_case_with_retry_after()
    {
        var clock = new ManualClock(Start.AddYears(1));
        await using var app = await StartAsync(clock);
        var (id, code) = await app.As("c-registrar").RegisterAsync(app.Now);
        var guesser = Client(app, "0000000000", "203.0.113.9");

        // 20 wrong codes over many (unknown) case ids: each is the same 404 as a wrong code; then 429 everywhere.
        for (var i = 0; i < 20; i++)
        {
            await ProblemAsync(await guesser.GetAsync(new Uri($"/api/petitioner/cases/XF-20250910-{i:X8}", UriKind.Relative)), HttpStatusCode.NotFound);
        }

        var refused = await guesser.GetAsync(new Uri($"/api/petitioner/cases/{id}", UriKind.Relative));
        var problem = await ProblemAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.Contains("try again in 900 s", (string)problem["detail"]!, StringComparison.Ordinal);
        Assert.Equal(900, (int)problem["retryAfterSeconds"]!);
        await ProblemAsync(
            await guesser.PostAsync(new Uri($"/api/petitioner/cases/{id}/rate", UriKind.Relative), JsonContent("""{"rating":"Satisfied"}""")),
            HttpStatusCode.TooManyRequests);

        // Nobody else is affected: the case is not busy (unknown ids were guessed), the owner is answered.
        Assert.Equal(HttpStatusCode.OK, (await Client(app, code, "203.0.113.10").GetAsync(new Uri($"/api/petitioner/cases/{id}", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task A_reissued_code_works_at_once_even_for_a_client_refused_on_the_busy_case()
    {
        var clock = new ManualClock(Start.AddYears(1));
        await using var app = await StartAsync(clock);
        var registrar = app.As("c-registrar");
        var (id, code) = await registrar.RegisterAsync(app.Now);
        var view = new Uri($"/api/petitioner/cases/{id}", UriKind.Relative);

        // Others make the case busy; the owner mistypes three times and is then refused on it, right code or not.
        for (var i = 0; i < 10; i++)
        {
            await Client(app, "0000000000", $"198.51.100.{i + 1}").GetAsync(view);
        }

        const string ownerAddress = "192.0.2.77";
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await Client(app, "9999999999", ownerAddress).GetAsync(view)).StatusCode);
        }

        await ProblemAsync(await Client(app, code, ownerAddress).GetAsync(view), HttpStatusCode.TooManyRequests);

        // The registrar re-issues: the new code works at once, from the same client, with no wait; the old one is dead.
        var reissued = await registrar.PostAsync(new Uri($"/api/cases/{id}/reissue-query-code", UriKind.Relative), null).OkAsync();
        var newCode = (string)reissued["queryCode"]!;
        Assert.Equal(HttpStatusCode.OK, (await Client(app, newCode, ownerAddress).GetAsync(view)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client(app, code, "192.0.2.78").GetAsync(view)).StatusCode);
    }

    [Fact]
    public void The_throttle_holds_a_bounded_number_of_counters_and_keeps_case_counters_longest()
    {
        var clock = new ManualClock(Start);
        var limits = new Supervision.Api.Platform.ApiLimits { QueryCodeTrackedKeys = 100 };
        var throttle = new Supervision.Api.Cases.QueryCodeThrottle(
            Microsoft.Extensions.Options.Options.Create(limits), new Supervision.Orchestrations.Clocks(clock, clock));
        for (var i = 0; i < 10; i++)
        {
            Assert.Null(throttle.TryAttempt("10.0.0.1", "XF-BUSY"));
        }

        for (var i = 0; i < 5_000; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            throttle.TryAttempt($"10.1.{i / 256}.{i % 256}", null);
            Assert.True(throttle.Tracked <= limits.QueryCodeTrackedKeys, $"{throttle.Tracked} counters held");
        }

        // The busy case is still busy for a client that failed on it three times.
        for (var i = 0; i < 3; i++)
        {
            throttle.TryAttempt("10.2.0.1", "XF-BUSY");
        }

        Assert.NotNull(throttle.TryAttempt("10.2.0.1", "XF-BUSY"));
        Assert.Null(throttle.TryAttempt("10.2.0.2", "XF-BUSY")); // a client with a clean record is still checked

        Assert.Equal("2001:db8:1:2::/64", Supervision.Api.Cases.QueryCodeThrottle.ClientOf(IPAddress.Parse("2001:db8:1:2:3:4:5:6")));
        Assert.Equal("192.0.2.1", Supervision.Api.Cases.QueryCodeThrottle.ClientOf(IPAddress.Parse("::ffff:192.0.2.1")));
    }

    private static Task<CaseApp> StartAsync(ManualClock clock) => CaseApp.StartAsync(
        Start,
        services: s =>
        {
            s.AddKeyedSingleton<TimeProvider>(Supervision.Orchestrations.Clocks.RealKey, clock);
            s.AddSingleton<IStartupFilter, ClientAddressFromHeader>();
        },
        settings: new Dictionary<string, string>
        {
            ["Supervision:Api:QueryCodeFailuresPerClient"] = "20",
            ["Supervision:Api:QueryCodeFailuresPerCase"] = "10",
            ["Supervision:Api:QueryCodeFailuresPerClientOnBusyCase"] = "3",
            ["Supervision:Api:QueryCodeWindow"] = "00:15:00",
        });

    private static HttpClient Client(CaseApp app, string code, string address)
    {
        var client = app.Petitioner(code);
        client.DefaultRequestHeaders.Add(ClientHeader, address);
        return client;
    }

    private static StringContent JsonContent(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonNode> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!;
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["detail"]));
        return problem;
    }

    /// <summary>Every table entity, queue message and blob of this app's storage and task hub (names holding its prefix), as text.</summary>
    private static async Task<List<(string Where, string Text)>> StoredTextsAsync(string prefix)
    {
        var connection = await TestStorage.GetConnectionStringAsync();
        var texts = new List<(string, string)>();
        var tables = new TableServiceClient(connection);
        await foreach (var t in tables.QueryAsync())
        {
            if (!t.Name.Contains(prefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            await foreach (var e in tables.GetTableClient(t.Name).QueryAsync<TableEntity>())
            {
                var sb = new StringBuilder();
                foreach (var (key, value) in e)
                {
                    sb.Append(key).Append('=').Append(value is byte[] bytes ? Decode(bytes) : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
                }

                texts.Add(($"table {t.Name} {e.PartitionKey}/{e.RowKey}", sb.ToString()));
            }
        }

        var queues = new QueueServiceClient(connection);
        await foreach (var q in queues.GetQueuesAsync())
        {
            if (!q.Name.Contains(prefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var m in (await queues.GetQueueClient(q.Name).PeekMessagesAsync(32)).Value)
            {
                texts.Add(($"queue {q.Name} {m.MessageId}", m.Body.ToString() + "\n" + Decode(TryBase64(m.Body.ToString()))));
            }
        }

        var blobs = new BlobServiceClient(connection);
        await foreach (var c in blobs.GetBlobContainersAsync())
        {
            if (!c.Name.Contains(prefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var container = blobs.GetBlobContainerClient(c.Name);
            await foreach (var b in container.GetBlobsAsync())
            {
                var content = (await container.GetBlobClient(b.Name).DownloadContentAsync()).Value.Content.ToArray();
                texts.Add(($"blob {c.Name}/{b.Name}", b.Name + "\n" + Decode(content)));
            }
        }

        return texts;
    }

    private static byte[] TryBase64(string text)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return [];
        }
    }

    /// <summary>Bytes as text, gunzipped first when they are gzip (DTFx compresses large messages).</summary>
    private static string Decode(byte[] bytes)
    {
        if (bytes is [0x1f, 0x8b, ..])
        {
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var plain = new MemoryStream();
            gzip.CopyTo(plain);
            bytes = plain.ToArray();
        }

        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Sets the connection's remote address from <see cref="ClientHeader"/>, so a test can speak as several clients.</summary>
    private sealed class ClientAddressFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((HttpContext http, RequestDelegate nextStep) =>
            {
                if (http.Request.Headers[ClientHeader].FirstOrDefault() is { } address)
                {
                    http.Connection.RemoteIpAddress = IPAddress.Parse(address);
                }

                return nextStep(http);
            });
            next(app);
        };
    }

    /// <summary>A real-time clock the test moves by hand.</summary>
    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset now = now;

        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }
}

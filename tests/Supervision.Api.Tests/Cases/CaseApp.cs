using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Supervision.Testing;

namespace Supervision.Api.Tests.Cases;

/// <summary>
/// The real standalone host (API, DTFx worker, activities) on Azurite, with its own task hub and table prefix, and an
/// accelerated legal clock: legal time runs <see cref="Speed"/> times faster than real time from <c>start</c>. Durable
/// timers are real, so tests wait on the accelerated clock (<see cref="UntilAsync"/>) or for a condition
/// (<see cref="EventuallyAsync{T}"/>), never for a fixed time. Commands are recorded at the legal instant the API received
/// them, so assertions use the recorded instants rather than instants computed in the test.
/// </summary>
public sealed class CaseApp : IAsyncDisposable
{
    /// <summary>Two legal days per real second: a 60-day clock runs out in 30 s; a command (a few queue hops through the
    /// engine on Azurite, 0.1–1.5 s on a busy box) lands within a few legal days.</summary>
    public const double DefaultSpeed = 2 * 86_400;

    private readonly WebApplicationFactory<Program> factory;

    private CaseApp(WebApplicationFactory<Program> factory, double speed, Uri? address, string prefix)
    {
        this.factory = factory;
        Speed = speed;
        Address = address;
        Prefix = prefix;
    }

    /// <summary>The storage prefix of this app's tables, queues and containers (its task hub is <c>h</c> + prefix).</summary>
    public string Prefix { get; }

    /// <summary>The real Kestrel address when started with <c>kestrel: true</c> (for the browser).</summary>
    public Uri? Address { get; }

    public double Speed { get; }

    public IServiceProvider Services => factory.Services;

    /// <summary>The app's legal clock.</summary>
    public TimeProvider Clock => Services.GetRequiredService<TimeProvider>();

    public DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>Starts the app with legal time <paramref name="start"/> (UTC) now; <paramref name="services"/> adds
    /// registrations after the app's own (e.g. a keyed test clock).</summary>
    /// <remarks><paramref name="settings"/>: extra configuration (e.g. small <c>Supervision:Api</c> limits), applied last.
    /// <paramref name="prefix"/>: the storage prefix (task hub, tables, containers) of an earlier app, to restart it on
    /// its own state; a fresh one by default.</remarks>
    public static async Task<CaseApp> StartAsync(
        DateTimeOffset start, bool kestrel = false, bool demo = false, double speed = DefaultSpeed, Action<IServiceCollection>? services = null,
        IReadOnlyDictionary<string, string>? settings = null, string? prefix = null)
    {
        var port = kestrel ? TestStorage.FreePort() : 0;
        var storage = await TestStorage.GetConnectionStringAsync();
        prefix ??= TestStorage.UniqueName("e");
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("AzureWebJobsStorage", storage);
            b.UseSetting("Supervision:Storage:Prefix", prefix);
            b.UseSetting("Supervision:Storage:LogEffectAttempts", "true");
            b.UseSetting("Supervision:Org:Container", prefix + "cfg");
            b.UseSetting("Supervision:Org:Seed", "demo");
            b.UseSetting("Supervision:Calendar:Container", prefix + "cal");
            b.UseSetting("Supervision:DurableTask:HubName", "h" + prefix);
            b.UseSetting("Supervision:DurableTask:PartitionCount", "1");
            b.UseSetting("Supervision:DurableTask:MaxQueuePollingInterval", "00:00:00.100");
            b.UseSetting("Supervision:Auth:Mode", "Demo");
            b.UseSetting("Supervision:Demo", demo ? "true" : "false");
            b.UseSetting("Supervision:Clock:Start", start.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            b.UseSetting("Supervision:Clock:Speed", speed.ToString(System.Globalization.CultureInfo.InvariantCulture));

            // Alerts in-line by default, so a scenario's mailbox holds exactly the alerts its events imply; the digest and
            // escalation have their own scenarios (Alerts/AlertPolicyScenarios), which turn them back on.
            b.UseSetting("Supervision:Alerts:Digest", "false");
            b.UseSetting("Supervision:Alerts:AcknowledgeWithinHours", "0");
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                b.UseSetting(key, value);
            }

            if (services is not null)
            {
                b.ConfigureServices(services);
            }

            if (kestrel)
            {
                b.UseSetting("urls", $"http://127.0.0.1:{port}");
            }
        });
        if (kestrel)
        {
            factory.UseKestrel(port);
            factory.StartServer();
        }
        else
        {
            _ = factory.Server; // build and start the host now
        }

        // The task hub's tables and queues exist before the test's first step, so that step is not also the set-up.
        await factory.Services.GetRequiredService<Supervision.Standalone.TaskHub>().EnsureAsync();
        return new CaseApp(factory, speed, kestrel ? new Uri($"http://127.0.0.1:{port}") : null, prefix);
    }

    /// <summary>A client signed in as a demo person (or <c>admin</c>).</summary>
    public HttpClient As(string personId)
    {
        var client = factory.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(60);
        client.DefaultRequestHeaders.Add("X-Supervision-User", personId);
        return client;
    }

    public HttpClient Anonymous() => factory.CreateClient();

    /// <summary>An anonymous client that presents <paramref name="queryCode"/> as a petitioner.</summary>
    public HttpClient Petitioner(string queryCode)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Query-Code", queryCode);
        return client;
    }

    /// <summary>Waits (on the accelerated clock) until legal time reaches <paramref name="legal"/>.</summary>
    public async Task UntilAsync(DateTimeOffset legal)
    {
        var left = legal - Now;
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(TimeSpan.FromTicks((long)(left.Ticks / Speed)) + TimeSpan.FromMilliseconds(5));
        }
    }

    /// <summary>Lets legal time move on by <paramref name="by"/>.</summary>
    public Task AdvanceAsync(TimeSpan by) => UntilAsync(Now + by);

    /// <summary>Polls <paramref name="probe"/> until it returns a value (bounded; fails the test with <paramref name="what"/>).</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null)
        where T : class
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            Assert.True(started.Elapsed < limit, $"Timed out after {limit.TotalSeconds:0} s waiting for: {what}");
            await Task.Delay(100);
        }
    }

    /// <summary>The case detail (as <paramref name="personId"/>) once <paramref name="until"/> holds for it.</summary>
    public Task<JsonNode> CaseWhenAsync(string personId, string caseId, Func<JsonNode, bool> until, string what)
    {
        var client = As(personId);
        return EventuallyAsync<JsonNode>(async () =>
        {
            var response = await client.GetAsync(new Uri($"/api/cases/{caseId}", UriKind.Relative));
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            var detail = await response.JsonAsync();
            return until(detail) ? detail : null;
        }, what);
    }

    public async ValueTask DisposeAsync() => await factory.DisposeAsync();
}

/// <summary>Small HTTP helpers for the scenarios.</summary>
public static class Api
{
    public static async Task<JsonNode> JsonAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new InvalidOperationException("empty body");

    public static async Task<JsonNode> OkAsync(this Task<HttpResponseMessage> call)
    {
        var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!;
    }

    public static Task<HttpResponseMessage> Command(this HttpClient client, string caseId, string action, object? body = null) =>
        client.PostAsJsonAsync($"/api/cases/{caseId}/{action}", body ?? new { });

    /// <summary>Registers a complaint at the city petition bureau as the city registrar; returns (case id, query code).</summary>
    public static async Task<(string Id, string QueryCode)> RegisterAsync(
        this HttpClient registrar, DateTimeOffset receivedAt, string matter = "housing:elevator", string category = "Complaint",
        string unit = "c-bureau", string? accusedUnit = null, string petitioner = "张三")
    {
        var json = await registrar.PostAsJsonAsync("/api/cases", new
        {
            channel = "Letter",
            receivedAt = Utc(receivedAt),
            unitId = unit,
            petitioner = new { name = petitioner, phone = "13800000000" },
            summary = "电梯停运",
            matterKey = matter,
            category,
            accusedUnitId = accusedUnit,
        }).OkAsync();
        return ((string)json["case"]!["id"]!, (string)json["queryCode"]!);
    }

    /// <summary>An instant as ISO-8601 UTC text.</summary>
    public static string Utc(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static JsonNode Clock(this JsonNode detail, string name) =>
        detail["clocks"]!.AsArray().Single(c => (string)c!["name"]! == name)!;

    /// <summary>The one timeline entry of <paramref name="type"/>.</summary>
    public static JsonNode Event(this JsonNode detail, string type) =>
        detail["timeline"]!.AsArray().Single(e => (string)e!["type"]! == type)!;

    public static IEnumerable<string> EventTypes(this JsonNode detail) =>
        detail["timeline"]!.AsArray().Select(e => (string)e!["type"]!);
}

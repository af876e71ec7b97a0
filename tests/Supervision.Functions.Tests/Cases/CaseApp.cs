using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Supervision.Runtime;
using Supervision.Testing;

namespace Supervision.Functions.Tests.Cases;

/// <summary>
/// The real app on Azurite with a fake clock. Standalone hosting is off: tests drive the triggers themselves
/// (<see cref="AdvanceAsync"/> moves the clock, then sweeps due wake-ups and drains the work queue), so nothing waits
/// on real time. Each instance has its own table/queue/container prefix.
/// </summary>
public sealed class CaseApp : IAsyncDisposable
{
    private readonly WebApplicationFactory<Program> factory;

    private CaseApp(WebApplicationFactory<Program> factory, FakeTimeProvider clock, Uri? address)
    {
        this.factory = factory;
        Clock = clock;
        Address = address;
    }

    /// <summary>The real Kestrel address when started with <c>kestrel: true</c> (for the browser).</summary>
    public Uri? Address { get; }

    public FakeTimeProvider Clock { get; }

    public IServiceProvider Services => factory.Services;

    /// <summary>Starts the app at <paramref name="start"/> (UTC).</summary>
    public static async Task<CaseApp> StartAsync(DateTimeOffset start, bool kestrel = false, bool demo = false)
    {
        var port = kestrel ? TestStorage.FreePort() : 0;
        var storage = await TestStorage.GetConnectionStringAsync();
        var prefix = TestStorage.UniqueName("e");
        var clock = new FakeTimeProvider(start);
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("AzureWebJobsStorage", storage);
            b.UseSetting("Supervision:Runtime:Prefix", prefix);
            b.UseSetting("Supervision:Org:Container", prefix + "cfg");
            b.UseSetting("Supervision:Org:Seed", "demo");
            b.UseSetting("Supervision:Calendar:Container", prefix + "cal");
            b.UseSetting("Supervision:Standalone", "false");
            b.UseSetting("Supervision:Auth:Mode", "Demo");
            b.UseSetting("Supervision:Demo", demo ? "true" : "false");
            if (kestrel)
            {
                b.UseSetting("urls", $"http://127.0.0.1:{port}");
            }

            b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(clock));
        });
        if (kestrel)
        {
            factory.UseKestrel(port);
            factory.StartServer();
            return new CaseApp(factory, clock, new Uri($"http://127.0.0.1:{port}"));
        }

        _ = factory.Server; // build the host now
        return new CaseApp(factory, clock, null);
    }

    /// <summary>A client signed in as a demo person (or <c>admin</c>).</summary>
    public HttpClient As(string personId)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Supervision-User", personId);
        return client;
    }

    public HttpClient Anonymous() => factory.CreateClient();

    /// <summary>Moves the clock forward in steps, letting every wake-up that falls due fire in order.</summary>
    public async Task AdvanceAsync(TimeSpan by, TimeSpan? step = null)
    {
        var stride = step ?? TimeSpan.FromHours(6);
        var end = Clock.GetUtcNow() + by;
        while (Clock.GetUtcNow() < end)
        {
            var next = Clock.GetUtcNow() + stride;
            Clock.Advance((next < end ? next : end) - Clock.GetUtcNow());
            await DrainAsync();
        }
    }

    /// <summary>Sweeps and pumps until nothing is due and the queue is empty (bounded).</summary>
    public async Task DrainAsync()
    {
        var sweeper = Services.GetRequiredService<ISweeper>();
        var pump = Services.GetRequiredService<WorkQueuePump>();
        for (var round = 0; round < 200; round++)
        {
            var swept = await sweeper.SweepAsync(CancellationToken.None);
            var pumped = await pump.PumpOnceAsync(32, CancellationToken.None);
            if (swept.Enqueued == 0 && !swept.Remaining && pumped == 0)
            {
                return;
            }
        }

        throw new InvalidOperationException("The runtime did not quiesce within 200 rounds.");
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

    public static IEnumerable<string> EventTypes(this JsonNode detail) =>
        detail["timeline"]!.AsArray().Select(e => (string)e!["type"]!);
}

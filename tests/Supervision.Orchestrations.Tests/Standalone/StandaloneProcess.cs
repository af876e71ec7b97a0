using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Supervision.Testing;

namespace Supervision.Orchestrations.Tests.Standalone;

/// <summary>
/// What every standalone host process of one test shares: storage, table prefix, task hub and the legal clock
/// (the same <c>Start</c> and <c>RealOrigin</c>, so all processes agree on legal time).
/// </summary>
public sealed record StandaloneSetup(
    string Connection, string Prefix, string Hub, int Partitions, double Speed, DateTimeOffset LegalStart, DateTimeOffset RealOrigin,
    IReadOnlyDictionary<string, string>? Extra = null)
{
    public static async Task<StandaloneSetup> CreateAsync(string name, double speed, int partitions = 4, DateTimeOffset? legalStart = null, IReadOnlyDictionary<string, string>? extra = null)
    {
        var prefix = TestStorage.UniqueName(name);
        return new StandaloneSetup(
            await TestStorage.GetConnectionStringAsync(), prefix, "h" + prefix, partitions, speed,
            legalStart ?? new DateTimeOffset(2025, 9, 10, 1, 0, 0, TimeSpan.Zero), Clocks.Wall.GetUtcNow().AddSeconds(3), extra);
    }

    public ClockMapping Mapping => new(LegalStart, RealOrigin, Speed);

    /// <summary>The orchestrations' tables of this setup, read in the test process.</summary>
    public OrchestrationStorage Storage() =>
        new(Options.Create(new StorageOptions { ConnectionString = Connection, Prefix = Prefix }), new StorageMetrics(null));
}

/// <summary>
/// The real standalone host (<c>Supervision.Standalone.dll</c>, built in Release) as a child process: killed with
/// SIGKILL (<see cref="Kill"/>) and restarted on the same port. Its stdout is kept to count what it did.
/// </summary>
public sealed class StandaloneProcess : IAsyncDisposable
{
    private Process? process;

    public StandaloneProcess(StandaloneSetup setup, string name, int? port = null)
    {
        Setup = setup;
        Name = name;
        Port = port ?? TestStorage.FreePort();
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public StandaloneSetup Setup { get; }

    public string Name { get; }

    public int Port { get; }

    public HttpClient Client { get; }

    public int Starts { get; private set; }

    /// <summary>Activities this process (all its incarnations) completed, from its log.</summary>
    public int ActivitiesCompleted => Lines.Count(l => l.Contains("activity of orchestration ID", StringComparison.Ordinal) && l.EndsWith("completed.", StringComparison.Ordinal));

    /// <summary>Orchestration episodes this process executed, from its log.</summary>
    public int EpisodesExecuted => Lines.Count(l => l.Contains("orchestration logic", StringComparison.Ordinal));

    public static string DllPath =>
        Environment.GetEnvironmentVariable("SUPERVISION_STANDALONE_DLL") is { Length: > 0 } p
            ? p
            : Path.Combine(TestStorage.RepoRoot(), "standalone", "Supervision.Standalone", "bin", "Release", "net10.0", "Supervision.Standalone.dll");

    public void Start()
    {
        Assert.True(File.Exists(DllPath), $"{DllPath} missing: run `dotnet build standalone/Supervision.Standalone -c Release` first.");
        var s = Setup;
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.Environment["AzureWebJobsStorage"] = s.Connection;
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Supervision:Urls"] = $"http://127.0.0.1:{Port}",
            ["Supervision:Auth:Mode"] = "Demo",
            ["Supervision:Org:Seed"] = "demo",
            ["Supervision:Org:Container"] = s.Prefix + "cfg",
            ["Supervision:Calendar:Container"] = s.Prefix + "cal",
            ["Supervision:Storage:Prefix"] = s.Prefix,
            ["Supervision:Storage:LogEffectAttempts"] = "true",
            ["Supervision:DurableTask:HubName"] = s.Hub,
            ["Supervision:DurableTask:PartitionCount"] = s.Partitions.ToString(CultureInfo.InvariantCulture),
            ["Supervision:DurableTask:MaxQueuePollingInterval"] = "00:00:00.500",
            ["Supervision:DurableTask:WorkerId"] = Name,
            ["Supervision:DurableTask:UseTablePartitionManagement"] = "true",
            ["Supervision:DurableTask:LeaseInterval"] = "00:00:15",
            ["Supervision:DurableTask:LeaseRenewInterval"] = "00:00:05",
            ["Supervision:DurableTask:LeaseAcquireInterval"] = "00:00:05",
            ["Supervision:Clock:Speed"] = s.Speed.ToString(CultureInfo.InvariantCulture),
            ["Supervision:Clock:Start"] = s.LegalStart.ToString("O", CultureInfo.InvariantCulture),
            ["Supervision:Clock:RealOrigin"] = s.RealOrigin.ToString("O", CultureInfo.InvariantCulture),
            // The oracle is the case decider: its alerts are delivered in-line (no digest, no escalation instances),
            // so the mailbox holds exactly the alerts its events imply (the alert and digest deciders have their own tests).
            ["Supervision:Alerts:Digest"] = "false",
            ["Supervision:Alerts:AcknowledgeWithinHours"] = "0",
            // Only what the tests count: orchestration episodes and activity completions.
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:DurableTask.Core"] = "Information",
            ["Logging:LogLevel:Microsoft.DurableTask"] = "Information",
        };
        foreach (var (k, v) in s.Extra ?? new Dictionary<string, string>())
        {
            settings[k] = v;
        }

        // The child writes its log straight to a file (exec replaces the shell, so the pid is the host's): a test
        // process that reads slowly never back-pressures the host's console logger through a full pipe.
        var args = new System.Text.StringBuilder("exec dotnet ").Append(Quote(DllPath));
        foreach (var (k, v) in settings)
        {
            args.Append(' ').Append(Quote($"--{k}={v}"));
        }

        args.Append(" >> ").Append(Quote(LogPath)).Append(" 2>&1");
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(args.ToString());
        process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the standalone host");
        if (Starts == 0)
        {
            // A test run that is stopped must not leave hosts behind.
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Kill();
        }
        Starts++;
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>The child's output, also kept on disk for a failed run: <c>$TMPDIR/supervision-{prefix}-{name}.log</c>.</summary>
    public string LogPath => Path.Combine(Path.GetTempPath(), $"supervision-{Setup.Prefix}-{Name}.log");

    /// <summary>Waits until the host answers its readiness probe (bounded).</summary>
    public async Task WaitReadyAsync(TimeSpan? limit = null)
    {
        var timeout = limit ?? TimeSpan.FromSeconds(60);
        var started = Stopwatch.StartNew();
        while (true)
        {
            if (process is { HasExited: true })
            {
                Assert.Fail($"{Name} exited ({process.ExitCode}): {string.Join('\n', Lines.TakeLast(30))}");
            }

            try
            {
                using var r = await Client.GetAsync(new Uri("/health/live", UriKind.Relative));
                if (r.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            Assert.True(started.Elapsed < timeout, $"{Name} not ready after {timeout.TotalSeconds:0} s");
            await Task.Delay(100);
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, in-flight work items are lost mid-way.</summary>
    public void Kill()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
    }

    /// <summary>The log of every incarnation of this host so far.</summary>
    public IReadOnlyList<string> Lines => File.Exists(LogPath) ? File.ReadAllLines(LogPath) : [];

    public ValueTask DisposeAsync()
    {
        Kill();
        process?.Dispose();
        process = null; // the process-exit hook calls Kill again; a disposed Process throws on HasExited
        Client.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A 5xx answer or a failed connection, with the moment it happened: a test decides which it can excuse.</summary>
public sealed record ServerError(DateTimeOffset At, string Path, string What);

/// <summary>
/// The API calls the load uses, with retries across kills (same Idempotency-Key, so a retry is the same command). Every
/// 5xx and transport failure is recorded in <c>errors</c> (when given), never retried silently: the crash test allows them only
/// around a restart.
/// </summary>
public static class CaseApi
{
    public static async Task<JsonNode> CallAsync(
        Func<HttpClient> client, string path, string user, string key, object body, TimeSpan limit, System.Collections.Concurrent.ConcurrentQueue<ServerError>? errors = null)
    {
        var started = Stopwatch.StartNew();
        string last = "";
        while (started.Elapsed < limit)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
                request.Headers.Add("X-Supervision-User", user);
                request.Headers.Add("Idempotency-Key", key);
                using var response = await client().SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                if ((int)response.StatusCode is 200 or 201)
                {
                    return JsonNode.Parse(text)!;
                }

                last = $"{(int)response.StatusCode}: {text}";
                Assert.True((int)response.StatusCode is 202 or >= 500, $"{path} as {user}: {last}");
                if ((int)response.StatusCode >= 500)
                {
                    errors?.Enqueue(new ServerError(Clocks.Wall.GetUtcNow(), path, last));
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                last = e.GetType().Name + ": " + e.Message;
                errors?.Enqueue(new ServerError(Clocks.Wall.GetUtcNow(), path, last));
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{path} as {user} did not succeed within {limit.TotalSeconds:0} s; last: {last}");
    }

    public static object Registration(DateTimeOffset receivedAt, int n) => new
    {
        channel = "Letter",
        receivedAt = receivedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        unitId = "c-bureau",
        petitioner = new { name = "信访人" + n.ToString(CultureInfo.InvariantCulture), phone = "13800000000" },
        summary = "电梯停运",
        matterKey = "housing:elevator:" + n.ToString(CultureInfo.InvariantCulture),
        category = "Complaint",
    };

    /// <summary>register → route (to c-housing) → accept, each retried until it is answered; returns the case id.</summary>
    public static async Task<string> LifecycleAsync(
        Func<HttpClient> client, string run, int n, Func<DateTimeOffset> legalNow, TimeSpan limit, System.Collections.Concurrent.ConcurrentQueue<ServerError>? errors = null)
    {
        var registered = await CallAsync(client, "/api/cases", "c-registrar", $"{run}-reg-{n}", Registration(legalNow(), n), limit, errors);
        var id = (string)registered["case"]!["id"]!;
        await CallAsync(client, $"/api/cases/{id}/route", "c-registrar", $"{run}-route-{n}", new { kind = "Forward", agencyId = "c-housing" }, limit, errors);
        await CallAsync(client, $"/api/cases/{id}/accept", "c-housing-officer", $"{run}-accept-{n}", new { }, limit, errors);
        return id;
    }
}

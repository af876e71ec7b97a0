using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Converters;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.Logging.Abstractions;
using Supervision.Orchestrations;

// Engine benchmark. Usage (from the repo root, standalone host built in Release):
//   dotnet run -c Release --project bench/Supervision.Bench.Engine -- [quick|full|burst] [--no-timers]
// quick: 300 timers over 20 s, 24 cases; full: BENCHMARK.md §1.11's 1,000 timers over 60 s, 100 cases;
// burst: 1,000 timers all due at one instant (the firing rate is then the engine's capacity, not the offered rate), no cases.
// It starts its own Azurite (tools/node_modules) with the access log on, and counts requests from that log.
var profile = args.FirstOrDefault() ?? "quick";
var (timers, spread, cases, idle) = profile switch
{
    "full" => (1000, 60, 100, 60),
    "burst" => (1000, 0, 0, 0),
    _ => (300, 20, 24, 30),
};
var root = Bench.RepoRoot();
await using var azurite = await Azurite.StartAsync(root);
var report = new List<string> { $"# Engine bench ({profile}) {Clocks.Wall.GetUtcNow():yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average {Bench.LoadAverage()}" };
void Say(string line)
{
    Console.WriteLine(line);
    report.Add(line);
}

// 1. Timer workload: N portable orchestrations each awaiting one durable timer, due evenly over the spread, on DTFx
//    over Azurite through the shim factory (as the standalone host runs them). Lateness = completion − due instant.
foreach (var (name, tuned) in args.Contains("--no-timers") ? [] : new[] { ("DTFx defaults", false), ("tuned (standalone host settings)", true) })
{
    var r = await TimerWorkload.RunAsync(azurite, name, tuned, timers, TimeSpan.FromSeconds(spread));
    Say($"timers [{name}]: {r.Fired}/{timers} fired; scheduled {r.ScheduledPerSecond:0.0}/s; {r.PerSecond:0.0} timers/s while firing; lateness real p50 {r.P50:0.00} s p99 {r.P99:0.00} s max {r.Max:0.00} s; " +
        $"at the demo clock (86,400×): p50 {r.P50 * 86_400 / 3600:0.0} legal h, p99 {r.P99 * 86_400 / 3600:0.0} legal h; storage requests {r.Requests}");
}

// 2. The real standalone host. Idle cost first (no cases), at production settings (legal clock at real time, the host's
//    default 5 s polling) and at demo settings (one legal day per second, 0.5 s polling). Then, per 1 and 3 processes at
//    demo settings: N cases driven register → route → accept → reply through the API (command latency, cases/s), and
//    left until the 30-day review window lapses and closes them: storage requests per case over that whole lifecycle,
//    less the same hosts' idle baseline over the same time.
var dll = Path.Combine(root, "standalone", "Supervision.Standalone", "bin", "Release", "net10.0", "Supervision.Standalone.dll");
if (cases > 0)
{
    using var production = new Host(dll, azurite.ConnectionString, $"bp{Environment.ProcessId}", "bench-prod", production: true);
    production.Start(Clocks.Wall.GetUtcNow());
    await production.WaitReadyAsync();
    await Task.Delay(TimeSpan.FromSeconds(20)); // partitions leased, polling backed off
    var rate = await Bench.IdleRateAsync(azurite, idle);
    Say($"idle standalone ×1, production settings (4 partitions, polling max 5 s, clock at real time, no cases): {rate * 3600:0} storage requests/hour (over {idle} s)");
}

foreach (var processes in cases > 0 ? new[] { 1, 3 } : [])
{
    var hub = $"b{processes}{Environment.ProcessId}";
    var hosts = Enumerable.Range(0, processes).Select(i => new Host(dll, azurite.ConnectionString, hub, $"bench-{i}")).ToList();
    var origin = Clocks.Wall.GetUtcNow().AddSeconds(5);
    foreach (var h in hosts)
    {
        h.Start(origin);
    }

    foreach (var h in hosts)
    {
        await h.WaitReadyAsync();
    }

    // Several hosts balance the 4 partitions through 30 s leases: measure after they settle.
    await Task.Delay(TimeSpan.FromSeconds(processes == 1 ? 20 : 75));
    var idleRate = await Bench.IdleRateAsync(azurite, idle);
    if (processes == 1)
    {
        Say($"idle standalone ×1, demo settings (4 partitions, polling max 0.5 s, no cases): {idleRate * 3600:0} storage requests/hour (over {idle} s)");
    }

    var before = azurite.Requests;
    var watch = Stopwatch.StartNew();
    var (latencies, closesAt) = await Load.RunAsync(hosts, cases, hub, origin);
    var driven = watch.Elapsed.TotalSeconds;
    latencies.Sort();
    Say($"standalone ×{processes}: {cases} cases (register → route → accept → reply) in {driven:0.0} s = {cases / driven:0.00} cases/s; " +
        $"command latency p50 {Bench.Pct(latencies, 0.5) * 1000:0} ms p99 {Bench.Pct(latencies, 0.99) * 1000:0} ms (n = {latencies.Count})");

    // Wait until the last review window has lapsed, count, then check (the checks' own reads are not counted).
    var wait = closesAt - Clocks.Wall.GetUtcNow() + TimeSpan.FromSeconds(10);
    if (wait > TimeSpan.Zero)
    {
        await Task.Delay(wait);
    }

    var used = azurite.Requests - before;
    var span = watch.Elapsed.TotalSeconds;
    var closed = await Load.CountClosedAsync(hosts[0]);
    var net = used - (idleRate * span);
    Say($"standalone ×{processes}: lifecycle to closure (review window lapsed) for {closed}/{cases} cases within {span:0} s; storage requests {used}, " +
        $"less idle baseline {idleRate * span:0} = {net / cases:0} per case");

    foreach (var h in hosts)
    {
        h.Dispose();
    }
}

var output = Path.Combine(root, "bench", "results", $"engine-{profile}-{Clocks.Wall.GetUtcNow():yyyyMMdd-HHmm}.txt");
await File.WriteAllLinesAsync(output, report);
Console.WriteLine("written " + output);

internal static class Bench
{
    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Supervision.sln")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("Supervision.sln not found");
    }

    public static double Pct(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>Storage requests per second over <paramref name="seconds"/> of whatever the hosts do on their own.</summary>
    public static async Task<double> IdleRateAsync(Azurite azurite, int seconds)
    {
        var before = azurite.Requests;
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        return (azurite.Requests - before) / (double)seconds;
    }

    public static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    public static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}

/// <summary>A private Azurite with its access log on: one stdout line per storage request.</summary>
internal sealed class Azurite : IAsyncDisposable
{
    private readonly Process process;
    private long requests;

    private Azurite(Process process, string connection)
    {
        this.process = process;
        ConnectionString = connection;
    }

    public string ConnectionString { get; }

    public long Requests => Interlocked.Read(ref requests);

    public static async Task<Azurite> StartAsync(string root)
    {
        int blob = Bench.FreePort(), queue = Bench.FreePort(), table = Bench.FreePort();
        var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[]
                 {
                     Path.Combine(root, "tools", "node_modules", "azurite", "dist", "src", "azurite.js"), "--inMemoryPersistence", "--skipApiVersionCheck", "--loose",
                     "--disableTelemetry", "--blobHost", "127.0.0.1", "--blobPort", blob.ToString(CultureInfo.InvariantCulture), "--queueHost", "127.0.0.1",
                     "--queuePort", queue.ToString(CultureInfo.InvariantCulture), "--tableHost", "127.0.0.1", "--tablePort", table.ToString(CultureInfo.InvariantCulture),
                 })
        {
            psi.ArgumentList.Add(a);
        }

        var p = Process.Start(psi)!;
        var cs = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
            $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";
        var a2 = new Azurite(p, cs);
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("HTTP/1.1\"", StringComparison.Ordinal) == true)
            {
                Interlocked.Increment(ref a2.requests);
            }
        };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        for (var i = 0; i < 300; i++)
        {
            try
            {
                using var c = new System.Net.Sockets.TcpClient();
                await c.ConnectAsync("127.0.0.1", table);
                return a2;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(200);
            }
        }

        throw new InvalidOperationException("Azurite did not start");
    }

    public ValueTask DisposeAsync()
    {
        process.Kill(entireProcessTree: true);
        process.Dispose();
        return ValueTask.CompletedTask;
    }
}

internal sealed record TimerResult(int Fired, double PerSecond, double P50, double P99, double Max, long Requests, double ScheduledPerSecond);

internal static class TimerWorkload
{
    public static async Task<TimerResult> RunAsync(Azurite azurite, string label, bool tuned, int count, TimeSpan spread)
    {
        var settings = new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = "t" + (tuned ? "tuned" : "dflt") + Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            StorageAccountClientProvider = new StorageAccountClientProvider(azurite.ConnectionString),
            LoggerFactory = NullLoggerFactory.Instance,
        };
        if (tuned)
        {
            // The standalone host's settings (DurableTaskOptions defaults, polling as scripts/run.sh and the tests use).
            settings.PartitionCount = 4;
            settings.MaxQueuePollingInterval = TimeSpan.FromMilliseconds(500);
            settings.ControlQueueBatchSize = 32;
            settings.MaxConcurrentTaskOrchestrationWorkItems = 32;
            settings.MaxConcurrentTaskActivityWorkItems = 32;
            settings.ExtendedSessionsEnabled = true;
        }

        var service = new AzureStorageOrchestrationService(settings);
        await service.CreateIfNotExistsAsync();
        var shims = new DurableTaskShimFactory(new DurableTaskWorkerOptions { DataConverter = JsonDataConverter.Default }, NullLoggerFactory.Instance);
        var worker = new TaskHubWorker(service, NullLoggerFactory.Instance);
        worker.AddTaskOrchestrations(new Creator("TimerProbe", () => shims.CreateOrchestration("TimerProbe", new TimerProbe())));
        await worker.StartAsync();
        var client = new TaskHubClient(service, null, NullLoggerFactory.Instance);

        // Create every instance first; the timers fall due evenly over the spread, starting after creation.
        var start = Clocks.Wall.GetUtcNow().UtcDateTime.AddSeconds(10 + (count / 10.0));
        var due = Enumerable.Range(0, count).Select(i => start + (spread * i / count)).ToArray();
        var created = new DateTime[count];
        var before = azurite.Requests;
        var scheduling = Stopwatch.StartNew();
        using (var gate = new SemaphoreSlim(16))
        {
            await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    await client.CreateOrchestrationInstanceAsync("TimerProbe", "", $"t{i:D5}", due[i].ToString("O", CultureInfo.InvariantCulture));
                    created[i] = Clocks.Wall.GetUtcNow().UtcDateTime;
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        var scheduledPerSecond = count / scheduling.Elapsed.TotalSeconds;
        var late = Clocks.Wall.GetUtcNow().UtcDateTime > start ? $" (creation overran the first due instant by {(Clocks.Wall.GetUtcNow().UtcDateTime - start).TotalSeconds:0.0} s)" : "";
        Console.WriteLine($"[{label}] {count} instances created{late}");
        var deadline = due[^1] + TimeSpan.FromSeconds(120);
        var completed = new Dictionary<int, DateTime>();
        while (completed.Count < count && Clocks.Wall.GetUtcNow().UtcDateTime < deadline)
        {
            await Task.Delay(2000);
            foreach (var i in Enumerable.Range(0, count).Where(i => !completed.ContainsKey(i) && due[i] < Clocks.Wall.GetUtcNow().UtcDateTime))
            {
                var s = await client.GetOrchestrationStateAsync($"t{i:D5}");
                if (s?.OrchestrationStatus == OrchestrationStatus.Completed)
                {
                    completed[i] = s.CompletedTime;
                }
            }
        }

        var requests = azurite.Requests - before;
        await worker.StopAsync(true);
        // A timer cannot fire before its instance exists: lateness counts from the later of due and created.
        var lateness = completed.Select(kv => (kv.Value - (due[kv.Key] > created[kv.Key] ? due[kv.Key] : created[kv.Key])).TotalSeconds).Order().ToList();
        var span = completed.Count > 1 ? (completed.Values.Max() - completed.Values.Min()).TotalSeconds : double.NaN;
        return new TimerResult(completed.Count, completed.Count / span, Bench.Pct(lateness, 0.5), Bench.Pct(lateness, 0.99), lateness.LastOrDefault(), requests, scheduledPerSecond);
    }

    private sealed class TimerProbe : TaskOrchestrator<string, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, string input)
        {
            await context.CreateTimer(DateTime.Parse(input, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind), CancellationToken.None);
            return "fired";
        }
    }

    private sealed class Creator : ObjectCreator<TaskOrchestration>
    {
        private readonly Func<TaskOrchestration> create;

        public Creator(string name, Func<TaskOrchestration> create)
        {
            Name = name;
            Version = string.Empty;
            this.create = create;
        }

        public override TaskOrchestration Create() => create();
    }
}

/// <summary>A standalone host child process (tuned settings, legal clock at one day per second).</summary>
internal sealed class Host(string dll, string connection, string hub, string name, bool production = false) : IDisposable
{
    private readonly int port = Bench.FreePort();
    private Process? process;
    private HttpClient? client;

    public HttpClient Client => client ??= new() { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };

    public void Start(DateTimeOffset origin)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.Environment["AzureWebJobsStorage"] = connection;
        var s = new List<string>
        {
            $"--Supervision:Urls=http://127.0.0.1:{port}", "--Supervision:Auth:Mode=Demo", "--Supervision:Org:Seed=demo",
            $"--Supervision:Org:Container={hub}cfg", $"--Supervision:Calendar:Container={hub}cal", $"--Supervision:Storage:Prefix={hub}",
            $"--Supervision:DurableTask:HubName={hub}", "--Supervision:DurableTask:PartitionCount=4", $"--Supervision:DurableTask:WorkerId={name}",
            "--Logging:LogLevel:Default=Warning",
        };

        // Production: the host's own defaults (real-time clock, 5 s polling, org and calendar caches as shipped).
        if (!production)
        {
            s.AddRange([
                "--Supervision:DurableTask:MaxQueuePollingInterval=00:00:00.500", "--Supervision:Clock:Speed=86400", "--Supervision:Clock:Start=2025-09-10T01:00:00Z",
                $"--Supervision:Clock:RealOrigin={origin:O}", "--Supervision:Org:CacheFor=3650.00:00:00", "--Supervision:Calendar:RefreshSeconds=315360000"]);
        }

        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"exec dotnet '{dll}' {string.Join(' ', s.Select(a => "'" + a + "'"))} > /tmp/supervision-bench-{name}.log 2>&1");
        process = Process.Start(psi);
    }

    public async Task WaitReadyAsync()
    {
        for (var i = 0; i < 600; i++)
        {
            try
            {
                if ((await Client.GetAsync(new Uri("/health/live", UriKind.Relative))).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100);
            }
        }

        throw new InvalidOperationException(name + " not ready");
    }

    public void Dispose()
    {
        process?.Kill(entireProcessTree: true);
        process?.Dispose();
        client?.Dispose();
    }
}

internal static class Load
{
    private static readonly DateTimeOffset LegalStart = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// register → route → accept → reply per case, 6 at a time, spread over the hosts; returns each command's latency (s)
    /// and the real instant by which every case's review window has lapsed (from the replies' review-window clocks).
    /// </summary>
    public static async Task<(List<double> Latencies, DateTimeOffset ClosesAt)> RunAsync(IReadOnlyList<Host> hosts, int cases, string run, DateTimeOffset origin)
    {
        var latencies = new List<double>();
        var closesAt = DateTimeOffset.MinValue;
        using var gate = new SemaphoreSlim(6);
        await Task.WhenAll(Enumerable.Range(0, cases).Select(async n =>
        {
            await gate.WaitAsync();
            try
            {
                var c = hosts[n % hosts.Count].Client;
                var legal = LegalStart + ((Clocks.Wall.GetUtcNow() - origin) * 86_400);
                var reg = await CallAsync(c, "/api/cases", "c-registrar", $"{run}-r{n}", new
                {
                    channel = "Letter",
                    receivedAt = legal.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                    unitId = "c-bureau",
                    petitioner = new { name = "信访人" + n.ToString(CultureInfo.InvariantCulture), phone = "13800000000" },
                    summary = "电梯停运",
                    matterKey = $"housing:bench:{n}",
                    category = "Complaint",
                }, latencies);
                var id = (string)reg["case"]!["id"]!;
                await CallAsync(c, $"/api/cases/{id}/route", "c-registrar", $"{run}-o{n}", new { kind = "Forward", agencyId = "c-housing" }, latencies);
                await CallAsync(c, $"/api/cases/{id}/accept", "c-housing-officer", $"{run}-a{n}", new { }, latencies);
                var replied = await CallAsync(c, $"/api/cases/{id}/reply", "c-housing-officer", $"{run}-p{n}",
                    new { outcome = "Support", opinionFile = $"archive/bench-{n}.pdf" }, latencies);
                var window = replied["clocks"]!.AsArray().First(k => (string?)k!["name"] == "review-window")!;
                var due = DateTimeOffset.Parse((string)window["dueInstant"]!, CultureInfo.InvariantCulture);
                var real = origin + ((due - LegalStart) / 86_400);
                lock (latencies)
                {
                    closesAt = real > closesAt ? real : closesAt;
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        return (latencies, closesAt);
    }

    /// <summary>How many of the hub's cases are closed, from the case board's total.</summary>
    public static async Task<int> CountClosedAsync(Host host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/cases?status=Closed&pageSize=1");
        request.Headers.Add("X-Supervision-User", "c-registrar");
        using var response = await host.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"case board: {(int)response.StatusCode} {text}");
        }

        return (int)JsonNode.Parse(text)!["total"]!;
    }

    /// <summary>One command, re-sent with the same key while the API answers 202 (still pending); latency to the final answer.</summary>
    private static async Task<JsonNode> CallAsync(HttpClient c, string path, string user, string key, object body, List<double> latencies)
    {
        var w = Stopwatch.StartNew();
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
            request.Headers.Add("X-Supervision-User", user);
            request.Headers.Add("Idempotency-Key", key);
            using var response = await c.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if ((int)response.StatusCode is 200 or 201)
            {
                lock (latencies)
                {
                    latencies.Add(w.Elapsed.TotalSeconds);
                }

                return JsonNode.Parse(text)!;
            }

            if ((int)response.StatusCode != 202 || w.Elapsed > TimeSpan.FromMinutes(3))
            {
                throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {text}");
            }
        }
    }
}

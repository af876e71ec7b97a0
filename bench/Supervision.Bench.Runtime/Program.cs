using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using HdrHistogram;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;
using Supervision.Runtime;
using Supervision.Runtime.TestKit;
using Supervision.Testing;

// Runtime bench (BENCHMARK.md §2, engine row "a"): one process hosting the sweeper and workers on the real clock
// against Azurite. Phase P: timers due at a steady rate → lateness p50/p99 at the sweep interval. Phase T: N
// instances set, fire, and notify a partner → decisions/s end to end and storage requests per decision.
// Usage: dotnet run -c Release --project bench/Supervision.Bench.Runtime [--smoke] [--instances N] [--sweep-ms S] [--out FILE]
var smoke = args.Contains("--smoke");
int Arg(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
var instances = Arg("--instances", smoke ? 200 : 2000);
var sweepMs = Arg("--sweep-ms", 1000);
var pacedSeconds = Arg("--paced-seconds", smoke ? 6 : 20);
var pacedRate = Arg("--paced-rate", smoke ? 20 : 40);
var outFile = Array.IndexOf(args, "--out") is var o and >= 0 ? args[o + 1] : null;

var cs = await TestStorage.GetConnectionStringAsync();
var prefix = TestStorage.UniqueName("bench");
var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders();
builder.Services.AddSupervisionRuntime(opt =>
    {
        opt.ConnectionString = cs;
        opt.Prefix = prefix;
        opt.SweepInterval = TimeSpan.FromMilliseconds(sweepMs);
        opt.PollInterval = TimeSpan.FromMilliseconds(50);
        opt.WorkerConcurrency = 4;
    })
    .AddOrchestration(new DeadlineDecider(), DeadlineDecider.Json)
    .AddStandaloneHosting();
using var host = builder.Build();
var client = host.Services.GetRequiredService<OrchestrationClient>();
var metrics = host.Services.GetRequiredService<RuntimeMetrics>();
var clock = TimeProvider.System;

var lateness = new LongHistogram(TimeStamp.Hours(1), 3);
using var listener = new MeterListener();
listener.InstrumentPublished = (inst, l) =>
{
    if (inst.Meter.Name == RuntimeMetrics.MeterName && inst.Name == "supervision.timer.lateness")
    {
        l.EnableMeasurementEvents(inst);
    }
};
var recordLateness = false;
listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
{
    if (Volatile.Read(ref recordLateness))
    {
        lock (lateness)
        {
            lateness.RecordValue(Math.Max(0, (long)(value * 1000)));
        }
    }
});
listener.Start();

await host.StartAsync();
var load = File.Exists("/proc/loadavg") ? (await File.ReadAllTextAsync("/proc/loadavg")).Trim() : "n/a";

async Task WaitAsync(Func<Task<bool>> done, TimeSpan limit)
{
    var sw = Stopwatch.StartNew();
    while (!await done())
    {
        if (sw.Elapsed > limit)
        {
            // Exit normally (not by an unhandled exception) so the private Azurite is stopped on the way out.
            await Console.Error.WriteLineAsync("bench phase did not finish in time: " +
                string.Join(", ", metrics.Totals.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")));
            Environment.Exit(1);
        }

        await Task.Delay(200);
    }
}

// Warm-up: JIT, tables, queue.
await client.ExecuteAsync(DeadlineDecider.Type, "warm", new Ping(1), "warm", "bench");

// Phase P: paced timers, registered ahead, due at a steady rate; lateness = decision time − due instant.
var pacedCount = pacedSeconds * pacedRate;
var firedBefore = metrics.Totals.GetValueOrDefault("decision.Applied");
Volatile.Write(ref recordLateness, true);
// Registered far enough ahead (≈ 40 registrations/s on a busy 2-core box) that registering does not overlap firing.
var p0 = clock.GetUtcNow().AddSeconds(3 + (pacedCount / 40.0));
await Parallel.ForEachAsync(Enumerable.Range(0, pacedCount), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
    await client.ExecuteAsync(DeadlineDecider.Type, "p" + i,
        new SetDeadline(Instant.FromDateTimeOffset(p0.AddMilliseconds(i * 1000.0 / pacedRate)), 1), "p" + i, "bench", ct));
var registeredLate = clock.GetUtcNow() > p0 ? $" (registration ended {(clock.GetUtcNow() - p0).TotalSeconds:F1} s after the first due instant)" : "";
await WaitAsync(async () => metrics.Totals.GetValueOrDefault("decision.Applied") - firedBefore >= pacedCount, TimeSpan.FromSeconds(pacedSeconds + 300));
Volatile.Write(ref recordLateness, false);

// Phase T: N instances, each set inline, fires once, and notifies its partner through the queue.
var requestsBefore = metrics.StorageRequestTotal;
var appliedBefore = metrics.Totals.GetValueOrDefault("decision.Applied");
var t = Stopwatch.StartNew();
var due = clock.GetUtcNow().AddSeconds(2);
await Parallel.ForEachAsync(Enumerable.Range(0, instances), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
    await client.ExecuteAsync(DeadlineDecider.Type, "t" + i,
        new SetDeadline(Instant.FromDateTimeOffset(due), 1, "t" + ((i + 1) % instances)), "t" + i, "bench", ct));
var setDone = t.Elapsed;
await WaitAsync(async () => metrics.Totals.GetValueOrDefault("decision.Applied") - appliedBefore >= 2L * instances, TimeSpan.FromSeconds(600));
var elapsed = t.Elapsed;
var decisions = 3L * instances; // set (inline) + fire + notify
var requests = metrics.StorageRequestTotal - requestsBefore;
await host.StopAsync();

var cpu = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim() : "n/a";
var report = new StringBuilder();
report.AppendLine(CultureInfo.InvariantCulture, $"# Runtime bench {(smoke ? "(smoke)" : "")} — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
report.AppendLine();
report.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores ({cpu}), .NET {Environment.Version}, load average at start {load}. Azurite in memory, one bench process hosting sweeper + workers (concurrency 4), sweep interval {sweepMs} ms.");
report.AppendLine();
report.AppendLine("| metric | value |");
report.AppendLine("| --- | --- |");
report.AppendLine(CultureInfo.InvariantCulture, $"| phase T: instances (set inline → timer fires → partner notified via queue) | {instances} |");
report.AppendLine(CultureInfo.InvariantCulture, $"| phase T: decisions | {decisions} (sets done at {setDone.TotalSeconds:F1} s, all done at {elapsed.TotalSeconds:F1} s) |");
report.AppendLine(CultureInfo.InvariantCulture, $"| **decisions per second, end to end** | **{decisions / elapsed.TotalSeconds:F0}** |");
report.AppendLine(CultureInfo.InvariantCulture, $"| **storage requests per decision** | **{(double)requests / decisions:F2}** ({requests} requests) |");
foreach (var (k, v) in metrics.Totals.Where(kv => kv.Key.StartsWith("storage.", StringComparison.Ordinal)).OrderBy(kv => kv.Key, StringComparer.Ordinal))
{
    report.AppendLine(CultureInfo.InvariantCulture, $"| &nbsp; {k} (whole run) | {v} |");
}

report.AppendLine(CultureInfo.InvariantCulture, $"| phase P: timers paced at {pacedRate}/s for {pacedSeconds} s{registeredLate} | {pacedCount} |");
report.AppendLine(CultureInfo.InvariantCulture, $"| **wake-up lateness p50 / p99 / max** (decision time − due, real ms) | **{lateness.GetValueAtPercentile(50) / 1000.0:F0} / {lateness.GetValueAtPercentile(99) / 1000.0:F0} / {lateness.GetMaxValue() / 1000.0:F0} ms** |");
report.AppendLine(CultureInfo.InvariantCulture, $"| ETag conflicts (412 reloads) | {metrics.Totals.GetValueOrDefault("conflict")} |");
Console.WriteLine(report);
if (outFile is not null)
{
    await File.WriteAllTextAsync(outFile, report.ToString());
}

return 0;

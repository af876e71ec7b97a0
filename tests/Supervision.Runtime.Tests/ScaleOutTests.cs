using System.Diagnostics;
using System.Text.Json;
using Azure.Data.Tables;
using NodaTime;
using Supervision.Domain.Orchestration;
using Supervision.Runtime.TestKit;
using Supervision.Testing;
using Xunit.Abstractions;

namespace Supervision.Runtime.Tests;

/// <summary>
/// Three OS processes (Supervision.Runtime.ScaleOutHost, each with the sweeper and workers as hosted services on the
/// real clock) against one Azurite, one table/queue prefix. Thousands of instances with timers, reschedules,
/// concurrent and duplicated messages, and instance-to-instance messages; the final states must equal the
/// single-process reference fold, and every deadline's effects must be recorded exactly once.
/// </summary>
public sealed class ScaleOutTests(ITestOutputHelper output)
{
    /// <summary>1,000 by default so the suite stays short on a shared 2-core box; SUPERVISION_SCALEOUT_INSTANCES=2000 for more.</summary>
    private static readonly int Instances = int.TryParse(Environment.GetEnvironmentVariable("SUPERVISION_SCALEOUT_INSTANCES"), out var n) && n >= 20 ? n : 1000;
    private const int Hosts = 3;

    [Fact]
    public async Task Three_processes_drive_thousands_of_instances_to_the_single_process_final_state()
    {
        var cs = await TestStorage.GetConnectionStringAsync();
        using var h = await RuntimeHarness.CreateAsync(prefix: TestStorage.UniqueName("so"));
        var hosts = new List<Process>();
        var total = Stopwatch.StartNew();
        try
        {
            for (var i = 0; i < Hosts; i++)
            {
                hosts.Add(await StartHostAsync(cs, h.Prefix));
            }

            var startup = total.Elapsed;

            // The workload, sent by this test process as a fourth writer, inline (the API edge's path) so the queue
            // stays shallow (Azurite's queues slow down sharply with depth, BENCHMARK.md §1.10). Deadlines spread over
            // 20 s starting 12 s from now; 10 % are rescheduled (revision 2, 3 s later); 5 % of pings are redelivered.
            var t0 = TimeProvider.System.GetUtcNow();
            var expected = new Dictionary<string, DeadlineState>();
            var decider = new DeadlineDecider();
            var messages = 0;
            var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<ExecutionStatus, int>();
            var workload = Enumerable.Range(0, Instances).Select(i =>
            {
                var id = "s" + i;
                var partner = "s" + ((i + 1) % Instances);
                var due = Instant.FromDateTimeOffset(t0.AddSeconds(12).AddMilliseconds(i * 20_000.0 / Instances));
                var commands = new List<(DeadlineCommand Command, string MessageId)> { (new SetDeadline(due, 1, partner), id + "-r1") };
                if (i % 10 == 0)
                {
                    commands.Add((new SetDeadline(due + Duration.FromSeconds(3), 2, partner), id + "-r2"));
                }

                var ping = new Ping(1 + (i % 3));
                commands.Add((ping, id + "-p"));
                if (i % 20 == 0)
                {
                    commands.Add((ping, id + "-p"));
                }

                // The reference: the same decider folded in one process.
                var final = (SetDeadline)commands.Last(c => c.Command is SetDeadline).Command;
                expected[id] = decider.Initial with
                {
                    Status = "fired",
                    DueAt = final.DueAt,
                    Generation = final.Revision,
                    Partner = partner,
                    Fires = 1,
                    FiredGeneration = final.Revision,
                    Pings = ping.Amount,
                    Notifications = 1,
                };
                messages += commands.Count;
                return (id, commands);
            }).ToList();

            await Parallel.ForEachAsync(workload, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (w, ct) =>
            {
                foreach (var (command, messageId) in w.commands)
                {
                    var r = await h.Client.ExecuteAsync(DeadlineDecider.Type, w.id, command, messageId, "tester", ct);
                    outcomes.AddOrUpdate(r.Status, 1, (_, n) => n + 1);
                }
            });
            var enqueued = total.Elapsed - startup;
            Assert.Equal(Instances / 20, outcomes.GetValueOrDefault(ExecutionStatus.Duplicate));

            // Bounded wait on real processes: poll the snapshots until every instance has fired and been notified.
            var instances = await h.Storage.InstancesAsync();
            var deadline = Stopwatch.StartNew();
            Dictionary<string, DeadlineState> actual;
            while (true)
            {
                actual = await ReadStatesAsync(instances);
                if (actual.Count == Instances && actual.Values.All(s => s.Fires >= 1 && s.Notifications >= 1))
                {
                    break;
                }

                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(240), $"not converged: {actual.Count(kv => kv.Value.Fires >= 1)} fired, {actual.Count(kv => kv.Value.Notifications >= 1)} notified");
                Assert.All(hosts, p => Assert.False(p.HasExited, "a host process died"));
                await Task.Delay(2000);
            }

            var converged = total.Elapsed;

            // Let the outboxes' last deletes land, then compare everything.
            await StopAsync(hosts);
            foreach (var (id, state) in expected)
            {
                Assert.Equal(JsonSerializer.Serialize(state, DeadlineDecider.Json), JsonSerializer.Serialize(actual[id], DeadlineDecider.Json));
            }

            var mailbox = await h.Mailbox.ListAsync("supervisor", "unit-1");
            Assert.Equal(Instances, mailbox.Select(m => m.AlertId).Distinct().Count());
            var readModel = await h.Storage.ReadModelAsync(DeadlineDecider.ReadModel);
            var rows = readModel.Query<TableEntity>().ToList();
            Assert.Equal(Instances, rows.Count);
            Assert.All(rows, r => Assert.Equal(expected[r.RowKey].Generation, r.GetInt32("Generation")));
            Assert.Empty(await h.Ops.ListDeadLettersAsync());
            foreach (var id in expected.Keys.Where((_, i) => i % 20 == 0))
            {
                var events = await h.Ops.ListEventsAsync(DeadlineDecider.Type, id);
                Assert.Single(events, e => e.EventType == nameof(DeadlineFired));
                Assert.Equal(Enumerable.Range(1, events.Count).Select(n => (long)n), events.Select(e => e.Sequence));
            }

            output.WriteLine(
                $"{Hosts} processes + this one, {Instances} instances, {messages} commands + {Instances} timer firings + {Instances} instance-to-instance messages; " +
                $"hosts up in {startup.TotalSeconds:F1} s, commands done at {enqueued.TotalSeconds:F1} s, all fired and notified at {converged.TotalSeconds:F1} s (deadlines 12-35 s out).");
        }
        finally
        {
            await StopAsync(hosts);
        }
    }

    private static async Task<Dictionary<string, DeadlineState>> ReadStatesAsync(TableClient instances)
    {
        var states = new Dictionary<string, DeadlineState>();
        await foreach (var e in instances.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {Keys.SnapshotRow}"), select: ["InstanceId", "State"]))
        {
            states[e.GetString("InstanceId")] = JsonSerializer.Deserialize<DeadlineState>(e.GetString("State"), DeadlineDecider.Json)!;
        }

        return states;
    }

    private static async Task<Process> StartHostAsync(string connectionString, string prefix)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Supervision.Runtime.ScaleOutHost.dll"));
        psi.ArgumentList.Add(connectionString);
        psi.ArgumentList.Add(prefix);
        var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start the scale-out host");
        p.ErrorDataReceived += (_, _) => { };
        p.BeginErrorReadLine();
        var ready = await p.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("ready", ready);
        return p;
    }

    private static async Task StopAsync(List<Process> hosts)
    {
        foreach (var p in hosts.Where(p => !p.HasExited))
        {
            p.StandardInput.Close();
        }

        foreach (var p in hosts)
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await p.WaitForExitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
            }
        }

        foreach (var p in hosts)
        {
            p.Dispose();
        }

        hosts.Clear();
    }
}

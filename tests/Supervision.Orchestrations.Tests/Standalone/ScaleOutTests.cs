using System.Diagnostics;
using Azure.Data.Tables;
using Xunit.Abstractions;

namespace Supervision.Orchestrations.Tests.Standalone;

/// <summary>
/// Three standalone host processes on one Azurite share one task hub (4 partitions, table leases): the load is spread
/// over their APIs, the partitions over their workers, and the result is what the decider predicts (the same as one
/// process). Each process's share is counted from its own log (activities completed, orchestration episodes).
/// </summary>
[Collection(StandaloneProcesses.Name)]
public sealed class ScaleOutTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Three_processes_share_the_partitions_and_reach_the_single_process_result()
    {
        var cases = LoadRun.Setting("SUPERVISION_SCALE_CASES", 60);
        // Leases and visibility for a box where three hosts, Azurite and the test share 2 cores: a 30 s lease survives a
        // few timed-out renewals (each partition-table operation has a 2 s budget), and a 90 s visibility timeout neither
        // redelivers a message a busy live host still holds (30 s did, in CI) nor strands for 5 min a message dequeued by a
        // host that then lost the partition (DTFx's default did, in CI).
        var setup = await StandaloneSetup.CreateAsync("s", 2 * 86_400, extra: new Dictionary<string, string>
        {
            ["Supervision:DurableTask:LeaseInterval"] = "00:00:30",
            ["Supervision:DurableTask:ControlQueueVisibilityTimeout"] = "00:01:30",
            ["Supervision:DurableTask:WorkItemQueueVisibilityTimeout"] = "00:01:30",
        });
        var run = new LoadRun(setup, output);
        await using var a = new StandaloneProcess(setup, "host-a");
        await using var b = new StandaloneProcess(setup, "host-b");
        await using var c = new StandaloneProcess(setup, "host-c");
        StandaloneProcess[] hosts = [a, b, c];
        foreach (var h in hosts)
        {
            h.Start();
        }

        foreach (var h in hosts)
        {
            await h.WaitReadyAsync();
        }

        await WaitForBalancedPartitionsAsync(setup, hosts, run);
        await run.DriveAsync(cases, 6, n => hosts[n % 3].Client);
        var until = await run.WaitForOverdueAsync(TimeSpan.FromMinutes(4));
        await run.VerifyAsync(until);

        foreach (var h in hosts)
        {
            run.Log($"{h.Name}: {h.ActivitiesCompleted} activities completed, {h.EpisodesExecuted} orchestration episodes");
        }

        // Each host owns a partition once balanced (checked above) and polls the shared work-item queue, so each must have
        // done its share of both kinds of work: a host that did nothing would mean the "scale-out" ran on fewer hosts.
        Assert.All(hosts, h => Assert.True(h.EpisodesExecuted > 0, $"{h.Name} ran no orchestration episode"));
        Assert.All(hosts, h => Assert.True(h.ActivitiesCompleted > 0, $"{h.Name} completed no activity"));
    }

    /// <summary>
    /// Waits until the 4 partitions are spread over all three hosts with no lease being stolen or drained, read from DTFx's
    /// partition table: the load then starts on settled owners (partitions moving under load was the other CI failure).
    /// </summary>
    private static async Task WaitForBalancedPartitionsAsync(StandaloneSetup setup, StandaloneProcess[] hosts, LoadRun run)
    {
        var table = new TableClient(setup.Connection, setup.Hub + "Partitions");
        var started = Stopwatch.StartNew();
        var owners = new List<string?>();
        while (started.Elapsed < TimeSpan.FromMinutes(3))
        {
            var leases = new List<TableEntity>();
            try
            {
                await foreach (var lease in table.QueryAsync<TableEntity>())
                {
                    leases.Add(lease);
                }
            }
            catch (Azure.RequestFailedException e) when (e.Status == 404)
            {
                // The hosts have not created their partition table yet.
            }

            owners = leases.Select(l => (string?)l.GetString("CurrentOwner")).ToList();
            if (leases.Count == setup.Partitions
                && hosts.All(h => owners.Contains(h.Name))
                && leases.All(l => string.IsNullOrEmpty(l.GetString("NextOwner")) && l.GetBoolean("IsDraining") != true))
            {
                run.Log($"partitions balanced after {started.Elapsed.TotalSeconds:0} s: {string.Join(", ", owners)}");
                return;
            }

            await Task.Delay(500);
        }

        Assert.Fail($"the partitions were not spread over the three hosts within 3 min: owners {string.Join(", ", owners)}");
    }
}

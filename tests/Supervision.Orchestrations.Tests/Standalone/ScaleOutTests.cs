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
        var setup = await StandaloneSetup.CreateAsync("s", 2 * 86_400);
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

        await run.DriveAsync(cases, 6, n => hosts[n % 3].Client);
        var until = await run.WaitForOverdueAsync(TimeSpan.FromMinutes(4));
        await run.VerifyAsync(until);

        foreach (var h in hosts)
        {
            run.Log($"{h.Name}: {h.ActivitiesCompleted} activities completed, {h.EpisodesExecuted} orchestration episodes");
        }

        Assert.True(hosts.Count(h => h.ActivitiesCompleted > 0) >= 2, "at least two processes should have run activities");
        Assert.True(hosts.Count(h => h.EpisodesExecuted > 0) >= 2, "at least two processes should have run orchestrations");
    }
}

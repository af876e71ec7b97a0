using System.Diagnostics;
using System.Globalization;
using NodaTime;
using Supervision.Domain.Cases;
using Xunit.Abstractions;

namespace Supervision.Orchestrations.Tests.Standalone;

/// <summary>Drives cases through standalone hosts and checks the outcome against <see cref="CaseOracle"/>.</summary>
public sealed class LoadRun(StandaloneSetup setup, ITestOutputHelper output)
{
    private readonly Dictionary<string, int> numbers = new(StringComparer.Ordinal);
    private readonly Stopwatch clock = Stopwatch.StartNew();

    /// <summary>Progress, to the test output and to <c>$TMPDIR/supervision-{prefix}.log</c> (readable while the test runs).</summary>
    public void Log(string line)
    {
        var text = $"[{clock.Elapsed.TotalSeconds,6:0.0} s] {line}";
        output.WriteLine(text);
        File.AppendAllText(Path.Combine(Path.GetTempPath(), $"supervision-{setup.Prefix}.log"), text + "\n");
    }

    public IReadOnlyCollection<string> CaseIds => numbers.Keys;

    /// <summary>Every 5xx and failed connection the load met (the load retries them with the same Idempotency-Key).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<ServerError> ServerErrors { get; } = new();

    public DateTimeOffset LegalNow() => setup.Mapping.ToLegal(Clocks.Wall.GetUtcNow());

    public static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out var v) ? v : fallback;

    public static double Setting(string name, double fallback) =>
        double.TryParse(Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out var v) ? v : fallback;

    /// <summary>Runs register → route → accept for <paramref name="cases"/> cases, <paramref name="concurrency"/> at a time, against the host <paramref name="pick"/> names.</summary>
    public async Task DriveAsync(int cases, int concurrency, Func<int, HttpClient> pick)
    {
        using var gate = new SemaphoreSlim(concurrency);
        var ids = new string[cases];
        await Task.WhenAll(Enumerable.Range(0, cases).Select(async n =>
        {
            await gate.WaitAsync();
            try
            {
                ids[n] = await CaseApi.LifecycleAsync(() => pick(n), setup.Prefix, n, LegalNow, TimeSpan.FromSeconds(150), ServerErrors);
                if (n % 20 == 0)
                {
                    Log($"case {n} accepted ({ids[n]})");
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        for (var n = 0; n < cases; n++)
        {
            numbers[ids[n]] = n;
        }
    }

    /// <summary>
    /// Waits until every case's handling clock is overdue (its last timer). The bound only ends a hang: it is the
    /// latest legal due instant plus <paramref name="extra"/>, which must cover DTFx's own recovery times on a loaded
    /// box (a work item held past the control queue's visibility timeout is redelivered; a partition whose lease
    /// renewal timed out moves to another host after the lease interval). How late each case went overdue is logged,
    /// not asserted: lateness is measured in <c>bench/</c>.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, Instant>> WaitForOverdueAsync(TimeSpan extra)
    {
        var store = new DecisionStore(setup.Storage(), Clocks.Wall);
        var due = new Dictionary<string, Instant>(StringComparer.Ordinal);
        foreach (var id in numbers.Keys)
        {
            var s = await StateAsync(store, id);
            due[id] = s.Clock("handling")!.DueInstant;
        }

        var latest = setup.Mapping.ToReal(due.Values.Max().ToDateTimeOffset());
        var limit = latest - Clocks.Wall.GetUtcNow().UtcDateTime + extra;
        var started = Stopwatch.StartNew();
        var open = new HashSet<string>(numbers.Keys, StringComparer.Ordinal);
        var lateness = new List<double>();
        var reported = -1;
        while (open.Count > 0)
        {
            foreach (var id in open.ToList())
            {
                if ((await StateAsync(store, id)).Clock("handling")!.Reached == ClockLevel.Overdue)
                {
                    open.Remove(id);
                    lateness.Add((Clocks.Wall.GetUtcNow() - setup.Mapping.ToReal(due[id].ToDateTimeOffset())).TotalSeconds);
                }
            }

            if (open.Count != reported)
            {
                Log($"{open.Count} cases not overdue yet");
                reported = open.Count;
            }

            if (open.Count > 0 && started.Elapsed >= limit)
            {
                var stuck = new List<string>();
                foreach (var id in open.Take(5))
                {
                    var s = await StateAsync(store, id);
                    var h = s.Clock("handling")!;
                    stuck.Add($"{id}: status {s.Status}, handling clock reached {h.Reached}, due {h.DueInstant}");
                }

                Assert.Fail($"{open.Count} cases not overdue {started.Elapsed.TotalSeconds:0} s into the wait (the latest was due " +
                    $"{(latest - Clocks.Wall.GetUtcNow()).Negate().TotalSeconds:0} s ago; host logs in {Path.GetTempPath()}supervision-{setup.Prefix}-*.log):\n" + string.Join("\n", stuck));
            }

            await Task.Delay(500);
        }

        lateness.Sort();
        Log($"handling clocks overdue; observed lateness after the real due instant (polling every 0.5 s) p50 {lateness[lateness.Count / 2]:0.0} s, max {lateness[^1]:0.0} s");
        return due;
    }

    private static async Task<CaseState> StateAsync(DecisionStore store, string id) =>
        System.Text.Json.JsonSerializer.Deserialize<CaseState>((await store.GetAsync(CaseDecider.Type, id))!.StateJson, CaseJson.Options)!;

    /// <summary>
    /// Every case against the oracle, the mailbox and read model exactly; returns the effects and their dispatch attempts
    /// (more attempts than effects: some work was redone after a kill, and de-duplicated).
    /// </summary>
    public async Task<(int Effects, int Attempts)> VerifyAsync(IReadOnlyDictionary<string, Instant> until)
    {
        var storage = setup.Storage();
        var store = new DecisionStore(storage, Clocks.Wall);
        var expectedAlerts = new List<(string, string, string)>();
        var expectedEffects = new HashSet<string>(StringComparer.Ordinal);
        var expectedRows = new Dictionary<string, (string, long)>(StringComparer.Ordinal);
        var expectedSends = new List<(string Type, string InstanceId)>();
        var expectedCounters = new Dictionary<(string, string, string), long>();
        int events = 0, timers = 0;
        foreach (var (id, n) in numbers)
        {
            var trail = await store.ReadEventsAsync(CaseDecider.Type, id);
            var expected = CaseOracle.Check(id, "housing:elevator:" + n.ToString(CultureInfo.InvariantCulture), trail, until[id]);

            // No duplicate threshold per (clock, generation, level), and the handling clock reached each of its levels once.
            var thresholds = trail.Where(e => e.EventType is nameof(ClockReminderSent) or nameof(ClockWarningRaised) or nameof(ClockCriticalRaised) or nameof(ClockOverdue))
                .Select(e => (e.EventType, Clock: System.Text.Json.JsonDocument.Parse(e.Data).RootElement.GetProperty("name").GetString(),
                    Generation: System.Text.Json.JsonDocument.Parse(e.Data).RootElement.GetProperty("generation").GetInt32()))
                .ToList();
            Assert.Equal(thresholds.Count, thresholds.Distinct().Count());
            Assert.Equal(4, thresholds.Count(t => t.Clock == "handling"));

            var snapshot = (await store.GetAsync(CaseDecider.Type, id))!;
            Assert.Equal(expected.Version, snapshot.Version);
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(expected.State, CaseJson.Options), snapshot.StateJson);
            Assert.Equal(CaseStatus.Accepted, expected.State.Status);
            Assert.Empty(await store.ReadRejectionsAsync(CaseDecider.Type, id));
            expectedAlerts.AddRange(expected.Alerts);
            expectedEffects.UnionWith(expected.EffectIds);
            expectedRows[id] = expected.Row!.Value;
            expectedSends.AddRange(expected.Sent);
            foreach (var (key, count) in expected.Counters)
            {
                expectedCounters[key] = expectedCounters.GetValueOrDefault(key) + count;
            }

            events += trail.Count;
            timers += expected.TimerEvents;
        }

        // The cases' own alerts and effects, exactly; what the tickets they raised did is the tickets' business (their
        // decider has its own tests), but each ticket a case sent for exists.
        static bool OfCases(string id) => id.StartsWith(CaseDecider.Type + "/", StringComparison.Ordinal);
        var mailbox = (await CaseOracle.MailboxAsync(storage)).Where(m => OfCases(m.AlertId)).ToList();
        Assert.Equal(expectedAlerts.Order().ToList(), mailbox.Order().ToList());
        foreach (var (type, instance) in expectedSends.Distinct())
        {
            // The send is the case's effect; the ticket's own start runs after it (and a restart may delay it by a retry).
            var started = System.Diagnostics.Stopwatch.StartNew();
            while (await store.GetAsync(type, instance) is null)
            {
                Assert.True(started.Elapsed < TimeSpan.FromSeconds(90), $"{type} {instance} was sent for but never created");
                await Task.Delay(500);
            }
        }


        var rows = await CaseOracle.CaseRowsAsync(storage);
        Assert.Equal(numbers.Count, rows.Count);
        foreach (var (partition, caseId, version) in rows)
        {
            Assert.Equal(expectedRows[caseId], (partition, version));
        }

        // The analysis aggregates (A21): every counter exactly as the decided effects add up, so no bump was lost or
        // applied twice across the kills.
        var counters = await CaseOracle.CountersAsync(storage);
        Assert.Equal(
            expectedCounters.Where(c => c.Value != 0).OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}").ToList(),
            counters.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}").ToList());
        // Each registration once on its unit's row, and once on every government time series of its chain (A22).
        Assert.Equal(numbers.Count, counters.Where(c => c.Key.Counter == AnalysisCounters.Received && c.Key.Row.StartsWith("u|", StringComparison.Ordinal)).Sum(c => c.Value));
        Assert.Equal(
            numbers.Count,
            counters.Where(c => c.Key.Counter == AnalysisCounters.Received && c.Key.Partition == AnalysisCounters.GovernmentPartition("p-gov")).Sum(c => c.Value));

        var attempts = (await Harness.EffectLog.CountsAsync(storage)).Where(a => OfCases(a.Key)).ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        var missing = expectedEffects.Where(e => !attempts.ContainsKey(e)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} effects never dispatched, e.g. {missing.FirstOrDefault()}");
        Assert.DoesNotContain(attempts.Keys, k => !expectedEffects.Contains(k));
        var total = attempts.Values.Sum();
        Log($"cases {numbers.Count}; audit events {events} (timer events {timers}); mailbox rows {mailbox.Count}; read-model rows {rows.Count}");
        Log($"effects {attempts.Count}; dispatch attempts {total}; repeated dispatches before de-duplication {total - attempts.Count} " +
            $"({attempts.Count(a => a.Value > 1)} effects dispatched more than once, at most {attempts.Values.DefaultIfEmpty(0).Max()} times)");
        Log($"5xx answers and failed connections met by the load: {ServerErrors.Count}");
        return (attempts.Count, total);
    }
}

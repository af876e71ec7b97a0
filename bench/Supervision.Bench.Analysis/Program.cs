using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using NodaTime;
using Supervision.Api.Oversight;
using Supervision.Bench.Analysis;
using Supervision.Domain.Calendar;
using Supervision.Domain.Cases;
using Supervision.Domain.Org;
using Supervision.Domain.Policy;
using Supervision.Orchestrations;
using Supervision.Testing;

// Analysis bench (issue 16 §4). Usage, from the repo root:
//   dotnet run -c Release --project bench/Supervision.Bench.Analysis -- [--cases 100000] [--months 24] [--runs 20] [--warmup 3] [--out FILE]
// It builds a synthetic province (SyntheticProvince), makes N cases' events through the real CaseDecider.Evolve, derives
// their aggregate rows with the real AnalysisCounters.Effects and PetitionRow.Of, sums them in memory and loads the
// summed rows in entity-group batches (a case-by-case load is the engine's cost, measured by Supervision.Bench.Engine;
// the markers that make a bump exactly-once sort after every range a query reads and are left out). Then it times the
// leader page's two queries, GET /api/analysis (AnalysisQuery) and GET /api/analysis/repeats (RepeatAnalysis), as the
// province's, a city's and a county's leader and for one unit, and records ranges and rows read.
// Storage: SUPERVISION_TEST_STORAGE if set, else a private in-memory Azurite (tools/node_modules, as the tests).
var cases = Option("--cases", 100_000);
var months = Option("--months", 24);
var runs = Option("--runs", 20);
var warmup = Option("--warmup", 3);
var outFile = args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault();
var report = new List<string>();
void Say(string line)
{
    Console.WriteLine(line);
    report.Add(line);
}

var org = SyntheticProvince.Build();
var now = Instant.FromUtc(2026, 11, 28, 4, 0);
var month = LegalCalendar.LocalDateOf(now).ToYearMonth();
Say($"# Analysis bench {Clocks.Wall.GetUtcNow():yyyy-MM-dd HH:mm} UTC: {cases:N0} cases over {months} months, {org.Units.Count:N0} units, {Environment.ProcessorCount} cores, load average {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg")[..14].Trim() : "?")}");

// 1. The cases and their aggregate rows.
var clock = Stopwatch.StartNew();
var counters = new Dictionary<(string Pk, string Rk), Dictionary<string, long>>();
var petitions = new List<(string Pk, string Rk, IReadOnlyDictionary<string, object?> Values)>();
var rng = new Random(42);
var levels = Enumerable.Repeat("p", 1).Concat(Enumerable.Range(0, SyntheticProvince.Cities).Select(c => $"c{c:D2}"))
    .Concat(Enumerable.Range(0, SyntheticProvince.Counties).Select(k => $"k{k:D3}")).ToArray();
var categories = Enum.GetValues<Category>().Where(c => c != Category.Accusation).ToArray();
var channels = Enum.GetValues<Channel>();
var policy = new PolicyRef("petition", "*", 1);
void Count(IEnumerable<Supervision.Domain.Orchestration.Effect> effects)
{
    foreach (var bump in effects.OfType<Supervision.Domain.Orchestration.BumpCounters>())
    {
        foreach (var (row, deltas) in bump.Counters)
        {
            var key = (bump.PartitionKey, row);
            if (!counters.TryGetValue(key, out var sums))
            {
                counters[key] = sums = new(StringComparer.Ordinal);
            }

            foreach (var (name, delta) in deltas)
            {
                sums[name] = sums.GetValueOrDefault(name) + delta;
            }
        }
    }
}

string Pick(string level)
{
    var r = rng.Next(100);
    return r < 30 ? level + "-bureau" : r < 32 ? level + "-gov" : $"{level}-a{rng.Next(level == "p" ? 30 : level[0] == 'c' ? 40 : 25):D2}";
}

var first = month.PlusMonths(1 - months).OnDayOfMonth(1).AtStartOfDayInZone(LegalCalendar.Zone).ToInstant();
var span = (now - first).TotalSeconds;
for (var i = 0; i < cases; i++)
{
    // Seven in ten petitions reach a county, two a city, one the province.
    var r = rng.Next(10);
    var level = r < 7 ? levels[1 + SyntheticProvince.Cities + rng.Next(SyntheticProvince.Counties)] : r < 9 ? levels[1 + rng.Next(SyntheticProvince.Cities)] : "p";
    var unit = Pick(level);
    var accusation = rng.Next(100) < 8;
    var at = first.Plus(Duration.FromSeconds(rng.NextDouble() * span));
    var matter = "matter-" + ((int)(Math.Pow(rng.NextDouble(), 3) * 20_000)).ToString(CultureInfo.InvariantCulture);
    var petitioner = "petitioner-" + rng.Next(cases * 4 / 5).ToString(CultureInfo.InvariantCulture);
    var registered = new CaseRegistered(
        $"XF-B-{i:D7}", null, channels[rng.Next(channels.Length)], at, LegalCalendar.LocalDateOf(at), unit, Intake.Bureau, level + "-bureau",
        new Petitioner(petitioner, petitioner), 1, 0, "事项", petitioner + "|" + matter, accusation ? Category.Accusation : categories[rng.Next(categories.Length)],
        accusation ? $"{level}-a{rng.Next(25):D2}" : null, null, policy, "bench", MatterFingerprint: matter);
    var state = CaseDecider.Demo.Evolve(CaseState.Initial, registered);
    Count(AnalysisCounters.Effects(org, CaseState.Initial, registered, state, 0, at));

    // Handled by an agency of the level; some clocks go overdue, many replies are rated; some petitioners come back.
    state = state with { HandlingUnitId = $"{level}-a{rng.Next(25):D2}" };
    var seq = 1;
    var later = at.Plus(Duration.FromDays(rng.Next(10, 70)));
    if (later < now && rng.Next(100) < 15)
    {
        Count(AnalysisCounters.Effects(org, state, new ClockOverdue(ClockNames.Handling, 1, LegalCalendar.LocalDateOf(later)), state, seq++, later));
    }

    if (later < now && rng.Next(100) < 40)
    {
        var rating = (Rating)rng.Next(3);
        Count(AnalysisCounters.Effects(org, state, new HandlingRated(Stage.Reply, rating, null, "bench"), state, seq++, later));
    }

    for (var again = at.Plus(Duration.FromDays(rng.Next(5, 200))); again < now && rng.Next(100) < 12; again = again.Plus(Duration.FromDays(rng.Next(5, 90))))
    {
        var repeat = new DuplicatePetitionNoted(again, Channel.Visit, level + "-bureau", "bench");
        var after = CaseDecider.Demo.Evolve(state, repeat);
        Count(AnalysisCounters.Effects(org, state, repeat, after, seq++, again));
        state = after;
    }

    petitions.AddRange(PetitionRow.Of(state));
}

foreach (var ((pk, rk), sums) in counters.Where(c => c.Key.Rk.StartsWith(AnalysisCounters.Hot.From, StringComparison.Ordinal)).ToList())
{
    if (sums.GetValueOrDefault(AnalysisCounters.Hot.Counter) >= AnalysisCounters.Hot.AtLeast)
    {
        counters[(pk, AnalysisCounters.Hot.To + rk[AnalysisCounters.Hot.From.Length..])] = sums;
    }
}

Say($"made {cases:N0} cases' events and {counters.Count:N0} counter rows and {petitions.Count:N0} petition rows in {clock.Elapsed.TotalSeconds:0.0} s");

// 2. Load.
var storage = new OrchestrationStorage(
    Options.Create(new StorageOptions { ConnectionString = await TestStorage.GetConnectionStringAsync(), Prefix = TestStorage.UniqueName("ab") }),
    new StorageMetrics(null));
var analysis = await storage.ReadModelAsync(AnalysisCounters.Model);
var petitionTable = await storage.ReadModelAsync(PetitionRow.Model);
clock.Restart();
await LoadAsync(analysis, counters.Select(c =>
{
    var e = new TableEntity(c.Key.Pk, c.Key.Rk);
    foreach (var (k, v) in c.Value)
    {
        e[k] = v;
    }

    return e;
}));
var counterSeconds = clock.Elapsed.TotalSeconds;
clock.Restart();
await LoadAsync(petitionTable, petitions.Select(p =>
{
    var e = new TableEntity(p.Pk, p.Rk) { [ReadModelWriter.VersionProperty] = 1L };
    foreach (var (k, v) in p.Values)
    {
        e[k] = v switch
        {
            Instant x => x.ToDateTimeOffset(),
            LocalDate d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            _ => v,
        };
    }

    return e;
}));
Say($"loaded the counter rows in {counterSeconds:0.0} s and the petition rows in {clock.Elapsed.TotalSeconds:0.0} s (batches of 100 per partition, 8 at a time)");

// 3. The page's queries, per viewer.
Say("");
Say($"| viewer | query | p50 ms | p95 ms | max ms | ranges | rows read | figure |");
Say("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |");
var viewers = new (string Name, string Person, string? Unit)[]
{
    ("province leader", "p-leader", null), ("city leader", "c00-leader", null), ("county leader", "k000-leader", null), ("one unit (county bureau)", "k000-leader", "k000-bureau"),
};
foreach (var (name, personId, unit) in viewers)
{
    var person = org.PersonById(personId)!;
    var governments = SupervisionVisibility.OverseenGovernments(org, person);
    var times = new List<double>();
    AnalysisRead? last = null;
    for (var run = 0; run < warmup + runs; run++)
    {
        var t = Stopwatch.StartNew();
        last = await AnalysisQuery.ReadWithCostAsync(
            analysis, org, month, 12, now, governments, unit,
            u => (unit is null || u == unit) && SupervisionVisibility.Oversees(org, person, u),
            (category, accusedUnit, accusedPerson) => AccusationGuard.ExcludesPerson(org, category, accusedUnit, accusedPerson, person.Id),
            default);
        if (run >= warmup)
        {
            times.Add(t.Elapsed.TotalMilliseconds);
        }
    }

    Row(name, "analysis (12-month trend)", times, last!.Ranges, last.Rows, $"{last.Report.Received:N0} received this month");

    times.Clear();
    var rows = 0;
    RepeatReport? repeats = null;
    for (var run = 0; run < warmup + runs; run++)
    {
        var t = Stopwatch.StartNew();
        var found = await RepeatAnalysis.RowsAsync(storage, org, person, month, unit, default);
        repeats = RepeatAnalysis.Report(org, month, now, found);
        rows = found.Count;
        if (run >= warmup)
        {
            times.Add(t.Elapsed.TotalMilliseconds);
        }
    }

    Row(name, "repeats", times, null, rows, $"{repeats!.Total.RepeatPetitions:N0} repeat petitions this month");
}

if (outFile is not null)
{
    await File.WriteAllLinesAsync(outFile, report);
}

void Row(string viewer, string query, List<double> ms, int? ranges, int rows, string figure)
{
    ms.Sort();
    double P(double q) => ms[Math.Min(ms.Count - 1, (int)Math.Ceiling(q * ms.Count) - 1)];
    Say($"| {viewer} | {query} | {P(0.5):0} | {P(0.95):0} | {ms[^1]:0} | {(ranges is { } r ? r.ToString(CultureInfo.InvariantCulture) : "-")} | {rows:N0} | {figure} |");
}

int Option(string name, int fallback)
{
    var text = args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
    return text is null ? fallback : int.Parse(text, CultureInfo.InvariantCulture);
}

static async Task LoadAsync(TableClient table, IEnumerable<TableEntity> rows)
{
    var batches = rows.GroupBy(r => r.PartitionKey, StringComparer.Ordinal).SelectMany(g => g.Chunk(100)).ToList();
    var failures = new ConcurrentBag<Exception>();
    await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (batch, ct) =>
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await table.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), ct);
                return;
            }
            catch (Exception e) when (attempt < 5 && e is Azure.RequestFailedException or TaskCanceledException)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), ct);
            }
        }
    });
}

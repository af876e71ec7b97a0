using Microsoft.Extensions.Options;
using NodaTime;
using Supervision.Domain.Calendar;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;
using Supervision.Domain.Policy;
using Supervision.Testing;

namespace Supervision.Orchestrations.Tests;

/// <summary>
/// The analysis read on Azurite (decisions A21/A22): counters written by the real bump from the real effects of a year
/// of petitions across the demo province; each viewer's report equals a count of those petitions by hand, and a
/// county reads only its own governments' rows while the province reads them all.
/// </summary>
public sealed class AnalysisQueryTests
{
    private static readonly OrgDirectory Org = OrgDirectory.Demo;
    private static readonly YearMonth Month = new(2025, 11);

    private sealed record Petition(string Unit, Category Category, Channel Channel, YearMonth Month, string? AccusedUnit);

    /// <summary>Petitions at units of every level, over 14 months, with one accusation against the city government a month.</summary>
    private static List<Petition> Petitions()
    {
        string[] units = ["p-bureau", "p-housing", "c-bureau", "c-housing", "ca-bureau", "ca-land", "ca1-bureau", "cb-bureau", "cb1-bureau"];
        Category[] categories = [Category.Complaint, Category.Suggestion, Category.Complaint];
        Channel[] channels = [Channel.Letter, Channel.Visit, Channel.Online];
        var list = new List<Petition>();
        for (var m = 0; m < 14; m++)
        {
            for (var i = 0; i < units.Length; i++)
            {
                for (var n = 0; n <= (i + m) % 3; n++)
                {
                    list.Add(new(units[i], categories[(i + n) % 3], channels[(m + n) % 3], Month.PlusMonths(-m), null));
                }
            }

            list.Add(new("ca-bureau", Category.Accusation, Channel.Letter, Month.PlusMonths(-m), "c-gov"));
        }

        return list;
    }

    private static CaseState Registered(Petition p, int n)
    {
        var at = p.Month.OnDayOfMonth(10).AtMidnight().PlusHours(10).InZoneStrictly(LegalCalendar.Zone).ToInstant();
        var e = new CaseRegistered(
            $"XF-A-{n:D4}", null, p.Channel, at, LegalCalendar.LocalDateOf(at), p.Unit, Intake.Bureau, p.Unit,
            new Petitioner("测试", null, null, null), 1, 0, "事项", "fp-" + n, p.Category, p.AccusedUnit, null,
            new PolicyRef("petition", "*", 1), "test", MatterFingerprint: "matter-" + (n % 7));
        return CaseDecider.Demo.Evolve(CaseState.Initial, e);
    }

    [Fact]
    public async Task Each_viewer_gets_the_hand_count_of_their_scope_and_a_county_reads_only_its_own_rows()
    {
        var storage = new OrchestrationStorage(
            Options.Create(new StorageOptions { ConnectionString = await TestStorage.GetConnectionStringAsync(), Prefix = TestStorage.UniqueName("an") }),
            new StorageMetrics(null));
        var writer = new ReadModelWriter(storage);
        var petitions = Petitions();
        await Parallel.ForEachAsync(petitions.Select((p, n) => (p, n)), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (x, ct) =>
        {
            var state = Registered(x.p, x.n);
            var registration = new CaseClassified(x.p.Category, x.p.AccusedUnit, null, "test"); // any event: a first registration counts whole
            foreach (var bump in AnalysisCounters.Effects(Org, CaseState.Initial, registration, state, 0, state.ReceivedAt!.Value).Cast<BumpCounters>())
            {
                Assert.True(await writer.BumpAsync(
                    new CountersData(bump.Model, bump.PartitionKey, bump.MarkerRowKey,
                        bump.Counters.ToDictionary(c => c.Key, c => c.Value.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal), StringComparer.Ordinal), bump.Mirror),
                    ct));
            }
        });
        var table = await storage.ReadModelAsync(AnalysisCounters.Model);

        async Task<AnalysisRead> Read(string? government, string? unit, string? accusedViewer)
        {
            bool InScope(string u) => (unit is null || u == unit) && (government is null || Org.IsAncestorOrSelf(government, u));
            var read = await AnalysisQuery.ReadWithCostAsync(
                table, Org, Month, 12, Instant.FromUtc(2025, 11, 30, 0, 0), government is null ? null : [government], unit, InScope,
                (category, accused, _) => category == Category.Accusation && accused == accusedViewer, default);

            // The hand count: every petition in scope and not an accusation against the viewer, month by month.
            long Expected(YearMonth m) => petitions.Count(p => p.Month == m && InScope(p.Unit) && !(p.AccusedUnit is not null && p.AccusedUnit == accusedViewer));
            Assert.Equal(Expected(Month), read.Report.Received);
            Assert.Equal(Enumerable.Range(0, 12).Select(i => Expected(Month.PlusMonths(i - 11))), read.Report.Trend.Select(t => t.Received));
            Assert.Equal(
                Enumerable.Range(0, 12).Select(i => Expected(Month.PlusMonths(i - 12)) == 0 ? (double?)null : Math.Round((double)(Expected(Month.PlusMonths(i - 11)) - Expected(Month.PlusMonths(i - 12))) / Expected(Month.PlusMonths(i - 12)), 4)),
                read.Report.Trend.Select(t => t.MonthOverMonth));
            Assert.Equal(
                petitions.Where(p => p.Month == Month && InScope(p.Unit) && !(p.AccusedUnit is not null && p.AccusedUnit == accusedViewer))
                    .GroupBy(p => p.Unit).Select(g => (g.Key, (long)g.Count())).OrderBy(u => u.Key, StringComparer.Ordinal),
                read.Report.ByUnit.Select(u => (u.UnitId, u.Received)).OrderBy(u => u.UnitId, StringComparer.Ordinal));
            return read;
        }

        var province = await Read("p-gov", null, null);
        var city = await Read("c-gov", null, "c-gov");
        var county = await Read("ca-gov", null, null);
        var unitOnly = await Read("ca-gov", "ca-land", null);
        var everything = await Read(null, null, null);

        // The year-over-year figure of the last month needs the month a year before: only the roll-ups give it here.
        Assert.NotNull(county.Report.Trend[^1].YearOverYear);
        Assert.Equal(province.Report.Received, everything.Report.Received);

        // Cost: the county reads its three governments' unit, hot-matter and handling ranges for the month and one range
        // of its own time series for the other 23 months; the province reads the whole month.
        Assert.Equal((3 * 3) + 1, county.Ranges);
        Assert.True(county.Rows < province.Rows, $"the county read {county.Rows} rows, the province {province.Rows}");
        Assert.True(unitOnly.Rows < county.Rows, $"one unit read {unitOnly.Rows} rows, its county {county.Rows}");
        Assert.True(city.Rows <= province.Rows);
    }
}

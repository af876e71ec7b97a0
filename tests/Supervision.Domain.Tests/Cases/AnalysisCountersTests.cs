using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using static Supervision.Domain.Tests.Cases.CaseSpec;

namespace Supervision.Domain.Tests.Cases;

/// <summary>
/// The analysis counters (分析研判, decisions A21/A22): a petition counts on its receiving unit's row, kept under that
/// unit's own government, and on the roll-up row of every government above it, so a county's trend never reads the
/// province. Given(events) / When(command) / Then(counter deltas).
/// </summary>
public sealed class AnalysisCountersTests
{
    private static Dictionary<string, long> Deltas(Then then, string counter) =>
        then.Effects().OfType<BumpCounters>().Where(b => b.Model == AnalysisCounters.Model)
            .SelectMany(b => b.Counters.Select(r => (Key: b.PartitionKey + " " + r.Key, Value: r.Value.GetValueOrDefault(counter))))
            .Where(r => r.Value != 0)
            .ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal);

    [Fact]
    public void A_registration_counts_under_its_unit_and_rolls_up_to_the_county_city_and_province_governments()
    {
        var then = Given().When(Register("2025-09-10"), "2025-09-10");

        var received = Deltas(then, AnalysisCounters.Received);
        Assert.Equal(
            new Dictionary<string, long>(StringComparer.Ordinal)
            {
                ["2025-09 u|ca-gov|ca-bureau|Complaint|Letter|-|-"] = 1,
                ["g|ca-gov 2025-09|Complaint|Letter|-|-"] = 1,
                ["g|c-gov 2025-09|Complaint|Letter|-|-"] = 1,
                ["g|p-gov 2025-09|Complaint|Letter|-|-"] = 1,
            },
            received);
        Assert.Equal(["ca-gov", "c-gov", "p-gov"], AnalysisCounters.RollUps(OrgDemo, Bureau));
    }

    [Fact]
    public void A_repeat_in_a_later_month_counts_on_the_same_rows_of_that_month()
    {
        var then = Given([.. Run(Accepted)]).When(new RecordRepeatPetition(Registrar, At("2025-10-08"), Channel.Visit, Bureau), "2025-10-08");

        Assert.Empty(Deltas(then, AnalysisCounters.Received));
        Assert.Equal(
            ["2025-10 u|ca-gov|ca-bureau|Complaint|Letter|-|-", "g|c-gov 2025-10|Complaint|Letter|-|-", "g|ca-gov 2025-10|Complaint|Letter|-|-", "g|p-gov 2025-10|Complaint|Letter|-|-"],
            Deltas(then, AnalysisCounters.Repeats).Where(d => d.Value == 1).Select(d => d.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_reclassification_moves_the_unit_row_and_every_roll_up_to_the_new_category()
    {
        var then = Given([.. Run(Registered)]).When(new ClassifyCase(Registrar, Category.Suggestion), "2025-09-11");

        var received = Deltas(then, AnalysisCounters.Received);
        foreach (var row in new[] { "2025-09 u|ca-gov|ca-bureau|{0}|Letter|-|-", "g|ca-gov 2025-09|{0}|Letter|-|-", "g|c-gov 2025-09|{0}|Letter|-|-", "g|p-gov 2025-09|{0}|Letter|-|-" })
        {
            Assert.Equal(-1, received[string.Format(System.Globalization.CultureInfo.InvariantCulture, row, "Complaint")]);
            Assert.Equal(1, received[string.Format(System.Globalization.CultureInfo.InvariantCulture, row, "Suggestion")]);
        }

        Assert.Equal(8, received.Count);
    }
}

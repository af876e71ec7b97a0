using NodaTime;
using Supervision.Domain.Backlog;
using Supervision.Domain.Cases;
using Supervision.Domain.Metrics;
using static Supervision.Domain.Tests.Cases.CaseSpec;

namespace Supervision.Domain.Tests.Metrics;

/// <summary>化解率 beside the scorecard (docs/metrics.md): cumulative by each month's end, from the campaigns' events, counted by hand.</summary>
public sealed class BacklogRatesTests
{
    private const string Housing = "ca-housing";
    private const string Land = "ca-land";

    private readonly List<RecordedEvent> events = [];

    private void On(string campaign, string at, CampaignEvent e) => events.Add(new(campaign, events.Count(x => x.InstanceId == campaign) + 1, At(at), e));

    private void List(string campaign, string at, string caseId, string unit, Category category = Category.Complaint, string? accusedUnit = null) =>
        On(campaign, at, new BacklogCaseAdded(new CampaignEntry(caseId, "c-leader", unit, "overdue", D(at[..10]), category, accusedUnit, null), "c-supervisor"));

    private void Result(string campaign, string at, string caseId, BacklogResult result) =>
        On(campaign, at, new BacklogResultRecorded(caseId, result, result == BacklogResult.Unresolved ? "petitioner refuses" : null, D(at[..10]), "c-leader"));

    private void Story()
    {
        // October: three housing cases and one land case listed; one housing case resolved, the land case not.
        List("ZX-1", "2025-10-09", "XF-1", Housing);
        List("ZX-1", "2025-10-09", "XF-2", Housing);
        List("ZX-1", "2025-10-10", "XF-3", Housing);
        List("ZX-1", "2025-10-10", "XF-4", Land, Category.Accusation, accusedUnit: Land);
        Result("ZX-1", "2025-10-20", "XF-1", BacklogResult.Resolved);
        Result("ZX-1", "2025-10-21", "XF-4", BacklogResult.Unresolved);

        // November: XF-2 resolved; XF-4 resolved at last; a second campaign lists XF-1 again (petitioned anew) under land.
        Result("ZX-1", "2025-11-05", "XF-2", BacklogResult.Resolved);
        Result("ZX-1", "2025-11-06", "XF-4", BacklogResult.Resolved);
        List("ZX-2", "2025-11-12", "XF-1", Land);
    }

    [Fact]
    public void The_rate_is_cumulative_by_each_month_s_end_and_follows_the_latest_result()
    {
        Story();

        var october = BacklogRates.AsOf(events, new YearMonth(2025, 10));
        Assert.Equal(new BacklogFigures(3, 1), october[Housing]);
        Assert.Equal(0.3333, october[Housing].ResolutionRate);
        Assert.Equal(new BacklogFigures(1, 0), october[Land]);
        Assert.Equal(0, october[Land].ResolutionRate);

        // XF-1 moved to land when listed again, and is pending there: housing 1 of 2 (XF-2), land 1 of 2 (XF-4).
        var november = BacklogRates.AsOf(events, new YearMonth(2025, 11));
        Assert.Equal(new BacklogFigures(2, 1), november[Housing]);
        Assert.Equal(new BacklogFigures(2, 1), november[Land]);
        Assert.Equal(0.5, november[Land].ResolutionRate);

        // Before any listing there is no backlog, hence no rate.
        Assert.Empty(BacklogRates.AsOf(events, new YearMonth(2025, 9)));
        Assert.Null(new BacklogFigures(0, 0).ResolutionRate);
    }

    [Fact]
    public void An_entry_the_viewer_may_not_count_is_left_out()
    {
        Story();

        // The accusation against land (XF-4) is not counted for land's own people.
        var forLand = BacklogRates.AsOf(events, new YearMonth(2025, 10), e => e.AccusedUnitId != Land);
        Assert.False(forLand.ContainsKey(Land));
        Assert.Equal(new BacklogFigures(3, 1), forLand[Housing]);
    }
}

using NodaTime;
using Supervision.Domain.Backlog;
using Supervision.Domain.Calendar;

namespace Supervision.Domain.Metrics;

/// <summary>
/// A unit's backlog (信访积案) as of a month's end: the cases 化解 campaigns have listed under it, and how many of them the
/// latest recorded result says are resolved. 化解率 = <see cref="Resolved"/> / <see cref="Listed"/> (docs/metrics.md).
/// </summary>
public sealed record BacklogFigures(int Listed, int Resolved)
{
    /// <summary>化解率; null when the unit has no backlog case.</summary>
    public double? ResolutionRate => Listed == 0 ? null : Math.Round((double)Resolved / Listed, 4);
}

/// <summary>
/// 化解率 beside the scorecard (issue 16 §3), from the campaigns' recorded events. Cumulative, not per month: a backlog
/// case stays on its unit's list from the day a campaign adds it, and counts as resolved while its latest result (in any
/// campaign) by the month's end is 化解. A case in two campaigns counts once, under the unit of its latest listing; a
/// listing after a result puts it back in the backlog (it was petitioned again or found unresolved). It is
/// shown beside the 红黄榜 and does not enter the score: the scoring policy has no weight for it yet. Pure.
/// </summary>
public static class BacklogRates
{
    /// <param name="counted">Which entries the viewer may count (the accusation guard); all when null.</param>
    public static IReadOnlyDictionary<string, BacklogFigures> AsOf(
        IEnumerable<RecordedEvent> campaignEvents, YearMonth month, Func<CampaignEntry, bool>? counted = null)
    {
        ArgumentNullException.ThrowIfNull(campaignEvents);
        var end = month.OnDayOfMonth(1).PlusMonths(1);
        var cases = new Dictionary<string, (CampaignEntry Entry, BacklogResult Result)>(StringComparer.Ordinal);
        var inOrder = campaignEvents.Where(r => LegalCalendar.LocalDateOf(r.At) < end)
            .OrderBy(r => r.At).ThenBy(r => r.InstanceId, StringComparer.Ordinal).ThenBy(r => r.Sequence);
        foreach (var r in inOrder)
        {
            switch (r.Event)
            {
                case BacklogCaseAdded a:
                    // Listed (again): backlog under the entry's unit until a result is recorded after this.
                    cases[a.Entry.CaseId] = (a.Entry, BacklogResult.Pending);
                    break;
                case BacklogResultRecorded x when cases.TryGetValue(x.CaseId, out var c):
                    cases[x.CaseId] = c with { Result = x.Result };
                    break;
            }
        }

        return cases.Values.Where(c => counted?.Invoke(c.Entry) ?? true)
            .GroupBy(c => c.Entry.UnitId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new BacklogFigures(g.Count(), g.Count(c => c.Result == BacklogResult.Resolved)), StringComparer.Ordinal);
    }
}

using System.Reflection;
using System.Text.Json;
using NodaTime;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;

namespace Supervision.Domain.Backlog;

/// <summary>
/// When a case is in the backlog (信访积案) and how large a 化解 campaign may be: versioned policy data
/// (<c>Backlog/Data/backlog-v{n}.json</c>), like deadlines. The regulation sets no number here; bureaus do.
/// </summary>
/// <param name="OverdueDaysBeyondLimit">Days past a lapsed duty before an open case counts as backlog (0: at once).</param>
/// <param name="RepeatsAfterFinal">Repeat petitions after final handling (Art. 36) that make a final case backlog.</param>
public sealed record BacklogPolicy(
    int Version, string Title, string Article, int OverdueDaysBeyondLimit, int RepeatsAfterFinal, int CampaignMaxCases, int TargetAheadMaxDays)
{
    public static BacklogPolicy Default { get; } = Load("Supervision.Domain.Backlog.Data.backlog-v1.json");

    /// <summary>
    /// Why <paramref name="c"/> is a backlog case at <paramref name="now"/>, or null when it is not: open past a lapsed
    /// duty (超期未办结), or petitioned again after it was finally handled (终结后重复信访).
    /// </summary>
    public string? WhyBacklog(CaseState c, Instant now)
    {
        if (c.IsOpen && c.Clocks.Values.FirstOrDefault(k => k.Kind == Policy.ClockKind.Obligation && k.Status == ClockStatus.Running
                && k.Reached == ClockLevel.Overdue && k.DueInstant + Duration.FromDays(OverdueDaysBeyondLimit) <= now) is { } lapsed)
        {
            return $"超期未办结（{lapsed.Rule}已于 {lapsed.DueDate:uuuu-MM-dd} 届满）";
        }

        var repeats = c.Repeats.Count(r => r.Refused);
        return c.Status == CaseStatus.Final && repeats >= RepeatsAfterFinal
            ? $"终结后重复信访 {repeats} 次（《信访工作条例》第三十六条）"
            : null;
    }

    private static BacklogPolicy Load(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource {name} is missing");
        var p = JsonSerializer.Deserialize<BacklogPolicy>(stream, DomainJson.Create()) ?? throw new InvalidOperationException($"{name} is empty");
        var errors = new List<string>();
        if (p.Version < 1 || string.IsNullOrWhiteSpace(p.Title) || string.IsNullOrWhiteSpace(p.Article))
        {
            errors.Add("version, title and article are required");
        }

        if (p.OverdueDaysBeyondLimit is < 0 or > 365 || p.RepeatsAfterFinal is < 1 or > 100 || p.CampaignMaxCases is < 1 or > 5000 || p.TargetAheadMaxDays is < 1 or > 1096)
        {
            errors.Add("overdueDaysBeyondLimit 0–365, repeatsAfterFinal 1–100, campaignMaxCases 1–5000, targetAheadMaxDays 1–1096");
        }

        return errors.Count > 0 ? throw new DataValidationException("backlog policy", errors) : p;
    }
}

using System.Globalization;
using NodaTime;
using Supervision.Domain.Orchestration;

namespace Supervision.Domain.Cases;

/// <summary>
/// The <c>petitions</c> read model behind the repeat analysis (重复信访, Arts. 19, 36; docs/analysis.md): one row per
/// petition that reached a case — the registration itself (index 0) and every later petition recorded on it as a repeat
/// (<see cref="RepeatPetitionRefused"/> / <see cref="DuplicatePetitionNoted"/>, index 1…n in the order recorded).
/// Partition = <c>{yyyy-MM}|{unit}</c> (the month the petition was received, the unit answerable for the matter then),
/// row key = <c>{caseId}|{index:0000}</c>, version = event sequence. Rows are a function of the case state, so a retried
/// effect or a rebuild writes the same row; counts are numbers of rows. No personal data: the petitioner and the matter
/// are SHA-256 fingerprints (<see cref="CaseHashes.PetitionerFingerprint"/>, <see cref="CaseHashes.MatterFingerprint"/>),
/// never shown by the API.
/// </summary>
public static class PetitionRow
{
    public const string Model = "petitions";

    public const string CaseId = "caseId";
    public const string Index = "index";

    /// <summary><c>registration</c>, <c>duplicate</c> (Art. 19: the case was open) or <c>repeat</c> (Art. 36: the case was final).</summary>
    public const string Kind = "kind";
    public const string Repeat = "repeat";
    public const string Month = "month";
    public const string ReceivedOn = "receivedOn";
    public const string ReceivedAt = "receivedAt";

    /// <summary>Where the petition was received (the registering desk).</summary>
    public const string ReceivedBy = "receivedBy";

    /// <summary>The unit answerable for the matter when the petition arrived (<see cref="AnswerableUnit"/>): the row's partition.</summary>
    public const string UnitId = "unitId";
    public const string Matter = "matter";
    public const string Petitioner = "petitioner";
    public const string Category = "category";
    public const string AccusedUnitId = "accusedUnitId";
    public const string AccusedPersonId = "accusedPersonId";

    public const string Registration = "registration";
    public const string Duplicate = "duplicate";
    public const string RepeatKind = "repeat";

    /// <summary>The partition of a month and unit.</summary>
    public static string Partition(YearMonth month, string unitId) => MonthKey(month) + "|" + unitId;

    /// <summary>The first partition key of a month (every unit's partition of the month sorts from here, before <see cref="MonthEnd"/>).</summary>
    public static string MonthStart(YearMonth month) => MonthKey(month) + "|";

    /// <summary>The first key after every partition of the month (<c>'}'</c> follows <c>'|'</c>).</summary>
    public static string MonthEnd(YearMonth month) => MonthKey(month) + "}";

    public static string MonthKey(YearMonth month) => month.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public static string RowKey(string caseId, int index) => $"{caseId}|{index.ToString("0000", CultureInfo.InvariantCulture)}";

    /// <summary>
    /// The unit that has the matter in hand: the agency that took it (handling unit), else whoever must act next, else the
    /// registering unit. A repeat is counted against it — the unit whose handling did not settle the matter.
    /// </summary>
    public static string? AnswerableUnit(CaseState s) => s.HandlingUnitId ?? s.ResponsibleUnitId ?? s.RegisteredBy;

    /// <summary>Every row of the case (the registration first), as of <paramref name="s"/>.</summary>
    public static IReadOnlyList<(string PartitionKey, string RowKey, IReadOnlyDictionary<string, object?> Values)> Of(CaseState s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var rows = new List<(string, string, IReadOnlyDictionary<string, object?>)>();
        if (s.CaseId is null || s.ReceivedAt is not { } registeredAt || s.RegisteredBy is null || s.Petitioner is null)
        {
            return rows;
        }

        rows.Add(Row(s, 0, registeredAt, s.RegisteredBy, s.RegisteredBy, Registration));
        for (var i = 0; i < s.Repeats.Count; i++)
        {
            var r = s.Repeats[i];
            rows.Add(Row(s, i + 1, r.ReceivedAt, r.UnitId, r.HeldBy ?? AnswerableUnit(s) ?? r.UnitId, r.Refused ? RepeatKind : Duplicate));
        }

        return rows;
    }

    /// <summary>
    /// The rows an event writes: the registration's row, the new repeat's row, and every row again when the case's
    /// category or accused unit/person changes (the accusation guard is applied to rows at query time). Appended after
    /// the case's other effects, so the ids of alerts and messages do not move.
    /// </summary>
    public static IReadOnlyList<Effect> Effects(CaseState before, CaseEvent e, CaseState after, long sequence)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var rows = Of(after);
        var guardChanged = before.Category != after.Category || before.AccusedUnitId != after.AccusedUnitId || before.AccusedPersonId != after.AccusedPersonId;
        var from = e switch
        {
            CaseRegistered => 0,
            RepeatPetitionRefused or DuplicatePetitionNoted when !guardChanged => rows.Count - 1,
            _ when guardChanged => 0,
            _ => rows.Count,
        };
        var effects = new List<Effect>();
        for (var i = Math.Max(from, 0); i < rows.Count; i++)
        {
            effects.Add(new UpsertReadModel(Model, rows[i].PartitionKey, rows[i].RowKey, sequence, rows[i].Values));
        }

        return effects;
    }

    private static (string, string, IReadOnlyDictionary<string, object?>) Row(CaseState s, int index, Instant at, string receivedBy, string unit, string kind)
    {
        var day = Calendar.LegalCalendar.LocalDateOf(at);
        var month = day.ToYearMonth();
        var accusation = s.Category == Cases.Category.Accusation;
        var values = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [CaseId] = s.CaseId,
            [Index] = index,
            [Kind] = kind,
            [Repeat] = index > 0,
            [Month] = MonthKey(month),
            [ReceivedOn] = day.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture),
            [ReceivedAt] = at.ToDateTimeOffset(),
            [ReceivedBy] = receivedBy,
            [UnitId] = unit,

            // Cases registered before the matter had its own fingerprint are grouped by their petitioner + matter one.
            [Matter] = s.MatterFingerprint ?? "pm:" + s.Fingerprint,
            [Petitioner] = CaseHashes.PetitionerFingerprint(s.Petitioner!),
            [Category] = s.Category?.ToString(),
            [AccusedUnitId] = accusation ? s.AccusedUnitId : null,
            [AccusedPersonId] = accusation ? s.AccusedPersonId : null,
        };
        return (Partition(month, unit), RowKey(s.CaseId!, index), values);
    }
}

using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Supervision.Domain.Calendar;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;

namespace Supervision.Domain.Policy;

/// <summary>Whether a clock binds an agency (and escalates) or is a window for the petitioner or an agency to act.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ClockKind>))]
public enum ClockKind
{
    /// <summary>A duty with a limit (办理期限): reminders, warnings, overdue supervision.</summary>
    Obligation,

    /// <summary>A period in which someone may act (e.g. 30 days to request review); lapses silently.</summary>
    Window,
}

/// <summary>Where a limit comes from (DOMAIN.md tags): the law, local rules, or a product default.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LegalBasis>))]
public enum LegalBasis
{
    Law,
    Local,
    Policy,
}

/// <summary>One clock's limit.</summary>
/// <param name="Name">Rule key, see <see cref="PolicyRules"/>.</param>
/// <param name="Rule">Name shown to people (e.g. 办理期限).</param>
/// <param name="Article">Legal basis shown in explanations.</param>
public sealed record ClockRule(string Name, int Days, DayUnit Unit, ClockKind Kind, LegalBasis Basis, string Rule, string Article);

/// <summary>
/// When a running obligation clock alerts (DOMAIN.md §9): 提醒 at <see cref="ReminderAtFraction"/> of the time,
/// 预警 (yellow) at <see cref="WarningWorkingDaysLeft"/> working days left — or, for a clock shorter than
/// <see cref="ShortClockWorkingDays"/> working days, at <see cref="ShortClockWarningFraction"/> of it left —
/// 临期 (orange) at <see cref="CriticalWorkingDaysLeft"/> working days left, 超期 (red) at the due instant.
/// </summary>
public sealed record EscalationProfile(
    double ReminderAtFraction,
    int WarningWorkingDaysLeft,
    int ShortClockWorkingDays,
    double ShortClockWarningFraction,
    int CriticalWorkingDaysLeft,
    AlertUrgency Reminder,
    AlertUrgency Warning,
    AlertUrgency Critical,
    AlertUrgency Overdue);

/// <summary>Identifies one version of one policy document; every case pins one.</summary>
public sealed record PolicyRef(string CaseType, string Region, int Version)
{
    public override string ToString() => $"{CaseType}/{Region}@{Version}";
}

/// <summary>Rule keys of a policy document.</summary>
public static class PolicyRules
{
    public const string Routing = "routing";
    public const string Acceptance = "acceptance";
    public const string Objection = "objection";
    public const string HandlingComplaint = "handling.complaint";
    public const string HandlingSuggestion = "handling.suggestion";
    public const string HandlingAccusation = "handling.accusation";
    public const string HandlingSimplified = "handling.simplified";
    public const string ReviewWindow = "review-window";
    public const string Review = "review";
    public const string ReExamWindow = "reexam-window";
    public const string ReExam = "reexam";

    /// <summary>Statutory limits a document may tighten (obligations) but never loosen; windows must equal the law (they are the petitioner's rights).</summary>
    internal static readonly IReadOnlyDictionary<string, (int Days, DayUnit Unit, ClockKind Kind)> Statutory =
        new Dictionary<string, (int, DayUnit, ClockKind)>(StringComparer.Ordinal)
        {
            [Routing] = (15, DayUnit.Natural, ClockKind.Obligation),
            [Acceptance] = (15, DayUnit.Natural, ClockKind.Obligation),
            [Objection] = (5, DayUnit.Working, ClockKind.Window),
            [HandlingComplaint] = (60, DayUnit.Natural, ClockKind.Obligation),
            [ReviewWindow] = (30, DayUnit.Natural, ClockKind.Window),
            [Review] = (30, DayUnit.Natural, ClockKind.Obligation),
            [ReExamWindow] = (30, DayUnit.Natural, ClockKind.Window),
            [ReExam] = (30, DayUnit.Natural, ClockKind.Obligation),
        };

    internal static readonly IReadOnlyList<string> All =
    [
        Routing, Acceptance, Objection, HandlingComplaint, HandlingSuggestion, HandlingAccusation, HandlingSimplified,
        ReviewWindow, Review, ReExamWindow, ReExam,
    ];

    /// <summary>Art. 34: at most 30 days, once.</summary>
    public const int StatutoryMaxExtensionDays = 30;
}

/// <summary>
/// Deadline and escalation rules as data, versioned per case type and region (DOMAIN.md §9). A case pins the
/// <see cref="Ref"/> it started under; a new version applies to new cases, and to open ones only through an
/// explicit migration command.
/// </summary>
/// <param name="CaseType">Business line, e.g. <c>petition</c>.</param>
/// <param name="Region">Region code of <see cref="OrgUnit.Region"/>, or <c>*</c> for the default.</param>
/// <param name="MaxExtensionDays">Longest extension of the handling clock an agency head may approve (≤ 30).</param>
/// <param name="Routine">Thresholds and urgencies for ordinary cases.</param>
/// <param name="Urgent">Thresholds and urgencies for cases reported as major/urgent (Art. 25).</param>
public sealed record PolicyDocument(
    string CaseType,
    string Region,
    int Version,
    string Title,
    IReadOnlyList<ClockRule> Clocks,
    int MaxExtensionDays,
    EscalationProfile Routine,
    EscalationProfile Urgent)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    [JsonIgnore]
    public PolicyRef Ref => new(CaseType, Region, Version);

    public ClockRule Clock(string name) =>
        Clocks.FirstOrDefault(c => c.Name == name) ?? throw new KeyNotFoundException($"policy {Ref} has no clock '{name}'");

    /// <summary>Parses and validates a document.</summary>
    /// <exception cref="DataValidationException">Every problem found, with the field it concerns.</exception>
    public static PolicyDocument Parse(string json)
    {
        PolicyDocument? doc;
        try
        {
            doc = JsonSerializer.Deserialize<PolicyDocument>(json, Json);
        }
        catch (JsonException e)
        {
            throw new DataValidationException("policy document", [$"not valid JSON: {e.Message}"]);
        }

        if (doc is null)
        {
            throw new DataValidationException("policy document", ["the document is empty"]);
        }

        doc.Validate();
        return doc;
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <exception cref="DataValidationException">See <see cref="Parse"/>.</exception>
    public void Validate()
    {
        var e = new List<string>();
        if (string.IsNullOrWhiteSpace(CaseType))
        {
            e.Add("caseType is required");
        }

        if (string.IsNullOrWhiteSpace(Region))
        {
            e.Add("region is required (use * for the default)");
        }

        if (Version < 1)
        {
            e.Add($"version must be 1 or more, got {Version}");
        }

        if (MaxExtensionDays is < 0 or > PolicyRules.StatutoryMaxExtensionDays)
        {
            e.Add($"maxExtensionDays must be 0..{PolicyRules.StatutoryMaxExtensionDays} (Art. 34), got {MaxExtensionDays}");
        }

        var clocks = Clocks ?? [];
        foreach (var dup in clocks.GroupBy(c => c.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            e.Add($"clock '{dup.Key}' is defined {dup.Count()} times");
        }

        foreach (var c in clocks)
        {
            if (!PolicyRules.All.Contains(c.Name))
            {
                e.Add($"unknown clock '{c.Name}' (known: {string.Join(", ", PolicyRules.All)})");
                continue;
            }

            if (c.Days < 1)
            {
                e.Add($"clock '{c.Name}': days must be 1 or more, got {c.Days}");
            }

            if (string.IsNullOrWhiteSpace(c.Rule))
            {
                e.Add($"clock '{c.Name}': rule (the name shown to people) is required");
            }

            if (PolicyRules.Statutory.TryGetValue(c.Name, out var law))
            {
                if (c.Unit != law.Unit || c.Kind != law.Kind || c.Basis != LegalBasis.Law)
                {
                    e.Add($"clock '{c.Name}' is statutory: unit must be {law.Unit}, kind {law.Kind}, basis Law");
                }

                if (c.Kind == ClockKind.Window ? c.Days != law.Days : c.Days > law.Days)
                {
                    e.Add(c.Kind == ClockKind.Window
                        ? $"clock '{c.Name}' is a petitioner's or agency's window and must be exactly {law.Days} days"
                        : $"clock '{c.Name}' may not exceed the statutory {law.Days} days, got {c.Days}");
                }
            }
            else if (c.Basis == LegalBasis.Law)
            {
                e.Add($"clock '{c.Name}' has no statutory limit; its basis must be Local or Policy");
            }
        }

        foreach (var missing in PolicyRules.All.Where(n => clocks.All(c => c.Name != n)))
        {
            e.Add($"clock '{missing}' is missing");
        }

        Check(Routine, "routine", e);
        Check(Urgent, "urgent", e);
        if (e.Count > 0)
        {
            throw new DataValidationException($"policy document {CaseType}/{Region}@{Version}", e);
        }
    }

    private static void Check(EscalationProfile? p, string name, List<string> e)
    {
        if (p is null)
        {
            e.Add($"escalation profile '{name}' is missing");
            return;
        }

        if (p.ReminderAtFraction is <= 0 or >= 1)
        {
            e.Add($"{name}.reminderAtFraction must be between 0 and 1, got {p.ReminderAtFraction}");
        }

        if (p.ShortClockWarningFraction is <= 0 or >= 1)
        {
            e.Add($"{name}.shortClockWarningFraction must be between 0 and 1, got {p.ShortClockWarningFraction}");
        }

        if (p.CriticalWorkingDaysLeft < 0 || p.WarningWorkingDaysLeft <= p.CriticalWorkingDaysLeft)
        {
            e.Add($"{name}: warningWorkingDaysLeft ({p.WarningWorkingDaysLeft}) must exceed criticalWorkingDaysLeft ({p.CriticalWorkingDaysLeft}) ≥ 0");
        }

        if (p.ShortClockWorkingDays < 0)
        {
            e.Add($"{name}.shortClockWorkingDays must be 0 or more");
        }
    }
}

/// <summary>All loaded policy documents, keyed by (case type, region, version).</summary>
public sealed class PolicyCatalog
{
    /// <summary>The region that applies when no region-specific document exists.</summary>
    public const string AnyRegion = "*";

    /// <summary>The case type of petition cases.</summary>
    public const string Petition = "petition";

    private readonly Dictionary<PolicyRef, PolicyDocument> documents;

    private PolicyCatalog(IEnumerable<PolicyDocument> docs)
    {
        documents = [];
        foreach (var d in docs)
        {
            if (!documents.TryAdd(d.Ref, d))
            {
                throw new DataValidationException("policy catalog", [$"{d.Ref} is loaded twice"]);
            }
        }
    }

    public static PolicyCatalog Default { get; } = new([PolicyDocument.Parse(ReadResource("Supervision.Domain.Policy.Data.petition-default-v1.json"))]);

    public static PolicyCatalog From(IEnumerable<PolicyDocument> docs)
    {
        var list = docs.ToList();
        foreach (var d in list)
        {
            d.Validate();
        }

        return new PolicyCatalog(list);
    }

    public IReadOnlyCollection<PolicyDocument> Documents => documents.Values;

    /// <summary>Adds a new version; refused when that (type, region, version) exists — published versions never change.</summary>
    public PolicyCatalog With(PolicyDocument doc)
    {
        doc.Validate();
        if (documents.ContainsKey(doc.Ref))
        {
            throw new DataValidationException("policy catalog", [$"{doc.Ref} already exists; publish a new version instead"]);
        }

        return new PolicyCatalog([.. documents.Values, doc]);
    }

    public PolicyDocument? Find(PolicyRef r) => documents.GetValueOrDefault(r);

    public PolicyDocument Get(PolicyRef r) => Find(r) ?? throw new KeyNotFoundException($"policy {r} is not loaded");

    public PolicyDocument? Latest(string caseType, string region) =>
        documents.Values.Where(d => d.CaseType == caseType && d.Region == region).MaxBy(d => d.Version);

    /// <summary>The latest document for the first region (most specific first) that has one, else the <c>*</c> default.</summary>
    public PolicyDocument? Resolve(string caseType, IEnumerable<string> regions) =>
        regions.Append(AnyRegion).Select(r => Latest(caseType, r)).FirstOrDefault(d => d is not null);

    private static string ReadResource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource {name} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

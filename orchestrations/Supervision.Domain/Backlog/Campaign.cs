using System.Collections.Immutable;
using System.Text.Json.Serialization;
using NodaTime;
using Supervision.Domain.Calendar;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;
using Supervision.Domain.Tickets;

namespace Supervision.Domain.Backlog;

public enum CampaignStatus
{
    New,

    /// <summary>化解 under way: cases are added and their results recorded.</summary>
    Running,

    Closed,
}

public enum BacklogResult
{
    Pending,

    /// <summary>已化解.</summary>
    Resolved,

    /// <summary>未化解, with the reason.</summary>
    Unresolved,
}

/// <summary>One backlog case in a campaign: who answers for it (a leader, 包案, and a responsible unit) and its result.</summary>
/// <param name="Why">Why it is backlog, as <see cref="BacklogPolicy.WhyBacklog"/> said when it was added.</param>
public sealed record CampaignEntry(
    string CaseId, string LeaderId, string UnitId, string Why, LocalDate AddedOn, Category? Category, string? AccusedUnitId, string? AccusedPersonId,
    BacklogResult Result = BacklogResult.Pending, string? Reason = null, LocalDate? ResultOn = null, string? ResultBy = null);

/// <summary>A 化解 campaign (专项工作) on the backlog: its leader, target date and cases. The instance snapshot.</summary>
public sealed record CampaignState
{
    public static CampaignState Initial { get; } = new();

    public CampaignStatus Status { get; init; } = CampaignStatus.New;

    public string? CampaignId { get; init; }

    public string? Name { get; init; }

    /// <summary>The petition bureau that runs it.</summary>
    public string? BureauId { get; init; }

    /// <summary>The leader in charge of the campaign.</summary>
    public string? LeaderId { get; init; }

    public LocalDate TargetDate { get; init; }

    public bool TargetPassed { get; init; }

    public int PolicyVersion { get; init; }

    public ImmutableSortedDictionary<string, CampaignEntry> Entries { get; init; } = ImmutableSortedDictionary.Create<string, CampaignEntry>(StringComparer.Ordinal);

    public string? ClosingNote { get; init; }

    [JsonIgnore]
    public int Resolved => Entries.Values.Count(e => e.Result == BacklogResult.Resolved);

    /// <summary>化解率: resolved over all cases in the campaign (0 when empty).</summary>
    [JsonIgnore]
    public double ResolutionRate => Entries.Count == 0 ? 0 : Math.Round((double)Resolved / Entries.Count, 4);
}

[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(StartCampaign), "start")]
[JsonDerivedType(typeof(AddBacklogCase), "add-case")]
[JsonDerivedType(typeof(RecordBacklogResult), "record-result")]
[JsonDerivedType(typeof(CloseCampaign), "close")]
[JsonDerivedType(typeof(CampaignTimerElapsed), "timer")]
public abstract record CampaignCommand(string Actor)
{
    /// <summary>The step's name in refusals (its JSON discriminator).</summary>
    [JsonIgnore]
    public string Step => this switch
    {
        StartCampaign => "start",
        AddBacklogCase => "add-case",
        RecordBacklogResult => "record-result",
        CloseCampaign => "close",
        _ => "timer",
    };
}

public sealed record StartCampaign(string Actor, string CampaignId, string Name, string BureauId, string LeaderId, LocalDate TargetDate) : CampaignCommand(Actor);

/// <summary>Adds a backlog case; <paramref name="Why"/> and the accusation data are the server's, read from the case.</summary>
public sealed record AddBacklogCase(
    string Actor, string CaseId, string LeaderId, string UnitId, string Why = "", Category? Category = null, string? AccusedUnitId = null, string? AccusedPersonId = null)
    : CampaignCommand(Actor);

/// <summary>化解 or 未化解 (with the reason) for one case of the campaign.</summary>
public sealed record RecordBacklogResult(string Actor, string CaseId, bool Resolved, string? Reason = null) : CampaignCommand(Actor);

public sealed record CloseCampaign(string Actor, string? Note = null) : CampaignCommand(Actor);

public sealed record CampaignTimerElapsed(string Actor, string Key, int Generation) : CampaignCommand(Actor);

[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(CampaignStarted), "started")]
[JsonDerivedType(typeof(BacklogCaseAdded), "case-added")]
[JsonDerivedType(typeof(BacklogResultRecorded), "result-recorded")]
[JsonDerivedType(typeof(CampaignTargetPassed), "target-passed")]
[JsonDerivedType(typeof(CampaignClosed), "closed")]
public abstract record CampaignEvent;

public sealed record CampaignStarted(string CampaignId, string Name, string BureauId, string LeaderId, LocalDate TargetDate, int PolicyVersion, string By) : CampaignEvent;

public sealed record BacklogCaseAdded(CampaignEntry Entry, string By) : CampaignEvent;

public sealed record BacklogResultRecorded(string CaseId, BacklogResult Result, string? Reason, LocalDate On, string By) : CampaignEvent;

/// <summary>The target date passed with cases not resolved.</summary>
public sealed record CampaignTargetPassed(LocalDate TargetDate, int NotResolved) : CampaignEvent;

public sealed record CampaignClosed(string? Note, double ResolutionRate, string By) : CampaignEvent;

/// <summary>
/// The 信访积案 化解 campaign (专项工作) as a pure decider (decision B1). A supervisor or leader of the bureau's level
/// starts it with a leader and a target date; cases that <see cref="BacklogPolicy.WhyBacklog"/> says are backlog are added,
/// each with a leader who owns it (包案) and a responsible unit; results are 化解 or 未化解 with the reason; a timer at the
/// end of the target date tells the leader what is left. The accusation guard holds: an accused unit is never
/// responsible for, told of, or shown an entry of an accusation against it.
/// </summary>
public sealed class CampaignDecider(OrgDirectory org, BacklogPolicy policy) : IDecider<CampaignState, CampaignCommand, CampaignEvent>
{
    public const string Type = "campaign";
    public const string TargetTimer = "target";

    public static CampaignDecider Demo { get; } = new(OrgDirectory.Demo, BacklogPolicy.Default);

    public OrgDirectory Org { get; } = org;

    public BacklogPolicy Policy { get; } = policy;

    public string TypeName => Type;

    public CampaignState Initial => CampaignState.Initial;

    public Decision<CampaignEvent> Decide(CampaignState state, CampaignCommand command, DecisionContext context)
    {
        var s = state;
        var name = command.Step;
        var from = s.Status.ToString();
        var today = LegalCalendar.LocalDateOf(context.Now);
        if (command is CampaignTimerElapsed t)
        {
            return t.Key == TargetTimer && s is { Status: CampaignStatus.Running, TargetPassed: false }
                ? Decision<CampaignEvent>.Accept(new CampaignTargetPassed(s.TargetDate, s.Entries.Values.Count(e => e.Result != BacklogResult.Resolved)))
                : Decision<CampaignEvent>.None;
        }

        if (Satisfied(s, command))
        {
            return Decision<CampaignEvent>.None;
        }

        var allowed = command switch
        {
            StartCampaign => s.Status == CampaignStatus.New,
            _ => s.Status == CampaignStatus.Running,
        };
        if (!allowed)
        {
            return Decision<CampaignEvent>.Reject(Rejection.Transition(
                name, from, command is StartCampaign ? "the campaign has already been started" : $"the campaign is {Words(s.Status)}; only a running campaign takes this step"));
        }

        if (Authorize(s, command) is { } forbidden)
        {
            return Decision<CampaignEvent>.Reject(Rejection.Forbidden(name, from, forbidden));
        }

        var invalid = command switch
        {
            StartCampaign c => string.IsNullOrWhiteSpace(c.Name) || c.Name.Length > 100 ? "name is required (at most 100 characters)"
                : c.TargetDate <= today || c.TargetDate > today.PlusDays(Policy.TargetAheadMaxDays) ? $"targetDate must be after today and within {Policy.TargetAheadMaxDays} days"
                : !IsLeaderAt(c.LeaderId, c.BureauId) ? "leaderId must be a leader of the bureau's level (the campaign's responsible leader)"
                : null,
            AddBacklogCase c => s.Entries.TryGetValue(c.CaseId, out var listed) ? $"case {c.CaseId} is already in the campaign, with {listed.LeaderId}"
                : s.Entries.Count >= Policy.CampaignMaxCases ? $"a campaign holds at most {Policy.CampaignMaxCases} cases (backlog policy v{Policy.Version})"
                : string.IsNullOrWhiteSpace(c.Why) ? $"case {c.CaseId} is not a backlog case: it is neither open past a lapsed duty nor petitioned again after final handling"
                : Org.Unit(c.UnitId) is null ? $"unitId '{c.UnitId}' is not a unit of the org directory"
                : !Org.People.Any(p => p.Id == c.LeaderId && p.Roles.Any(r => r.Role == Role.Leader)) ? "leaderId must be a leader (the leader who owns the case, 包案)"
                : AccusationGuard.ExcludedUnits(Org, c.Category, c.AccusedUnitId, c.AccusedPersonId).Contains(c.UnitId) ? "accusation guard: the accused unit cannot be responsible for the accusation against it (Arts. 30, 46)"
                : AccusationGuard.ExcludesPerson(Org, c.Category, c.AccusedUnitId, c.AccusedPersonId, c.LeaderId) ? "accusation guard: the leader belongs to the accused unit (Arts. 30, 46)"
                : null,
            RecordBacklogResult c => !s.Entries.ContainsKey(c.CaseId) ? $"case {c.CaseId} is not in the campaign"
                : !c.Resolved && string.IsNullOrWhiteSpace(c.Reason) ? "未化解 states its reason"
                : c.Reason?.Length > 2000 ? "reason is at most 2000 characters"
                : null,
            _ => null,
        };
        if (invalid is not null)
        {
            var kind = invalid.StartsWith("accusation guard:", StringComparison.Ordinal) ? RejectionKind.Forbidden : RejectionKind.Validation;
            return Decision<CampaignEvent>.Reject(new Rejection(kind, name, from, invalid));
        }

        return command switch
        {
            StartCampaign c => Decision<CampaignEvent>.Accept(new CampaignStarted(c.CampaignId, c.Name.Trim(), c.BureauId, c.LeaderId, c.TargetDate, Policy.Version, c.Actor)),
            AddBacklogCase c => Decision<CampaignEvent>.Accept(new BacklogCaseAdded(
                new CampaignEntry(c.CaseId, c.LeaderId, c.UnitId, c.Why, today, c.Category, c.AccusedUnitId, c.AccusedPersonId), c.Actor)),
            RecordBacklogResult c => Decision<CampaignEvent>.Accept(new BacklogResultRecorded(
                c.CaseId, c.Resolved ? BacklogResult.Resolved : BacklogResult.Unresolved, c.Reason?.Trim(), today, c.Actor)),
            CloseCampaign c => Decision<CampaignEvent>.Accept(new CampaignClosed(c.Note, s.ResolutionRate, c.Actor)),
            _ => Decision<CampaignEvent>.Reject(Rejection.Invalid(name, from, "unknown command")),
        };
    }

    private static string Words(CampaignStatus s) => s switch { CampaignStatus.New => "not started", CampaignStatus.Closed => "closed", _ => "running" };

    private static bool Satisfied(CampaignState s, CampaignCommand command) => command switch
    {
        StartCampaign c => s.Status != CampaignStatus.New && s.CampaignId == c.CampaignId && s.Name == c.Name.Trim() && s.LeaderId == c.LeaderId && s.TargetDate == c.TargetDate,
        AddBacklogCase c => s.Entries.GetValueOrDefault(c.CaseId) is { } e && e.LeaderId == c.LeaderId && e.UnitId == c.UnitId,
        RecordBacklogResult c => s.Entries.GetValueOrDefault(c.CaseId) is { } e
            && e.Result == (c.Resolved ? BacklogResult.Resolved : BacklogResult.Unresolved) && e.Reason == c.Reason?.Trim(),
        CloseCampaign => s.Status == CampaignStatus.Closed,
        _ => false,
    };

    /// <summary>A leader of the bureau's level: a leader of its government (or of a unit under it at that level).</summary>
    private bool IsLeaderAt(string personId, string bureauId) =>
        Org.GovernmentOf(bureauId) is { } gov && Org.PersonById(personId) is { } p && p.Roles.Any(r => r.Role == Role.Leader && Org.GovernmentOf(r.Unit)?.Id == gov.Id);

    private string? Authorize(CampaignState s, CampaignCommand command)
    {
        var actor = command.Actor;
        if (string.IsNullOrWhiteSpace(actor) || Org.PersonById(actor) is null)
        {
            return $"'{command.Step}' must be issued by a known person";
        }

        var bureau = (command as StartCampaign)?.BureauId ?? s.BureauId;
        bool Runs() => bureau is not null && Org.Unit(bureau)?.Type == UnitType.PetitionBureau && (Org.HasRole(actor, Role.Supervisor, bureau) || IsLeaderAt(actor, bureau));
        switch (command)
        {
            case StartCampaign:
                return Runs() ? null : "only a supervisor of the petition bureau, or a leader of its level, starts a backlog campaign";
            case AddBacklogCase c:
                return AccusationGuard.ExcludesPerson(Org, c.Category, c.AccusedUnitId, c.AccusedPersonId, actor)
                    ? "the actor is the accused or belongs to the accused unit of this accusation (Arts. 30, 46)"
                    : Runs() || actor == s.LeaderId ? null : "only the campaign's leader or a supervisor of its bureau adds cases";
            case RecordBacklogResult c when s.Entries.GetValueOrDefault(c.CaseId) is { } e:
                if (AccusationGuard.ExcludesPerson(Org, e.Category, e.AccusedUnitId, e.AccusedPersonId, actor))
                {
                    return "the actor is the accused or belongs to the accused unit of this accusation (Arts. 30, 46)";
                }

                return actor == e.LeaderId || actor == s.LeaderId || Org.HasRole(actor, Role.AgencyHead, e.UnitId) || Runs()
                    ? null : "the case's leader (包案), the head of its responsible unit, the campaign's leader or a supervisor records its result";
            case CloseCampaign:
                return actor == s.LeaderId || Runs() ? null : "only the campaign's leader or a supervisor of its bureau closes it";
            default:
                return null;
        }
    }

    public CampaignState Evolve(CampaignState state, CampaignEvent @event) => @event switch
    {
        CampaignStarted x => state with
        {
            Status = CampaignStatus.Running,
            CampaignId = x.CampaignId,
            Name = x.Name,
            BureauId = x.BureauId,
            LeaderId = x.LeaderId,
            TargetDate = x.TargetDate,
            PolicyVersion = x.PolicyVersion,
        },
        BacklogCaseAdded x => state with { Entries = state.Entries.SetItem(x.Entry.CaseId, x.Entry) },
        BacklogResultRecorded x => state with
        {
            Entries = state.Entries.SetItem(x.CaseId, state.Entries[x.CaseId] with { Result = x.Result, Reason = x.Reason, ResultOn = x.On, ResultBy = x.By }),
        },
        CampaignTargetPassed => state with { TargetPassed = true },
        CampaignClosed x => state with { Status = CampaignStatus.Closed, ClosingNote = x.Note },
        _ => state,
    };

    /// <summary>One timer: the end of the target date (Beijing), while the campaign runs.</summary>
    public IReadOnlyList<DurableTimer> Timers(CampaignState state) =>
        state is { Status: CampaignStatus.Running, TargetPassed: false } ? [new DurableTimer(TargetTimer, LegalCalendar.EndOf(state.TargetDate), 1)] : [];

    public CampaignCommand OnTimer(TimerFired fired) => new CampaignTimerElapsed(Actors.System, fired.Key, fired.Generation);

    public IReadOnlyList<Effect> Effects(CampaignState before, CampaignEvent @event, CampaignState after, EffectContext context)
    {
        var (e, s, ctx) = (@event, after, context);
        var link = $"/app/campaign.html?id={Uri.EscapeDataString(s.CampaignId ?? ctx.InstanceId)}";
        var effects = new List<Effect>();
        void ToPerson(string kind, string? person, string subject, string body, AlertUrgency urgency)
        {
            if (person is not null)
            {
                effects.Add(new RaiseAlert(new Alert(kind, subject, body, [AlertAudience.Person(person)], urgency, link)));
            }
        }

        switch (e)
        {
            case BacklogCaseAdded x:
                var units = new AlertList(AccusationGuard.ExcludedUnits(Org, x.Entry.Category, x.Entry.AccusedUnitId, x.Entry.AccusedPersonId), link, x.Entry.CaseId);
                units.Add("campaign.case-added", $"积案化解：信访事项 {x.Entry.CaseId}", $"信访事项 {x.Entry.CaseId} 列入“{s.Name}”，{x.Entry.Why}；请于 {s.TargetDate:uuuu-MM-dd} 前化解。",
                    AlertUrgency.Routine, [(Role.AgencyHead, x.Entry.UnitId)]);
                effects.AddRange(units.Effects);
                ToPerson("campaign.case-added", x.Entry.LeaderId, $"积案包案：信访事项 {x.Entry.CaseId}", $"您包案的信访事项 {x.Entry.CaseId} 列入“{s.Name}”，{x.Entry.Why}；化解目标日期 {s.TargetDate:uuuu-MM-dd}。", AlertUrgency.Routine);
                break;
            case CampaignTargetPassed x when x.NotResolved > 0:
                ToPerson("campaign.target-passed", s.LeaderId, $"【逾期】积案化解：{s.Name}", $"“{s.Name}”目标日期 {x.TargetDate:uuuu-MM-dd} 已过，尚有 {x.NotResolved} 件未化解。", AlertUrgency.Urgent);
                var supervisors = new AlertList(new HashSet<string>(StringComparer.Ordinal), link);
                supervisors.Add("campaign.target-passed", $"【逾期】积案化解：{s.Name}", $"“{s.Name}”目标日期 {x.TargetDate:uuuu-MM-dd} 已过，尚有 {x.NotResolved} 件未化解。",
                    AlertUrgency.Urgent, [(Role.Supervisor, s.BureauId)]);
                effects.AddRange(supervisors.Effects);
                break;
        }

        effects.Add(new UpsertReadModel(CampaignRow.Model, s.BureauId ?? ctx.InstanceId, s.CampaignId ?? ctx.InstanceId, ctx.Sequence, new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [CampaignRow.Name] = s.Name,
            [CampaignRow.LeaderId] = s.LeaderId,
            [CampaignRow.TargetDate] = s.TargetDate.ToString("uuuu-MM-dd", null),
            [CampaignRow.Status] = s.Status.ToString(),
            [CampaignRow.Total] = s.Entries.Count,
            [CampaignRow.Resolved] = s.Resolved,
            [CampaignRow.Unresolved] = s.Entries.Values.Count(x => x.Result == BacklogResult.Unresolved),
            [CampaignRow.Rate] = s.ResolutionRate,
            [CampaignRow.UpdatedAt] = ctx.Now.ToDateTimeOffset(),
        }));
        return effects;
    }
}

/// <summary>The <c>campaigns</c> read model: one row per campaign in its bureau's partition (counts only, never case data).</summary>
public static class CampaignRow
{
    public const string Model = "campaigns";
    public const string Name = "name";
    public const string LeaderId = "leaderId";
    public const string TargetDate = "targetDate";
    public const string Status = "status";
    public const string Total = "total";
    public const string Resolved = "resolved";
    public const string Unresolved = "unresolved";
    public const string Rate = "rate";
    public const string UpdatedAt = "updatedAt";
}

/// <summary>The JSON contract of campaign commands, events and state.</summary>
public static class CampaignJson
{
    public static System.Text.Json.JsonSerializerOptions Options { get; } = DomainJson.Create();
}

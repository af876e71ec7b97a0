using System.Text.Json;
using Supervision.Api.Platform;
using Supervision.Domain.Backlog;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;
using Supervision.Orchestrations;

namespace Supervision.Api.Oversight;

/// <summary>
/// 信访积案 化解 campaigns (专项工作, decision B1): start one, add backlog cases with the leader who owns each (包案) and
/// the responsible unit, record 化解 / 未化解 with the reason, close it; list and detail with the 化解率. One "campaign"
/// orchestration per campaign, described once (<see cref="Edge"/>) and run through the one <see cref="DeciderPipeline"/>.
/// A case is added only if the caller may see it and it is backlog by the versioned policy; the entries of an
/// accusation are never shown to the accused unit, nor counted in what it is shown.
/// </summary>
public static class CampaignEndpoints
{
    public static readonly DeciderEdge<CampaignState, CampaignCommand, CampaignEvent> Edge = new(
        CampaignDecider.Type, "/campaigns", "campaign", "Campaign", "campaign", CampaignJson.Options, s => s.Campaigns, CanSee,
        new Dictionary<string, (string, Type, string)>(StringComparer.Ordinal)
        {
            ["add-case"] = ("add-case", typeof(AddBacklogCase), "列入积案: caseId, leaderId (the leader who owns it, 包案), unitId (responsible unit); the case must be backlog."),
            ["record-result"] = ("record-result", typeof(RecordBacklogResult), "化解结果: caseId, resolved (true 化解 / false 未化解), reason (required when not resolved)."),
            ["close"] = ("close", typeof(CloseCampaign), "结束专项工作: optional note; the 化解率 is recorded."),
        },
        (_, org, viewer, c, events, rejected) => View(org, viewer, c, events, rejected))
    {
        Check = BacklogCaseAsync,
    };

    public static RouteGroupBuilder MapCampaignEndpoints(this RouteGroupBuilder api)
    {
        var campaigns = api.MapGroup("/campaigns").WithTags("campaigns");
        campaigns.MapPost(string.Empty, StartAsync).Accepts<StartCampaignRequest>("application/json").WithName("startCampaign")
            .WithSummary("Start a backlog (积案) 化解 campaign: name, leaderId, targetDate, optional bureauId (supervisor of the bureau or a leader of its level).")
            .Produces<CampaignView>(StatusCodes.Status201Created).Produces<PendingCommand>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);
        campaigns.MapGet(string.Empty, ListAsync).WithName("listCampaigns")
            .WithSummary("Campaigns the caller oversees, leads or has cases in, with totals and 化解率.")
            .Produces<IReadOnlyList<CampaignListItem>>();
        campaigns.Map<CampaignState, CampaignCommand, CampaignEvent, CampaignView>(Edge, "A campaign with its cases, results, 化解率 and timeline (entries the caller may see).");
        return api;
    }

    private static async Task<IResult> StartAsync(HttpContext http, CancellationToken ct)
    {
        var (body, bad) = await SupervisionHttp.ReadObjectAsync(http, ct);
        if (bad is not null)
        {
            return bad;
        }

        var s = SupervisionServices.Of(http);
        var (org, person) = await SupervisionHttp.WhoAsync(http, s, ct);
        if (person is null)
        {
            return Problems.Forbidden("Sign in as a person of the org directory.");
        }

        // The caller's own petition bureau (a supervisor's), when not named.
        var actor = person.Id;
        if (body!["bureauId"] is null || body["bureauId"]!.GetValueKind() == JsonValueKind.Null)
        {
            body["bureauId"] = person.Roles.Where(r => r.Role == Role.Supervisor && org.Unit(r.Unit)?.Type == UnitType.PetitionBureau)
                .Select(r => r.Unit).FirstOrDefault() ?? string.Empty;
        }

        var key = SupervisionHttp.Key(http);
        var id = $"ZX-{SupervisionHttp.Suffix(actor, key)}";
        body["campaignId"] = id;
        if (!SupervisionHttp.TryCommand<CampaignCommand>(body, "start", actor, CampaignJson.Options, out var command, out bad))
        {
            return bad!;
        }

        var existing = await Edge.LoadAsync(s, id, ct);
        return await DeciderPipeline.SendAsync(Edge, s, org, actor, id, existing?.State ?? CampaignState.Initial, command, SupervisionHttp.CommandId(actor, key), create: true, http, ct);
    }

    private static async Task<IResult> ListAsync(HttpContext http, CancellationToken ct)
    {
        var s = SupervisionServices.Of(http);
        var (org, person) = await SupervisionHttp.WhoAsync(http, s, ct);
        if (person is null)
        {
            return Problems.Forbidden("Sign in as a person of the org directory.");
        }

        // The list shows counts only; a campaign's entries (and so any accusation in it) are read per viewer in the detail.
        var rows = await s.RowsAsync(CampaignRow.Model, null, ct);
        var items = rows
            .Where(r => r.GetValueOrDefault(CampaignRow.LeaderId) as string == person.Id
                || (r.GetValueOrDefault("PartitionKey") as string is { } bureau && SupervisionVisibility.Oversees(org, person, bureau)))
            .Select(r => new CampaignListItem(
                (string)r["id"]!, r.GetValueOrDefault(CampaignRow.Name) as string, UnitRef.Of(org, r.GetValueOrDefault("PartitionKey") as string),
                PersonRef.Of(org, r.GetValueOrDefault(CampaignRow.LeaderId) as string), r.GetValueOrDefault(CampaignRow.TargetDate) as string,
                r.GetValueOrDefault(CampaignRow.Status) as string ?? "Running",
                Enum.TryParse<CampaignStatus>(r.GetValueOrDefault(CampaignRow.Status) as string, out var st) ? Names.Of(st) : null,
                r.GetValueOrDefault(CampaignRow.Total) as int? ?? 0, r.GetValueOrDefault(CampaignRow.Resolved) as int? ?? 0,
                r.GetValueOrDefault(CampaignRow.Unresolved) as int? ?? 0, r.GetValueOrDefault(CampaignRow.Rate) as double? ?? 0))
            .OrderBy(i => i.TargetDate, StringComparer.Ordinal).ThenBy(i => i.Id, StringComparer.Ordinal)
            .ToList();
        return Results.Json(items, CampaignJson.Options);
    }

    /// <summary>Who may see a campaign: its leader, whoever oversees its bureau, and the leaders and unit staff of its entries.</summary>
    private static bool CanSee(OrgDirectory org, Person person, CampaignState c) =>
        c.Status != CampaignStatus.New
        && (c.LeaderId == person.Id || (c.BureauId is not null && SupervisionVisibility.Oversees(org, person, c.BureauId)) || c.Entries.Values.Any(e => Sees(org, person, c, e)));

    /// <summary>
    /// Whether <paramref name="person"/> sees entry <paramref name="e"/>: never the accused or the accused unit's people; else
    /// the campaign's leader and overseers, the entry's leader, and people of its responsible unit.
    /// </summary>
    private static bool Sees(OrgDirectory org, Person person, CampaignState c, CampaignEntry e) =>
        !AccusationGuard.ExcludesPerson(org, e.Category, e.AccusedUnitId, e.AccusedPersonId, person.Id)
        && (c.LeaderId == person.Id || e.LeaderId == person.Id || org.UnitsOf(person.Id).Contains(e.UnitId)
            || (c.BureauId is not null && SupervisionVisibility.Oversees(org, person, c.BureauId)));

    /// <summary>
    /// A case is added from its state of record: the caller must see it (else 404, as for a missing case), and it must be
    /// backlog by the policy in force; the reason and the accusation data are the server's, whatever the body said.
    /// </summary>
    private static async Task<(CampaignCommand Command, IResult? Problem)> BacklogCaseAsync(CommandRequest<CampaignState> r, CampaignCommand command)
    {
        if (command is RecordBacklogResult result)
        {
            // An entry the caller may not see (an accusation against their unit) is answered like one that is not there.
            return r.Current.State.Entries.TryGetValue(result.CaseId, out var entry) && !Sees(r.Org, r.Person, r.Current.State, entry)
                ? (command, Problems.NotFound($"No case '{result.CaseId}' in this campaign that you may act on."))
                : (command, null);
        }

        if (command is not AddBacklogCase add)
        {
            return (command, null);
        }

        var s = SupervisionServices.Of(r.Http);
        var snapshot = await s.Cases.GetAsync(add.CaseId, r.Http.RequestAborted);
        if (snapshot is null || !CaseVisibility.CanSee(r.Org, r.Person, snapshot.State))
        {
            return (command, Problems.NotFound($"No case '{add.CaseId}' that you may add."));
        }

        var c = snapshot.State;
        return (add with { Why = BacklogPolicy.Default.WhyBacklog(c, s.Now()) ?? string.Empty, Category = c.Category, AccusedUnitId = c.AccusedUnitId, AccusedPersonId = c.AccusedPersonId }, null);
    }

    public static CampaignView View(
        OrgDirectory org, Person? person, Recorded<CampaignState> recorded, IReadOnlyList<StoredEvent> events, IReadOnlyList<CommandOutcome> rejected)
    {
        var c = recorded.State;
        var visible = c.Entries.Values.Where(e => person is not null && Sees(org, person, c, e)).ToList();
        var hidden = c.Entries.Keys.Except(visible.Select(e => e.CaseId), StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);
        var resolved = visible.Count(e => e.Result == BacklogResult.Resolved);
        return new CampaignView(
            c.CampaignId!, recorded.Version, c.Status.ToString(), Names.Of(c.Status), c.Name, UnitRef.Of(org, c.BureauId), PersonRef.Of(org, c.LeaderId),
            c.TargetDate, c.TargetPassed, c.PolicyVersion, visible.Count, resolved, visible.Count(e => e.Result == BacklogResult.Unresolved),
            visible.Count(e => e.Result == BacklogResult.Pending), visible.Count == 0 ? 0 : Math.Round((double)resolved / visible.Count, 4), c.ClosingNote,
            visible.Select(e => new CampaignEntryView(
                e.CaseId, PersonRef.Of(org, e.LeaderId), UnitRef.Of(org, e.UnitId), e.Why, e.AddedOn, e.Result.ToString(), Names.Of(e.Result), e.Reason, e.ResultOn,
                PersonRef.Of(org, e.ResultBy))),
            TimelineEntry.Of(org, events).Where(t => !(CaseOf(t.Data) is { } id && hidden.Contains(id))),
            RejectedEntry.Of(rejected));
    }

    /// <summary>The case an event is about (<c>caseId</c>, or <c>entry.caseId</c>), if any.</summary>
    private static string? CaseOf(JsonElement data) =>
        data.ValueKind != JsonValueKind.Object ? null
        : data.TryGetProperty("caseId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString()
        : data.TryGetProperty("entry", out var e) && e.ValueKind == JsonValueKind.Object && e.TryGetProperty("caseId", out var eid) ? eid.GetString()
        : null;

    /// <summary>Display names, so pages never show an enum name.</summary>
    public static class Names
    {
        public static string Of(CampaignStatus s) => s switch { CampaignStatus.New => "新建", CampaignStatus.Running => "化解中", _ => "已结束" };

        public static string Of(BacklogResult r) => r switch { BacklogResult.Pending => "待化解", BacklogResult.Resolved => "已化解", _ => "未化解" };
    }
}

/// <summary>The body of <c>POST /api/campaigns</c>; the id and the actor are the server's.</summary>
public sealed record StartCampaignRequest(string Name, string LeaderId, NodaTime.LocalDate TargetDate, string? BureauId = null);

/// <summary>A person named in a view: id and name.</summary>
public sealed record PersonRef(string Id, string? Name)
{
    public static PersonRef? Of(OrgDirectory org, string? id) => id is null ? null : new PersonRef(id, org.PersonById(id)?.Name);
}

public sealed record CampaignListItem(
    string Id, string? Name, UnitRef? Bureau, PersonRef? Leader, string? TargetDate, string Status, string? StatusName, int Total, int Resolved, int Unresolved, double Rate);

public sealed record CampaignEntryView(
    string CaseId, PersonRef? Leader, UnitRef? Unit, string Why, NodaTime.LocalDate AddedOn, string Result, string ResultName, string? Reason,
    NodaTime.LocalDate? ResultOn, PersonRef? ResultBy);

/// <summary>A 化解 campaign as its reader sees it: counts and 化解率 over the entries this reader may see.</summary>
public sealed record CampaignView(
    string Id, long Version, string Status, string StatusName, string? Name, UnitRef? Bureau, PersonRef? Leader, NodaTime.LocalDate TargetDate,
    bool TargetPassed, int PolicyVersion, int Total, int Resolved, int Unresolved, int Pending, double Rate, string? ClosingNote,
    IEnumerable<CampaignEntryView> Entries, IEnumerable<TimelineEntry> Timeline, IEnumerable<RejectedEntry> Rejected);

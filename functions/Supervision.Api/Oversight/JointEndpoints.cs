using System.Collections.Immutable;
using Supervision.Api.Platform;
using Supervision.Domain.Cases;
using Supervision.Domain.JointAssignments;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;
using Supervision.Orchestrations;

namespace Supervision.Api.Oversight;

/// <summary>
/// Joint assignment (联合交办, Art. 24) API: the bureau registrar proposes a lead and co-handlers; each agency consents or
/// disputes; the common superior (or the conference office) resolves a dispute; the conference office approves, amends or
/// rejects. One "joint" orchestration per proposal, described once (<see cref="Edge"/>) and run through the one
/// <see cref="DeciderPipeline"/>; the decider authorizes the signed-in actor.
/// </summary>
public static class JointEndpoints
{
    /// <summary>The joint-assignment decider's edge: steps by URL action, visibility, the party-unit default and the typed view.</summary>
    public static readonly DeciderEdge<JointState, JointCommand, JointEvent> Edge = new(
        JointDecider.Type, "/joint-assignments", "joint", "JointAssignment", "joint assignment", JointJson.Options, s => s.Joints, SupervisionVisibility.CanSee,
        new Dictionary<string, (string, Type, string)>(StringComparer.Ordinal)
        {
            ["consent"] = ("consent", typeof(ConsentToJointAssignment), "同意: an agency consents (unitId defaults to the caller's party unit)."),
            ["dispute"] = ("dispute", typeof(DisputeJointAssignment), "提出争议: an agency disputes with a reason; it goes to the common superior, or the conference office."),
            ["resolve-dispute"] = ("resolve-dispute", typeof(ResolveDispute), "裁定争议: the resolver settles the arrangement (arrangement, note)."),
            ["approve"] = ("approve", typeof(ApproveJointAssignment), "批准: the conference office approves; the case gets the lead's and co-handlers' clocks."),
            ["amend"] = ("amend", typeof(AmendJointAssignment), "调整后批准: the conference office approves a changed arrangement."),
            ["reject"] = ("reject", typeof(RejectJointAssignment), "不予批准: the conference office rejects with a reason."),
        },
        (s, org, _, j, events, rejected) => Detail(s, org, j.State, j.Version, events, rejected))
    {
        Complete = OwnPartyUnit,
        Completes = (action, body) => action is "consent" or "dispute" && body["unitId"] is null,
    };

    public static RouteGroupBuilder MapJointEndpoints(this RouteGroupBuilder api)
    {
        var joint = api.MapGroup("/joint-assignments").WithTags("joint-assignments");
        joint.MapPost(string.Empty, ProposeAsync).Accepts<ProposeJointRequest>("application/json").WithName("proposeJointAssignment")
            .WithSummary("Propose a joint assignment (bureau registrar): caseId, arrangement {leadAgencyId, leadDueDate, coHandlers [{unitId, dueDate}]}.")
            .Produces<JointView>(StatusCodes.Status201Created).Produces<PendingCommand>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        joint.Map<JointState, JointCommand, JointEvent, JointView>(Edge, "A joint assignment with answers, resolver, the running window (explained) and timeline.");
        return api;
    }

    private static async Task<IResult> ProposeAsync(HttpContext http, CancellationToken ct)
    {
        // The body first: a refused one costs no storage call.
        var (body, bad) = await SupervisionHttp.ReadObjectAsync(http, ct);
        if (bad is not null)
        {
            return bad;
        }

        if (!SupervisionHttp.TryRead<ProposeJointRequest>(body!, JointJson.Options, "a joint assignment", out var request, out bad))
        {
            return bad!;
        }

        if (request is null || string.IsNullOrWhiteSpace(request.CaseId) || request.Arrangement is null)
        {
            return Problems.Fields(
                new[] { ("caseId", request is null || string.IsNullOrWhiteSpace(request.CaseId)), ("arrangement", request?.Arrangement is null) }
                    .Where(f => f.Item2)
                    .Select(f => new FieldError(f.Item1, $"{f.Item1} is required (the body names caseId and arrangement {{leadAgencyId, leadDueDate, coHandlers}}, and optionally bureauId)")));
        }

        var s = SupervisionServices.Of(http);
        var (org, person) = await SupervisionHttp.WhoAsync(http, s, ct);

        var snapshot = await s.Cases.GetAsync(request.CaseId, ct);
        if (snapshot is null || person is null || !CaseVisibility.CanSee(org, person, snapshot.State))
        {
            return Problems.NotFound($"No case '{request.CaseId}' that you may act on.");
        }

        // The bureau: as given, else the caller's own petition bureau (a registrar's), else the case's.
        var bureau = request.BureauId
            ?? person.Roles.Where(r => r.Role == Role.Registrar && org.Unit(r.Unit)?.Type == UnitType.PetitionBureau).Select(r => r.Unit).FirstOrDefault()
            ?? snapshot.State.BureauId;
        var key = SupervisionHttp.Key(http);
        var id = $"LJ-{request.CaseId}-{SupervisionHttp.Suffix(person.Id, key)}";
        var c = snapshot.State;
        JointCommand command = new ProposeJointAssignment(person.Id, id, request.CaseId, bureau ?? string.Empty, request.Arrangement, c.Category, c.AccusedUnitId, c.AccusedPersonId);
        var existing = await Edge.LoadAsync(s, id, ct);
        var commandId = SupervisionHttp.CommandId(person.Id, key);
        return await DeciderPipeline.SendAsync(Edge, s, org, person.Id, id, existing?.State ?? s.Joints.Initial, command, commandId, create: true, http, ct);
    }

    /// <summary>An agency answering for itself need not name its unit: the one party unit it holds a role in.</summary>
    private static System.Text.Json.Nodes.JsonObject? OwnPartyUnit(CommandRequest<JointState> r)
    {
        var mine = r.Current.State.Arrangement?.Parties.Where(p => r.Org.UnitsOf(r.Person.Id).Contains(p)).ToList() ?? [];
        if (mine.Count != 1)
        {
            return null;
        }

        var body = (System.Text.Json.Nodes.JsonObject)r.Body!.DeepClone();
        body["unitId"] = mine[0];
        return body;
    }

    public static JointView Detail(
        SupervisionServices s, OrgDirectory org, JointState j, long version, IReadOnlyList<StoredEvent> events, IReadOnlyList<CommandOutcome> rejected) => new(
            j.AssignmentId!,
            version,
            j.Status.ToString(),
            JointNames.Of(j.Status),
            j.CaseId,
            UnitRef.Of(org, j.BureauId),
            UnitRef.Of(org, j.ConferenceOfficeId),
            j.Arrangement,
            j.Answers,
            j.Resolver?.ToString(),
            UnitRef.Of(org, j.ResolverUnitId),
            j.ResolutionNote,
            j.Amended,
            j.DecisionNote,
            j.RejectionReason,
            j.Window is { } w ? TicketEndpoints.Clock(s.Calendar.Current, org, w, s.Now()) : null,
            TimelineEntry.Of(org, events),
            RejectedEntry.Of(rejected));
}

/// <summary>The body of <c>POST /api/joint-assignments</c>; the id, actor and accusation data are the server's.</summary>
public sealed record ProposeJointRequest(string CaseId, JointArrangement Arrangement, string? BureauId = null);

/// <summary>A joint assignment (联合交办) as its reader sees it: state with its display name, answers, resolver, the running window explained, and its timeline.</summary>
public sealed record JointView(
    string Id, long Version, string Status, string StatusName, string? CaseId, UnitRef? Bureau, UnitRef? ConferenceOffice, JointArrangement? Arrangement,
    ImmutableSortedDictionary<string, JointAnswer> Answers, string? Resolver, UnitRef? ResolverUnit, string? ResolutionNote, bool Amended,
    string? DecisionNote, string? RejectionReason, DeadlineView? Window, IEnumerable<TimelineEntry> Timeline, IEnumerable<RejectedEntry> Rejected);

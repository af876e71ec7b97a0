using System.Text.Json;
using NodaTime;
using Supervision.Api.Platform;
using Supervision.Domain.Calendar;
using Supervision.Domain.Cases;
using Supervision.Domain.JointAssignments;
using Supervision.Domain.Org;
using Supervision.Orchestrations;

namespace Supervision.Api.Oversight;

/// <summary>
/// Joint assignment (联合交办, Art. 24) API: the bureau registrar proposes a lead and co-handlers; each agency consents or
/// disputes; the common superior (or the conference office) resolves a dispute; the conference office approves, amends or
/// rejects. One "joint" orchestration per proposal; the decider authorizes the signed-in actor.
/// </summary>
public static class JointEndpoints
{
    public static readonly IReadOnlyDictionary<string, (Type Command, string Summary)> Actions =
        new Dictionary<string, (Type, string)>(StringComparer.Ordinal)
        {
            ["consent"] = (typeof(ConsentToJointAssignment), "同意: an agency consents (unitId defaults to the caller's party unit)."),
            ["dispute"] = (typeof(DisputeJointAssignment), "提出争议: an agency disputes with a reason; it goes to the common superior, or the conference office."),
            ["resolve-dispute"] = (typeof(ResolveDispute), "裁定争议: the resolver settles the arrangement (arrangement, note)."),
            ["approve"] = (typeof(ApproveJointAssignment), "批准: the conference office approves; the case gets the lead's and co-handlers' clocks."),
            ["amend"] = (typeof(AmendJointAssignment), "调整后批准: the conference office approves a changed arrangement."),
            ["reject"] = (typeof(RejectJointAssignment), "不予批准: the conference office rejects with a reason."),
        };

    public static RouteGroupBuilder MapJointEndpoints(this RouteGroupBuilder api)
    {
        var joint = api.MapGroup("/joint-assignments").WithTags("joint-assignments");
        joint.MapPost(string.Empty, ProposeAsync).Accepts<ProposeJointRequest>("application/json").WithName("proposeJointAssignment")
            .WithSummary("Propose a joint assignment (bureau registrar): caseId, arrangement {leadAgencyId, leadDueDate, coHandlers [{unitId, dueDate}]}.");
        joint.MapGet("/{id}", DetailAsync).WithName("getJointAssignment")
            .WithSummary("A joint assignment with answers, resolver, the running window (explained) and timeline.");
        foreach (var (action, (command, summary)) in Actions)
        {
            joint.MapPost($"/{{id}}/{action}", (string id, HttpContext http, CancellationToken ct) => CommandAsync(id, action, http, ct))
                .Accepts(command, "application/json").WithName("joint-" + action)
                .WithSummary($"{summary} The actor is the signed-in person.");
        }

        joint.MapGet("/{id}/commands/{commandId}", StatusAsync).WithName("jointCommandStatus")
            .WithSummary("The outcome of a joint-assignment command answered 202.");
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
                    .Select(f => new Domain.Orchestration.FieldError(f.Item1, $"{f.Item1} is required (the body names caseId and arrangement {{leadAgencyId, leadDueDate, coHandlers}}, and optionally bureauId)")));
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
        var command = new ProposeJointAssignment(person.Id, id, request.CaseId, bureau ?? string.Empty, request.Arrangement, c.Category, c.AccusedUnitId, c.AccusedPersonId);
        var commandId = SupervisionHttp.CommandId(person.Id, key);
        var existing = await s.JointAsync(id, ct);
        if (await s.EarlyRefusalAsync(s.Joints, JointDecider.Type, id, existing?.State ?? s.Joints.Initial, (JointCommand)command, commandId, person.Id, ct) is { } refused)
        {
            return refused;
        }

        var result = await s.SendAsync(JointDecider.Type, id, JointJson.Serialize<JointCommand>(command), commandId, person.Id, create: true, ct);
        if (SupervisionHttp.Answer(StatusUrl(id, commandId), commandId, result) is { } early)
        {
            return early;
        }

        return await ViewAsync(id, s, org, result.Replayed ? StatusCodes.Status200OK : StatusCodes.Status201Created, ct);
    }

    private static async Task<IResult> CommandAsync(string id, string action, HttpContext http, CancellationToken ct)
    {
        // The body first, checked against the command's shape: a refused one costs no storage call.
        var (body, bad) = await SupervisionHttp.ReadObjectAsync(http, ct);
        if (bad is not null)
        {
            return bad;
        }

        var s = SupervisionServices.Of(http);
        var (org, person) = await SupervisionHttp.WhoAsync(http, s, ct);
        if (person is null)
        {
            return Problems.NotFound($"No joint assignment '{id}' that you may act on.");
        }

        if (!SupervisionHttp.TryCommand<JointCommand>(body!, action, person.Id, JointJson.Options, out var command, out bad))
        {
            return bad!;
        }

        if (await s.JointAsync(id, ct) is not { } current || !SupervisionVisibility.CanSee(org, person, current.State))
        {
            return Problems.NotFound($"No joint assignment '{id}' that you may act on.");
        }

        // An agency answering for itself need not name its unit: the one party unit it holds a role in.
        if (action is "consent" or "dispute" && body!["unitId"] is null)
        {
            var mine = current.State.Arrangement?.Parties.Where(p => org.UnitsOf(person.Id).Contains(p)).ToList() ?? [];
            if (mine.Count == 1)
            {
                body["unitId"] = mine[0];
                if (!SupervisionHttp.TryCommand<JointCommand>(body, action, person.Id, JointJson.Options, out command, out bad))
                {
                    return bad!;
                }
            }
        }

        var commandId = SupervisionHttp.CommandId(person.Id, SupervisionHttp.Key(http));
        if (await s.EarlyRefusalAsync(s.Joints, JointDecider.Type, id, current.State, command!, commandId, person.Id, ct) is { } refused)
        {
            return refused;
        }

        var result = await s.SendAsync(JointDecider.Type, id, JointJson.Serialize(command), commandId, person.Id, create: false, ct);
        if (SupervisionHttp.Answer(StatusUrl(id, commandId), commandId, result) is { } early)
        {
            return early;
        }

        http.Response.Headers["Idempotent-Replayed"] = result.Replayed ? "true" : "false";
        return await ViewAsync(id, s, org, StatusCodes.Status200OK, ct);
    }

    private static async Task<IResult> DetailAsync(string id, HttpContext http, CancellationToken ct)
    {
        var s = SupervisionServices.Of(http);
        var (org, person) = await SupervisionHttp.WhoAsync(http, s, ct);
        if (await s.JointAsync(id, ct) is not { } j || person is null || !SupervisionVisibility.CanSee(org, person, j.State))
        {
            return Problems.NotFound($"No joint assignment '{id}' that you may see.");
        }

        return await ViewAsync(id, s, org, StatusCodes.Status200OK, ct);
    }

    private static async Task<IResult> StatusAsync(string id, string commandId, HttpContext http, CancellationToken ct)
    {
        var s = SupervisionServices.Of(http);
        var (org, person) = await SupervisionHttp.WhoAsync(http, s, ct);
        if (await s.JointAsync(id, ct) is not { } j || person is null || !SupervisionVisibility.CanSee(org, person, j.State))
        {
            return Problems.NotFound($"No joint assignment '{id}' that you may see.");
        }

        var outcome = await s.Store.GetOutcomeAsync(JointDecider.Type, id, commandId, ct);
        return outcome is null
            ? Results.Json(new { status = "Pending", commandId }, statusCode: StatusCodes.Status202Accepted)
            : Results.Json(new { status = outcome.Status.ToString(), commandId, version = outcome.Version, rejection = outcome.Rejection });
    }

    private static string StatusUrl(string id, string commandId) => $"/api/joint-assignments/{Uri.EscapeDataString(id)}/commands/{Uri.EscapeDataString(commandId)}";

    private static async Task<IResult> ViewAsync(string id, SupervisionServices s, OrgDirectory org, int status, CancellationToken ct)
    {
        var j = await s.JointAsync(id, ct);
        var events = await s.Store.ReadEventsAsync(JointDecider.Type, id, ct);
        var rejected = await s.Store.ReadRejectionsAsync(JointDecider.Type, id, ct);
        return Results.Json(Detail(s.Calendar.Current, org, j!.Value.State, j.Value.Version, s.Now(), events, rejected), JointJson.Options, statusCode: status);
    }

    public static object Detail(
        LegalCalendar calendar, OrgDirectory org, JointState j, long version, Instant now, IReadOnlyList<StoredEvent> events, IReadOnlyList<CommandOutcome> rejected) => new
        {
            id = j.AssignmentId,
            version,
            status = j.Status.ToString(),
            caseId = j.CaseId,
            bureau = SupervisionHttp.Unit(org, j.BureauId),
            conferenceOffice = SupervisionHttp.Unit(org, j.ConferenceOfficeId),
            arrangement = j.Arrangement,
            answers = j.Answers,
            resolver = j.Resolver?.ToString(),
            resolverUnit = SupervisionHttp.Unit(org, j.ResolverUnitId),
            resolutionNote = j.ResolutionNote,
            amended = j.Amended,
            decisionNote = j.DecisionNote,
            rejectionReason = j.RejectionReason,
            window = j.Window is { } w ? TicketEndpoints.Clock(calendar, org, w, now) : null,
            timeline = events.Select(e => new
            {
                e.Sequence,
                type = e.EventType,
                at = e.At,
                e.Actor,
                actorName = org.PersonById(e.Actor)?.Name,
                data = JsonDocument.Parse(e.Data).RootElement,
            }),
            rejected = rejected.OrderBy(r => r.At).Select(r => new { at = r.At, r.Actor, command = r.Rejection?.Command, reason = r.Rejection?.Reason }),
        };
}

/// <summary>The body of <c>POST /api/joint-assignments</c>; the id, actor and accusation data are the server's.</summary>
public sealed record ProposeJointRequest(string CaseId, JointArrangement Arrangement, string? BureauId = null);

using NodaTime;
using Supervision.Api.Platform;
using Supervision.Domain.Calendar;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;
using Supervision.Domain.Tickets;
using Supervision.Orchestrations;

namespace Supervision.Api.Oversight;

/// <summary>
/// The supervision ticket (督办单) API: raise by hand, detail with timeline and the explained response deadline, and the
/// ticket's steps. Described once (<see cref="Edge"/>) and run through the one <see cref="DeciderPipeline"/>; the decider
/// authorizes the signed-in actor. A ticket the caller may not see is answered 404, like a missing one.
/// </summary>
public static class TicketEndpoints
{
    /// <summary>The ticket decider's edge: steps by URL action, visibility, the cited-file rule and the typed view.</summary>
    public static readonly DeciderEdge<TicketState, TicketCommand, TicketEvent> Edge = new(
        TicketDecider.Type, "/tickets", "ticket", "Ticket", "ticket", TicketJson.Options, s => s.Tickets, SupervisionVisibility.CanSee,
        new Dictionary<string, (string, Type, string)>(StringComparer.Ordinal)
        {
            ["acknowledge"] = ("acknowledge", typeof(AcknowledgeTicket), "签收: the supervised agency confirms receipt."),
            ["respond"] = ("respond", typeof(RespondToTicket), "反馈: the agency reports what it did (report text, file refs {blobId}@sha256:{hex})."),
            ["accept"] = ("accept-response", typeof(AcceptResponse), "审核通过: the supervisor accepts the response; the ticket closes."),
            ["reject"] = ("reject-response", typeof(RejectResponse), "退回: the supervisor rejects (reason, optional newDueDate); the ticket escalates one form."),
            ["conference-decision"] = ("conference-decision", typeof(ConferenceDecision), "联席会议决定: listed (挂牌), circulated (通报), reassignTo, extensionDays."),
            ["recommend-accountability"] = ("recommend-accountability", typeof(RecommendAccountability), "问责建议: target body and reason; a written reply is owed."),
            ["accountability-reply"] = ("accountability-reply", typeof(RecordAccountabilityReply), "The target body's written reply (a stored file)."),
        },
        (s, org, _, t, events, rejected) => Detail(s.Calendar.Current, org, t.State, t.Version, s.Now(), events, rejected))
    {
        // A cited report must be the case's file as stored, and is sealed once the step is applied (decision S10).
        Check = async (r, command) => (command, await TicketRecords.CheckAsync(r.Current.State.CaseId, command, r.Http, r.Http.RequestAborted)),
        Applied = (r, command) => TicketRecords.SealAsync(r.Current.State.CaseId, command, r.Http, r.Http.RequestAborted),
    };

    public static RouteGroupBuilder MapTicketEndpoints(this RouteGroupBuilder api)
    {
        var tickets = api.MapGroup("/tickets").WithTags("tickets");
        tickets.MapPost(string.Empty, RaiseAsync).Accepts<RaiseTicketRequest>("application/json").WithName("raiseTicket")
            .WithSummary("Raise a ticket by hand (supervisor of the bureau; Art. 40 grounds Stalling, Shifting, FakedResults, RefusedOpinion…).")
            .Produces<TicketView>(StatusCodes.Status201Created).Produces<PendingCommand>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        tickets.Map<TicketState, TicketCommand, TicketEvent, TicketView>(Edge, "A ticket with its response deadline (due date, light, explanation) and its timeline.");
        return api;
    }

    private static async Task<IResult> RaiseAsync(HttpContext http, CancellationToken ct)
    {
        // The body first: a refused one costs no storage call.
        var (body, bad) = await SupervisionHttp.ReadObjectAsync(http, ct);
        if (bad is not null)
        {
            return bad;
        }

        if (!SupervisionHttp.TryRead<RaiseTicketRequest>(body!, TicketJson.Options, "a ticket", out var request, out bad))
        {
            return bad!;
        }

        if (request is null || string.IsNullOrWhiteSpace(request.CaseId) || string.IsNullOrWhiteSpace(request.AgencyId))
        {
            return Problems.Fields(
                new[] { ("caseId", request?.CaseId), ("agencyId", request?.AgencyId) }
                    .Where(f => string.IsNullOrWhiteSpace(f.Item2))
                    .Select(f => new FieldError(f.Item1, $"{f.Item1} is required (the body names caseId, agencyId, ground, and optionally form, problem and bureauId)")));
        }

        var s = SupervisionServices.Of(http);
        var (org, person) = await SupervisionHttp.WhoAsync(http, s, ct);

        var snapshot = await s.Cases.GetAsync(request.CaseId, ct);
        if (snapshot is null || person is null || !CaseVisibility.CanSee(org, person, snapshot.State))
        {
            return Problems.NotFound($"No case '{request.CaseId}' that you may supervise.");
        }

        var key = SupervisionHttp.Key(http);
        var ticketId = $"DB-{request.CaseId}-manual-{SupervisionHttp.Suffix(person.Id, key)}";
        var c = snapshot.State;
        TicketCommand command = new RaiseTicket(
            person.Id, ticketId, request.CaseId, request.AgencyId, request.Ground, request.Form ?? SupervisionForm.Written, request.Problem ?? string.Empty,
            request.BureauId, c.Category, c.AccusedUnitId, c.AccusedPersonId);
        var existing = await Edge.LoadAsync(s, ticketId, ct);
        var commandId = SupervisionHttp.CommandId(person.Id, key);
        return await DeciderPipeline.SendAsync(Edge, s, org, person.Id, ticketId, existing?.State ?? s.Tickets.Initial, command, commandId, create: true, http, ct);
    }

    public static TicketView Detail(
        LegalCalendar calendar, OrgDirectory org, TicketState t, long version, Instant now, IReadOnlyList<StoredEvent> events, IReadOnlyList<CommandOutcome> rejected) => new(
            t.TicketId!,
            version,
            t.Status.ToString(),
            FormNames.Of(t.Status),
            t.IsOpen,
            t.CaseId,
            UnitRef.Of(org, t.AgencyId),
            UnitRef.Of(org, t.BureauId),
            UnitRef.Of(org, t.BureauId is null ? null : org.ConferenceOfficeOf(t.BureauId)?.Id),
            t.Ground.ToString(),
            FormNames.Of(t.Ground),
            t.Form.ToString(),
            FormNames.Of(t.Form),
            t.ClockName,
            t.Problem,
            t.RaisedBy,
            t.AcknowledgedBy,
            t.Report,
            t.Files,
            t.LastRejection,
            t.Escalations,
            t.Listed,
            t.Circulated,
            t.Rulings,
            t.Accountability is { } a
                ? new AccountabilityView(UnitRef.Of(org, a.TargetUnitId), a.Reason, a.By, a.ReplyFile, a.RepliedBy, Clock(calendar, org, a.ReplyClock, now))
                : null,
            t.CloseReason?.ToString(),
            t.Response is { } r ? Clock(calendar, org, r, now) : null,
            TicketTransitions.AllowedIn(t.Status),
            TimelineEntry.Of(org, events),
            RejectedEntry.Of(rejected));

    /// <summary>A supervision deadline as the case API shows clocks: due date and instant, light, and the calendar's explanation.</summary>
    public static DeadlineView Clock(LegalCalendar calendar, OrgDirectory org, LegalClock c, Instant now)
    {
        var v = ClockViews.Of(calendar, c, now);
        return new DeadlineView(
            v.Name, v.Rule, v.Article, v.Status.ToString(), UnitRef.Of(org, v.ResponsibleUnitId), v.DueDate, v.DueInstant, c.Generation, v.Light?.ToString(),
            v.Level.ToString(), Math.Round(v.Remaining.TotalHours, 1), v.WorkingDaysLeft, v.Explanation.Lines, v.Explanation.RolledBecause,
            v.Explanation.CalendarVersion);
    }
}

/// <summary>The body of <c>POST /api/tickets</c>. The actor, the ticket id and the accusation data are the server's.</summary>
public sealed record RaiseTicketRequest(
    string CaseId, string AgencyId, SupervisionGround Ground, SupervisionForm? Form = null, string? Problem = null, string? BureauId = null);

/// <summary>A unit named in a view: its id and display name.</summary>
public sealed record UnitRef(string Id, string? Name)
{
    public static UnitRef? Of(OrgDirectory org, string? id) => id is null ? null : new UnitRef(id, org.Unit(id)?.Name);
}

/// <summary>A deadline in a view: due date and instant, light, remaining time and the calendar's explanation.</summary>
public sealed record DeadlineView(
    string Name, string Rule, string Article, string Status, UnitRef? ResponsibleUnit, LocalDate DueDate, Instant DueInstant, int Generation,
    string? Light, string Level, double RemainingHours, int WorkingDaysLeft, IReadOnlyList<string> Explanation, string? RolledBecause, string CalendarVersion);

/// <summary>An accountability recommendation in a ticket's view, with its written-reply deadline.</summary>
public sealed record AccountabilityView(UnitRef? Target, string Reason, string By, string? ReplyFile, string? RepliedBy, DeadlineView Reply);

/// <summary>
/// A supervision ticket (督办单) as its reader sees it: state with its display name (<see cref="StatusName"/>), form and
/// ground names, the response deadline explained, the steps its state allows and its timeline.
/// </summary>
public sealed record TicketView(
    string Id, long Version, string Status, string StatusName, bool Open, string? CaseId, UnitRef? Agency, UnitRef? Bureau, UnitRef? ConferenceOffice,
    string Ground, string GroundName, string Form, string FormName, string? ClockName, string? Problem, string? RaisedBy, string? AcknowledgedBy,
    string? Report, IReadOnlyList<string> Files, string? LastRejection, int Escalations, bool Listed, bool Circulated,
    IReadOnlyList<ConferenceRuling> Rulings, AccountabilityView? Accountability, string? CloseReason, DeadlineView? Response,
    IEnumerable<string> Allowed, IEnumerable<TimelineEntry> Timeline, IEnumerable<RejectedEntry> Rejected);

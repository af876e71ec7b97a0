using System.Text.Json;
using NodaTime;
using Supervision.Api.Auth;
using Supervision.Api.Platform;
using Supervision.Domain.Calendar;
using Supervision.Domain.Cases;
using Supervision.Domain.Org;
using Supervision.Domain.Tickets;
using Supervision.Orchestrations;

namespace Supervision.Api.Oversight;

/// <summary>
/// The supervision ticket (督办单) API: raise by hand, detail with timeline and the explained response deadline, and the
/// ticket's steps. Commands go to the "ticket" orchestration through the gateway (recorded at the legal instant received);
/// the decider authorizes the signed-in actor. A ticket the caller may not see is answered 404, like a missing one.
/// </summary>
public static class TicketEndpoints
{
    /// <summary>Ticket steps by URL action, mapped to the command's JSON discriminator.</summary>
    public static readonly IReadOnlyDictionary<string, (string Type, Type Command, string Summary)> Actions =
        new Dictionary<string, (string, Type, string)>(StringComparer.Ordinal)
        {
            ["acknowledge"] = ("acknowledge", typeof(AcknowledgeTicket), "签收: the supervised agency confirms receipt."),
            ["respond"] = ("respond", typeof(RespondToTicket), "反馈: the agency reports what it did (report text, file refs {blobId}@sha256:{hex})."),
            ["accept"] = ("accept-response", typeof(AcceptResponse), "审核通过: the supervisor accepts the response; the ticket closes."),
            ["reject"] = ("reject-response", typeof(RejectResponse), "退回: the supervisor rejects (reason, optional newDueDate); the ticket escalates one form."),
            ["conference-decision"] = ("conference-decision", typeof(ConferenceDecision), "联席会议决定: listed (挂牌), circulated (通报), reassignTo, extensionDays."),
            ["recommend-accountability"] = ("recommend-accountability", typeof(RecommendAccountability), "问责建议: target body and reason; a written reply is owed."),
            ["accountability-reply"] = ("accountability-reply", typeof(RecordAccountabilityReply), "The target body's written reply (a stored file)."),
        };

    public static RouteGroupBuilder MapTicketEndpoints(this RouteGroupBuilder api)
    {
        var tickets = api.MapGroup("/tickets").WithTags("tickets");
        tickets.MapPost(string.Empty, RaiseAsync).Accepts<RaiseTicketRequest>("application/json").WithName("raiseTicket")
            .WithSummary("Raise a ticket by hand (supervisor of the bureau; Art. 40 grounds Stalling, Shifting, FakedResults, RefusedOpinion…).");
        tickets.MapGet("/{id}", DetailAsync).WithName("getTicket")
            .WithSummary("A ticket with its response deadline (due date, light, explanation) and its timeline.");
        foreach (var (action, (type, command, summary)) in Actions)
        {
            tickets.MapPost($"/{{id}}/{action}", (string id, HttpContext http, CancellationToken ct) => CommandAsync(id, type, http, ct))
                .Accepts(command, "application/json").WithName("ticket-" + action)
                .WithSummary($"{summary} The actor is the signed-in person.");
        }

        tickets.MapGet("/{id}/commands/{commandId}", StatusAsync).WithName("ticketCommandStatus")
            .WithSummary("The outcome of a ticket command answered 202.");
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
                    .Select(f => new Domain.Orchestration.FieldError(f.Item1, $"{f.Item1} is required (the body names caseId, agencyId, ground, and optionally form, problem and bureauId)")));
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
        var command = new RaiseTicket(
            person.Id, ticketId, request.CaseId, request.AgencyId, request.Ground, request.Form ?? SupervisionForm.Written, request.Problem ?? string.Empty,
            request.BureauId, c.Category, c.AccusedUnitId, c.AccusedPersonId);
        var commandId = SupervisionHttp.CommandId(person.Id, key);
        var existing = await s.TicketAsync(ticketId, ct);
        if (await s.EarlyRefusalAsync(s.Tickets, TicketDecider.Type, ticketId, existing?.State ?? s.Tickets.Initial, (TicketCommand)command, commandId, person.Id, ct) is { } refused)
        {
            return refused;
        }

        var result = await s.SendAsync(TicketDecider.Type, ticketId, TicketJson.Serialize<TicketCommand>(command), commandId, person.Id, create: true, ct);
        if (SupervisionHttp.Answer(StatusUrl(ticketId, commandId), commandId, result) is { } early)
        {
            return early;
        }

        return await ViewAsync(ticketId, s, org, result.Replayed ? StatusCodes.Status200OK : StatusCodes.Status201Created, ct);
    }

    private static async Task<IResult> CommandAsync(string id, string type, HttpContext http, CancellationToken ct)
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
            return Problems.NotFound($"No ticket '{id}' that you may act on.");
        }

        if (!SupervisionHttp.TryCommand<TicketCommand>(body!, type, person.Id, TicketJson.Options, out var command, out bad))
        {
            return bad!;
        }

        if (await s.TicketAsync(id, ct) is not { } current || !SupervisionVisibility.CanSee(org, person, current.State))
        {
            return Problems.NotFound($"No ticket '{id}' that you may act on.");
        }

        // A cited report must be the case's file as stored (and is sealed once the step is applied).
        if (await TicketRecords.CheckAsync(current.State.CaseId, command, http, ct) is { } badFile)
        {
            return badFile;
        }

        var commandId = SupervisionHttp.CommandId(person.Id, SupervisionHttp.Key(http));
        if (await s.EarlyRefusalAsync(s.Tickets, TicketDecider.Type, id, current.State, command!, commandId, person.Id, ct) is { } refused)
        {
            return refused;
        }

        var result = await s.SendAsync(TicketDecider.Type, id, TicketJson.Serialize(command), commandId, person.Id, create: false, ct);
        if (SupervisionHttp.Answer(StatusUrl(id, commandId), commandId, result) is { } early)
        {
            return early;
        }

        await TicketRecords.SealAsync(current.State.CaseId, command, http, ct);
        http.Response.Headers["Idempotent-Replayed"] = result.Replayed ? "true" : "false";
        return await ViewAsync(id, s, org, StatusCodes.Status200OK, ct);
    }

    private static async Task<IResult> DetailAsync(string id, HttpContext http, CancellationToken ct)
    {
        var s = SupervisionServices.Of(http);
        var (org, person) = await SupervisionHttp.WhoAsync(http, s, ct);
        if (await s.TicketAsync(id, ct) is not { } t || person is null || !SupervisionVisibility.CanSee(org, person, t.State))
        {
            return Problems.NotFound($"No ticket '{id}' that you may see.");
        }

        return await ViewAsync(id, s, org, StatusCodes.Status200OK, ct);
    }

    private static async Task<IResult> StatusAsync(string id, string commandId, HttpContext http, CancellationToken ct)
    {
        var s = SupervisionServices.Of(http);
        var (org, person) = await SupervisionHttp.WhoAsync(http, s, ct);
        if (await s.TicketAsync(id, ct) is not { } t || person is null || !SupervisionVisibility.CanSee(org, person, t.State))
        {
            return Problems.NotFound($"No ticket '{id}' that you may see.");
        }

        var outcome = await s.Store.GetOutcomeAsync(TicketDecider.Type, id, commandId, ct);
        return outcome is null
            ? Results.Json(new { status = "Pending", commandId }, statusCode: StatusCodes.Status202Accepted)
            : Results.Json(new { status = outcome.Status.ToString(), commandId, version = outcome.Version, rejection = outcome.Rejection });
    }

    private static string StatusUrl(string id, string commandId) => $"/api/tickets/{Uri.EscapeDataString(id)}/commands/{Uri.EscapeDataString(commandId)}";

    private static async Task<IResult> ViewAsync(string id, SupervisionServices s, OrgDirectory org, int status, CancellationToken ct)
    {
        var t = await s.TicketAsync(id, ct);
        var events = await s.Store.ReadEventsAsync(TicketDecider.Type, id, ct);
        var rejected = await s.Store.ReadRejectionsAsync(TicketDecider.Type, id, ct);
        return Results.Json(Detail(s.Calendar.Current, org, t!.Value.State, t.Value.Version, s.Now(), events, rejected), TicketJson.Options, statusCode: status);
    }

    public static object Detail(
        LegalCalendar calendar, OrgDirectory org, TicketState t, long version, Instant now, IReadOnlyList<StoredEvent> events, IReadOnlyList<CommandOutcome> rejected) => new
        {
            id = t.TicketId,
            version,
            status = t.Status.ToString(),
            open = t.IsOpen,
            caseId = t.CaseId,
            agency = SupervisionHttp.Unit(org, t.AgencyId),
            bureau = SupervisionHttp.Unit(org, t.BureauId),
            conferenceOffice = SupervisionHttp.Unit(org, t.BureauId is null ? null : org.ConferenceOfficeOf(t.BureauId)?.Id),
            ground = t.Ground.ToString(),
            groundName = FormNames.Of(t.Ground),
            form = t.Form.ToString(),
            formName = FormNames.Of(t.Form),
            clockName = t.ClockName,
            problem = t.Problem,
            raisedBy = t.RaisedBy,
            acknowledgedBy = t.AcknowledgedBy,
            report = t.Report,
            files = t.Files,
            lastRejection = t.LastRejection,
            escalations = t.Escalations,
            listed = t.Listed,
            circulated = t.Circulated,
            rulings = t.Rulings,
            accountability = t.Accountability is { } a ? new
            {
                target = SupervisionHttp.Unit(org, a.TargetUnitId),
                a.Reason,
                a.By,
                a.ReplyFile,
                a.RepliedBy,
                reply = Clock(calendar, org, a.ReplyClock, now),
            }
            : null,
            closeReason = t.CloseReason?.ToString(),
            response = t.Response is { } r ? Clock(calendar, org, r, now) : null,
            allowed = TicketTransitions.AllowedIn(t.Status),
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

    /// <summary>A supervision deadline as the case API shows clocks: due date and instant, light, and the calendar's explanation.</summary>
    public static object Clock(LegalCalendar calendar, OrgDirectory org, LegalClock c, Instant now)
    {
        var v = ClockViews.Of(calendar, c, now);
        return new
        {
            v.Name,
            v.Rule,
            v.Article,
            status = v.Status.ToString(),
            responsibleUnit = SupervisionHttp.Unit(org, v.ResponsibleUnitId),
            v.DueDate,
            v.DueInstant,
            generation = c.Generation,
            light = v.Light?.ToString(),
            level = v.Level.ToString(),
            remainingHours = Math.Round(v.Remaining.TotalHours, 1),
            v.WorkingDaysLeft,
            explanation = v.Explanation.Lines,
            rolledBecause = v.Explanation.RolledBecause,
            calendarVersion = v.Explanation.CalendarVersion,
        };
    }
}

/// <summary>The body of <c>POST /api/tickets</c>. The actor, the ticket id and the accusation data are the server's.</summary>
public sealed record RaiseTicketRequest(
    string CaseId, string AgencyId, SupervisionGround Ground, SupervisionForm? Form = null, string? Problem = null, string? BureauId = null);

using Azure.Data.Tables;
using Supervision.Api.Auth;
using Supervision.Api.Platform;
using Supervision.Domain.Cases;
using Supervision.Domain.JointAssignments;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;
using Supervision.Domain.Tickets;
using Supervision.Orchestrations;

namespace Supervision.Api.Oversight;

/// <summary>
/// Inboxes from the <c>tickets</c>, <c>joint</c> and <c>cases</c> read models and the local mailbox, scoped by the
/// caller's roles and units; every row passes the accusation guard (its <c>excludedUnits</c>).
/// </summary>
public static class InboxEndpoints
{
    public static RouteGroupBuilder MapInboxEndpoints(this RouteGroupBuilder api)
    {
        var inbox = api.MapGroup("/inbox").WithTags("inboxes");
        inbox.MapGet("/conference", ConferenceAsync).WithName("conferenceInbox")
            .WithSummary("Conference office (联席会议办公室): pending approvals, disputes it settles, referred tickets, and the 挂牌 list.");
        inbox.MapGet("/supervisor", SupervisorAsync).WithName("supervisorInbox")
            .WithSummary("Supervisor: the bureau's tickets grouped by state, each group by due date (closed ones with includeClosed=true).");
        inbox.MapGet("/agency", AgencyAsync).WithName("agencyInbox")
            .WithSummary("Agency: open tickets to acknowledge or answer, joint assignments awaiting its answer, accountability replies owed.");
        inbox.MapGet("/leader", LeaderAsync).WithName("leaderInbox")
            .WithSummary("Leader: overdue cases, escalated tickets, disputes before the leader's unit, urgent alerts from the mailbox.");
        return api;
    }

    private static async Task<IResult> ConferenceAsync(HttpContext http, CancellationToken ct)
    {
        var s = SupervisionServices.Of(http);
        var (org, person) = await SupervisionHttp.WhoAsync(http, s, ct);
        var offices = Units(person, Role.ConferenceStaff);
        if (person is null || offices.Count == 0)
        {
            return Problems.Forbidden("The conference inbox is for conference-office staff.");
        }

        var joint = new List<Dictionary<string, object?>>();
        var tickets = new List<Dictionary<string, object?>>();
        foreach (var office in offices)
        {
            joint.AddRange(await s.RowsAsync(JointRow.Model, TableClient.CreateQueryFilter($"PartitionKey eq {office}"), ct));
            tickets.AddRange(await s.RowsAsync(TicketRow.Model, TableClient.CreateQueryFilter($"conferenceOfficeId eq {office}"), ct));
        }

        joint = [.. joint.Where(r => !SupervisionVisibility.Guarded(org, person, r))];
        tickets = [.. tickets.Where(r => !SupervisionVisibility.Guarded(org, person, r))];
        return Results.Json(new
        {
            approvals = ByDue(joint.Where(r => Is(r, JointRow.Status, nameof(JointStatus.AwaitingApproval)))).Select(JointItem),
            disputes = ByDue(joint.Where(r => Is(r, JointRow.Status, nameof(JointStatus.Disputed)))).Select(JointItem),
            referrals = ByDue(tickets.Where(r => Is(r, TicketRow.Form, nameof(SupervisionForm.ConferenceReferral)) && Open(r))).Select(TicketItem),
            listed = ByDue(tickets.Where(r => r.GetValueOrDefault(TicketRow.Listed) as bool? == true)).Select(TicketItem),
        });
    }

    private static async Task<IResult> SupervisorAsync(HttpContext http, bool? includeClosed, CancellationToken ct)
    {
        var s = SupervisionServices.Of(http);
        var (org, person) = await SupervisionHttp.WhoAsync(http, s, ct);
        var bureaus = Units(person, Role.Supervisor);
        if (person is null || bureaus.Count == 0)
        {
            return Problems.Forbidden("The supervisor inbox is for supervisors of a petition bureau.");
        }

        var rows = new List<Dictionary<string, object?>>();
        foreach (var bureau in bureaus)
        {
            rows.AddRange(await s.RowsAsync(TicketRow.Model, TableClient.CreateQueryFilter($"bureauId eq {bureau}"), ct));
        }

        var visible = rows.Where(r => !SupervisionVisibility.Guarded(org, person, r) && (includeClosed == true || Open(r)));
        var groups = visible.GroupBy(r => r.GetValueOrDefault(TicketRow.Status) as string ?? string.Empty)
            .OrderBy(g => Enum.TryParse<TicketStatus>(g.Key, out var st) ? (int)st : int.MaxValue)
            .Select(g => new { status = g.Key, count = g.Count(), items = ByDue(g).Select(TicketItem) });
        return Results.Json(new { groups });
    }

    private static async Task<IResult> AgencyAsync(HttpContext http, CancellationToken ct)
    {
        var s = SupervisionServices.Of(http);
        var (org, person) = await SupervisionHttp.WhoAsync(http, s, ct);
        if (person is null)
        {
            return Problems.Forbidden("You are signed in but not in the org directory.");
        }

        // The units a person answers for, as the ticket decider's staff rule: officer or head; a bureau's registrar or supervisor.
        var units = person.Roles.Where(g => g.Role is Role.HandlingOfficer or Role.AgencyHead
                || (org.Unit(g.Unit)?.Type == UnitType.PetitionBureau && g.Role is Role.Registrar or Role.Supervisor))
            .Select(g => g.Unit).ToHashSet(StringComparer.Ordinal);
        var heads = person.Roles.Where(g => g.Role is Role.AgencyHead or Role.Leader).Select(g => g.Unit).ToHashSet(StringComparer.Ordinal);
        var tickets = new List<Dictionary<string, object?>>();
        var owed = new List<Dictionary<string, object?>>();
        foreach (var unit in units)
        {
            tickets.AddRange(await s.RowsAsync(TicketRow.Model, TableClient.CreateQueryFilter($"PartitionKey eq {unit} and open eq true"), ct));
        }

        foreach (var unit in units.Union(heads))
        {
            owed.AddRange(await s.RowsAsync(TicketRow.Model, TableClient.CreateQueryFilter($"accountabilityTarget eq {unit} and accountabilityReplied eq false"), ct));
        }

        var joint = (await s.RowsAsync(JointRow.Model, TableClient.CreateQueryFilter($"pendingKind eq {"answer"}"), ct))
            .Where(r => SupervisionHttp.Split(r.GetValueOrDefault(JointRow.PendingWith)).Overlaps(units));
        return Results.Json(new
        {
            tickets = ByDue(tickets.Where(r => !SupervisionVisibility.Guarded(org, person, r))).Select(TicketItem),
            jointAnswers = ByDue(joint.Where(r => !SupervisionVisibility.Guarded(org, person, r))).Select(JointItem),
            accountabilityReplies = owed.Where(r => !SupervisionVisibility.Guarded(org, person, r)).Select(TicketItem),
        });
    }

    private static async Task<IResult> LeaderAsync(HttpContext http, CancellationToken ct)
    {
        var s = SupervisionServices.Of(http);
        var (org, person) = await SupervisionHttp.WhoAsync(http, s, ct);
        var led = Units(person, Role.Leader);
        if (person is null || led.Count == 0)
        {
            return Problems.Forbidden("The leader inbox is for leaders.");
        }

        bool Under(string? unit) => unit is not null && led.Any(l => org.GovernmentOf(l) is { } gov && org.IsAncestorOrSelf(gov.Id, unit));
        var cases = (await s.RowsAsync(CaseRow.Model, TableClient.CreateQueryFilter($"open eq true"), ct))
            .Where(r => (r.GetValueOrDefault(CaseRow.Light) as string == "Red" || r.GetValueOrDefault(CaseRow.Overdue) as bool? == true)
                && CaseVisibility.CanSeeRow(org, person, r))
            .OrderBy(r => r.GetValueOrDefault(CaseRow.NextDue) as DateTimeOffset? ?? DateTimeOffset.MaxValue)
            .Select(r => Cases.CaseViews.ListItem(r, s.Calendar.Current, s.Now()));
        var escalations = (await s.RowsAsync(TicketRow.Model, TableClient.CreateQueryFilter($"open eq true and escalations gt 0"), ct))
            .Where(r => Under(r.GetValueOrDefault(TicketRow.AgencyId) as string) && !SupervisionVisibility.Guarded(org, person, r));
        var disputes = (await s.RowsAsync(JointRow.Model, TableClient.CreateQueryFilter($"pendingKind eq {"dispute"}"), ct))
            .Where(r => led.Contains(r.GetValueOrDefault(JointRow.PendingWith) as string ?? string.Empty) && !SupervisionVisibility.Guarded(org, person, r));
        var mine = (await s.Mailbox.ListAsync(ct: ct))
            .Where(m => m.Urgency == AlertUrgency.Urgent && m.AcknowledgedAt is null && person.Roles.Any(r => RoleNames.Of(r.Role) == m.Role && r.Unit == m.UnitId))
            .OrderByDescending(m => m.DeliveredAt);
        return Results.Json(new
        {
            overdueCases = cases,
            escalations = ByDue(escalations).Select(TicketItem),
            disputes = ByDue(disputes).Select(JointItem),
            unacknowledgedAlerts = mine,
        });
    }

    private static HashSet<string> Units(Person? person, Role role) =>
        person?.Roles.Where(r => r.Role == role).Select(r => r.Unit).ToHashSet(StringComparer.Ordinal) ?? [];

    private static bool Is(IReadOnlyDictionary<string, object?> r, string key, string value) => r.GetValueOrDefault(key) as string == value;

    private static bool Open(IReadOnlyDictionary<string, object?> r) => r.GetValueOrDefault(TicketRow.Open) as bool? == true;

    private static IEnumerable<Dictionary<string, object?>> ByDue(IEnumerable<Dictionary<string, object?>> rows) =>
        rows.OrderBy(r => r.GetValueOrDefault(TicketRow.DueInstant) as DateTimeOffset? ?? DateTimeOffset.MaxValue).ThenBy(r => r["id"] as string, StringComparer.Ordinal);

    private static object TicketItem(Dictionary<string, object?> r) => new
    {
        id = r["id"],
        caseId = r.GetValueOrDefault(TicketRow.CaseId),
        agencyId = r.GetValueOrDefault(TicketRow.AgencyId),
        bureauId = r.GetValueOrDefault(TicketRow.BureauId),
        form = r.GetValueOrDefault(TicketRow.Form),
        formName = Named<SupervisionForm>(r.GetValueOrDefault(TicketRow.Form), FormNames.Of),
        ground = r.GetValueOrDefault(TicketRow.Ground),
        groundName = Named<SupervisionGround>(r.GetValueOrDefault(TicketRow.Ground), FormNames.Of),
        status = r.GetValueOrDefault(TicketRow.Status),
        statusName = Named<TicketStatus>(r.GetValueOrDefault(TicketRow.Status), FormNames.Of),
        open = r.GetValueOrDefault(TicketRow.Open),
        dueDate = r.GetValueOrDefault(TicketRow.DueDate),
        dueInstant = r.GetValueOrDefault(TicketRow.DueInstant),
        escalations = r.GetValueOrDefault(TicketRow.Escalations),
        listed = r.GetValueOrDefault(TicketRow.Listed),
        circulated = r.GetValueOrDefault(TicketRow.Circulated),
        accountabilityTarget = r.GetValueOrDefault(TicketRow.AccountabilityTarget),
        accountabilityDue = r.GetValueOrDefault(TicketRow.AccountabilityDue),
    };

    private static object JointItem(Dictionary<string, object?> r) => new
    {
        id = r["id"],
        caseId = r.GetValueOrDefault(JointRow.CaseId),
        bureauId = r.GetValueOrDefault(JointRow.BureauId),
        status = r.GetValueOrDefault(JointRow.Status),
        statusName = Named<JointStatus>(r.GetValueOrDefault(JointRow.Status), JointNames.Of),
        leadAgencyId = r.GetValueOrDefault(JointRow.LeadAgencyId),
        leadDueDate = r.GetValueOrDefault(JointRow.LeadDueDate),
        coHandlers = SupervisionHttp.Split(r.GetValueOrDefault(JointRow.CoHandlers)).Order(StringComparer.Ordinal),
        disputed = r.GetValueOrDefault(JointRow.Disputed),
        pendingWith = r.GetValueOrDefault(JointRow.PendingWith),
        pendingKind = r.GetValueOrDefault(JointRow.PendingKind),
        dueDate = r.GetValueOrDefault(JointRow.DueDate),
        dueInstant = r.GetValueOrDefault(JointRow.DueInstant),
    };

    /// <summary>The display name of a row's enum value, so pages never show an enum name; null for a value this build does not know.</summary>
    private static string? Named<TEnum>(object? raw, Func<TEnum, string> name)
        where TEnum : struct, Enum =>
        raw is string text && Enum.TryParse<TEnum>(text, ignoreCase: false, out var value) && Enum.IsDefined(value) ? name(value) : null;
}

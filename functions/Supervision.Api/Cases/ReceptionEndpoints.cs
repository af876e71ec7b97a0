using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using NodaTime;
using NodaTime.Text;
using Supervision.Api.Auth;
using Supervision.Api.Platform;
using Supervision.Domain.Calendar;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;
using Supervision.Domain.Reception;

namespace Supervision.Api.Cases;

/// <summary>
/// Leaders' reception days (领导接访 / 约访; the issue cites Arts. 7, 9 and 22; decisions R10–R12). The petition bureau of a
/// leader's level publishes a day (date, place, leader, slots of the policy's length); a slot is booked for a case by
/// the petitioner on the portal (case number + query code, the throttled check of H11) or by a registrar at the
/// counter; a slot is taken atomically (one entity-group insert of the slot row and the case's row in the day's
/// partition, so a second booking of the slot, or of the case on that day, is 409). The leader's page lists the day
/// with each case the caller may see; a booking of a case the caller may not see shows only as taken (accusation guard).
/// The outcome of a reception is a legal step on the case (<c>take-ownership</c> with the booking id as receptionId).
/// The table <c>{prefix}receptions</c> is a read/write model of the API, not a legal record.
/// </summary>
public static class ReceptionEndpoints
{
    private const string DaysPartition = "days";

    /// <summary>Who booked, as the row records it: the petitioner (never their code) or <c>registrar:{id}</c>.</summary>
    private const string PetitionerBooking = "petitioner";
    private static readonly LocalTimePattern Time = LocalTimePattern.CreateWithInvariantCulture("HH:mm");

    public static IEndpointRouteBuilder MapReceptionEndpoints(this IEndpointRouteBuilder app)
    {
        var staff = app.MapGroup("/api").RequireAuthorization(SupervisionClaims.PersonPolicy).WithTags("receptions");
        staff.MapPost("/receptions", PublishAsync).WithName("publishReceptionDay").Accepts<PublishDay>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Publish a leader's reception day (领导接访日): leaderId, date, place, start (HH:mm), slots. A registrar or supervisor of the petition bureau of the leader's level; one day per leader and date (409 otherwise).");
        staff.MapGet("/receptions", ListAsync).WithName("listReceptionDays")
            .WithSummary("Reception days on ?date= (yyyy-MM-dd; without it every day from today) the caller leads or whose bureau they work at, each slot with the case booked when the caller may see it (only 'taken' otherwise).");
        staff.MapPost("/receptions/{dayId}/bookings", BookAtCounterAsync).WithName("bookReception").Accepts<BookSlot>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("A registrar books a slot for a case at the counter (约访): caseId, slot. 409 when the slot or the case already has a booking that day.");
        staff.MapGet("/cases/{id}/receptions", CaseBookingsAsync).WithName("caseReceptionBookings").ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The bookings of a case the caller may see (its reception slots from today and before), as the case page lists them with 取消.");
        staff.MapDelete("/receptions/{dayId}/bookings/{slot}", CancelAtCounterAsync).WithName("cancelReceptionBooking")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("A petition-bureau registrar cancels the booking of a slot (the petitioner asked at the counter or by phone); the slot is free again and its reminder is off. 409 once the reception has begun.");

        var portal = app.MapGroup("/api/portal").WithTags("portal").AllowAnonymous();
        portal.MapGet("/receptions", PublicDaysAsync).WithName("portalReceptionDays")
            .WithSummary("Published reception days from today: date, place, leader, each slot's time and whether it is free. No case data.");
        portal.MapPost("/receptions/{dayId}/bookings", BookOnlineAsync).WithName("portalBookReception").Accepts<BookSlot>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("The petitioner books a slot for their case (约访) with the query code in X-Query-Code: caseId, slot.")
            .WithDescription("A wrong code and an unknown case answer the same 404; wrong codes are throttled as for the progress query (429 with Retry-After).");
        app.MapGet("/api/petitioner/cases/{id}/receptions", PetitionerBookingsAsync).WithTags("petitioner").AllowAnonymous().WithName("petitionerReceptions")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("The petitioner's bookings (约访) for their case with X-Query-Code: the portal shows them as the reminder (the petitioner has no mailbox).");
        app.MapDelete("/api/petitioner/cases/{id}/receptions/{dayId}", CancelOnlineAsync).WithTags("petitioner").AllowAnonymous().WithName("petitionerCancelReception")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("The petitioner cancels their case's booking on that day with X-Query-Code (a case has one slot a day); to move it, cancel and book another slot.");
        return app;
    }

    /// <summary>The body of <c>POST /api/receptions</c>.</summary>
    public sealed record PublishDay(string LeaderId, LocalDate Date, string Place, string Start, int Slots);

    /// <summary>The body of a booking.</summary>
    public sealed record BookSlot(string CaseId, int Slot);

    private static async Task<TableClient> TableAsync(CaseServices s) => await s.Storage.TableAsync(s.Storage.Options.Prefix + "receptions");

    private static async Task<IResult> PublishAsync(HttpContext http, CaseServices s, CancellationToken ct)
    {
        var actor = SupervisionClaims.PersonIdOf(http.User)!;
        using var body = await HttpInput.ReadObjectAsync(http.Request, s.Limits.MaxCommandBodyBytes, ct, CaseJson.MaxDepth);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var f = new Fields(body.Root, ["leaderId", "date", "place", "start", "slots"]);
        var leaderId = f.Text("leaderId");
        var date = f.Date("date");
        var place = f.Text("place");
        var start = f.Time("start");
        var slots = f.Int("slots");
        if (f.Errors.Count > 0)
        {
            return Problems.Fields(f.Errors);
        }

        var org = await s.Org.GetAsync(ct);
        var policy = ReceptionPolicy.Default;
        var (day, refusal, reason, errors) = ReceptionRules.Publish(org, policy, actor, leaderId, date, place, start, slots, s.Now());
        if (day is null)
        {
            return refusal == ReceptionRefusal.Forbidden ? Problems.Forbidden(reason!) : Problems.Fields(errors);
        }

        if (!await PublishDayAsync(day, actor, s, ct))
        {
            return Problems.Conflict($"{day.LeaderName}'s reception day on {day.Date:uuuu-MM-dd} is already published ({day.Id}); book its slots or choose another date.");
        }

        return Results.Json(DayView(day, [], null, null, policy), CaseJson.Options, statusCode: StatusCodes.Status201Created);
    }

    /// <summary>Stores a published day; false when that leader's day on that date exists (also used by the demo).</summary>
    internal static async Task<bool> PublishDayAsync(ReceptionDay day, string actor, CaseServices s, CancellationToken ct)
    {
        var table = await TableAsync(s);
        try
        {
            await table.AddEntityAsync(ToEntity(day, actor), ct);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    /// <summary>
    /// Takes <paramref name="slot"/> for the case atomically (decision R11) and books its reminder (decision R13): null when
    /// taken, else the reason it was refused (the slot is booked, or the case has a slot that day). The same case in the
    /// same slot again is a retry, not a conflict: it finishes whatever step failed before (the case's index row, the
    /// reminder), each of which is idempotent.
    /// </summary>
    internal static async Task<string?> TakeSlotAsync(ReceptionDay day, int slot, CaseState state, string bookedBy, CaseServices s, CancellationToken ct)
    {
        var caseId = state.CaseId!;
        var table = await TableAsync(s);
        var bookedAt = s.Clock.GetUtcNow();
        var row = new TableEntity(day.Id, SlotKey(slot)) { ["caseId"] = caseId, ["bookedBy"] = bookedBy, ["bookedAt"] = bookedAt };
        var byCase = new TableEntity(day.Id, CasePartition(caseId)) { ["slot"] = slot };
        try
        {
            await table.SubmitTransactionAsync([new TableTransactionAction(TableTransactionActionType.Add, row), new TableTransactionAction(TableTransactionActionType.Add, byCase)], ct);
        }
        catch (TableTransactionFailedException e) when (e.Status == 409)
        {
            var held = await table.GetEntityIfExistsAsync<TableEntity>(day.Id, SlotKey(slot), cancellationToken: ct);
            if (held is not { HasValue: true } || held.Value!.GetString("caseId") != caseId)
            {
                return e.FailedTransactionActionIndex == 1
                    ? $"Case {caseId} already has a slot on {day.Date:uuuu-MM-dd} with {day.LeaderName}; one booking per case and day."
                    : $"The slot at {day.SlotTime(slot)} on {day.Date:uuuu-MM-dd} was just booked; choose another slot.";
            }

            bookedBy = held.Value.GetString("bookedBy") ?? bookedBy; // a retry: the first booking's record stands
            bookedAt = held.Value.GetDateTimeOffset("bookedAt") ?? bookedAt;
        }

        // The case's own index (for the petitioner's reminder on the portal); written after the slot is held.
        await table.UpsertEntityAsync(new TableEntity(CasePartition(caseId), day.Id) { ["slot"] = slot }, TableUpdateMode.Replace, ct);

        // The durable reminder; its command id is the booking's (instance and booking instant), so a retry is decided once and
        // a booking of the slot after a cancellation is a new command.
        var instance = AppointmentDecider.InstanceId(day.Id, slot);
        AppointmentCommand book = new BookAppointment(
            Actors.System, caseId, day.LeaderId, day.SlotStart(slot), day.Place, bookedBy, day.BureauId, state.BureauId, state.Category, state.AccusedUnitId, state.AccusedPersonId);
        // The booking stands whatever the reminder decides: answering a conflict now would tell the caller it failed while
        // the slot is held. The decider refuses only a slot already begun, which the booking rule above closes earlier
        // (BookingClosesMinutesBefore); such a refusal stays on the reminder's record.
        await s.SendToAsync(AppointmentDecider.Type, instance, JsonSerializer.Serialize(book, AppointmentJson.Options), BookingCommandId("book", instance, bookedAt), Actors.System, create: true, ct);
        return null;
    }

    private static async Task<IResult> ListAsync(HttpContext http, CaseServices s, CancellationToken ct)
    {
        var q = new QueryParams(http.Request.Query);
        var dateText = q.Text("date", 10);
        LocalDate? date = null;
        if (dateText is not null)
        {
            var parsed = LocalDatePattern.Iso.Parse(dateText);
            if (parsed.Success)
            {
                date = parsed.Value;
            }
            else
            {
                q.Fail("date", "date is yyyy-MM-dd");
            }
        }

        if (q.Problem is { } problem)
        {
            return problem;
        }

        var org = await s.Org.GetAsync(ct);
        var person = org.PersonById(SupervisionClaims.PersonIdOf(http.User));
        if (person is null)
        {
            return Problems.Forbidden("You are signed in but not in the org directory; ask an administrator to add you.");
        }

        var today = LegalCalendar.LocalDateOf(s.Now());
        var table = await TableAsync(s);
        var items = new List<(ReceptionDay Day, object View)>();
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == DaysPartition, cancellationToken: ct))
        {
            var day = FromEntity(e);
            if ((date is { } on ? day.Date != on : day.Date < today) || !(day.LeaderId == person.Id || person.Roles.Any(r => r.Unit == day.BureauId)))
            {
                continue;
            }

            var bookings = await BookingsAsync(table, day.Id, ct);
            var cases = new Dictionary<string, CaseState>(StringComparer.Ordinal);
            foreach (var b in bookings.Values)
            {
                if (await s.GetAsync(b.CaseId, ct) is { } snapshot && CaseVisibility.CanSee(org, person, snapshot.State))
                {
                    cases[b.CaseId] = snapshot.State;
                }
            }

            items.Add((day, DayView(day, bookings, cases, org, ReceptionPolicy.Default)));
        }

        return Results.Json(new { date = date?.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture), from = today.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture), items = items.OrderBy(i => i.Day.Date).ThenBy(i => i.Day.Id, StringComparer.Ordinal).Select(i => i.View) }, CaseJson.Options);
    }

    private static async Task<IResult> PublicDaysAsync(CaseServices s, CancellationToken ct)
    {
        var today = LegalCalendar.LocalDateOf(s.Now());
        var table = await TableAsync(s);
        var items = new List<(ReceptionDay Day, object View)>();
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == DaysPartition, cancellationToken: ct))
        {
            var day = FromEntity(e);
            if (day.Date >= today)
            {
                items.Add((day, DayView(day, await BookingsAsync(table, day.Id, ct), null, null, ReceptionPolicy.Default)));
            }
        }

        return Results.Json(new { items = items.OrderBy(i => i.Day.Date).ThenBy(i => i.Day.Id, StringComparer.Ordinal).Select(i => i.View) }, CaseJson.Options);
    }

    private static async Task<IResult> BookAtCounterAsync(string dayId, HttpContext http, CaseServices s, CancellationToken ct)
    {
        var actor = SupervisionClaims.PersonIdOf(http.User)!;
        var (request, problem) = await ReadBookingAsync(http, s, ct);
        if (problem is not null)
        {
            return problem;
        }

        var org = await s.Org.GetAsync(ct);
        var person = org.PersonById(actor);
        var snapshot = await s.GetAsync(request!.CaseId, ct);
        if (snapshot is null || person is null || !CaseVisibility.CanSee(org, person, snapshot.State))
        {
            return Problems.NotFound($"No case '{request.CaseId}' that you may act on.");
        }

        if (!person.Roles.Any(r => r.Role == Role.Registrar && org.Unit(r.Unit)?.Type == UnitType.PetitionBureau))
        {
            return Problems.Forbidden("Only a petition-bureau registrar books a reception at the counter; the petitioner can book on the portal.");
        }

        return await BookAsync(dayId, request, snapshot.State, "registrar:" + actor, s, org, ct);
    }

    private static async Task<IResult> BookOnlineAsync(string dayId, HttpContext http, CaseServices s, CancellationToken ct)
    {
        var (request, problem) = await ReadBookingAsync(http, s, ct);
        if (problem is not null)
        {
            return problem;
        }

        // The query code is checked (and throttled) exactly as for the progress query; it is never stored or logged.
        var (snapshot, refusal) = await CaseEndpoints.PetitionerCaseAsync(request!.CaseId, http, s, ct);
        return snapshot is null ? refusal! : await BookAsync(dayId, request, snapshot.State, PetitionerBooking, s, await s.Org.GetAsync(ct), ct);
    }

    private static async Task<IResult> PetitionerBookingsAsync(string id, HttpContext http, CaseServices s, CancellationToken ct)
    {
        var (snapshot, refusal) = await CaseEndpoints.PetitionerCaseAsync(id, http, s, ct);
        if (snapshot is null)
        {
            return refusal!;
        }

        return Results.Json(new { items = await BookingsOfCaseAsync(id, s, ct) }, CaseJson.Options);
    }

    private static async Task<IResult> CaseBookingsAsync(string id, HttpContext http, CaseServices s, CancellationToken ct)
    {
        var org = await s.Org.GetAsync(ct);
        var person = org.PersonById(SupervisionClaims.PersonIdOf(http.User)!);
        var snapshot = id.Length <= 64 ? await s.GetAsync(id, ct) : null;
        return snapshot is null || person is null || !CaseVisibility.CanSee(org, person, snapshot.State)
            ? Problems.NotFound($"No case '{id}' that you may see.")
            : Results.Json(new { items = await BookingsOfCaseAsync(id, s, ct) }, CaseJson.Options);
    }

    /// <summary>The case's bookings, from its index rows (one per day), with each day's time and place.</summary>
    private static async Task<List<object>> BookingsOfCaseAsync(string id, CaseServices s, CancellationToken ct)
    {
        var table = await TableAsync(s);
        var items = new List<object>();
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == CasePartition(id), cancellationToken: ct))
        {
            if (await table.GetEntityIfExistsAsync<TableEntity>(DaysPartition, e.RowKey, cancellationToken: ct) is { HasValue: true } d)
            {
                var day = FromEntity(d.Value!);
                var slot = e.GetInt32("slot") ?? 0;
                items.Add(new { id = BookingId(day.Id, slot), dayId = day.Id, date = day.Date, time = day.SlotTime(slot), slot, place = day.Place, leaderName = day.LeaderName });
            }
        }

        return items;
    }

    private static async Task<(BookSlot? Request, IResult? Problem)> ReadBookingAsync(HttpContext http, CaseServices s, CancellationToken ct)
    {
        using var body = await HttpInput.ReadObjectAsync(http.Request, s.Limits.MaxCommandBodyBytes, ct, CaseJson.MaxDepth);
        if (body.Problem is not null)
        {
            return (null, body.Problem);
        }

        var f = new Fields(body.Root, ["caseId", "slot"]);
        var caseId = f.Text("caseId");
        var slot = f.Int("slot");
        return f.Errors.Count > 0 ? (null, Problems.Fields(f.Errors)) : (new BookSlot(caseId!, slot!.Value), null);
    }

    /// <summary>Takes the slot atomically: the slot row and the case's row of the day in one entity-group insert.</summary>
    private static async Task<IResult> BookAsync(string dayId, BookSlot request, CaseState state, string bookedBy, CaseServices s, OrgDirectory org, CancellationToken ct)
    {
        var table = await TableAsync(s);
        if (dayId.Length > 200 || await table.GetEntityIfExistsAsync<TableEntity>(DaysPartition, dayId, cancellationToken: ct) is not { HasValue: true } found)
        {
            return Problems.NotFound($"No published reception day '{dayId}'.");
        }

        var day = FromEntity(found.Value!);
        var policy = ReceptionPolicy.Default;
        if (ReceptionRules.Book(org, policy, day, request.Slot, state, s.Now()) is { } refused)
        {
            return refused.Refusal switch
            {
                ReceptionRefusal.Invalid => Problems.Fields([new FieldError(refused.Field, refused.Reason)]),
                ReceptionRefusal.Forbidden => Problems.Forbidden(refused.Reason),
                _ => Problems.Conflict(refused.Reason),
            };
        }

        var caseId = state.CaseId!;
        if (await TakeSlotAsync(day, request.Slot, state, bookedBy, s, ct) is { } conflict)
        {
            return Problems.Conflict(conflict);
        }

        return Results.Json(new
        {
            id = BookingId(day.Id, request.Slot),
            dayId = day.Id,
            date = day.Date,
            time = day.SlotTime(request.Slot),
            slot = request.Slot,
            place = day.Place,
            leaderName = day.LeaderName,
            caseId,
        }, CaseJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> CancelAtCounterAsync(string dayId, string slot, HttpContext http, CaseServices s, CancellationToken ct)
    {
        var actor = SupervisionClaims.PersonIdOf(http.User)!;
        var org = await s.Org.GetAsync(ct);
        var person = org.PersonById(actor);
        if (person is null || !person.Roles.Any(r => r.Role == Role.Registrar && org.Unit(r.Unit)?.Type == UnitType.PetitionBureau))
        {
            return Problems.Forbidden("Only a petition-bureau registrar cancels a booking at the counter; the petitioner can cancel on the portal.");
        }

        if (!int.TryParse(slot, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > 99 || dayId.Length > 200)
        {
            return Problems.NotFound($"No booking in slot {slot} of '{dayId}' that you may act on.");
        }

        // Refusals above touch no storage (not even the table's creation).
        var table = await TableAsync(s);
        var held = await table.GetEntityIfExistsAsync<TableEntity>(dayId, SlotKey(n), cancellationToken: ct);
        var snapshot = held.HasValue ? await s.GetAsync(held.Value!.GetString("caseId") ?? string.Empty, ct) : null;
        if (snapshot is null || !CaseVisibility.CanSee(org, person, snapshot.State))
        {
            // A slot booked for a case the caller may not see is "no booking" to them, as the list shows it (accusation guard).
            return Problems.NotFound($"No booking in slot {slot} of '{dayId}' that you may act on.");
        }

        return await CancelAsync(table, held.Value!, "registrar:" + actor, actor, s, ct);
    }

    private static async Task<IResult> CancelOnlineAsync(string id, string dayId, HttpContext http, CaseServices s, CancellationToken ct)
    {
        // The query code is checked (and throttled) exactly as for the progress query.
        var (snapshot, refusal) = await CaseEndpoints.PetitionerCaseAsync(id, http, s, ct);
        if (snapshot is null)
        {
            return refusal!;
        }

        var table = await TableAsync(s);
        var byCase = dayId.Length <= 200 ? await table.GetEntityIfExistsAsync<TableEntity>(dayId, CasePartition(id), cancellationToken: ct) : null;
        var held = byCase is { HasValue: true } ? await table.GetEntityIfExistsAsync<TableEntity>(dayId, SlotKey(byCase.Value!.GetInt32("slot") ?? 0), cancellationToken: ct) : null;
        return held is { HasValue: true } && held.Value!.GetString("caseId") == id
            ? await CancelAsync(table, held.Value, PetitionerBooking, Actors.System, s, ct)
            : Problems.NotFound($"Case {id} has no booking on '{dayId}'.");
    }

    /// <summary>
    /// Cancels the booking in <paramref name="slot"/> (decision R14): first its reminder, which refuses once the reception has
    /// begun, then the slot row (under its ETag, so a booking taken since is never removed) with the case's row of the day
    /// in one transaction, then the case's index row. A failure between the steps leaves the booking listed; sending the
    /// cancellation again finishes it (each step is idempotent, the reminder's command id is the booking's).
    /// </summary>
    private static async Task<IResult> CancelAsync(TableClient table, TableEntity slot, string by, string actor, CaseServices s, CancellationToken ct)
    {
        var dayId = slot.PartitionKey;
        var n = int.Parse(slot.RowKey.AsSpan(5), CultureInfo.InvariantCulture);
        var caseId = slot.GetString("caseId")!;
        var instance = AppointmentDecider.InstanceId(dayId, n);
        var cancel = new CancelAppointment(Actors.System, caseId, by);
        var result = await s.SendToAsync(
            AppointmentDecider.Type, instance, JsonSerializer.Serialize<AppointmentCommand>(cancel, AppointmentJson.Options),
            BookingCommandId("cancel", instance, slot.GetDateTimeOffset("bookedAt") ?? default), actor, create: true, ct);
        if (result.Outcome is null)
        {
            return Results.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "Cancellation not yet recorded",
                detail: "The cancellation was sent but not recorded in time; send it again to finish it (it is cancelled once).");
        }

        if (result.Outcome.Rejection is { } rejected)
        {
            return Problems.Conflict($"The booking cannot be cancelled: {rejected.Reason}.");
        }

        try
        {
            await table.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.Delete, slot, slot.ETag),
                    new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(dayId, CasePartition(caseId)), ETag.All),
                ], ct);
        }
        catch (TableTransactionFailedException e) when (e.Status is 404 or 412)
        {
            // Already freed by a concurrent cancellation of the same booking; the case's row goes with the slot row.
        }

        await table.DeleteEntityAsync(CasePartition(caseId), dayId, ETag.All, ct);
        return Results.Json(new { id = BookingId(dayId, n), dayId, slot = n, caseId, cancelled = true }, CaseJson.Options);
    }

    /// <summary>The id of a booking's command to its reminder: one per booking of the slot (a retry sends the same id).</summary>
    private static string BookingCommandId(string verb, string instance, DateTimeOffset bookedAt) =>
        $"{verb}:{instance}:{bookedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The booking's id, the <c>receptionId</c> a leader cites when the outcome is 包案.</summary>
    public static string BookingId(string dayId, int slot) => $"{dayId}#{slot}";

    private static string SlotKey(int slot) => "slot-" + slot.ToString("D2", CultureInfo.InvariantCulture);

    private static string CasePartition(string caseId) => "case-" + Keys(caseId);

    private static string Keys(string value) => Uri.EscapeDataString(value);

    private static async Task<Dictionary<int, (string CaseId, string BookedBy)>> BookingsAsync(TableClient table, string dayId, CancellationToken ct)
    {
        var result = new Dictionary<int, (string, string)>();
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == dayId, cancellationToken: ct))
        {
            if (e.RowKey.StartsWith("slot-", StringComparison.Ordinal) && int.TryParse(e.RowKey.AsSpan(5), CultureInfo.InvariantCulture, out var n))
            {
                result[n] = (e.GetString("caseId") ?? string.Empty, e.GetString("bookedBy") ?? string.Empty);
            }
        }

        return result;
    }

    /// <summary>A day and its slots; case data only for the cases in <paramref name="visible"/> (null: public, none at all).</summary>
    private static object DayView(
        ReceptionDay day, Dictionary<int, (string CaseId, string BookedBy)> bookings, Dictionary<string, CaseState>? visible,
        OrgDirectory? org, ReceptionPolicy policy) => new
        {
            id = day.Id,
            leaderId = day.LeaderId,
            leaderName = day.LeaderName,
            leaderUnit = day.LeaderUnitId,
            bureauId = day.BureauId,
            date = day.Date.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture),
            place = day.Place,
            slotMinutes = day.SlotMinutes,
            policy = $"reception@{day.PolicyVersion}",
            article = policy.Article,
            slots = Enumerable.Range(1, day.Slots).Select(n =>
            {
                var taken = bookings.TryGetValue(n, out var b);
                var state = taken && visible is not null && visible.TryGetValue(b.CaseId, out var st) ? st : null;
                return new
                {
                    slot = n,
                    time = day.SlotTime(n),
                    taken,
                    booking = state is null ? null : new
                    {
                        id = BookingId(day.Id, n),
                        caseId = state.CaseId,
                        status = state.Status.ToString(),
                        category = state.Category?.ToString(),
                        summary = state.Summary,
                        handlingUnit = state.HandlingUnitId is { } h ? org?.Unit(h)?.Name : null,
                        owner = state.Owner?.Name,
                        bookedOnline = b.BookedBy == PetitionerBooking,
                    },
                };
            }),
        };

    private static TableEntity ToEntity(ReceptionDay d, string publishedBy) => new(DaysPartition, d.Id)
    {
        ["leaderId"] = d.LeaderId,
        ["leaderName"] = d.LeaderName,
        ["leaderUnitId"] = d.LeaderUnitId,
        ["bureauId"] = d.BureauId,
        ["date"] = d.Date.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture),
        ["place"] = d.Place,
        ["start"] = Time.Format(d.Start),
        ["slots"] = d.Slots,
        ["slotMinutes"] = d.SlotMinutes,
        ["policyVersion"] = d.PolicyVersion,
        ["publishedBy"] = publishedBy,
    };

    private static ReceptionDay FromEntity(TableEntity e) => new(
        e.RowKey, e.GetString("leaderId"), e.GetString("leaderName"), e.GetString("leaderUnitId"), e.GetString("bureauId"),
        LocalDatePattern.Iso.Parse(e.GetString("date")).Value, e.GetString("place"), Time.Parse(e.GetString("start")).Value,
        e.GetInt32("slots") ?? 0, e.GetInt32("slotMinutes") ?? 30, e.GetInt32("policyVersion") ?? 1);

    /// <summary>Reads the fields of a small body by hand: unknown fields, wrong kinds and missing ones each name the field.</summary>
    private sealed class Fields
    {
        private readonly JsonElement root;

        public Fields(JsonElement root, string[] known)
        {
            this.root = root;
            foreach (var p in root.EnumerateObject().Where(p => !known.Contains(p.Name, StringComparer.Ordinal)))
            {
                Errors.Add(new FieldError(p.Name, $"unknown field '{p.Name}'; this body has {string.Join(", ", known)}"));
            }
        }

        public List<FieldError> Errors { get; } = [];

        public string? Text(string name)
        {
            if (!root.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetString()))
            {
                Errors.Add(new FieldError(name, $"{name} is required text"));
                return null;
            }

            var text = v.GetString()!;
            if (text.Length > 200)
            {
                Errors.Add(new FieldError(name, $"{name} is at most 200 characters"));
                return null;
            }

            return text;
        }

        public int? Int(string name)
        {
            if (!root.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var n))
            {
                Errors.Add(new FieldError(name, $"{name} is a required whole number"));
                return null;
            }

            return n;
        }

        public LocalDate? Date(string name) =>
            Text(name) is { } t ? (LocalDatePattern.Iso.Parse(t) is { Success: true } p ? p.Value : Fail<LocalDate>(name, $"{name} is a date, yyyy-MM-dd")) : null;

        public LocalTime? Time(string name) =>
            Text(name) is { } t ? (ReceptionEndpoints.Time.Parse(t) is { Success: true } p ? p.Value : Fail<LocalTime>(name, $"{name} is a time of day, HH:mm")) : null;

        private T? Fail<T>(string name, string message)
            where T : struct
        {
            Errors.Add(new FieldError(name, message));
            return null;
        }
    }
}

using System.Globalization;
using System.Text.Json.Serialization;
using NodaTime;
using Supervision.Domain.Calendar;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;
using Supervision.Domain.Tickets;

namespace Supervision.Domain.Reception;

/// <summary>One booked reception slot (约访) as its reminder needs it. The instance snapshot.</summary>
public sealed record AppointmentState
{
    public static AppointmentState Initial { get; } = new();

    public string? CaseId { get; init; }

    /// <summary>The leader who receives (接访领导).</summary>
    public string? LeaderId { get; init; }

    public Instant? SlotStart { get; init; }

    public string? Place { get; init; }

    /// <summary>Who booked, as the reception table records it: <c>petitioner</c> or <c>registrar:{id}</c>.</summary>
    public string? BookedBy { get; init; }

    /// <summary>The petition bureau of the leader's level, which published the day and hosts the reception.</summary>
    public string? BureauId { get; init; }

    /// <summary>The case's own bureau (it registered the item and holds the petitioner's contact).</summary>
    public string? CaseBureauId { get; init; }

    public Category? Category { get; init; }

    public string? AccusedUnitId { get; init; }

    public string? AccusedPersonId { get; init; }

    /// <summary>When the reminder goes out: the policy's hours before the slot, or the booking instant when that is later.</summary>
    public Instant? RemindAt { get; init; }

    public bool Reminded { get; init; }

    /// <summary>
    /// Bookings of this slot that were cancelled. The reminder's timer generation is one more, so the timer of a
    /// cancelled booking never reminds of the one that took the slot after it.
    /// </summary>
    public int Cancellations { get; init; }
}

[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(BookAppointment), "book")]
[JsonDerivedType(typeof(AppointmentTimerElapsed), "timer")]
[JsonDerivedType(typeof(CancelAppointment), "cancel")]
public abstract record AppointmentCommand(string Actor);

/// <summary>
/// The API took the slot (the reception table's atomic insert); this instance reminds of it. The accusation data and
/// the units are the server's, read from the case and the day, so the guard holds at the moment the reminder goes out.
/// </summary>
/// <param name="BureauId">The bureau that hosts the reception day.</param>
/// <param name="CaseBureauId">The case's bureau (<see cref="CaseState.BureauId"/>).</param>
public sealed record BookAppointment(
    string Actor, string CaseId, string LeaderId, Instant SlotStart, string Place, string BookedBy, string BureauId, string? CaseBureauId = null,
    Category? Category = null, string? AccusedUnitId = null, string? AccusedPersonId = null) : AppointmentCommand(Actor);

public sealed record AppointmentTimerElapsed(string Actor, string Key, int Generation) : AppointmentCommand(Actor);

/// <summary>
/// The booking of <paramref name="CaseId"/> is cancelled (by the petitioner on the portal or a registrar at the counter),
/// before the reception begins; the slot is free again. <paramref name="By"/> is recorded as the booking's <c>bookedBy</c>.
/// </summary>
public sealed record CancelAppointment(string Actor, string CaseId, string By) : AppointmentCommand(Actor);

[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(AppointmentBooked), "booked")]
[JsonDerivedType(typeof(AppointmentReminded), "reminded")]
[JsonDerivedType(typeof(AppointmentCancelled), "cancelled")]
public abstract record AppointmentEvent;

public sealed record AppointmentBooked(
    string CaseId, string LeaderId, Instant SlotStart, string Place, string BookedBy, string BureauId, string? CaseBureauId,
    Category? Category, string? AccusedUnitId, string? AccusedPersonId, Instant RemindAt, string By) : AppointmentEvent;

/// <summary>The reminder went out (to the leader and the bureaus' registrars, as the guard allowed at that moment).</summary>
public sealed record AppointmentReminded(Instant At) : AppointmentEvent;

/// <summary>The booking was cancelled before the reception; <see cref="WasReminded"/> says whether the leader had been told of it.</summary>
public sealed record AppointmentCancelled(string CaseId, Instant At, string By, bool WasReminded) : AppointmentEvent;

/// <summary>
/// The reminder of one booked reception slot (decision R13; instance <see cref="InstanceId"/>): booked by the API right
/// after the slot is taken, it keeps one timer <see cref="ReceptionPolicy.ReminderHoursBefore"/> before the slot (at once
/// when that has passed) and then alerts the leader, as a person, and the registrars of the bureaus, who remind the
/// petitioner by phone (there is no SMS gateway; the portal shows the booking). Never anyone the accusation guard
/// excludes; the alert says the case id, the time and the place only. The alert is <see cref="AlertUrgency.Timed"/>:
/// the morning digest would bring it at the hour of the reception.
/// </summary>
public sealed class AppointmentDecider(OrgDirectory org, ReceptionPolicy policy) : IDecider<AppointmentState, AppointmentCommand, AppointmentEvent>
{
    public const string Type = "reception";
    private const string RemindTimer = "remind";

    public string TypeName => Type;

    public AppointmentState Initial => AppointmentState.Initial;

    /// <summary>One instance per booked slot: <c>{dayId}-{slot:00}</c>.</summary>
    public static string InstanceId(string dayId, int slot) => $"{dayId}-{slot.ToString("00", CultureInfo.InvariantCulture)}";

    public Decision<AppointmentEvent> Decide(AppointmentState state, AppointmentCommand command, DecisionContext context)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(context);
        switch (command)
        {
            case BookAppointment b when state.CaseId is null:
                if (string.IsNullOrEmpty(b.CaseId) || string.IsNullOrEmpty(b.LeaderId) || string.IsNullOrEmpty(b.Place) || string.IsNullOrEmpty(b.BureauId))
                {
                    return Decision<AppointmentEvent>.Reject(Rejection.Invalid("book", "New", "caseId, leaderId, place and bureauId are required"));
                }

                // A reminder after the slot began reminds of nothing; the API closes booking before that anyway.
                if (context.Now >= b.SlotStart)
                {
                    return Decision<AppointmentEvent>.Reject(Rejection.Transition("book", "New", "the slot has already begun: there is nothing to remind of"));
                }

                var remindAt = Instant.Max(b.SlotStart - Duration.FromHours(policy.ReminderHoursBefore), context.Now);
                return Decision<AppointmentEvent>.Accept(new AppointmentBooked(
                    b.CaseId, b.LeaderId, b.SlotStart, b.Place, b.BookedBy, b.BureauId, b.CaseBureauId, b.Category, b.AccusedUnitId, b.AccusedPersonId, remindAt, context.Actor));
            case BookAppointment b when b.CaseId == state.CaseId && b.SlotStart == state.SlotStart:
                return Decision<AppointmentEvent>.None; // the same booking again: a retried request
            case BookAppointment:
                return Decision<AppointmentEvent>.Reject(Rejection.Transition("book", "Booked", $"this slot is booked for case {state.CaseId}"));
            case CancelAppointment when state.CaseId is null:
                return Decision<AppointmentEvent>.None; // nothing booked: a retried cancellation
            case CancelAppointment c when c.CaseId != state.CaseId:
                return Decision<AppointmentEvent>.Reject(Rejection.Transition("cancel", "Booked", $"this slot is booked for another case, not {c.CaseId}"));
            case CancelAppointment when context.Now >= state.SlotStart:
                // Once the reception has begun its result is a step on the case (包案, 批示), not a cancellation.
                return Decision<AppointmentEvent>.Reject(Rejection.Transition("cancel", "Begun", "the reception has already begun: record its outcome on the case instead"));
            case CancelAppointment c:
                return Decision<AppointmentEvent>.Accept(new AppointmentCancelled(state.CaseId!, context.Now, c.By, state.Reminded));
            case AppointmentTimerElapsed t when t.Key == RemindTimer && t.Generation == Generation(state) && state is { CaseId: not null, Reminded: false }:
                return Decision<AppointmentEvent>.Accept(new AppointmentReminded(context.Now));
            default:
                return Decision<AppointmentEvent>.None; // a stale wake-up
        }
    }

    public AppointmentState Evolve(AppointmentState state, AppointmentEvent @event) => @event switch
    {
        AppointmentBooked b => state with
        {
            CaseId = b.CaseId,
            LeaderId = b.LeaderId,
            SlotStart = b.SlotStart,
            Place = b.Place,
            BookedBy = b.BookedBy,
            BureauId = b.BureauId,
            CaseBureauId = b.CaseBureauId,
            Category = b.Category,
            AccusedUnitId = b.AccusedUnitId,
            AccusedPersonId = b.AccusedPersonId,
            RemindAt = b.RemindAt,
        },
        AppointmentReminded => state with { Reminded = true },
        AppointmentCancelled => AppointmentState.Initial with { Cancellations = state.Cancellations + 1 },
        _ => state,
    };

    public IReadOnlyList<DurableTimer> Timers(AppointmentState state) =>
        state is { RemindAt: { } at, Reminded: false } ? [new DurableTimer(RemindTimer, at, Generation(state))] : [];

    /// <summary>The reminder timer's generation: 1 for a slot's first booking (as before cancellations existed), one more per cancellation.</summary>
    private static int Generation(AppointmentState state) => state.Cancellations + 1;

    public AppointmentCommand OnTimer(TimerFired fired) => new AppointmentTimerElapsed(Actors.System, fired.Key, fired.Generation);

    public IReadOnlyList<Effect> Effects(AppointmentState before, AppointmentEvent @event, AppointmentState after, EffectContext context)
    {
        if (@event is AppointmentCancelled cancelled)
        {
            return CancellationEffects(before, cancelled);
        }

        if (@event is not AppointmentReminded || after is not { CaseId: { } caseId, LeaderId: { } leader, SlotStart: { } start })
        {
            return [];
        }

        // The guard is asked at the moment of the reminder, on the org directory in force then.
        var (category, accusedUnit, accusedPerson) = (after.Category, after.AccusedUnitId, after.AccusedPersonId);
        var link = "/app/leader.html";
        var when = start.InZone(LegalCalendar.Zone).ToString("uuuu-MM-dd HH:mm", CultureInfo.InvariantCulture);
        var effects = new List<Effect>();
        if (!AccusationGuard.ExcludesPerson(org, category, accusedUnit, accusedPerson, leader))
        {
            effects.Add(new RaiseAlert(new Alert(
                "reception.reminder", $"【接访提醒】{when} 接待信访事项 {caseId}", $"您将于 {when} 在{after.Place}接待信访事项 {caseId}（领导接访日，约访）。",
                [AlertAudience.Person(leader)], AlertUrgency.Timed, link, caseId)));
        }

        var registrars = new AlertList(AccusationGuard.ExcludedUnits(org, category, accusedUnit, accusedPerson), link, caseId);
        registrars.Add(
            "reception.reminder", $"【接访提醒】{when} 信访事项 {caseId}", $"信访事项 {caseId} 约定于 {when} 在{after.Place}由领导接待，请电话提醒信访人按时到场。",
            AlertUrgency.Timed, [(Role.Registrar, after.BureauId), (Role.Registrar, after.CaseBureauId)]);
        effects.AddRange(registrars.Effects);
        return effects;
    }

    /// <summary>
    /// A leader who was reminded of a booking is told it is off (one who was not has nothing to unlearn); the accusation
    /// guard as for the reminder. The registrars need no word: the reception list shows the slot free.
    /// </summary>
    private List<Effect> CancellationEffects(AppointmentState before, AppointmentCancelled cancelled)
    {
        if (!cancelled.WasReminded || before is not { LeaderId: { } leader, SlotStart: { } start }
            || AccusationGuard.ExcludesPerson(org, before.Category, before.AccusedUnitId, before.AccusedPersonId, leader))
        {
            return [];
        }

        var when = start.InZone(LegalCalendar.Zone).ToString("uuuu-MM-dd HH:mm", CultureInfo.InvariantCulture);
        return [new RaiseAlert(new Alert(
            "reception.cancelled", $"【接访取消】{when} 信访事项 {cancelled.CaseId}", $"原定于 {when} 在{before.Place}接待的信访事项 {cancelled.CaseId} 已取消预约，该时段已空出。",
            [AlertAudience.Person(leader)], AlertUrgency.Timed, "/app/leader.html", cancelled.CaseId))];
    }
}

/// <summary>The JSON contract of appointment commands, events and state (same rules as <c>CaseJson</c>).</summary>
public static class AppointmentJson
{
    public static System.Text.Json.JsonSerializerOptions Options { get; } = DomainJson.Create();
}

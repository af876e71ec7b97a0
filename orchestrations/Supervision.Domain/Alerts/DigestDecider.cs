using System.Globalization;
using System.Text;
using NodaTime;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;

namespace Supervision.Domain.Alerts;

/// <summary>One held routine alert.</summary>
public sealed record HeldAlert(string AlertId, string SourceType, string SourceInstanceId, Alert Alert);

/// <summary>State of a day's digest.</summary>
public sealed record DigestState(LocalDate? Date, IReadOnlyList<HeldAlert> Held, Instant? SentAt)
{
    public static DigestState Initial { get; } = new(null, [], null);
}

/// <summary>
/// The digest of one working day (instance <see cref="AlertPolicy.DigestInstanceId"/>): routine alerts decided since the
/// previous digest are held, and at 09:00 each person they address gets <b>one</b> message listing all of theirs
/// (audiences are resolved to people with the org directory in force at 09:00). Each held alert is also filed at 09:00
/// under its own id, addressed to its own audiences and marked <see cref="Alert.Digested"/>: the mailbox keeps one row
/// per alert with its case id (what a case page and a unit's people look for), and no separate mail or Teams
/// notification goes out for it (decision A15). The day is always a working day: the sender picks it with
/// <see cref="AlertPolicy.NextDigest"/>, so nothing goes out on a holiday.
/// </summary>
public sealed class DigestDecider(OrgDirectory org, AlertPolicy policy) : IDecider<DigestState, DigestCommand, DigestEvent>
{
    public const string Type = "digest";
    private const string SendTimer = "send";

    public string TypeName => Type;

    public DigestState Initial => DigestState.Initial;

    public Decision<DigestEvent> Decide(DigestState state, DigestCommand command, DecisionContext context)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(context);
        switch (command)
        {
            case HoldForDigest h when state.Held.Any(x => x.AlertId == h.AlertId):
                return Decision<DigestEvent>.None; // redelivered by its source
            case HoldForDigest h when state.Date is { } d && d != h.Date:
                return Decision<DigestEvent>.Reject(Rejection.Invalid("hold", "Holding", $"this is the digest of {d}, not {h.Date}"));
            case HoldForDigest h when state.SentAt is not null:
                return Decision<DigestEvent>.Accept(new HeldAlertSentLate(h.AlertId, h.SourceType, h.SourceInstanceId, h.Alert));
            case HoldForDigest h:
                return Decision<DigestEvent>.Accept(new AlertHeld(h.Date, h.AlertId, h.SourceType, h.SourceInstanceId, h.Alert));
            case DigestTimerElapsed t when t.Key == SendTimer && state.SentAt is null && state.Held.Count > 0:
                return Decision<DigestEvent>.Accept(new DigestSent(context.Now, state.Held.Count));
            default:
                return Decision<DigestEvent>.None;
        }
    }

    public DigestState Evolve(DigestState state, DigestEvent @event) => @event switch
    {
        AlertHeld h => state with { Date = h.Date, Held = [.. state.Held, new HeldAlert(h.AlertId, h.SourceType, h.SourceInstanceId, h.Alert)] },
        DigestSent s => state with { SentAt = s.At },
        _ => state,
    };

    public IReadOnlyList<DurableTimer> Timers(DigestState state) =>
        state.Date is { } d && state.SentAt is null ? [new DurableTimer(SendTimer, policy.DigestAt(d), 0)] : [];

    public DigestCommand OnTimer(TimerFired fired) => new DigestTimerElapsed(Actors.System, fired.Key, fired.Generation);

    public IReadOnlyList<Effect> Effects(DigestState before, DigestEvent @event, DigestState after, EffectContext context) => @event switch
    {
        DigestSent => [.. Filed(after), .. PerPerson(after, context.Now)],
        HeldAlertSentLate l => [new RaiseAlert(l.Alert, l.AlertId)],
        _ => [],
    };

    /// <summary>Each person addressed by any held alert, with their alerts in the order they were held.</summary>
    public IReadOnlyList<(Person Person, IReadOnlyList<HeldAlert> Alerts)> Recipients(DigestState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var byPerson = new Dictionary<string, (Person Person, List<HeldAlert> Alerts)>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var held in state.Held)
        {
            var people = held.Alert.To
                .SelectMany(a => org.People.Where(p => a.Role == AlertAudience.PersonRole
                    ? p.Id == a.UnitId // one person whatever their roles (an owning leader, decision O2)
                    : p.Roles.Any(r => RoleNames.Of(r.Role) == a.Role && r.Unit == a.UnitId)))
                .DistinctBy(p => p.Id);
            foreach (var person in people)
            {
                if (!byPerson.TryGetValue(person.Id, out var entry))
                {
                    entry = (person, []);
                    byPerson[person.Id] = entry;
                    order.Add(person.Id);
                }

                entry.Alerts.Add(held);
            }
        }

        return [.. order.Select(id => (byPerson[id].Person, (IReadOnlyList<HeldAlert>)byPerson[id].Alerts))];
    }

    /// <summary>Every held alert under its own (its source's) id, to its own audiences, marked as carried by the digest.</summary>
    private static IEnumerable<Effect> Filed(DigestState state) =>
        state.Held.Select(held => new RaiseAlert(held.Alert with { Digested = true }, held.AlertId));

    private List<Effect> PerPerson(DigestState state, Instant now)
    {
        var date = state.Date!.Value.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture);
        var effects = new List<Effect>();
        foreach (var (person, alerts) in Recipients(state))
        {
            var body = new StringBuilder($"{person.Name}：{date} 例行提醒共 {alerts.Count} 条（紧急提醒已即时发送）。\n");
            var i = 0;
            foreach (var held in alerts)
            {
                var words = AlertText.Render(held.Alert, now);
                body.Append(CultureInfo.InvariantCulture, $"\n{++i}. {words.Subject}\n   {words.Body}\n");
            }

            effects.Add(new RaiseAlert(
                new Alert("digest.daily", $"【每日提醒】{date} 共 {alerts.Count} 条", body.ToString(), [AlertAudience.Person(person.Id)], AlertUrgency.Routine, "/app/mailbox.html"),
                $"digest/{date}/{person.Id}"));
        }

        return effects;
    }
}

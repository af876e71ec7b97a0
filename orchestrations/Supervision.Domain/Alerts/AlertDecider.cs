using NodaTime;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;

namespace Supervision.Domain.Alerts;

/// <summary>State of one watched alert.</summary>
/// <param name="Level">0 while with its first audience; n after the n-th escalation.</param>
public sealed record AlertState(
    string? AlertId, string? SourceType, string? SourceInstanceId, Alert? Alert, int Level, IReadOnlyList<AlertAudience> Alerted,
    Instant? AcknowledgeBy, string? AcknowledgedBy, Instant? AcknowledgedAt)
{
    public static AlertState Initial { get; } = new(null, null, null, null, 0, [], null, null, null);
}

/// <summary>
/// One urgent alert (instance <see cref="AlertPolicy.AlertInstanceId"/>): delivered at once, then escalated one level up
/// the ladder each time <see cref="AlertPolicy.AcknowledgeWithin"/> passes without an acknowledgement, until the top or
/// <see cref="AlertPolicy.MaxEscalations"/>. The escalated alert keeps the original's words behind a 【未确认】 tag and
/// says who was told first. Pure: who may acknowledge is the API's check (a recipient of any level).
/// </summary>
public sealed class AlertDecider(OrgDirectory org, AlertPolicy policy) : IDecider<AlertState, AlertCommand, AlertEvent>
{
    public const string Type = "alert";
    private const string EscalateTimer = "escalate";

    public string TypeName => Type;

    public AlertState Initial => AlertState.Initial;

    public Decision<AlertEvent> Decide(AlertState state, AlertCommand command, DecisionContext context)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(context);
        switch (command)
        {
            case PublishAlert p when state.AlertId is null:
                var watch = p.Watch && policy.AcknowledgeWithin > Duration.Zero && policy.MaxEscalations > 0;
                return Decision<AlertEvent>.Accept(new AlertPublished(p.AlertId, p.SourceType, p.SourceInstanceId, p.Alert, watch ? context.Now + policy.AcknowledgeWithin : null));
            case PublishAlert:
                return Decision<AlertEvent>.None; // redelivered by its source
            case AcknowledgeAlert when state.AlertId is null:
                return Decision<AlertEvent>.Reject(Rejection.Transition("acknowledge", "New", "there is no such alert"));
            case AcknowledgeAlert when state.AcknowledgedBy is not null:
                return Decision<AlertEvent>.None;
            case AcknowledgeAlert a:
                return Decision<AlertEvent>.Accept(new AlertAcknowledged(a.Actor, context.Now));
            case AlertTimerElapsed t when t.Key == EscalateTimer && state.AcknowledgedBy is null && state.AcknowledgeBy is { } due && t.Generation == state.Level:
                var up = AlertLadder.Above(org, state.Alerted);
                if (up.Count == 0)
                {
                    return Decision<AlertEvent>.None;
                }

                var level = state.Level + 1;
                var again = level < policy.MaxEscalations && AlertLadder.Above(org, [.. state.Alerted, .. up]).Count > 0;
                return Decision<AlertEvent>.Accept(new AlertEscalated(level, up, again ? due + policy.AcknowledgeWithin : null));
            case AlertTimerElapsed:
                return Decision<AlertEvent>.None; // stale: acknowledged, or already escalated
            default:
                return Decision<AlertEvent>.None;
        }
    }

    public AlertState Evolve(AlertState state, AlertEvent @event) => @event switch
    {
        AlertPublished p => state with
        {
            AlertId = p.AlertId,
            SourceType = p.SourceType,
            SourceInstanceId = p.SourceInstanceId,
            Alert = p.Alert,
            Alerted = p.Alert.To,
            AcknowledgeBy = p.AcknowledgeBy,
        },
        AlertAcknowledged a => state with { AcknowledgedBy = a.By, AcknowledgedAt = a.At, AcknowledgeBy = null },
        AlertEscalated e => state with { Level = e.Level, Alerted = [.. state.Alerted, .. e.To], AcknowledgeBy = e.AcknowledgeBy },
        _ => state,
    };

    public IReadOnlyList<DurableTimer> Timers(AlertState state) =>
        state.AcknowledgeBy is { } due && state.AcknowledgedBy is null ? [new DurableTimer(EscalateTimer, due, state.Level)] : [];

    public AlertCommand OnTimer(TimerFired fired) => new AlertTimerElapsed(Actors.System, fired.Key, fired.Generation);

    public IReadOnlyList<Effect> Effects(AlertState before, AlertEvent @event, AlertState after, EffectContext context) => @event switch
    {
        AlertPublished p => [new RaiseAlert(p.Alert, p.AlertId)],
        AlertEscalated e => [new RaiseAlert(Escalated(after, e, context.Now), $"{after.AlertId}/up{e.Level}")],
        _ => [],
    };

    /// <summary>Ids of every delivery of an alert (the original and its escalations), for acknowledgement links.</summary>
    public static string RootOf(string alertId) =>
        alertId.LastIndexOf("/up", StringComparison.Ordinal) is var i and > 0 && int.TryParse(alertId[(i + 3)..], out _) ? alertId[..i] : alertId;

    private static readonly Dictionary<string, string> RoleWords = new(StringComparer.Ordinal)
    {
        ["registrar"] = "登记人员",
        ["handling-officer"] = "承办人",
        ["agency-head"] = "负责人",
        ["supervisor"] = "督查专员",
        ["conference-staff"] = "联席办工作人员",
        ["leader"] = "领导",
    };

    /// <summary>The original's words as of now (a deadline alert is worded for the moment it escalates), tagged and explained.</summary>
    private Alert Escalated(AlertState s, AlertEscalated e, Instant now)
    {
        var original = s.Alert!;
        var words = AlertText.Render(original, now);
        var first = string.Join("、", original.To.Select(t => $"{org.Unit(t.UnitId)?.Name ?? t.UnitId}{RoleWords.GetValueOrDefault(t.Role, t.Role)}"));
        return original with
        {
            Kind = "alert.escalated",
            Subject = "【未确认】" + words.Subject,
            Body = $"以下紧急提醒发出后无人确认收到（最初发送给：{first}），现报上一级，请督促处理并确认收到。\n\n{words.Body}",
            To = e.To,
            Urgency = AlertUrgency.Urgent,
            Deadline = null,
        };
    }
}

using System.Text.Json;
using Microsoft.Extensions.Options;
using NodaTime;
using Supervision.Api.Cases;
using Supervision.Api.Org;
using Supervision.Domain.Alerts;
using Supervision.Domain.Calendar;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;
using Supervision.Orchestrations;

namespace Supervision.Api.Alerts;

/// <summary>Settings of <c>Supervision:Alerts</c> (docs/alerts.md): the alert policy of DOMAIN.md §9.</summary>
public sealed class AlertOptions
{
    public const string Section = "Supervision:Alerts";

    /// <summary>Hold routine alerts for one digest per person at <see cref="DigestHour"/> on working days.</summary>
    public bool Digest { get; set; } = AlertPolicy.Default.Digest;

    /// <summary>The digest's local hour (Asia/Shanghai), 0–23.</summary>
    public int DigestHour { get; set; } = AlertPolicy.Default.DigestHour;

    /// <summary>Legal hours an urgent alert may go unacknowledged before it goes one level up; 0 turns escalation off.</summary>
    public double AcknowledgeWithinHours { get; set; } = AlertPolicy.Default.AcknowledgeWithin.TotalHours;

    /// <summary>Escalations at most, after the first delivery.</summary>
    public int MaxEscalations { get; set; } = AlertPolicy.Default.MaxEscalations;

    public AlertPolicy Policy() => new(
        Digest, Math.Clamp(DigestHour, 0, 23), Duration.FromHours(Math.Max(0, AcknowledgeWithinHours)), Math.Max(0, MaxEscalations));
}

/// <summary>
/// Routes the alerts cases, tickets and joint assignments decide (docs/decisions.md A13): routine ones to the digest of
/// the next working morning, urgent ones to an alert instance that delivers them and escalates them while nobody
/// acknowledges. Timed alerts (a reception reminder, decision R13) go to the sink at once: they are due at their
/// instant, which the digest would move to the morning, possibly to the hour of the reception itself. Alerts from those
/// two instances, and all alerts when the policy routes nothing, go to the sink.
/// </summary>
public sealed class PolicyAlertRouter(IOptions<AlertOptions> options, ICalendarSource calendar, TimeProvider clock) : IAlertRouter
{
    public MessageDispatch? Route(AlertDispatch dispatch, Alert alert)
    {
        ArgumentNullException.ThrowIfNull(dispatch);
        ArgumentNullException.ThrowIfNull(alert);
        var policy = options.Value.Policy();
        if (alert.Urgency == AlertUrgency.Timed || !policy.Routed || dispatch.SourceType is AlertDecider.Type or DigestDecider.Type)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        var actor = dispatch.SourceType + ":" + dispatch.SourceInstanceId;
        if (alert.Urgency == AlertUrgency.Routine && policy.Digest)
        {
            var (date, _) = policy.NextDigest(calendar.Current, Instant.FromDateTimeOffset(now));
            DigestCommand hold = new HoldForDigest(actor, date, dispatch.AlertId, dispatch.SourceType, dispatch.SourceInstanceId, alert);
            return new MessageDispatch(DigestDecider.Type, AlertPolicy.DigestInstanceId(date),
                new CommandEnvelope(dispatch.AlertId, actor, now, JsonSerializer.Serialize(hold, AlertJson.Options)));
        }

        if (alert.Urgency == AlertUrgency.Urgent && policy.AcknowledgeWithin > Duration.Zero)
        {
            AlertCommand publish = new PublishAlert(actor, dispatch.AlertId, dispatch.SourceType, dispatch.SourceInstanceId, alert, Watch: true);
            return new MessageDispatch(AlertDecider.Type, AlertPolicy.AlertInstanceId(dispatch.AlertId),
                new CommandEnvelope(dispatch.AlertId, actor, now, JsonSerializer.Serialize(publish, AlertJson.Options)));
        }

        return null;
    }
}

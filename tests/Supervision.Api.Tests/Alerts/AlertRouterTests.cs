using Microsoft.Extensions.Options;
using Supervision.Api.Alerts;
using Supervision.Api.Cases;
using Supervision.Domain.Alerts;
using Supervision.Domain.Calendar;
using Supervision.Domain.Orchestration;
using Supervision.Orchestrations;

namespace Supervision.Api.Tests.Alerts;

/// <summary>
/// Where <see cref="PolicyAlertRouter"/> sends each urgency (decisions A13, R13), with the digest and escalation both on:
/// routine to the digest, urgent to a watched alert instance, timed in-line to the sink (null), never to either.
/// </summary>
public sealed class AlertRouterTests
{
    // 20:00 in Beijing on a Wednesday: a routine alert now waits for tomorrow's 09:00 digest.
    private static readonly DateTimeOffset Evening = new(2025, 9, 10, 12, 0, 0, TimeSpan.Zero);

    private static readonly AlertDispatch Dispatch = new("reception/JF-c-leader-2025-09-12-02/2/0", "reception", "JF-c-leader-2025-09-12-02", new EffectEnvelope("reception/JF-c-leader-2025-09-12-02/2/0", "alert", "{}"));

    private static PolicyAlertRouter Router() =>
        new(Options.Create(new AlertOptions { Digest = true, AcknowledgeWithinHours = 24, MaxEscalations = 2 }), new Calendar(), new Clock(Evening));

    private static Alert Of(AlertUrgency urgency) =>
        new("reception.reminder", "【接访提醒】", "信访事项 XF-1", [AlertAudience.Person("c-leader")], urgency, "/app/leader.html", "XF-1");

    [Fact]
    public void A_timed_alert_is_delivered_in_line_never_held_for_the_digest_nor_watched()
    {
        Assert.Null(Router().Route(Dispatch, Of(AlertUrgency.Timed)));
    }

    [Fact]
    public void Under_the_same_policy_a_routine_alert_goes_to_the_digest_and_an_urgent_one_to_a_watch()
    {
        var router = Router();
        Assert.Equal((DigestDecider.Type, "digest-2025-09-11"), Target(router.Route(Dispatch, Of(AlertUrgency.Routine))));
        Assert.Equal(AlertDecider.Type, router.Route(Dispatch, Of(AlertUrgency.Urgent))?.TargetType);
    }

    private static (string?, string?) Target(MessageDispatch? d) => (d?.TargetType, d?.TargetInstanceId);

    private sealed class Calendar : ICalendarSource
    {
        public LegalCalendar Current => LegalCalendar.Default;
    }

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

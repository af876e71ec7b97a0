using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using static Supervision.Domain.Tests.Cases.CaseSpec;

namespace Supervision.Domain.Tests.Cases;

/// <summary>The main steps as Given(events) / When(command, at) / Then(events), and what never leaves the case.</summary>
public sealed class CaseGivenWhenThenTests
{
    [Fact]
    public void Register_at_a_bureau() =>
        Given().When(Register("2025-09-10"), "2025-09-10").Events_are(typeof(CaseRegistered), typeof(ClockStarted));

    [Fact]
    public void Route_by_assignment() =>
        Given([.. Run(Registered)]).When(Routed[^1].Command, "2025-09-11")
            .Events_are(typeof(CaseRouted), typeof(ClockStopped), typeof(ClockStarted), typeof(ClockStarted), typeof(ClockStarted));

    [Fact]
    public void Accept() =>
        Given([.. Run(Routed)]).When(new AcceptCase(Officer), "2025-09-12")
            .Events_are(typeof(CaseAccepted), typeof(ClockStopped), typeof(ClockStopped), typeof(ClockStarted));

    [Fact]
    public void Reply() =>
        Given([.. Run(Accepted)]).When(new IssueReply(Officer, Outcome.Support, "o.pdf"), "2025-10-20")
            .Events_are(typeof(ReplyIssued), typeof(ClockStopped), typeof(ClockStarted));

    [Fact]
    public void Re_examination_opinion() =>
        Given([.. Run(UnderReExamination)]).When(Final[^1].Command, "2025-12-01")
            .Events_are(typeof(ReExaminationOpinionIssued), typeof(ClockStopped));

    [Fact]
    public void An_unknown_or_malformed_timer_key_is_ignored()
    {
        var given = Given([.. Run(Accepted)]);
        given.When(Decider.OnTimer(new TimerFired("nonsense", 1, At("2025-10-01"))), "2025-10-01").Nothing();
        given.When(Decider.OnTimer(new TimerFired("handling:sometime", 1, At("2025-10-01"))), "2025-10-01").Nothing();
        given.When(Decider.OnTimer(new TimerFired("handling:due", 99, At("2025-12-01"))), "2025-12-01").Nothing();
    }

    [Fact]
    public void No_alert_or_row_of_a_whole_case_carries_petitioner_data()
    {
        var petitioner = ((RegisterCase)Registered[0].Command).Petitioner;
        var secrets = new[] { petitioner.Name, petitioner.IdNumber!, petitioner.Phone!, petitioner.Address!, QueryCode };

        var state = Decider.Initial;
        long sequence = 0;
        var steps = Final.Select(s => (s.Command, At: At(s.At))).ToList();
        foreach (var (command, at) in steps)
        {
            // Fire every timer due before the step, as the runtime would.
            var due = Decider.Timers(state).Where(t => t.DueAt <= at).OrderBy(t => t.DueAt).ToList();
            var decisions = due.Select(t => (Command: Decider.OnTimer(new TimerFired(t.Key, t.Generation, t.DueAt)), At: t.DueAt)).Append((command, at));
            foreach (var (c, when) in decisions)
            {
                foreach (var e in Decider.Decide(state, c, Ctx(when)).Events)
                {
                    var next = Decider.Evolve(state, e);
                    foreach (var effect in Decider.Effects(state, e, next, new EffectContext(CaseId, ++sequence, when)))
                    {
                        var text = effect switch
                        {
                            RaiseAlert a => a.Alert.Subject + a.Alert.Body + a.Alert.Link,
                            UpsertReadModel r => string.Join('|', r.Values.Values),
                            _ => string.Empty,
                        };
                        Assert.DoesNotContain(secrets, text.Contains);
                    }

                    state = next;
                }
            }
        }

        Assert.Equal(CaseStatus.Final, state.Status);
    }
}

using CsCheck;
using NodaTime;
using Supervision.Domain.Calendar;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Policy;
using static Supervision.Domain.Tests.Cases.CaseSpec;

namespace Supervision.Domain.Tests.Cases;

/// <summary>Properties over random inputs (CsCheck).</summary>
public sealed class CasePropertyTests
{
    [Fact]
    public void Lights_never_go_back_as_time_passes()
    {
        var policy = PolicyCatalog.Default.Get(new("petition", "*", 1));
        var gen = Gen.Select(Gen.Int[0, 1500], Gen.Int[1, 90], Gen.Bool, Gen.Int[0, 200 * 24], Gen.Int[0, 200 * 24]);
        gen.Sample((offset, days, working, h1, h2) =>
        {
            var trigger = new LocalDate(2022, 1, 3).PlusDays(offset);
            var start = LegalCalendar.EndOf(trigger).Plus(Duration.FromHours(-14));
            var clock = Decider.Schedule(
                new LegalClock("c", 1, ClockKind.Obligation, LegalBasis.Policy, "r", "a", "r", trigger, start, days,
                    working ? DayUnit.Working : DayUnit.Natural, [], null, trigger, start, false, null, null, null, Agency),
                policy.Routine);
            var (t1, t2) = (start + Duration.FromHours(Math.Min(h1, h2)), start + Duration.FromHours(Math.Max(h1, h2)));

            Assert.True(clock.LevelAt(t1) <= clock.LevelAt(t2));
            Assert.True(clock.LightAt(t1) <= clock.LightAt(t2));
            Assert.True((clock.ReminderAt ?? Instant.MinValue) < (clock.WarningAt ?? clock.CriticalAt ?? clock.DueInstant) || clock.ReminderAt is null);
            Assert.Equal(Light.Red, clock.LightAt(clock.DueInstant));
        }, iter: 500);
    }

    /// <summary>
    /// Random command sequences (with due timers fired in between, as the runtime does) never produce an inconsistent
    /// state, and every accepted command redelivered at once yields nothing.
    /// </summary>
    [Fact]
    public void Random_command_sequences_keep_the_case_consistent_and_redelivery_idempotent()
    {
        // Mostly commands the table allows in the current status (so runs get deep), sometimes any command.
        var gen = Gen.Select(Gen.Int[0, 999], Gen.Int[1, 96], Gen.Int[0, 9]).Array[1, 40];
        gen.Sample(steps =>
        {
            var state = Decider.Initial;
            var now = At("2025-09-10 09:00");
            foreach (var (index, hours, anyCommand) in steps)
            {
                now += Duration.FromHours(hours);
                foreach (var timer in Decider.Timers(state).Where(t => t.DueAt <= now).OrderBy(t => t.DueAt).ToList())
                {
                    var fired = Decider.Decide(state, Decider.OnTimer(new TimerFired(timer.Key, timer.Generation, timer.DueAt)), Ctx(timer.DueAt, Actors.System));
                    Assert.False(fired.IsRejected);
                    state = fired.Events.Aggregate(state, Decider.Evolve);
                }

                var local = LegalCalendar.LocalDateOf(now).ToString("uuuu-MM-dd", null) + " " + now.InZone(LegalCalendar.Zone).TimeOfDay.ToString("HH:mm", null);
                var rows = anyCommand == 0 ? CaseTransitions.Rows : [.. CaseTransitions.Rows.Where(r => r.From.Contains(state.Status))];
                if (rows.Count == 0)
                {
                    break;
                }

                var name = rows[index % rows.Count].Command;
                var command = name == "register"
                    ? Register(LegalCalendar.LocalDateOf(now).ToString("uuuu-MM-dd", null) + " 00:00")
                    : Sample(name, state, local);
                var d = Decider.Decide(state, command, Ctx(now));
                if (d.IsRejected)
                {
                    continue;
                }

                state = d.Events.Aggregate(state, Decider.Evolve);
                var again = Decider.Decide(state, command, Ctx(now));
                Assert.False(again.IsRejected, $"{command.Name} redelivered: {again.Rejection}");
                Assert.Empty(again.Events);
                Consistent(state);
                Reached.TryAdd(state.Status, 0);
            }
        }, iter: 1000);

        // The generator explores the whole lifecycle, not only its first steps.
        Assert.Contains(CaseStatus.UnderReExamination, Reached.Keys);
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<CaseStatus, byte> Reached = new();

    private static void Consistent(CaseState s)
    {
        if (s.Status is CaseStatus.Final or CaseStatus.Closed or CaseStatus.ReferredOut)
        {
            Assert.DoesNotContain(s.ActiveClocks, c => c.Name != ClockNames.Assignment);
        }

        if (s.Status == CaseStatus.Accepted)
        {
            Assert.True(s.Clock(ClockNames.Handling)?.IsActive);
        }

        // A conference-office extension (督办) adds to the Art. 34 one on the clock.
        Assert.True(s.Extension is null || (s.Extension.Days is > 0 and <= 30 && (s.ConferenceExtensions.Count > 0 || s.Clock(ClockNames.Handling)!.Extension == s.Extension)));
        Assert.True(s.ResponsibleUnitId is null || !AccusationGuard.ExcludesUnit(OrgDemo, s, s.ResponsibleUnitId));
        Assert.Equal(s.Status == CaseStatus.UnderReExamination && s.HearingOpenSince is not null, s.Clock(ClockNames.ReExam)?.Status == ClockStatus.Paused);
        var timers = Decider.Timers(s);
        Assert.Equal(timers.Count, timers.Select(t => t.Key).Distinct().Count());
        Assert.All(timers, t => Assert.Equal(s.Clock(t.Key[..t.Key.LastIndexOf(':')])!.Generation, t.Generation));
        Assert.All(timers, t => Assert.Equal(ClockStatus.Running, s.Clock(t.Key[..t.Key.LastIndexOf(':')])!.Status));
    }
}

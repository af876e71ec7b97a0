using NodaTime;
using Supervision.Domain.Cases;
using Supervision.Orchestrations.Tests.Harness;

namespace Supervision.Orchestrations.Tests;

/// <summary>
/// Every lifecycle path of the API scenarios, through the orchestrator in the in-process test host: commands go through
/// <see cref="CommandGateway"/>, assertions read the <see cref="DecisionStore"/> (audit trail, outcomes). Legal instants
/// come from recorded data: a command is recorded at the instant it was sent, a timer at its due instant.
/// Demo org: c-bureau registers and routes; c-housing handles; c-gov reviews; p-gov re-examines.
/// </summary>
public sealed class CaseLifecycleTests
{
    [Fact]
    public async Task On_time_handling_ends_with_a_reply_and_no_overdue()
    {
        await using var h = await CaseHarness.StartAsync();
        var (id, _) = await h.RegisterAsync();
        await h.AppliedAsync(id, new RouteCase("c-registrar", RoutingKind.Forward, "c-housing"));
        var accepted = await h.AppliedAsync(id, new AcceptCase("c-housing-officer"));
        var replied = await h.AppliedAsync(id, new IssueReply("c-housing-officer", Outcome.Support, "opinions/a.pdf"));

        var state = await h.StateAsync(id);
        Assert.Equal(CaseStatus.Replied, state.Status);
        Assert.Equal(ClockStatus.Stopped, state.Clock("handling")!.Status);
        var events = await h.EventsAsync(id);
        Assert.DoesNotContain(events, e => e.EventType == nameof(ClockOverdue));

        // Each command's events carry the legal instant it was sent at.
        Assert.All(events.Where(e => e.CommandId == accepted.CommandId), e => Assert.Equal(accepted.At, e.At));
        Assert.Contains(events, e => e.EventType == nameof(ReplyIssued) && e.At == replied.At);

        // The read model row and the routed alert were written once each (no retries here).
        var log = await EffectLog.CountsAsync(h.Storage);
        Assert.NotEmpty(log);
        Assert.All(log, kv => Assert.Equal(1, kv.Value));
        Assert.Contains(await h.Mailbox.ListAsync(), m => m.Kind == "case.routed" && m.SourceInstanceId == id);
    }

    [Fact]
    public async Task Objection_upheld_returns_the_case_for_re_routing_and_the_old_agency_is_refused()
    {
        await using var h = await CaseHarness.StartAsync();
        var (id, _) = await h.RegisterAsync();
        await h.AppliedAsync(id, new RouteCase("c-registrar", RoutingKind.Forward, "c-housing"));
        await h.AppliedAsync(id, new RaiseObjection("c-housing-officer", "属于社保待遇事项，不属于本机关职权"));
        Assert.Equal(CaseStatus.ObjectionPending, (await h.StateAsync(id)).Status);
        await h.AppliedAsync(id, new DecideObjection("c-registrar", true, "核实属实"));
        await h.AppliedAsync(id, new RouteCase("c-registrar", RoutingKind.Forward, "c-hrss"));
        await h.AppliedAsync(id, new AcceptCase("c-hrss-officer"));

        var (_, late) = await h.SendAsync(id, new IssueReply("c-housing-officer", Outcome.Explain, "x.pdf"));
        Assert.Equal(CommandStatus.Rejected, late.Outcome!.Status);
        Assert.False(string.IsNullOrEmpty(late.Outcome.Rejection!.Reason));
        Assert.Contains(await h.Store.ReadRejectionsAsync(CaseDecider.Type, id), r => r.CommandId == late.Outcome.CommandId);

        var types = (await h.EventsAsync(id)).Select(e => e.EventType).ToList();
        Assert.Equal(2, types.Count(t => t == nameof(CaseRouted)));
        Assert.Contains(nameof(ObjectionUpheld), types);
        Assert.Equal("c-hrss", (await h.StateAsync(id)).ResponsibleUnitId);
    }

    [Fact]
    public async Task Referral_to_a_legal_channel_ends_the_petition_track_and_no_clock_fires_afterwards()
    {
        await using var h = await CaseHarness.StartAsync();
        var (id, _) = await h.RegisterAsync();
        await h.AppliedAsync(id, new ReferOut("c-registrar", ReferralChannel.Litigation, "已进入诉讼程序"));
        Assert.Equal(CaseStatus.ReferredOut, (await h.StateAsync(id)).Status);

        var (_, route) = await h.SendAsync(id, new RouteCase("c-registrar", RoutingKind.Forward, "c-housing"));
        Assert.Equal(CommandStatus.Rejected, route.Outcome!.Status);

        // The routing clock (15 days) would have run out by now had it not been stopped.
        await h.AdvanceAsync(TimeSpan.FromDays(20));
        var events = await h.EventsAsync(id);
        Assert.DoesNotContain(events, e => e.EventType is nameof(ClockOverdue) or nameof(ClockWarningRaised) or nameof(ClockCriticalRaised));
    }

    [Fact]
    public async Task Review_then_re_examination_with_a_hearing_pause_ends_final_and_a_repeat_is_refused()
    {
        await using var h = await CaseHarness.StartAsync();
        var (id, code) = await h.RegisterAsync(matter: "housing:demolition:lot-9", petitioner: "李四");
        var petitioner = Domain.Cases.Actors.PetitionerFor((await h.StateAsync(id)).QueryCodeHash!);
        Assert.DoesNotContain(code, petitioner, StringComparison.Ordinal);
        await h.AppliedAsync(id, new RouteCase("c-registrar", RoutingKind.Forward, "c-housing"));
        await h.AppliedAsync(id, new AcceptCase("c-housing-officer"));
        await h.AppliedAsync(id, new IssueReply("c-housing-officer", Outcome.NotSupport, "opinions/reply.pdf"));
        await h.AppliedAsync(id, new RequestReview(petitioner));
        Assert.Equal(CaseStatus.UnderReview, (await h.StateAsync(id)).Status);
        await h.AppliedAsync(id, new IssueReviewOpinion("c-gov-officer", Outcome.NotSupport, "opinions/review.pdf"));
        await h.AppliedAsync(id, new RequestReExamination(petitioner));
        var dueBefore = (await h.StateAsync(id)).Clock("reexam")!.DueDate;

        // A hearing starts on a later day than the request (the decider refuses the request's own day); at the test's
        // clock speed the next command can still fall on that day, so wait for the next legal day.
        var requestedOn = (await h.StateAsync(id)).Clock("reexam")!.Trigger;
        while (h.Today <= requestedOn)
        {
            await h.AdvanceAsync(TimeSpan.FromHours(6));
        }

        // A hearing of several days: its days do not count (Art. 36), so the re-examination clock moves out.
        await h.AppliedAsync(id, new StartHearing("p-gov-officer", h.Today));
        Assert.Equal(ClockStatus.Paused, (await h.StateAsync(id)).Clock("reexam")!.Status);
        await h.AdvanceAsync(TimeSpan.FromDays(6));
        await h.AppliedAsync(id, new EndHearing("p-gov-officer", h.Today));
        var resumed = (await h.StateAsync(id)).Clock("reexam")!;
        Assert.True(resumed.DueDate > dueBefore, $"{resumed.DueDate} should be after {dueBefore}");
        Assert.Contains(await h.EventsAsync(id), e => e.EventType == nameof(ClockRescheduled) && CaseHarness.Event(e) is ClockRescheduled { Clock.Name: "reexam" });

        await h.AppliedAsync(id, new IssueReExaminationOpinion("p-gov-officer", Outcome.NotSupport, "opinions/final.pdf"));
        Assert.Equal(CaseStatus.Final, (await h.StateAsync(id)).Status);

        // The same request on the same facts after final: refused (Art. 36) and recorded on the case.
        await h.AdvanceAsync(TimeSpan.FromDays(10));
        await h.AppliedAsync(id, new RecordRepeatPetition("c-registrar", Instant.FromDateTimeOffset(h.Now), Channel.Visit, "c-bureau"));
        var refused = Assert.Single(await h.EventsAsync(id), e => e.EventType == nameof(RepeatPetitionRefused));
        Assert.Equal("c-registrar", refused.Actor);
        Assert.Equal(CaseStatus.Final, (await h.StateAsync(id)).Status);
    }
}

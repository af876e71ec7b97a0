using Supervision.Domain.Cases;
using Supervision.Orchestrations.Tests.Harness;

namespace Supervision.Orchestrations.Tests;

/// <summary>Only the orchestration decides: a command that loses a race is refused there, visibly; a repeated id is decided once.</summary>
public sealed class CommandRaceTests
{
    [Fact]
    public async Task Of_two_conflicting_commands_raised_at_once_one_applies_and_the_other_is_recorded_as_rejected()
    {
        await using var h = await CaseHarness.StartAsync(speed: 86_400);
        var (id, _) = await h.RegisterAsync();
        await h.AppliedAsync(id, new RouteCase("c-registrar", RoutingKind.Forward, "c-housing"));

        // The officer accepts while the head objects: both valid against the current state, only one can win.
        var accept = h.Envelope(new AcceptCase("c-housing-officer"));
        var objection = h.Envelope(new RaiseObjection("c-housing-head", "不属于本机关职权"));
        await Task.WhenAll(h.Engine.RaiseAsync(id, accept), h.Engine.RaiseAsync(id, objection));
        var outcomes = await Task.WhenAll(
            h.Gateway.SendAsync(CaseDecider.Type, id, accept, false, CancellationToken.None),
            h.Gateway.SendAsync(CaseDecider.Type, id, objection, false, CancellationToken.None));

        var statuses = outcomes.Select(o => o.Outcome!.Status).ToList();
        Assert.Single(statuses, s => s == CommandStatus.Applied);
        var lost = Assert.Single(outcomes, o => o.Outcome!.Status == CommandStatus.Rejected).Outcome!;
        Assert.False(string.IsNullOrWhiteSpace(lost.Rejection!.Reason));
        Assert.Equal("InvalidTransition", lost.Rejection.Kind);
        var recorded = Assert.Single(await h.Store.ReadRejectionsAsync(CaseDecider.Type, id));
        Assert.Equal(lost.CommandId, recorded.CommandId);

        // The audit trail has the winner's events only.
        var types = (await h.EventsAsync(id)).Select(e => e.EventType).ToList();
        Assert.Equal(1, types.Count(t => t is nameof(CaseAccepted) or nameof(ObjectionRaised)));
    }

    [Fact]
    public async Task The_same_command_id_raised_twice_is_decided_once()
    {
        await using var h = await CaseHarness.StartAsync(speed: 86_400);
        var (id, _) = await h.RegisterAsync();
        await h.AppliedAsync(id, new RouteCase("c-registrar", RoutingKind.Forward, "c-housing"));

        var accept = h.Envelope(new AcceptCase("c-housing-officer"), "officer|key-1");
        await Task.WhenAll(h.Engine.RaiseAsync(id, accept), h.Engine.RaiseAsync(id, accept));
        var first = await h.Gateway.SendAsync(CaseDecider.Type, id, accept, false, CancellationToken.None);
        Assert.Equal(CommandStatus.Applied, first.Outcome!.Status);

        // A later command proves both raises were consumed; the repeat changed nothing.
        await h.AppliedAsync(id, new IssueReply("c-housing-officer", Outcome.Support, "a.pdf"));
        var again = await h.Gateway.SendAsync(CaseDecider.Type, id, accept, false, CancellationToken.None);
        Assert.True(again.Replayed);
        Assert.Equal(first.Outcome.Version, again.Outcome!.Version);
        var events = await h.EventsAsync(id);
        Assert.Single(events, e => e.EventType == nameof(CaseAccepted));
        Assert.Equal(events.Count, events.Select(e => e.Sequence).Distinct().Count());
        Assert.Empty(await h.Store.ReadRejectionsAsync(CaseDecider.Type, id));
    }

    [Fact]
    public async Task A_creating_command_to_an_existing_instance_is_delivered_and_answered()
    {
        await using var h = await CaseHarness.StartAsync(speed: 86_400);
        var (id, code) = await h.RegisterAsync();

        // A different command sent as creating (as the reception edge sends every booking and cancellation) reaches the
        // decider: before, it was taken for a retry of the first and never delivered, and the caller waited for nothing.
        var route = h.Envelope(new RouteCase("c-registrar", RoutingKind.Forward, "c-housing"));
        var routed = await h.Gateway.SendAsync(CaseDecider.Type, id, route, true, CancellationToken.None);
        Assert.Equal(CommandStatus.Applied, routed.Outcome!.Status);
        Assert.Equal("c-housing", (await h.StateAsync(id)).ResponsibleUnitId);

        // A second registration of the same id under a new command id is answered by the decider too, and registers nothing.
        var again = h.Envelope(CaseHarness.Register(id, code, NodaTime.Instant.FromDateTimeOffset(h.Now)));
        var answered = await h.Gateway.SendAsync(CaseDecider.Type, id, again, true, CancellationToken.None);
        Assert.NotNull(answered.Outcome);
        Assert.False(answered.Replayed);

        var events = await h.EventsAsync(id);
        Assert.Single(events, e => e.EventType == nameof(CaseRegistered));
        Assert.Single(events, e => e.EventType == nameof(CaseRouted));
    }
}

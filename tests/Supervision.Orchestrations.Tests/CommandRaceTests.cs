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
}

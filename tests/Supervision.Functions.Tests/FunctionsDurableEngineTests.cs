using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Supervision.Orchestrations;

namespace Supervision.Functions.Tests;

/// <summary><see cref="FunctionsDurableEngine"/> on the portable client, and the invocation scope that supplies it.</summary>
public sealed class FunctionsDurableEngineTests
{
    private static readonly OrchestrationInput Input = new("case", ClockMapping.RealTime);

    [Fact]
    public async Task Start_schedules_the_decider_type_under_the_given_instance_id()
    {
        var client = new FakeClient();

        Assert.True(await new FunctionsDurableEngine(() => client).StartAsync("c-1", Input));

        var (name, input, id) = Assert.Single(client.Scheduled);
        Assert.Equal("case", name);
        Assert.Same(Input, input);
        Assert.Equal("c-1", id);
    }

    [Fact]
    public async Task Start_reports_an_existing_instance_in_any_state_without_scheduling()
    {
        var client = new FakeClient();
        client.Instances["c-1"] = new OrchestrationMetadata("case", "c-1") { RuntimeStatus = OrchestrationRuntimeStatus.Completed };

        Assert.False(await new FunctionsDurableEngine(() => client).StartAsync("c-1", Input));
        Assert.Empty(client.Scheduled);
    }

    [Fact]
    public async Task A_start_that_lost_a_race_reports_the_instance_as_existing()
    {
        var client = new FakeClient { CreateOnSchedule = true, FailSchedule = true };

        Assert.False(await new FunctionsDurableEngine(() => client).StartAsync("c-1", Input));
    }

    [Fact]
    public async Task A_failed_start_with_no_instance_behind_it_is_not_swallowed()
    {
        var client = new FakeClient { FailSchedule = true };

        await Assert.ThrowsAsync<InvalidOperationException>(() => new FunctionsDurableEngine(() => client).StartAsync("c-1", Input));
    }

    [Fact]
    public async Task Commands_are_raised_as_the_orchestrator_command_event()
    {
        var client = new FakeClient();
        var command = new CommandEnvelope("k-1", "p-1", DateTimeOffset.UnixEpoch, "{}");

        await new FunctionsDurableEngine(() => client).RaiseAsync("c-1", command);

        Assert.Equal(("c-1", DecisionOrchestrator.CommandEvent, (object?)command), Assert.Single(client.Raised));
    }

    [Fact]
    public async Task Status_maps_the_runtime_status_and_failure()
    {
        var client = new FakeClient();
        client.Instances["c-1"] = new OrchestrationMetadata("case", "c-1")
        {
            RuntimeStatus = OrchestrationRuntimeStatus.Failed,
            FailureDetails = new TaskFailureDetails("System.InvalidOperationException", "boom", null, null, null),
        };

        var status = await new FunctionsDurableEngine(() => client).GetStatusAsync("c-1");

        Assert.NotNull(status);
        Assert.Equal(RuntimeStatuses.Failed, status.RuntimeStatus);
        Assert.Equal("case", status.Name);
        Assert.Equal("boom", status.FailureMessage);
        Assert.Null(await new FunctionsDurableEngine(() => client).GetStatusAsync("none"));
    }

    [Fact]
    public async Task List_filters_by_the_shared_status_names_newest_first_and_bounded()
    {
        var client = new FakeClient();
        for (var i = 0; i < 5; i++)
        {
            client.Instances[$"c-{i}"] = new OrchestrationMetadata("case", $"c-{i}")
            {
                RuntimeStatus = i % 2 == 0 ? OrchestrationRuntimeStatus.Failed : OrchestrationRuntimeStatus.Running,
                LastUpdatedAt = DateTimeOffset.UnixEpoch.AddMinutes(i),
            };
        }

        var failed = await new FunctionsDurableEngine(() => client).ListAsync([RuntimeStatuses.Failed], max: 2);

        Assert.Equal([OrchestrationRuntimeStatus.Failed], client.LastQuery!.Statuses);
        Assert.Equal(2, failed.Count);
        Assert.True(failed[0].LastUpdatedAt >= failed[1].LastUpdatedAt);
    }

    [Fact]
    public async Task The_app_engine_uses_the_client_of_the_current_invocation_only()
    {
        var engine = new FunctionsDurableEngine();
        var client = new FakeClient();
        client.Instances["c-1"] = new OrchestrationMetadata("case", "c-1");

        using (DurableClientScope.Enter(client))
        {
            Assert.NotNull(await engine.GetStatusAsync("c-1"));
        }

        await Assert.ThrowsAsync<InvalidOperationException>(() => engine.GetStatusAsync("c-1"));
    }

    /// <summary>An in-memory <see cref="DurableTaskClient"/> recording what the engine asks of it.</summary>
    private sealed class FakeClient() : DurableTaskClient("fake")
    {
        public Dictionary<string, OrchestrationMetadata> Instances { get; } = [];

        public List<(string Name, object? Input, string? Id)> Scheduled { get; } = [];

        public List<(string Id, string Event, object? Payload)> Raised { get; } = [];

        public OrchestrationQuery? LastQuery { get; private set; }

        public bool FailSchedule { get; init; }

        public bool CreateOnSchedule { get; init; }

        public override Task<string> ScheduleNewOrchestrationInstanceAsync(
            TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellation = default)
        {
            var id = options?.InstanceId ?? Guid.NewGuid().ToString("N");
            if (CreateOnSchedule)
            {
                Instances[id] = new OrchestrationMetadata(orchestratorName.Name, id);
            }

            if (FailSchedule)
            {
                throw new InvalidOperationException("An instance with this id already exists.");
            }

            Scheduled.Add((orchestratorName.Name, input, id));
            return Task.FromResult(id);
        }

        public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default)
        {
            Raised.Add((instanceId, eventName, eventPayload));
            return Task.CompletedTask;
        }

        public override Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
            Task.FromResult(Instances.GetValueOrDefault(instanceId));

        public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null)
        {
            LastQuery = filter;
            var matching = Instances.Values.Where(m => filter?.Statuses is null || filter.Statuses.Contains(m.RuntimeStatus)).ToList();
            return Pageable.Create((string? _, int? _, CancellationToken _) => Task.FromResult(new Page<OrchestrationMetadata>(matching)));
        }

        public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
            throw new NotSupportedException();

        public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
            throw new NotSupportedException();

        public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
            throw new NotSupportedException();

        public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
            throw new NotSupportedException();

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

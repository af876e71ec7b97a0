using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Supervision.Orchestrations;

namespace Supervision.Orchestrations.Tests.Harness;

/// <summary>
/// <see cref="IDurableEngine"/> over the portable <see cref="DurableTaskClient"/> of the in-process test host (the shape
/// the Functions app's adapter has). The client is set once the host has started, because the host's registry needs the
/// catalog, which needs this engine.
/// </summary>
public sealed class TestHostEngine : IDurableEngine
{
    public DurableTaskClient? Client { get; set; }

    private DurableTaskClient C => Client ?? throw new InvalidOperationException("The test host has not started.");

    public async Task<bool> StartAsync(string instanceId, OrchestrationInput input, CancellationToken ct = default)
    {
        if (await C.GetInstanceAsync(instanceId, false, ct) is not null)
        {
            return false;
        }

        await C.ScheduleNewOrchestrationInstanceAsync(new TaskName(input.Type), input, new StartOrchestrationOptions(instanceId), ct);
        return true;
    }

    public Task RaiseAsync(string instanceId, CommandEnvelope command, CancellationToken ct = default) =>
        C.RaiseEventAsync(instanceId, DecisionOrchestrator.CommandEvent, command, ct);

    public async Task<InstanceStatus?> GetStatusAsync(string instanceId, CancellationToken ct = default) =>
        await C.GetInstanceAsync(instanceId, false, ct) is { } m ? ToStatus(m) : null;

    public async Task<IReadOnlyList<InstanceStatus>> ListAsync(IReadOnlyCollection<string> runtimeStatuses, int max, CancellationToken ct = default)
    {
        var query = new OrchestrationQuery { Statuses = [.. runtimeStatuses.Select(Enum.Parse<OrchestrationRuntimeStatus>)], PageSize = max };
        var list = new List<InstanceStatus>();
        await foreach (var m in C.GetAllInstancesAsync(query).WithCancellation(ct))
        {
            list.Add(ToStatus(m));
            if (list.Count >= max)
            {
                break;
            }
        }

        return [.. list.OrderByDescending(s => s.LastUpdatedAt)];
    }

    /// <summary>The test host's history call returns only cached history (PLATFORM.md §1.2); the goldens read DTFx instead.</summary>
    public Task<IReadOnlyList<HistoryEntry>> GetHistoryAsync(string instanceId, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<HistoryEntry>>([]);

    public Task TerminateAsync(string instanceId, string reason, CancellationToken ct = default) =>
        C.TerminateInstanceAsync(instanceId, reason, ct);

    public Task RestartAsync(string instanceId, CancellationToken ct = default) =>
        throw new NotSupportedException("Restart is an operations call of the real hosts.");

    public async Task<bool> PurgeAsync(string instanceId, CancellationToken ct = default) =>
        (await C.PurgeInstanceAsync(instanceId, null, ct)).PurgedInstanceCount > 0;

    private static InstanceStatus ToStatus(OrchestrationMetadata m) => new(
        m.InstanceId, m.Name, m.RuntimeStatus.ToString(), m.CreatedAt, m.LastUpdatedAt,
        m.FailureDetails?.ErrorType, m.FailureDetails?.ErrorMessage);
}

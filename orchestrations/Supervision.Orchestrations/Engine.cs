namespace Supervision.Orchestrations;

/// <summary>An orchestration instance as the Durable Task backend reports it.</summary>
public sealed record InstanceStatus(
    string InstanceId, string Name, string RuntimeStatus, DateTimeOffset CreatedAt, DateTimeOffset LastUpdatedAt,
    string? FailureType = null, string? FailureMessage = null);

/// <summary>One entry of an instance's Durable Task history (operations view).</summary>
public sealed record HistoryEntry(long EventId, string EventType, DateTimeOffset Timestamp, string? Name, string? Detail);

/// <summary>
/// The Durable Task client as the application needs it: start, raise, query and operate instances. Two thin adapters
/// implement it: DTFx's <c>TaskHubClient</c> in the standalone host and the portable <c>DurableTaskClient</c> in the
/// Functions app. The orchestrator name of an instance is its decider's type name.
/// </summary>
public interface IDurableEngine
{
    /// <summary>Starts an instance; false when an instance with that id already exists (in any state).</summary>
    Task<bool> StartAsync(string instanceId, OrchestrationInput input, CancellationToken ct = default);

    /// <summary>Raises <see cref="DecisionOrchestrator.CommandEvent"/> on an existing instance.</summary>
    Task RaiseAsync(string instanceId, CommandEnvelope command, CancellationToken ct = default);

    Task<InstanceStatus?> GetStatusAsync(string instanceId, CancellationToken ct = default);

    /// <summary>Instances in the given runtime statuses (e.g. <c>Failed</c>), newest first, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<InstanceStatus>> ListAsync(IReadOnlyCollection<string> runtimeStatuses, int max, CancellationToken ct = default);

    Task<IReadOnlyList<HistoryEntry>> GetHistoryAsync(string instanceId, CancellationToken ct = default);

    Task TerminateAsync(string instanceId, string reason, CancellationToken ct = default);

    /// <summary>Starts a failed or terminated instance again from the input of its latest execution (the folded state).</summary>
    Task RestartAsync(string instanceId, CancellationToken ct = default);

    Task<bool> PurgeAsync(string instanceId, CancellationToken ct = default);
}

/// <summary>Runtime status names shared by both adapters (the portable SDK's names).</summary>
public static class RuntimeStatuses
{
    public const string Running = "Running";
    public const string Pending = "Pending";
    public const string Completed = "Completed";
    public const string Failed = "Failed";
    public const string Terminated = "Terminated";
    public const string ContinuedAsNew = "ContinuedAsNew";
    public const string Suspended = "Suspended";
}

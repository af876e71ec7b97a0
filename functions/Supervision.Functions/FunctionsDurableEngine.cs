using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Supervision.Orchestrations;

namespace Supervision.Functions;

/// <summary>
/// <see cref="IDurableEngine"/> on the portable <see cref="DurableTaskClient"/> the Functions extension binds to each
/// invocation (<see cref="DurableClientScope"/>): the Functions twin of the standalone host's <c>TaskHubEngine</c>.
/// </summary>
public sealed class FunctionsDurableEngine : IDurableEngine
{
    private readonly Func<DurableTaskClient> client;

    /// <summary>The engine of the current invocation's client (the app's registration).</summary>
    public FunctionsDurableEngine()
        : this(() => DurableClientScope.Current)
    {
    }

    /// <summary>An engine on a given client (tests).</summary>
    public FunctionsDurableEngine(Func<DurableTaskClient> client) => this.client = client;

    private DurableTaskClient Client => client();

    /// <summary>
    /// Durable Functions lets a start with the id of a completed instance replace it, so existence is checked first; a
    /// start racing another for the same id fails on the backend and is reported as "exists" once the instance is seen.
    /// </summary>
    public async Task<bool> StartAsync(string instanceId, OrchestrationInput input, CancellationToken ct = default)
    {
        var c = Client;
        if (await c.GetInstanceAsync(instanceId, getInputsAndOutputs: false, ct) is not null)
        {
            return false;
        }

        try
        {
            await c.ScheduleNewOrchestrationInstanceAsync(new TaskName(input.Type), input, new StartOrchestrationOptions(instanceId), ct);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (await c.GetInstanceAsync(instanceId, getInputsAndOutputs: false, ct) is not null)
            {
                return false;
            }

            throw;
        }
    }

    public Task RaiseAsync(string instanceId, CommandEnvelope command, CancellationToken ct = default) =>
        Client.RaiseEventAsync(instanceId, DecisionOrchestrator.CommandEvent, command, ct);

    public async Task<InstanceStatus?> GetStatusAsync(string instanceId, CancellationToken ct = default) =>
        await Client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, ct) is { } m ? ToStatus(m) : null;

    public async Task<IReadOnlyList<InstanceStatus>> ListAsync(IReadOnlyCollection<string> runtimeStatuses, int max, CancellationToken ct = default)
    {
        var query = new OrchestrationQuery
        {
            Statuses = [.. runtimeStatuses.Select(s => Enum.Parse<OrchestrationRuntimeStatus>(s, ignoreCase: true))],
            PageSize = Math.Clamp(max, 1, 1000),
            FetchInputsAndOutputs = false,
        };
        var found = new List<InstanceStatus>();
        await foreach (var m in Client.GetAllInstancesAsync(query).WithCancellation(ct))
        {
            found.Add(ToStatus(m));
            if (found.Count >= max)
            {
                break;
            }
        }

        return [.. found.OrderByDescending(s => s.LastUpdatedAt)];
    }

    public async Task<IReadOnlyList<HistoryEntry>> GetHistoryAsync(string instanceId, CancellationToken ct = default)
    {
        var c = Client;
        if (await c.GetInstanceAsync(instanceId, getInputsAndOutputs: false, ct) is null)
        {
            return [];
        }

        var history = await c.GetOrchestrationHistoryAsync(instanceId, ct);
        return [.. history.Select(HistoryEntries.From)];
    }

    public Task TerminateAsync(string instanceId, string reason, CancellationToken ct = default) =>
        Client.TerminateInstanceAsync(instanceId, new TerminateInstanceOptions(reason), ct);

    /// <summary>
    /// The portable client's restart: same instance id, input of the latest execution (the state folded at the last
    /// <c>ContinueAsNew</c>), as the standalone adapter does by hand.
    /// </summary>
    public Task RestartAsync(string instanceId, CancellationToken ct = default) =>
        Client.RestartAsync(instanceId, restartWithNewInstanceId: false, ct);

    public async Task<bool> PurgeAsync(string instanceId, CancellationToken ct = default) =>
        (await Client.PurgeInstanceAsync(instanceId, ct)).PurgedInstanceCount > 0;

    private static InstanceStatus ToStatus(OrchestrationMetadata m) => new(
        m.InstanceId, m.Name, m.RuntimeStatus.ToString(), m.CreatedAt, m.LastUpdatedAt,
        m.FailureDetails?.ErrorType, m.FailureDetails?.ErrorMessage);
}

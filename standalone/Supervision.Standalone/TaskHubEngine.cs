using DurableTask.AzureStorage;
using DurableTask.AzureStorage.Tracking;
using DurableTask.Core;
using DurableTask.Core.Exceptions;
using DurableTask.Core.History;
using Microsoft.DurableTask.Converters;
using Newtonsoft.Json.Linq;
using Supervision.Orchestrations;

namespace Supervision.Standalone;

/// <summary>
/// <see cref="IDurableEngine"/> on DTFx's <see cref="TaskHubClient"/>, with the portable SDK's JSON converter so stored
/// inputs and events are plain JSON (no <c>$type</c> or assembly names) that the portable orchestrators read.
/// </summary>
public sealed class TaskHubEngine(TaskHub hub) : IDurableEngine
{
    private static readonly OrchestrationStatus[] AnyStatus =
    [
        OrchestrationStatus.Running, OrchestrationStatus.Pending, OrchestrationStatus.Completed, OrchestrationStatus.ContinuedAsNew,
        OrchestrationStatus.Failed, OrchestrationStatus.Canceled, OrchestrationStatus.Terminated, OrchestrationStatus.Suspended,
    ];

    private readonly TaskHubClient client = new(hub.Service, new PortableJson(), null);

    public async Task<bool> StartAsync(string instanceId, OrchestrationInput input, CancellationToken ct = default)
    {
        await hub.EnsureAsync();

        // Existence first, as the other engines do: DTFx on Azure Storage accepts the creation of a running instance
        // (the dedupe statuses are not checked against it here) and its worker then drops the second ExecutionStarted,
        // so the command it carried would be lost instead of raised on the instance.
        if (await client.GetOrchestrationStateAsync(instanceId) is not null)
        {
            return false;
        }

        try
        {
            await client.CreateOrchestrationInstanceAsync(input.Type, string.Empty, instanceId, input, null, AnyStatus);
            return true;
        }
        catch (OrchestrationAlreadyExistsException)
        {
            return false;
        }
    }

    public async Task RaiseAsync(string instanceId, CommandEnvelope command, CancellationToken ct = default)
    {
        await hub.EnsureAsync();
        await client.RaiseEventAsync(new OrchestrationInstance { InstanceId = instanceId }, DecisionOrchestrator.CommandEvent, command);
    }

    public async Task<InstanceStatus?> GetStatusAsync(string instanceId, CancellationToken ct = default)
    {
        await hub.EnsureAsync();
        var state = await client.GetOrchestrationStateAsync(instanceId);
        return state is null ? null : ToStatus(state);
    }

    public async Task<IReadOnlyList<InstanceStatus>> ListAsync(IReadOnlyCollection<string> runtimeStatuses, int max, CancellationToken ct = default)
    {
        await hub.EnsureAsync();
        var condition = new OrchestrationInstanceStatusQueryCondition
        {
            RuntimeStatus = runtimeStatuses.Select(s => Enum.Parse<OrchestrationStatus>(s, ignoreCase: true)).ToList(),
        };
        var page = await hub.Service.GetOrchestrationStateAsync(condition, max, null, ct);
        return [.. page.OrchestrationState.Select(ToStatus).OrderByDescending(s => s.LastUpdatedAt)];
    }

    public async Task<IReadOnlyList<HistoryEntry>> GetHistoryAsync(string instanceId, CancellationToken ct = default)
    {
        await hub.EnsureAsync();
        var state = await client.GetOrchestrationStateAsync(instanceId);
        if (state is null)
        {
            return [];
        }

        var json = await hub.Service.GetOrchestrationHistoryAsync(instanceId, state.OrchestrationInstance.ExecutionId);
        return [.. JArray.Parse(json).Select(e => new HistoryEntry(
            e.Value<long?>("EventId") ?? -1, ((EventType)(e.Value<int?>("EventType") ?? 0)).ToString(), e.Value<DateTime?>("Timestamp") ?? default,
            e.Value<string>("Name"), e.Value<string>("Reason") ?? e.Value<string>("Details")))];
    }

    public async Task TerminateAsync(string instanceId, string reason, CancellationToken ct = default)
    {
        await hub.EnsureAsync();
        await client.TerminateInstanceAsync(new OrchestrationInstance { InstanceId = instanceId }, reason);
    }

    /// <summary>
    /// Starts the instance again from the input of its latest execution (the state folded at its last
    /// <c>ContinueAsNew</c>): DTFx has no restart call, so this creates the same id again, allowed only once it ended.
    /// </summary>
    public async Task RestartAsync(string instanceId, CancellationToken ct = default)
    {
        await hub.EnsureAsync();
        var state = await client.GetOrchestrationStateAsync(instanceId)
            ?? throw new InvalidOperationException($"No instance '{instanceId}'.");
        await client.CreateOrchestrationInstanceAsync(
            state.Name, string.Empty, instanceId, JToken.Parse(state.Input), null,
            [OrchestrationStatus.Running, OrchestrationStatus.Pending, OrchestrationStatus.Suspended]);
    }

    public async Task<bool> PurgeAsync(string instanceId, CancellationToken ct = default)
    {
        await hub.EnsureAsync();
        var result = await hub.Service.PurgeInstanceHistoryAsync(instanceId);
        return result.InstancesDeleted > 0;
    }

    private static InstanceStatus ToStatus(OrchestrationState s) => new(
        s.OrchestrationInstance.InstanceId, s.Name, s.OrchestrationStatus.ToString(), s.CreatedTime, s.LastUpdatedTime,
        s.FailureDetails?.ErrorType, s.FailureDetails?.ErrorMessage ?? (s.OrchestrationStatus == OrchestrationStatus.Failed ? s.Output : null));
}

/// <summary>DTFx's converter contract over the portable SDK's System.Text.Json converter, as the worker shims use it.</summary>
internal sealed class PortableJson : DurableTask.Core.Serializing.DataConverter
{
    public override string Serialize(object value) => JsonDataConverter.Default.Serialize(value)!;

    public override string Serialize(object value, bool formatted) => Serialize(value);

    public override object Deserialize(string data, Type objectType) => JsonDataConverter.Default.Deserialize(data, objectType)!;
}

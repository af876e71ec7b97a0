namespace Supervision.Runtime;

/// <summary>Named points between the write steps of a decision (ARCHITECTURE.md §4.3), where tests inject crashes.</summary>
public enum FaultPoint
{
    /// <summary>Step 1 done: the wake-up rows the new state needs (and the outbox safety net) are written.</summary>
    AfterWakeUpsWritten,

    /// <summary>Just before the instance transaction; tests use it to interleave a second writer.</summary>
    BeforeCommit,

    /// <summary>Step 2 done: events, snapshot, marker and outbox rows are committed.</summary>
    AfterCommit,

    /// <summary>Step 3, after each single effect is dispatched (before its outbox row is deleted).</summary>
    AfterOutboxDispatch,

    /// <summary>Step 4 done: wake-up rows no longer needed are deleted.</summary>
    AfterWakeUpCleanup,

    /// <summary>Sweeper: due wake-ups are on the queue but their rows are not yet deleted.</summary>
    AfterSweepEnqueued,
}

/// <summary>
/// Test hook the runtime calls at every <see cref="FaultPoint"/>. Production registers <see cref="NoFaults"/>. A test
/// implementation throws to simulate a process dying at that point, or awaits to interleave another writer.
/// </summary>
public interface IFaultInjector
{
    ValueTask OnAsync(FaultPoint point, string partitionKey, CancellationToken cancellationToken);
}

public sealed class NoFaults : IFaultInjector
{
    public static readonly NoFaults Instance = new();

    public ValueTask OnAsync(FaultPoint point, string partitionKey, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

namespace Supervision.Runtime;

/// <summary>
/// The timer-triggered half of dispatch: turns due wake-ups into work-queue messages.
/// In Azure a timer-triggered function (a singleton) calls it; standalone a hosted service does.
/// </summary>
public interface ISweeper
{
    /// <summary>Enqueues everything due now. Safe to run concurrently from several hosts (duplicates are harmless).</summary>
    Task<SweepResult> SweepAsync(CancellationToken cancellationToken);
}

/// <param name="Enqueued">Work messages sent by this sweep.</param>
/// <param name="Remaining">True when more due wake-ups remain than one sweep takes (call again soon).</param>
public sealed record SweepResult(int Enqueued, bool Remaining);

/// <summary>
/// The queue-triggered half of dispatch: loads the addressed instance and decides.
/// In Azure a queue-triggered function calls it with the message the host delivered; standalone a hosted service
/// polling the same queue does.
/// </summary>
public interface IWorkProcessor
{
    /// <summary>
    /// Processes one work message. Returns normally when the message is done (applied, duplicate, stale, or
    /// dead-lettered because it can never succeed); throws only for faults worth retrying (storage unavailable,
    /// concurrency retries exhausted), so the queue redelivers it.
    /// </summary>
    Task<WorkOutcome> ProcessAsync(WorkMessage message, CancellationToken cancellationToken);
}

/// <summary>A work-queue message as the trigger sees it.</summary>
/// <param name="QueueMessageId">The queue's own message id (diagnostics only; idempotency uses ids inside the body).</param>
/// <param name="Body">The message text (already Base64- and JSON-string-decoded).</param>
/// <param name="DequeueCount">How many times the queue has delivered it, including this time.</param>
public sealed record WorkMessage(string QueueMessageId, string Body, long DequeueCount);

public enum WorkOutcome
{
    /// <summary>Decided and committed (events may be zero).</summary>
    Applied,

    /// <summary>Message id already applied: acknowledged without effect.</summary>
    Duplicate,

    /// <summary>Timer firing for a generation the state no longer wants.</summary>
    Stale,

    /// <summary>Could never succeed (malformed, unknown type, poison): moved to the visible dead-letter list.</summary>
    DeadLettered,
}

using DurableTask.Core.History;
using Supervision.Orchestrations;

namespace Supervision.Functions;

/// <summary>DTFx history events (what the portable client returns) as the operations view shows them.</summary>
internal static class HistoryEntries
{
    public static HistoryEntry From(HistoryEvent e) => new(
        e.EventId,
        e.EventType.ToString(),
        new DateTimeOffset(DateTime.SpecifyKind(e.Timestamp, DateTimeKind.Utc)),
        e switch
        {
            ExecutionStartedEvent s => s.Name,
            TaskScheduledEvent s => s.Name,
            EventRaisedEvent s => s.Name,
            EventSentEvent s => s.Name,
            SubOrchestrationInstanceCreatedEvent s => s.Name,
            _ => null,
        },
        e switch
        {
            TaskFailedEvent f => f.FailureDetails?.ErrorMessage ?? f.Reason,
            ExecutionCompletedEvent c => c.FailureDetails?.ErrorMessage,
            ExecutionTerminatedEvent t => t.Input,
            _ => null,
        });
}

using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Supervision.Runtime;

/// <summary>
/// Decides one work message. Malformed messages and unknown types are dead-lettered at once; any other failure is
/// thrown (so the queue redelivers) until the delivery count reaches <see cref="RuntimeOptions.MaxDequeueCount"/>,
/// and then dead-lettered instead of thrown, before the Functions host would move it to its poison queue.
/// </summary>
public sealed class WorkProcessor(
    DecisionEngine engine, DeadLetters deadLetters, RuntimeMetrics metrics, IOptions<RuntimeOptions> options, ILogger<WorkProcessor> logger) : IWorkProcessor
{
    private readonly RuntimeOptions opts = options.Value;

    public async Task<WorkOutcome> ProcessAsync(WorkMessage message, CancellationToken cancellationToken)
    {
        WorkEnvelope envelope;
        try
        {
            envelope = WorkEnvelope.Parse(message.Body);
        }
        catch (JsonException e)
        {
            return await DeadLetterAsync(message, "malformed", e, cancellationToken);
        }

        try
        {
            var result = await engine.ExecuteAsync(
                new IncomingMessage(envelope.Kind, envelope.Type, envelope.InstanceId, envelope.MessageId, envelope.Actor ?? "system",
                    CommandJson: envelope.Payload?.GetRawText(), TimerKey: envelope.TimerKey, Generation: envelope.Generation),
                cancellationToken);
            if (result.Rejection is { } r)
            {
                // Rejections carry no personal data by contract (Rejection.Reason).
                logger.LogInformation("{Type} rejected {Command} from {From}: {Kind}", envelope.Type, r.Command, r.From, r.Kind);
            }

            var outcome = result.Status switch
            {
                ExecutionStatus.Duplicate => WorkOutcome.Duplicate,
                ExecutionStatus.Stale => WorkOutcome.Stale,
                _ => WorkOutcome.Applied,
            };
            metrics.Decision(outcome.ToString());
            return outcome;
        }
        catch (UnknownOrchestrationException e)
        {
            return await DeadLetterAsync(message, "unknown-type", e, cancellationToken);
        }
        catch (JsonException e)
        {
            return await DeadLetterAsync(message, "malformed-payload", e, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException && message.DequeueCount >= opts.MaxDequeueCount)
        {
            return await DeadLetterAsync(message, "poison", e, cancellationToken);
        }
    }

    private async Task<WorkOutcome> DeadLetterAsync(WorkMessage message, string reason, Exception e, CancellationToken ct)
    {
        var id = await deadLetters.AddAsync(message, reason, $"{e.GetType().Name}: {e.Message}", ct);
        logger.LogWarning("work message {QueueMessageId} dead-lettered as {DeadLetterId} ({Reason}, {Error})", message.QueueMessageId, id, reason, e.GetType().Name);
        metrics.Decision(nameof(WorkOutcome.DeadLettered));
        return WorkOutcome.DeadLettered;
    }
}

using Azure;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Supervision.Runtime;

/// <summary>
/// Receives a batch from the work queue, processes it with bounded concurrency, deletes what succeeded. A failure
/// leaves the message to reappear after the visibility timeout (at-least-once). Used by <see cref="WorkerService"/>
/// and by tests and the bench to drive the queue step by step.
/// </summary>
public sealed class WorkQueuePump(RuntimeStorage storage, IWorkProcessor processor, IOptions<RuntimeOptions> options, ILogger<WorkQueuePump> logger)
{
    private readonly RuntimeOptions opts = options.Value;

    /// <returns>How many messages were received.</returns>
    public async Task<int> PumpOnceAsync(int maxMessages, CancellationToken ct)
    {
        var queue = await storage.WorkQueueAsync();
        var messages = (await queue.ReceiveMessagesAsync(Math.Clamp(maxMessages, 1, 32), opts.VisibilityTimeout, ct)).Value;
        await Parallel.ForEachAsync(messages, new ParallelOptions { MaxDegreeOfParallelism = opts.WorkerConcurrency, CancellationToken = ct }, async (m, c) =>
        {
            try
            {
                await processor.ProcessAsync(new WorkMessage(m.MessageId, m.Body.ToString(), m.DequeueCount), c);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("work message {QueueMessageId} failed ({Error}); the queue will redeliver it", m.MessageId, e.GetType().Name);
                return;
            }

            try
            {
                await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, c);
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                // Visibility ran out and another worker holds it now; it will see a duplicate.
            }
        });
        return messages.Length;
    }
}

/// <summary>Standalone stand-in for the timer trigger: sweeps every <see cref="RuntimeOptions.SweepInterval"/>, at once again while more is due.</summary>
public sealed class SweeperService(ISweeper sweeper, TimeProvider clock, IOptions<RuntimeOptions> options, ILogger<SweeperService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, clock);
        do
        {
            try
            {
                while ((await sweeper.SweepAsync(stoppingToken)).Remaining)
                {
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("sweep failed ({Error}); next sweep in {Interval}", e.GetType().Name, options.Value.SweepInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

/// <summary>Standalone stand-in for the queue trigger: polls the work queue, waiting <see cref="RuntimeOptions.PollInterval"/> when it is empty.</summary>
public sealed class WorkerService(WorkQueuePump pump, TimeProvider clock, IOptions<RuntimeOptions> options, ILogger<WorkerService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var received = 0;
            try
            {
                received = await pump.PumpOnceAsync(32, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("work queue poll failed ({Error})", e.GetType().Name);
            }

            if (received == 0)
            {
                await Task.Delay(options.Value.PollInterval, clock, stoppingToken);
            }
        }
    }
}

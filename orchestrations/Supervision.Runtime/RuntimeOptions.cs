using System.ComponentModel.DataAnnotations;

namespace Supervision.Runtime;

/// <summary>Settings of the durable runtime (configuration section <c>Supervision:Runtime</c> by convention).</summary>
public sealed class RuntimeOptions
{
    /// <summary>
    /// Storage connection string (Azurite or a key-based account). When empty, <see cref="TableEndpoint"/> and
    /// <see cref="QueueEndpoint"/> are used with the <see cref="Azure.Core.TokenCredential"/> registered in DI.
    /// </summary>
    public string? ConnectionString { get; set; }

    public Uri? TableEndpoint { get; set; }

    public Uri? QueueEndpoint { get; set; }

    /// <summary>
    /// Prefix of every table and queue name (lowercase letters and digits, may be empty). Tests and parallel
    /// deployments isolate themselves with it.
    /// </summary>
    [RegularExpression("^[a-z][a-z0-9]{0,30}$|^$")]
    public string Prefix { get; set; } = string.Empty;

    /// <summary>How often the standalone sweeper runs, in the injected clock's time.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Width of a wake-up time bucket (whole minutes). Rows of one bucket spread over <see cref="WakeUpShards"/> partitions.</summary>
    public TimeSpan BucketSize { get; set; } = TimeSpan.FromMinutes(1);

    [Range(1, 99)]
    public int WakeUpShards { get; set; } = 8;

    /// <summary>Most due wake-ups one sweep moves to the queue; more left over means <see cref="SweepResult.Remaining"/>.</summary>
    [Range(1, 5000)]
    public int MaxSweepBatch { get; set; } = 500;

    /// <summary>How long a sweeper's claim on due wake-ups keeps other sweepers off them (clock time).</summary>
    public TimeSpan SweepClaimTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Loads-and-decides per message before giving up on ETag conflicts (412) and letting the queue redeliver.</summary>
    [Range(1, 100)]
    public int MaxDecideAttempts { get; set; } = 10;

    /// <summary>
    /// Delay of the safety-net wake-up written with every decision that leaves outbox rows (ARCHITECTURE.md §4.3).
    /// It is deleted once the outbox is dispatched; it fires only after a crash or a failed dispatch.
    /// </summary>
    public TimeSpan OutboxSafetyNetDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Deliveries after which a failing message is moved to the dead-letter list (the Functions host's maxDequeueCount).</summary>
    [Range(1, 100)]
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>Standalone worker: messages decided in parallel.</summary>
    [Range(1, 64)]
    public int WorkerConcurrency { get; set; } = 4;

    /// <summary>Standalone worker: wait when the queue was empty (real time, not the simulated clock).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Standalone worker: how long a received message stays invisible to others (real time; ≥ 1 s).</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Name of the work queue; the Functions queue trigger's <c>queueName</c> must match it.</summary>
    public string WorkQueueName => Prefix.Length == 0 ? "work-items" : $"{Prefix}-work-items";

    public string InstancesTable => Prefix + "instances";

    public string WakeUpsTable => Prefix + "wakeups";

    public string DeadLettersTable => Prefix + "deadletters";

    public string MailboxTable => Prefix + "mailbox";

    /// <summary>Table of a read model: the prefix, <c>rm</c>, and the model name's letters and digits.</summary>
    public string ReadModelTable(string model) =>
        Prefix + "rm" + new string(model.Where(char.IsAsciiLetterOrDigit).ToArray()).ToLowerInvariant();
}

namespace Supervision.Functions.Triggers;

/// <summary>Settings of the trigger endpoints (configuration section <c>Supervision:Triggers</c>).</summary>
public sealed class TriggerOptions
{
    public const string Section = "Supervision:Triggers";

    /// <summary>host.json <c>extensions.queues.maxDequeueCount</c>; the host does not pass it to the handler, so it is repeated here.</summary>
    public const int DefaultMaxDequeueCount = 5;

    /// <summary>Must equal host.json's <c>maxDequeueCount</c> (a test checks the default does).</summary>
    public int MaxDequeueCount { get; set; } = DefaultMaxDequeueCount;

    /// <summary>How many sweeps one timer tick runs while the sweeper reports more due wake-ups.</summary>
    public int MaxSweepsPerTick { get; set; } = 10;

    internal void Validate()
    {
        if (MaxDequeueCount < 1)
        {
            throw new InvalidOperationException($"{Section}:MaxDequeueCount must be at least 1 (host.json extensions.queues.maxDequeueCount), got {MaxDequeueCount}.");
        }

        if (MaxSweepsPerTick < 1)
        {
            throw new InvalidOperationException($"{Section}:MaxSweepsPerTick must be at least 1, got {MaxSweepsPerTick}.");
        }
    }
}

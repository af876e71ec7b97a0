using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Supervision.Runtime.TestKit;
using Supervision.Testing;

namespace Supervision.Runtime.Tests;

/// <summary>
/// One "process" of the runtime for a test: its own service provider over shared storage (same prefix means same
/// tables and queue), a fake clock, and an optional fault injector. Building a second harness with the same prefix is
/// a restart.
/// </summary>
public sealed class RuntimeHarness : IDisposable
{
    private readonly ServiceProvider provider;

    private RuntimeHarness(ServiceProvider provider, string prefix, FakeTimeProvider clock)
    {
        this.provider = provider;
        Prefix = prefix;
        Clock = clock;
    }

    public static readonly DateTimeOffset Start = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    public string Prefix { get; }

    public FakeTimeProvider Clock { get; }

    public OrchestrationClient Client => provider.GetRequiredService<OrchestrationClient>();

    public ISweeper Sweeper => provider.GetRequiredService<ISweeper>();

    public IWorkProcessor Processor => provider.GetRequiredService<IWorkProcessor>();

    public RuntimeOperations Ops => provider.GetRequiredService<RuntimeOperations>();

    public RuntimeStorage Storage => provider.GetRequiredService<RuntimeStorage>();

    public LocalMailbox Mailbox => provider.GetRequiredService<LocalMailbox>();

    public RuntimeMetrics Metrics => provider.GetRequiredService<RuntimeMetrics>();

    public T Get<T>() where T : notnull => provider.GetRequiredService<T>();

    public static async Task<RuntimeHarness> CreateAsync(string? prefix = null, FakeTimeProvider? clock = null, IFaultInjector? faults = null, Action<RuntimeOptions>? configure = null, IAlertSink? alertSink = null)
    {
        var cs = await TestStorage.GetConnectionStringAsync();
        prefix ??= TestStorage.UniqueName("rt");
        clock ??= new FakeTimeProvider(Start);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
        if (faults is not null)
        {
            services.AddSingleton(faults);
        }

        services.AddSupervisionRuntime(o =>
        {
            o.ConnectionString = cs;
            o.Prefix = prefix;
            o.VisibilityTimeout = TimeSpan.FromSeconds(1);
            o.WakeUpShards = 4;
            configure?.Invoke(o);
        }).AddOrchestration(new DeadlineDecider(), DeadlineDecider.Json);
        if (alertSink is not null)
        {
            services.AddSingleton(alertSink);
        }

        return new RuntimeHarness(services.BuildServiceProvider(), prefix, clock);
    }

    public Task<ExecutionResult> SendAsync(string id, DeadlineCommand command, string messageId) =>
        Client.ExecuteAsync(DeadlineDecider.Type, id, command, messageId, "tester");

    public async Task<DeadlineState?> StateAsync(string id) =>
        (await Client.GetAsync<DeadlineState>(DeadlineDecider.Type, id))?.State;

    /// <summary>
    /// Sweeps and processes the queue one message at a time until nothing is due and the queue is empty (waiting, with
    /// a real-time bound, for messages a crashed attempt left invisible). Exceptions from processing propagate: for a
    /// crash test they are the simulated death of this "process".
    /// </summary>
    public async Task<int> DrainAsync(TimeSpan? limit = null)
    {
        var queue = await Storage.WorkQueueAsync();
        var bound = Stopwatch.StartNew();
        var processed = 0;
        while (bound.Elapsed < (limit ?? TimeSpan.FromSeconds(20)))
        {
            while ((await Sweeper.SweepAsync(CancellationToken.None)).Remaining)
            {
            }

            var got = (await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(1))).Value;
            if (got.Length == 0)
            {
                var props = await queue.GetPropertiesAsync();
                if (props.Value.ApproximateMessagesCount == 0 && (await Sweeper.SweepAsync(CancellationToken.None)).Enqueued == 0)
                {
                    return processed;
                }

                // A message made invisible by a crashed attempt: poll the real queue until it reappears (bounded above).
                await Task.Delay(100);
                continue;
            }

            var m = got[0];
            await Processor.ProcessAsync(new WorkMessage(m.MessageId, m.Body.ToString(), m.DequeueCount), CancellationToken.None);
            await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt);
            processed++;
        }

        throw new TimeoutException("the runtime did not go quiet in time");
    }

    /// <summary>Advances the fake clock in steps, draining after each, so timers fire in order at their simulated time.</summary>
    public async Task AdvanceAsync(TimeSpan total, TimeSpan step)
    {
        for (var moved = TimeSpan.Zero; moved < total; moved += step)
        {
            Clock.Advance(step < total - moved ? step : total - moved);
            await DrainAsync();
        }
    }

    public void Dispose() => provider.Dispose();
}

/// <summary>Thrown by <see cref="CrashAt"/>: the simulated death of a process at a write step.</summary>
public sealed class SimulatedCrashException(FaultPoint point) : Exception($"simulated crash at {point}")
{
    public FaultPoint Point { get; } = point;
}

/// <summary>Crashes the (simulated) process the <paramref name="occurrence"/>-th time it reaches <paramref name="target"/>.</summary>
public sealed class CrashAt(FaultPoint target, int occurrence = 1) : IFaultInjector
{
    private int seen;

    public bool Crashed { get; private set; }

    public ValueTask OnAsync(FaultPoint point, string partitionKey, CancellationToken cancellationToken)
    {
        if (point == target && !Crashed && Interlocked.Increment(ref seen) == occurrence)
        {
            Crashed = true;
            throw new SimulatedCrashException(point);
        }

        return ValueTask.CompletedTask;
    }
}

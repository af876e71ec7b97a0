using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Supervision.Domain.Orchestration;

namespace Supervision.Runtime;

/// <summary>Returned by <see cref="ServiceCollectionExtensions.AddSupervisionRuntime"/> to register deciders and hosting.</summary>
public sealed class SupervisionRuntimeBuilder(IServiceCollection services)
{
    public IServiceCollection Services { get; } = services;

    /// <summary>Hosts one orchestration type. <paramref name="json"/> must round-trip its state, command and event types.</summary>
    public SupervisionRuntimeBuilder AddOrchestration<TState, TCommand, TEvent>(IDecider<TState, TCommand, TEvent> decider, JsonSerializerOptions json)
        where TState : class
        where TCommand : class
        where TEvent : class
    {
        Services.AddSingleton(OrchestrationRegistration.For(decider, json));
        return this;
    }

    /// <summary>Standalone: the sweeper and the queue workers as hosted services in this process.</summary>
    public SupervisionRuntimeBuilder AddStandaloneHosting()
    {
        Services.AddHostedService<SweeperService>();
        Services.AddHostedService<WorkerService>();
        return this;
    }

    /// <summary>Replaces the local mailbox with another alert sink (e.g. Graph).</summary>
    public SupervisionRuntimeBuilder UseAlertSink<TSink>()
        where TSink : class, IAlertSink
    {
        Services.Replace(ServiceDescriptor.Singleton<IAlertSink, TSink>());
        return this;
    }
}

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers the runtime: <see cref="ISweeper"/>, <see cref="IWorkProcessor"/>, <see cref="OrchestrationClient"/>,
    /// <see cref="RuntimeOperations"/>, <see cref="LocalMailbox"/> as the default <see cref="IAlertSink"/>, and
    /// <see cref="TimeProvider.System"/> unless a <see cref="TimeProvider"/> is already registered. Nothing touches
    /// storage until first use.
    /// </summary>
    public static SupervisionRuntimeBuilder AddSupervisionRuntime(this IServiceCollection services, Action<RuntimeOptions> configure)
    {
        services.AddOptions<RuntimeOptions>().Configure(configure).ValidateDataAnnotations();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IFaultInjector>(NoFaults.Instance);
        services.TryAddSingleton(sp => new RuntimeMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton(sp => new RuntimeStorage(
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<RuntimeOptions>>(),
            sp.GetRequiredService<RuntimeMetrics>(),
            sp.GetService<Azure.Core.TokenCredential>()));
        services.TryAddSingleton<OrchestrationRegistry>();
        services.TryAddSingleton<EffectCodec>();
        services.TryAddSingleton<InstanceStore>();
        services.TryAddSingleton<WakeUpIndex>();
        services.TryAddSingleton<ReadModelWriter>();
        services.TryAddSingleton<LocalMailbox>();
        services.TryAddSingleton<IAlertSink>(sp => sp.GetRequiredService<LocalMailbox>());
        services.TryAddSingleton<OutboxDispatcher>();
        services.TryAddSingleton<DeadLetters>();
        services.TryAddSingleton<DecisionEngine>();
        services.TryAddSingleton<ISweeper, Sweeper>();
        services.TryAddSingleton<IWorkProcessor, WorkProcessor>();
        services.TryAddSingleton<WorkQueuePump>();
        services.TryAddSingleton<OrchestrationClient>();
        services.TryAddSingleton<RuntimeOperations>();
        return new SupervisionRuntimeBuilder(services);
    }

    /// <summary>The clock for a process: real, or accelerated when <paramref name="speed"/> is above 1 (demo mode).</summary>
    public static IServiceCollection AddSupervisionClock(this IServiceCollection services, double speed = 1, DateTimeOffset? start = null)
    {
        services.Replace(ServiceDescriptor.Singleton<TimeProvider>(
            speed == 1 ? TimeProvider.System : new ScaledTimeProvider(start ?? TimeProvider.System.GetUtcNow(), speed)));
        return services;
    }
}

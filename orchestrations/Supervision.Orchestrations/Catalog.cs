using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Supervision.Orchestrations;

/// <summary>
/// Every orchestrator and activity this application runs, by name, so each host registers exactly the same set: the
/// standalone host on DTFx through the shim factory, the in-process test host through its registry, the Functions app
/// through its triggers (which call the same <see cref="DecisionOrchestrator"/> and <see cref="Activities"/>).
/// Orchestrator names are the deciders' type names.
/// </summary>
public sealed class OrchestrationCatalog(OrchestrationRegistry registry, EffectCodec codec, OrchestratorOptions options, IServiceProvider services)
{
    public IReadOnlyCollection<string> OrchestratorNames => registry.TypeNames;

    public DecisionOrchestrator Orchestrator(string type) => new(registry.Get(type), codec, options);

    /// <summary>A fresh orchestrator object (Durable Task creates one per execution episode).</summary>
    public ITaskOrchestrator CreateOrchestrator(string type) => new TaskOrchestratorShim(Orchestrator(type));

    /// <summary>The activities, resolved lazily: they depend on the Durable Task client, which the host builds last.</summary>
    public IReadOnlyList<(string Name, ITaskActivity Activity)> CreateActivities()
    {
        Activities A() => services.GetRequiredService<Activities>();
        return
        [
            (ActivityNames.RecordDecision, new Activity<DecisionRecord, DecisionRecord>((r, ct) => A().RecordDecisionAsync(r, ct))),
            (ActivityNames.Decide, new Activity<DecideRequest, DecideAnswer>((r, ct) => A().DecideAsync(r, ct))),
            (ActivityNames.WriteReadModel, new Activity<EffectEnvelope, bool>((e, ct) => A().WriteReadModelAsync(e, ct))),
            (ActivityNames.DeliverAlert, new Activity<AlertDispatch, AlertOutcome>((a, ct) => A().DeliverAlertAsync(a, ct))),
            (ActivityNames.DeliverMessage, new Activity<MessageDispatch, bool>((m, ct) => A().DeliverMessageAsync(m, ct))),
            (ActivityNames.RecordEffectFailure, new Activity<EffectFailure, bool>((f, ct) => A().RecordEffectFailureAsync(f, ct))),
        ];
    }

    /// <summary>Registers everything on a portable-SDK registry (the in-process test host, a gRPC worker).</summary>
    public void AddTo(DurableTaskRegistry target)
    {
        foreach (var name in OrchestratorNames)
        {
            target.AddOrchestrator(name, () => CreateOrchestrator(name));
        }

        foreach (var (name, activity) in CreateActivities())
        {
            target.AddActivity(name, activity);
        }
    }

    private sealed class TaskOrchestratorShim(DecisionOrchestrator inner) : TaskOrchestrator<OrchestrationInput, string>
    {
        public override Task<string> RunAsync(TaskOrchestrationContext context, OrchestrationInput input) => inner.RunAsync(context, input);
    }

    private sealed class Activity<TIn, TOut>(Func<TIn, CancellationToken, Task<TOut>> run) : TaskActivity<TIn, TOut>
    {
        public override Task<TOut> RunAsync(TaskActivityContext context, TIn input) => run(input, CancellationToken.None);
    }
}

public static class OrchestrationServiceCollectionExtensions
{
    /// <summary>
    /// Registers the orchestrations' storage, activities, catalog and the command gateway. The host adds the Durable
    /// Task worker and an <see cref="IDurableEngine"/>, and registers deciders as <see cref="OrchestrationRegistration"/>s.
    /// Nothing here touches storage until first use.
    /// </summary>
    public static IServiceCollection AddSupervisionOrchestrations(this IServiceCollection services, Action<StorageOptions> storage)
    {
        services.AddOptions<StorageOptions>().Configure(storage).ValidateDataAnnotations();
        services.AddOptions<CommandOptions>();
        services.AddClocks();
        services.TryAddSingleton(sp => new StorageMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton(sp => new OrchestrationStorage(
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<StorageOptions>>(),
            sp.GetRequiredService<StorageMetrics>(),
            sp.GetService<Azure.Core.TokenCredential>()));
        services.TryAddSingleton<OrchestrationRegistry>();
        services.TryAddSingleton<EffectCodec>();
        services.TryAddSingleton(new OrchestratorOptions());
        services.TryAddSingleton<DecisionStore>();
        services.TryAddSingleton<ReadModelWriter>();
        services.TryAddSingleton<LocalMailbox>();
        services.TryAddSingleton<IAlertSink>(sp => sp.GetRequiredService<LocalMailbox>());
        services.TryAddSingleton<IAlertRouter, DirectAlerts>();
        services.TryAddSingleton<Activities>();
        services.TryAddSingleton<OrchestrationCatalog>();
        services.TryAddSingleton<CommandGateway>();
        return services;
    }

    /// <summary>Replaces the local mailbox with another alert sink (e.g. Graph).</summary>
    public static IServiceCollection UseAlertSink<TSink>(this IServiceCollection services)
        where TSink : class, IAlertSink
    {
        services.Replace(ServiceDescriptor.Singleton<IAlertSink, TSink>());
        return services;
    }
}

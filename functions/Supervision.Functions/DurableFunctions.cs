using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Supervision.Orchestrations;

namespace Supervision.Functions;

/// <summary>
/// The orchestrators: one function per decider type, named as the type (the catalog's orchestrator name), each running
/// the one <see cref="DecisionOrchestrator"/> shape. Adding a decider type is one line here (the metadata test checks
/// that every catalog name has one).
/// </summary>
public sealed class OrchestratorFunctions(ApiPipeline pipeline)
{
    [Function("case")]
    public Task<string> Case([OrchestrationTrigger] TaskOrchestrationContext context) => RunAsync(context);

    [Function("ticket")]
    public Task<string> Ticket([OrchestrationTrigger] TaskOrchestrationContext context) => RunAsync(context);

    [Function("joint")]
    public Task<string> Joint([OrchestrationTrigger] TaskOrchestrationContext context) => RunAsync(context);

    [Function("campaign")]
    public Task<string> Campaign([OrchestrationTrigger] TaskOrchestrationContext context) => RunAsync(context);

    [Function("reception")]
    public Task<string> Reception([OrchestrationTrigger] TaskOrchestrationContext context) => RunAsync(context);

    [Function("alert")]
    public Task<string> Alert([OrchestrationTrigger] TaskOrchestrationContext context) => RunAsync(context);

    [Function("digest")]
    public Task<string> Digest([OrchestrationTrigger] TaskOrchestrationContext context) => RunAsync(context);

    private Task<string> RunAsync(TaskOrchestrationContext context) =>
        pipeline.Services.GetRequiredService<OrchestrationCatalog>().Orchestrator(context.Name).RunAsync(context, context.GetInput<OrchestrationInput>()!);
}

/// <summary>The activities, one function each (names in <see cref="ActivityNames"/>), calling the shared <see cref="Activities"/>.</summary>
public sealed class ActivityFunctions(ApiPipeline pipeline)
{
    private Activities Activities => pipeline.Services.GetRequiredService<Activities>();

    [Function(ActivityNames.RecordDecision)]
    public Task<DecisionRecord> RecordDecision([ActivityTrigger] DecisionRecord record, FunctionContext context) =>
        Activities.RecordDecisionAsync(record, context.CancellationToken);

    /// <summary>The lean turn: decides and records one command or timer (the orchestrations started since E13).</summary>
    [Function(ActivityNames.Decide)]
    public Task<DecideAnswer> Decide([ActivityTrigger] DecideRequest request, FunctionContext context) =>
        Activities.DecideAsync(request, context.CancellationToken);

    [Function(ActivityNames.WriteReadModel)]
    public Task<bool> WriteReadModel([ActivityTrigger] EffectEnvelope effect, FunctionContext context) =>
        Activities.WriteReadModelAsync(effect, context.CancellationToken);

    /// <summary>Delivers, or hands the alert to its digest or alert instance (starting it), so it takes the Durable Task client too.</summary>
    [Function(ActivityNames.DeliverAlert)]
    public async Task<AlertOutcome> DeliverAlert([ActivityTrigger] AlertDispatch dispatch, [DurableClient] DurableTaskClient client, FunctionContext context)
    {
        using var scope = DurableClientScope.Enter(client);
        return await Activities.DeliverAlertAsync(dispatch, context.CancellationToken);
    }

    /// <summary>Starts or signals another instance, so it takes the invocation's Durable Task client.</summary>
    [Function(ActivityNames.DeliverMessage)]
    public async Task<bool> DeliverMessage([ActivityTrigger] MessageDispatch dispatch, [DurableClient] DurableTaskClient client, FunctionContext context)
    {
        using var scope = DurableClientScope.Enter(client);
        return await Activities.DeliverMessageAsync(dispatch, context.CancellationToken);
    }

    [Function(ActivityNames.RecordEffectFailure)]
    public Task<bool> RecordEffectFailure([ActivityTrigger] EffectFailure failure, FunctionContext context) =>
        Activities.RecordEffectFailureAsync(failure, context.CancellationToken);
}

using System.Text.Json;
using System.Text.Json.Nodes;
using DurableTask.Core;
using DurableTask.Core.Command;
using DurableTask.Core.History;
using Microsoft.DurableTask.Converters;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Newtonsoft.Json.Linq;
using Supervision.Domain.Cases;

namespace Supervision.Orchestrations.Tests;

/// <summary>
/// Replays recorded orchestration histories (Golden/*.json, recorded on the standalone host: DTFx on Azurite) through the
/// current orchestrator code with DTFx Core's own replay machinery: a <see cref="TaskOrchestrationExecutor"/> over an
/// <see cref="OrchestrationRuntimeState"/> built from the stored events, running the shim the standalone host runs.
/// A code change that would make running instances non-deterministic (a different activity, order or timer) fails
/// here. See Golden/README.md.
/// </summary>
public sealed class GoldenReplayTests
{
    public static TheoryData<string> Goldens()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Golden"), "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(f));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Goldens))]
    public void A_recorded_history_replays_through_the_current_orchestrator_without_new_or_different_actions(string file)
    {
        var golden = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", file)))!;
        var name = (string)golden["name"]!;
        var interval = TimeSpan.Parse((string)golden["maximumTimerInterval"]!, System.Globalization.CultureInfo.InvariantCulture);
        var events = GoldenHistory.Parse(golden["history"]!.ToJsonString());
        Assert.Contains(events, e => e is TaskCompletedEvent);

        var result = GoldenHistory.Replay(name, interval, events);

        // Everything the code schedules is already in the history: no failure (a non-determinism error completes the
        // orchestration as failed), nothing new, nothing different.
        var failed = result.Actions.OfType<OrchestrationCompleteOrchestratorAction>().Where(a => a.OrchestrationStatus == OrchestrationStatus.Failed).ToList();
        Assert.True(failed.Count == 0, string.Join("\n", failed.Select(f => f.Result + " " + f.FailureDetails)));
        Assert.Empty(result.Actions);
    }

    [Fact]
    public void A_changed_orchestrator_is_caught_by_the_replay()
    {
        // Guards the guard: the same history through an orchestrator that skips recording decisions must fail.
        var file = Path.GetFileName(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Golden"), "*.json").Order(StringComparer.Ordinal).First());
        var golden = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", file)))!;
        var events = GoldenHistory.Parse(golden["history"]!.ToJsonString());
        var result = GoldenHistory.Replay((string)golden["name"]!, TimeSpan.Parse((string)golden["maximumTimerInterval"]!, System.Globalization.CultureInfo.InvariantCulture), events, broken: true);
        Assert.Contains(result.Actions, a => a is OrchestrationCompleteOrchestratorAction { OrchestrationStatus: OrchestrationStatus.Failed });
    }
}

/// <summary>Reading DTFx histories (as <c>GetOrchestrationHistoryAsync</c> returns them) and replaying them.</summary>
public static class GoldenHistory
{
    public static IList<HistoryEvent> Parse(string json)
    {
        var events = new List<HistoryEvent>();
        foreach (var e in JArray.Parse(json).Cast<JObject>())
        {
            var type = (EventType)e.Value<int>("EventType");
            var clr = typeof(HistoryEvent).Assembly.GetType($"DurableTask.Core.History.{type}Event")
                ?? throw new InvalidOperationException($"No history type for {type}");
            events.Add((HistoryEvent)e.ToObject(clr)!);
        }

        return events;
    }

    public static OrchestratorExecutionResult Replay(string name, TimeSpan maximumTimerInterval, IList<HistoryEvent> events, bool broken = false)
    {
        var services = new ServiceCollection();
        // Every type the recording host served: a decision whose effects message a ticket encodes that ticket command.
        Harness.CaseHarness.AddDemoDeciders(services);
        services.AddSingleton<IDurableEngine>(new Harness.TestHostEngine());
        if (broken)
        {
            services.AddSingleton(new OrchestratorOptions { TurnsPerExecution = 0 });
        }

        services.AddSupervisionOrchestrations(o => o.ConnectionString = "UseDevelopmentStorage=true");

        using var provider = services.BuildServiceProvider();
        var catalog = provider.GetRequiredService<OrchestrationCatalog>();
        var shims = new DurableTaskShimFactory(
            new DurableTaskWorkerOptions { MaximumTimerInterval = maximumTimerInterval, DataConverter = JsonDataConverter.Default }, NullLoggerFactory.Instance);
        var orchestration = shims.CreateOrchestration(name, catalog.CreateOrchestrator(name));
        var executor = new TaskOrchestrationExecutor(new OrchestrationRuntimeState(events), orchestration, BehaviorOnContinueAsNew.Carryover, ErrorPropagationMode.SerializeExceptions);
        return executor.Execute();
    }
}

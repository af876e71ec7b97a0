using System.Text.Json.Nodes;
using DurableTask.AzureStorage;
using Supervision.Testing;
using Xunit.Abstractions;

namespace Supervision.Orchestrations.Tests.Standalone;

/// <summary>
/// Records the goldens of <see cref="GoldenReplayTests"/> from the standalone host (DTFx on Azurite). Runs only with
/// <c>SUPERVISION_RECORD_GOLDENS=1</c>; writes into the source folder tests/Supervision.Orchestrations.Tests/Golden.
/// </summary>
[Collection(StandaloneProcesses.Name)]
public sealed class GoldenRecorder(ITestOutputHelper output)
{
    /// <summary>Small, so a 60-day clock at four legal days per second is split into several durable timers.</summary>
    private static readonly TimeSpan MaximumTimerInterval = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task Record_goldens_when_asked()
    {
        if (Environment.GetEnvironmentVariable("SUPERVISION_RECORD_GOLDENS") != "1")
        {
            return;
        }

        var setup = await StandaloneSetup.CreateAsync("g", 4 * 86_400, partitions: 1, extra: new Dictionary<string, string>
        {
            ["Supervision:DurableTask:MaximumTimerInterval"] = MaximumTimerInterval.ToString(),
        });
        var run = new LoadRun(setup, output);
        await using var host = new StandaloneProcess(setup, "golden-host");
        host.Start();
        await host.WaitReadyAsync();
        var limit = TimeSpan.FromSeconds(120);
        Func<HttpClient> c = () => host.Client;

        // 1: on time, replied. 2: accepted, extended, runs into its timers. 3: referred out. 4: objection upheld, re-routed.
        var onTime = await CaseApi.LifecycleAsync(c, "g", 1, run.LegalNow, limit);
        await CaseApi.CallAsync(c, $"/api/cases/{onTime}/reply", "c-housing-officer", "g-reply-1", new { outcome = "Support", opinionFile = "a.pdf" }, limit);
        var extended = await CaseApi.LifecycleAsync(c, "g", 2, run.LegalNow, limit);
        await CaseApi.CallAsync(c, $"/api/cases/{extended}/approve-extension", "c-housing-head", "g-ext-2",
            new { days = 30, reason = "情况复杂", petitionerToldOn = run.LegalNow().ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) }, limit);
        var referred = (string)(await CaseApi.CallAsync(c, "/api/cases", "c-registrar", "g-reg-3", CaseApi.Registration(run.LegalNow(), 3), limit))["case"]!["id"]!;
        await CaseApi.CallAsync(c, $"/api/cases/{referred}/refer-out", "c-registrar", "g-ref-3", new { channel = "Litigation", reason = "已进入诉讼程序" }, limit);
        var objected = (string)(await CaseApi.CallAsync(c, "/api/cases", "c-registrar", "g-reg-4", CaseApi.Registration(run.LegalNow(), 4), limit))["case"]!["id"]!;
        await CaseApi.CallAsync(c, $"/api/cases/{objected}/route", "c-registrar", "g-route-4", new { kind = "Forward", agencyId = "c-housing" }, limit);
        await CaseApi.CallAsync(c, $"/api/cases/{objected}/object", "c-housing-officer", "g-obj-4", new { reason = "不属于本机关职权" }, limit);
        await CaseApi.CallAsync(c, $"/api/cases/{objected}/decide-objection", "c-registrar", "g-dec-4", new { upheld = true, reason = "核实属实" }, limit);
        await CaseApi.CallAsync(c, $"/api/cases/{objected}/route", "c-registrar", "g-route2-4", new { kind = "Forward", agencyId = "c-hrss" }, limit);

        // Let 70 legal days pass, so the extended case's thresholds fire through split timers.
        await Task.Delay(TimeSpan.FromSeconds(70 / 4.0));

        var service = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = setup.Hub,
            StorageAccountClientProvider = new StorageAccountClientProvider(setup.Connection),
            PartitionCount = 1,
        });
        var folder = Path.Combine(TestStorage.RepoRoot(), "tests", "Supervision.Orchestrations.Tests", "Golden");
        foreach (var (file, id) in new[] { ("case-on-time-replied", onTime), ("case-extended-timers-fired", extended), ("case-referred-out", referred), ("case-objection-rerouted", objected) })
        {
            var state = (await service.GetOrchestrationStateAsync(id, allExecutions: false)).Single();
            var history = await service.GetOrchestrationHistoryAsync(id, state.OrchestrationInstance.ExecutionId);
            var golden = new JsonObject
            {
                ["recorded"] = "standalone host (DTFx.AzureStorage on Azurite), legal speed 4 days/s",
                ["name"] = state.Name,
                ["instanceId"] = id,
                ["status"] = state.OrchestrationStatus.ToString(),
                ["maximumTimerInterval"] = MaximumTimerInterval.ToString(),
                ["history"] = JsonNode.Parse(history),
            };
            await File.WriteAllTextAsync(Path.Combine(folder, file + ".json"), golden.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
            output.WriteLine($"{file}: {state.OrchestrationStatus}, {JsonNode.Parse(history)!.AsArray().Count} history events");
        }
    }
}

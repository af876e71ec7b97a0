using System.Text.Json.Nodes;
using DurableTask.AzureStorage;
using Supervision.Testing;
using Xunit.Abstractions;

namespace Supervision.Orchestrations.Tests.Standalone;

/// <summary>
/// A tool, not a check: records new goldens for <see cref="GoldenReplayTests"/> from the standalone host (DTFx on
/// Azurite). Skipped unless <c>SUPERVISION_RECORD_GOLDENS=1</c> (scripts/test.sh lists the skip with its reason). It
/// adds files named <c>&lt;path&gt;.&lt;tag&gt;.json</c> (tag: <c>SUPERVISION_GOLDEN_TAG</c>, default the recording
/// date) to the source folder tests/Supervision.Orchestrations.Tests/Golden and never replaces one: a golden stands for
/// instances already running in production, so an old one is kept for as long as such instances may exist.
/// </summary>
[Collection(StandaloneProcesses.Name)]
public sealed class GoldenRecorder(ITestOutputHelper output)
{
    /// <summary>Small, so a 60-day clock at four legal days per second is split into several durable timers.</summary>
    private static readonly TimeSpan MaximumTimerInterval = TimeSpan.FromSeconds(4);

    [RecordGoldensFact]
    public async Task Record_new_goldens()
    {
        var tag = Environment.GetEnvironmentVariable("SUPERVISION_GOLDEN_TAG")
            ?? Clocks.Wall.GetUtcNow().ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        var folder = Path.Combine(TestStorage.RepoRoot(), "tests", "Supervision.Orchestrations.Tests", "Golden");

        // Refuse before running anything when a file of this tag exists.
        var paths = new[] { "case-on-time-replied", "case-extended-timers-fired", "case-referred-out", "case-objection-rerouted" };
        foreach (var path in paths)
        {
            GoldenFiles.EnsureNew(folder, $"{path}.{tag}");
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
            await GoldenFiles.WriteNewAsync(folder, $"{file}.{tag}", golden.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
            output.WriteLine($"{file}: {state.OrchestrationStatus}, {JsonNode.Parse(history)!.AsArray().Count} history events");
        }
    }
}

/// <summary>Skipped unless <c>SUPERVISION_RECORD_GOLDENS=1</c>: recording is asked for, never part of a test run.</summary>
public sealed class RecordGoldensFactAttribute : FactAttribute
{
    public RecordGoldensFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("SUPERVISION_RECORD_GOLDENS") != "1")
        {
            Skip = "a tool, not a check: set SUPERVISION_RECORD_GOLDENS=1 to record new goldens (Golden/README.md)";
        }
    }
}

/// <summary>Golden files are added, never replaced.</summary>
public static class GoldenFiles
{
    public static string EnsureNew(string folder, string name)
    {
        var file = Path.Combine(folder, name + ".json");
        if (File.Exists(file))
        {
            throw new InvalidOperationException(
                $"{name}.json exists: a golden is never re-recorded (running instances replay against it); set SUPERVISION_GOLDEN_TAG to a new tag.");
        }

        return file;
    }

    public static async Task WriteNewAsync(string folder, string name, string content)
    {
        // CreateNew: even a file that appeared since the check is not overwritten.
        await using var stream = new FileStream(EnsureNew(folder, name), FileMode.CreateNew, FileAccess.Write);
        await using var writer = new StreamWriter(stream);
        await writer.WriteAsync(content);
    }
}

public sealed class GoldenFilesTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("goldens-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task A_golden_that_exists_is_never_overwritten()
    {
        await GoldenFiles.WriteNewAsync(folder, "case-a.t1", "first");

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => GoldenFiles.WriteNewAsync(folder, "case-a.t1", "second"));

        Assert.Contains("never re-recorded", refused.Message, StringComparison.Ordinal);
        Assert.Equal("first", await File.ReadAllTextAsync(Path.Combine(folder, "case-a.t1.json")));
        await GoldenFiles.WriteNewAsync(folder, "case-a.t2", "second");
        Assert.Equal(2, Directory.GetFiles(folder, "*.json").Length);
    }

    [Fact]
    public void The_recorder_is_skipped_unless_recording_is_asked_for()
    {
        var asked = Environment.GetEnvironmentVariable("SUPERVISION_RECORD_GOLDENS") == "1";
        Assert.Equal(asked, new RecordGoldensFactAttribute().Skip is null);
    }
}

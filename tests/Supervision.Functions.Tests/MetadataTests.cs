using System.Text.Json;
using Supervision.Orchestrations;

namespace Supervision.Functions.Tests;

/// <summary>What the Functions host would index: the generated <c>functions.metadata</c> and its companions in the build output.</summary>
public sealed class MetadataTests
{
    private static FunctionEntry Function(string name) =>
        Assert.Single(FunctionsOutput.Functions, f => f.Name == name);

    [Fact]
    public void Function_names_are_unique()
    {
        var duplicates = FunctionsOutput.Functions.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key);

        Assert.Empty(duplicates);
    }

    [Fact]
    public void Every_orchestrator_of_the_catalog_is_an_orchestration_trigger_named_as_its_decider_type()
    {
        using var pipeline = PipelineFixture.Create();
        var names = pipeline.Services.GetRequiredService<OrchestrationCatalog>().OrchestratorNames;

        Assert.Contains("case", names);
        Assert.Contains("reception", names); // the reception reminder (decision R13)
        foreach (var name in names)
        {
            Assert.Equal("orchestrationTrigger", Function(name).Trigger?.Type);
        }

        var orchestrators = FunctionsOutput.Functions.Where(f => f.Trigger?.Type == "orchestrationTrigger").Select(f => f.Name);
        Assert.Equal(names.Order(StringComparer.Ordinal), orchestrators.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_activity_is_an_activity_trigger_named_as_the_orchestrator_calls_it()
    {
        foreach (var name in ActivityNames.All)
        {
            Assert.Equal("activityTrigger", Function(name).Trigger?.Type);
        }

        var activities = FunctionsOutput.Functions.Where(f => f.Trigger?.Type == "activityTrigger").Select(f => f.Name);
        Assert.Equal(ActivityNames.All.Order(StringComparer.Ordinal), activities.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_activity_that_starts_or_signals_instances_gets_a_durable_client()
    {
        Assert.True(Function(ActivityNames.DeliverMessage).Has("durableClient"));
    }

    [Fact]
    public void Every_api_function_is_an_anonymous_http_trigger_with_a_durable_client_and_an_http_output()
    {
        var api = FunctionsOutput.Functions.Where(f => f.Trigger?.Route?.StartsWith("api/", StringComparison.Ordinal) == true).ToList();

        Assert.NotEmpty(api);
        Assert.All(api, f =>
        {
            Assert.Equal("httpTrigger", f.Trigger!.Type);
            Assert.True(f.Has("durableClient"), f.Name);
            Assert.Contains(f.Bindings, b => b.Type == "http" && b.Direction == "Out");
        });
    }

    [Fact]
    public void Http_triggers_are_anonymous_since_the_api_authenticates_itself()
    {
        var metadata = FunctionsOutput.Json("functions.metadata");
        var levels = metadata.EnumerateArray().SelectMany(f => f.GetProperty("bindings").EnumerateArray())
            .Where(b => b.GetProperty("type").GetString() == "httpTrigger")
            .Select(b => b.GetProperty("authLevel").GetString());

        Assert.All(levels, l => Assert.Equal("Anonymous", l));
    }

    [Fact]
    public void No_timer_trigger_exists_while_no_schedule_is_needed()
    {
        Assert.DoesNotContain(FunctionsOutput.Functions, f => f.Trigger?.Type == "timerTrigger");
    }

    [Fact]
    public void Extensions_json_loads_the_durable_task_extension()
    {
        var extensions = FunctionsOutput.Json("extensions.json").GetProperty("extensions").EnumerateArray().Select(e => e.GetProperty("name").GetString());

        Assert.Contains("DurableTask", extensions);
    }

    [Fact]
    public void Worker_config_says_dotnet_isolated_with_worker_indexing()
    {
        var description = FunctionsOutput.Json("worker.config.json").GetProperty("description");

        Assert.Equal("dotnet-isolated", description.GetProperty("language").GetString());
        Assert.Equal("Supervision.Functions.dll", description.GetProperty("defaultWorkerPath").GetString());
        Assert.Equal("true", description.GetProperty("workerIndexing").GetString());
    }

    [Fact]
    public void Host_json_in_the_output_is_the_repository_one_without_bundle_or_custom_handler()
    {
        var output = File.ReadAllText(FunctionsOutput.PathOf("host.json"));
        Assert.Equal(File.ReadAllText(Path.Combine(Supervision.Testing.TestStorage.RepoRoot(), "host.json")), output);

        using var doc = JsonDocument.Parse(output);
        var host = doc.RootElement;
        Assert.Equal("2.0", host.GetProperty("version").GetString());
        Assert.False(host.TryGetProperty("extensionBundle", out _));
        Assert.False(host.TryGetProperty("customHandler", out _));
        Assert.Equal(string.Empty, host.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    [Fact]
    public void Host_json_durable_task_settings_match_the_standalone_defaults()
    {
        var standalone = new Supervision.Standalone.DurableTaskOptions();
        using var doc = JsonDocument.Parse(File.ReadAllText(FunctionsOutput.PathOf("host.json")));
        var durable = doc.RootElement.GetProperty("extensions").GetProperty("durableTask");
        var storage = durable.GetProperty("storageProvider");

        Assert.Equal(standalone.HubName, durable.GetProperty("hubName").GetString());
        Assert.Equal(standalone.PartitionCount, storage.GetProperty("partitionCount").GetInt32());
        Assert.Equal(standalone.MaxQueuePollingInterval, TimeSpan.Parse(storage.GetProperty("maxQueuePollingInterval").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(standalone.ControlQueueBatchSize, storage.GetProperty("controlQueueBatchSize").GetInt32());
        Assert.Equal(standalone.MaxConcurrentOrchestrations, durable.GetProperty("maxConcurrentOrchestratorFunctions").GetInt32());
        Assert.Equal(standalone.MaxConcurrentActivities, durable.GetProperty("maxConcurrentActivityFunctions").GetInt32());
        Assert.Equal(standalone.ExtendedSessions, durable.GetProperty("extendedSessionsEnabled").GetBoolean());
    }

    [Fact]
    public void The_ui_files_ship_in_the_output()
    {
        Assert.True(File.Exists(FunctionsOutput.PathOf(Path.Combine("wwwroot", "app", "index.html"))));
    }
}

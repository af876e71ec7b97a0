using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Supervision.Functions.Triggers;
using Supervision.Testing;

namespace Supervision.Functions.Tests;

/// <summary>
/// The Functions app layout rules, checked cheaply (no self-contained publish): host.json, one folder per function,
/// binding names equal to what the endpoints read, and scripts/package.sh assembling the zip root.
/// </summary>
public sealed class DeploymentLayoutTests : IClassFixture<WebApplicationFactory<Program>>
{
    private static readonly string Root = TestStorage.RepoRoot();
    private readonly WebApplicationFactory<Program> factory;

    public DeploymentLayoutTests(WebApplicationFactory<Program> factory) => this.factory = factory;

    private static JsonElement ReadJson(params string[] path)
    {
        var file = Path.Combine([Root, .. path]);
        Assert.True(File.Exists(file), $"{file} missing");
        return JsonDocument.Parse(File.ReadAllText(file)).RootElement.Clone();
    }

    private static JsonElement[] Bindings(string function) =>
        ReadJson("functions", function, "function.json").GetProperty("bindings").EnumerateArray().ToArray();

    [Fact]
    public void Host_json_runs_the_handler_executable_as_a_custom_handler_with_forwarding()
    {
        var host = ReadJson("host.json");
        Assert.Equal("2.0", host.GetProperty("version").GetString());
        Assert.Equal("Microsoft.Azure.Functions.ExtensionBundle", host.GetProperty("extensionBundle").GetProperty("id").GetString());
        Assert.Equal("[4.*, 5.0.0)", host.GetProperty("extensionBundle").GetProperty("version").GetString());
        var handler = host.GetProperty("customHandler");
        Assert.Equal(typeof(Program).Assembly.GetName().Name, handler.GetProperty("description").GetProperty("defaultExecutablePath").GetString());
        Assert.True(handler.GetProperty("enableForwardingHttpRequest").GetBoolean());
        Assert.Equal(string.Empty, host.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.Matches(@"^\d\d:\d\d:\d\d$", host.GetProperty("functionTimeout").GetString());
    }

    [Fact]
    public void Host_json_queue_settings_match_what_the_handler_assumes()
    {
        var queues = ReadJson("host.json").GetProperty("extensions").GetProperty("queues");
        Assert.Equal("base64", queues.GetProperty("messageEncoding").GetString());
        Assert.Equal(TriggerOptions.DefaultMaxDequeueCount, queues.GetProperty("maxDequeueCount").GetInt32());
    }

    [Fact]
    public void The_function_folders_are_exactly_api_sweep_and_work()
    {
        var folders = Directory.GetFiles(Path.Combine(Root, "functions"), "function.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Path.Combine(Root, "functions"), Path.GetDirectoryName(f)!))
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.Equal([TriggerNames.ApiFunction, TriggerNames.SweepFunction, TriggerNames.WorkFunction], folders);
    }

    [Fact]
    public void Api_has_exactly_one_http_trigger_and_one_http_output_as_forwarding_requires()
    {
        var bindings = Bindings(TriggerNames.ApiFunction);
        Assert.Equal(2, bindings.Length);
        var trigger = Assert.Single(bindings, b => b.GetProperty("type").GetString() == "httpTrigger");
        Assert.Equal("in", trigger.GetProperty("direction").GetString());
        Assert.Equal(TriggerNames.RequestBinding, trigger.GetProperty("name").GetString());
        Assert.Equal("{*path}", trigger.GetProperty("route").GetString());
        Assert.Equal("anonymous", trigger.GetProperty("authLevel").GetString());
        var output = Assert.Single(bindings, b => b.GetProperty("type").GetString() == "http");
        Assert.Equal("out", output.GetProperty("direction").GetString());
    }

    [Fact]
    public void Sweep_is_a_monitored_timer_every_minute_that_does_not_run_on_startup()
    {
        var timer = Assert.Single(Bindings(TriggerNames.SweepFunction));
        Assert.Equal("timerTrigger", timer.GetProperty("type").GetString());
        Assert.Equal("in", timer.GetProperty("direction").GetString());
        Assert.Equal(TriggerNames.TimerBinding, timer.GetProperty("name").GetString());
        Assert.Equal("0 */1 * * * *", timer.GetProperty("schedule").GetString());
        Assert.True(timer.GetProperty("useMonitor").GetBoolean());
        Assert.False(timer.GetProperty("runOnStartup").GetBoolean());
    }

    [Fact]
    public void Work_is_a_queue_trigger_on_the_work_queue_through_AzureWebJobsStorage()
    {
        var queue = Assert.Single(Bindings(TriggerNames.WorkFunction));
        Assert.Equal("queueTrigger", queue.GetProperty("type").GetString());
        Assert.Equal("in", queue.GetProperty("direction").GetString());
        Assert.Equal(TriggerNames.MessageBinding, queue.GetProperty("name").GetString());
        Assert.Equal(TriggerNames.WorkQueue, queue.GetProperty("queueName").GetString());
        Assert.Equal("AzureWebJobsStorage", queue.GetProperty("connection").GetString());
    }

    [Theory]
    [InlineData(TriggerNames.SweepFunction)]
    [InlineData(TriggerNames.WorkFunction)]
    public void Every_non_http_function_has_a_POST_endpoint_at_its_name(string function)
    {
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        Assert.Contains(endpoints, e =>
            e.RoutePattern.RawText?.TrimStart('/') == function &&
            e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("POST") == true);
    }

    [Fact]
    public void Local_settings_example_is_committed_and_the_real_one_is_ignored()
    {
        var example = ReadJson("local.settings.example.json");
        Assert.Equal("Custom", example.GetProperty("Values").GetProperty("FUNCTIONS_WORKER_RUNTIME").GetString());
        Assert.Contains("local.settings.json", File.ReadAllLines(Path.Combine(Root, ".gitignore")));
    }

    [Fact]
    public async Task Package_script_puts_host_json_the_function_folders_and_the_executable_at_the_zip_root()
    {
        var work = Directory.CreateTempSubdirectory("supervision-package-");
        try
        {
            // A stand-in publish output: the layout is under test here, not `dotnet publish`.
            var publish = Directory.CreateDirectory(Path.Combine(work.FullName, "publish"));
            var exe = typeof(Program).Assembly.GetName().Name!;
            await File.WriteAllTextAsync(Path.Combine(publish.FullName, exe), "#!/bin/sh\n");
            await File.WriteAllTextAsync(Path.Combine(publish.FullName, exe + ".dll"), "dll");
            await File.WriteAllTextAsync(Path.Combine(publish.FullName, exe + ".pdb"), "pdb");
            var output = Path.Combine(work.FullName, "out");

            var (code, log) = await RunAsync("bash", Path.Combine(Root, "scripts", "package.sh"), "--publish-dir", publish.FullName, "--out", output);
            Assert.True(code == 0, log);

            using var zip = ZipFile.OpenRead(Path.Combine(output, "functionapp.zip"));
            var names = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            Assert.Contains("host.json", names);
            Assert.Contains("api/function.json", names);
            Assert.Contains("sweep/function.json", names);
            Assert.Contains("work/function.json", names);
            Assert.Contains(exe, names);
            Assert.Contains(exe + ".dll", names);
            Assert.DoesNotContain(exe + ".pdb", names);
            Assert.DoesNotContain(names, n => n.StartsWith("Supervision.Functions/", StringComparison.Ordinal) || n.Contains("local.settings", StringComparison.Ordinal));
            var mode = (UnixFileMode)((zip.GetEntry(exe)!.ExternalAttributes >> 16) & 0x1FF);
            Assert.True(mode.HasFlag(UnixFileMode.UserExecute), $"{exe} is not executable in the zip (mode {mode})");
            using (var reader = new StreamReader(zip.GetEntry("work/function.json")!.Open()))
            {
                Assert.Equal(await File.ReadAllTextAsync(Path.Combine(Root, "functions", "work", "function.json")), await reader.ReadToEndAsync());
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Package_script_refuses_a_publish_output_without_the_executable_host_json_names()
    {
        var work = Directory.CreateTempSubdirectory("supervision-package-");
        try
        {
            var (code, log) = await RunAsync("bash", Path.Combine(Root, "scripts", "package.sh"), "--publish-dir", work.FullName, "--out", Path.Combine(work.FullName, "out"));
            Assert.NotEqual(0, code);
            Assert.Contains("defaultExecutablePath", log, StringComparison.Ordinal);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<(int Code, string Log)> RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout + await stderr);
    }
}

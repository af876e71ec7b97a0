using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Mvc.Testing;
using Supervision.Testing;

namespace Supervision.Api.Tests;

/// <summary>
/// Start-up as the Functions host sees it: it starts the handler with <c>FUNCTIONS_CUSTOMHANDLER_PORT</c> and polls
/// <c>GET /</c> until anything answers; Flex Consumption allows 30 s. Storage must never be awaited on the way.
/// </summary>
public sealed class StartupTests
{
    private static readonly TimeSpan FlexInitializationLimit = TimeSpan.FromSeconds(30);

    /// <summary>Every storage setting the app may read, pointed at a loopback port nobody listens on.</summary>
    private static Dictionary<string, string> UnreachableStorage()
    {
        var dead = TestStorage.FreePort();
        var connection = TestStorage.AzuriteConnectionString(dead, dead, dead);
        return new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = connection,
            ["Storage:Tables"] = connection,
            ["Storage:Blobs"] = connection,
            ["Storage:Queues"] = connection,
            ["ConnectionStrings:Storage"] = connection,
            ["Supervision:Storage"] = connection,
        };
    }

    [Fact]
    public async Task Root_answers_while_storage_is_unreachable()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            foreach (var (key, value) in UnreachableStorage())
            {
                b.UseSetting(key, value);
            }
        });

        var started = Stopwatch.StartNew();
        var response = await Task.Run(async () =>
        {
            using var client = factory.CreateClient();
            return await client.GetAsync(new Uri("/", UriKind.Relative));
        }).WaitAsync(FlexInitializationLimit);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(started.Elapsed < FlexInitializationLimit, $"GET / took {started.Elapsed}");
    }

    [Fact]
    public async Task The_built_handler_listens_on_FUNCTIONS_CUSTOMHANDLER_PORT_with_storage_unreachable()
    {
        var dll = HandlerAssemblyPath();
        var port = TestStorage.FreePort();
        var psi = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        psi.ArgumentList.Add(dll);
        psi.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        psi.Environment.Remove("ASPNETCORE_URLS");
        psi.Environment.Remove("URLS");
        foreach (var (key, value) in UnreachableStorage())
        {
            psi.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        using var process = Process.Start(psi)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
        process.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var deadline = Stopwatch.StartNew();
            HttpResponseMessage? response = null;
            while (response is null)
            {
                Assert.False(process.HasExited, $"handler exited with {(process.HasExited ? process.ExitCode : 0)}:\n{string.Join('\n', output)}");
                try
                {
                    response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/"));
                }
                catch (HttpRequestException) when (deadline.Elapsed < FlexInitializationLimit)
                {
                    // Polling a real process's readiness, exactly as the Functions host does.
                    await Task.Delay(100);
                }
            }

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("supervision", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            // Loopback only: the host calls 127.0.0.1, nothing else may reach the handler directly.
            Assert.Contains(output, l => l.Contains($"http://127.0.0.1:{port}", StringComparison.Ordinal));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>The handler as built by the solution build (same configuration as this test assembly).</summary>
    private static string HandlerAssemblyPath()
    {
        var configuration = typeof(StartupTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var name = typeof(Program).Assembly.GetName().Name!;
        var path = Path.Combine(TestStorage.RepoRoot(), "functions", name, "bin", configuration, "net10.0", name + ".dll");
        Assert.True(File.Exists(path), $"{path} not found: build the solution first (scripts/test.sh does)");
        return path;
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Supervision.Api.Tests.Cases;
using Supervision.Testing;

namespace Supervision.Api.Tests.Hardening;

/// <summary>
/// Item 9: stopping <c>scripts/run.sh</c> (SIGTERM to its process group, as a supervisor or Ctrl+C does) loses no
/// acknowledged write. The script runs in its own session; the test writes, stops it, starts it again with
/// <c>SUPERVISION_PERSIST=1</c> on the same data directory and reads the write back.
/// </summary>
[RunsLong]
public sealed class RunScriptTests
{
    [Fact]
    [Trait("Category", "Script")]
    public async Task Stopping_the_service_with_SIGTERM_to_its_process_group_keeps_the_last_write()
    {
        var data = Directory.CreateTempSubdirectory("supervision-persist-");
        var port = TestStorage.FreePort();
        var url = $"http://127.0.0.1:{port}";
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Supervision-User", "c-registrar");
        try
        {
            string id;
            using (var first = Start(data.FullName, url))
            {
                await ReadyAsync(http, first);
                var created = await http.PostAsJsonAsync("/api/cases", new
                {
                    channel = "Letter",
                    receivedAt = "2025-09-10T01:00:00Z",
                    unitId = "c-bureau",
                    petitioner = new { name = "持久化", phone = "13800000000" },
                    summary = "停机前的最后一次写入",
                    matterKey = "persist:last-write",
                    category = "Complaint",
                }).OkAsync();
                id = (string)created["case"]!["id"]!;
                await StopAsync(first);
            }

            using var second = Start(data.FullName, url);
            try
            {
                await ReadyAsync(http, second);
                var read = await CaseApp.EventuallyAsync<HttpResponseMessage>(
                    async () =>
                    {
                        var r = await http.GetAsync(new Uri($"/api/cases/{id}", UriKind.Relative));
                        return r.StatusCode == HttpStatusCode.NotFound ? null : r;
                    },
                    "the case written before the stop",
                    TimeSpan.FromSeconds(30));
                Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            }
            finally
            {
                await StopAsync(second);
            }
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    private static Process Start(string dataDir, string url)
    {
        var root = TestStorage.RepoRoot();
        var start = new ProcessStartInfo("setsid", ["bash", Path.Combine(root, "scripts", "run.sh"), "--Supervision:Clock:Start=2025-09-10T01:00:00Z"])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["SUPERVISION_PERSIST"] = "1";
        start.Environment["SUPERVISION_AZURITE_DIR"] = dataDir;
        start.Environment["SUPERVISION_URLS"] = url;
        start.Environment["SUPERVISION_SPEED"] = "1";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task ReadyAsync(HttpClient http, Process process) =>
        await CaseApp.EventuallyAsync<string>(
            async () =>
            {
                Assert.False(process.HasExited, $"run.sh exited with {(process.HasExited ? process.ExitCode : 0)} before it was ready");
                try
                {
                    var r = await http.GetAsync(new Uri("/api/me", UriKind.Relative));
                    return r.IsSuccessStatusCode ? "ready" : null;
                }
                catch (HttpRequestException)
                {
                    return null;
                }
            },
            "the service started by run.sh",
            TimeSpan.FromMinutes(5));

    /// <summary>SIGTERM to the whole process group (the script runs in its own session, so its pid is the group id).</summary>
    private static async Task StopAsync(Process process)
    {
        if (process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", "--", "-" + process.Id]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
    }
}

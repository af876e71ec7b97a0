using System.Globalization;
using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Supervision.Testing;

namespace Supervision.Api.Tests;

/// <summary>
/// Start-up never waits on storage: the web server answers <c>GET /</c> while storage accepts connections and never
/// answers (the Durable Task worker keeps retrying the task hub in the background). A storage call anywhere on the
/// start-up or request path would hang there, so the answer itself is the proof; no elapsed time is asserted.
/// </summary>
public sealed class StartupTests : IDisposable
{
    /// <summary>Only ends a hang (the failure): far above anything a healthy start takes.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(90);

    /// <summary>A loopback "storage" that accepts every connection and never sends a byte back.</summary>
    private readonly System.Net.Sockets.TcpListener blackHole = new(IPAddress.Loopback, 0);
    private readonly List<System.Net.Sockets.Socket> held = [];

    public StartupTests()
    {
        blackHole.Start();
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var socket = await blackHole.AcceptSocketAsync();
                    lock (held)
                    {
                        held.Add(socket);
                    }
                }
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                // The listener was stopped at the end of the test.
            }
        });
    }

    public void Dispose()
    {
        blackHole.Stop();
        lock (held)
        {
            held.ForEach(s => s.Dispose());
        }
    }

    /// <summary>Every storage setting the app may read, pointed at the black hole.</summary>
    private Dictionary<string, string> UnreachableStorage()
    {
        var port = ((IPEndPoint)blackHole.LocalEndpoint).Port;
        var connection = TestStorage.AzuriteConnectionString(port, port, port);
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

            // Stopping the Durable Task worker waits on storage calls the black hole never answers; the test is about
            // starting, so the host is not given the default 30 s to stop.
            b.UseShutdownTimeout(TimeSpan.FromSeconds(1));
        });

        var response = await Task.Run(async () =>
        {
            using var client = factory.CreateClient();
            return await client.GetAsync(new Uri("/", UriKind.Relative));
        }).WaitAsync(HangGuard);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

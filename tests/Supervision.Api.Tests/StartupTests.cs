using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Mvc.Testing;
using Supervision.Testing;

namespace Supervision.Api.Tests;

/// <summary>
/// Start-up never waits on storage: the web server answers <c>GET /</c> while storage is unreachable (the Durable Task
/// worker keeps retrying the task hub in the background). Flex Consumption allows an app 30 s to start.
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
}

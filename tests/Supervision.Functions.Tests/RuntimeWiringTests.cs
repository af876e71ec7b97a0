using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Supervision.Runtime;
using static Supervision.Functions.Tests.HostContract;

namespace Supervision.Functions.Tests;

/// <summary>Without the runtime registered, the trigger endpoints refuse with 503 (the host retries) and say why.</summary>
public sealed class RuntimeWiringTests : IClassFixture<WebApplicationFactory<Program>>
{
    private readonly WebApplicationFactory<Program> factory;

    public RuntimeWiringTests(WebApplicationFactory<Program> factory) =>
        this.factory = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
        {
            s.RemoveAll<ISweeper>();
            s.RemoveAll<IWorkProcessor>();
        }));

    [Theory]
    [InlineData("sweep", "timer.json", "ISweeper")]
    [InlineData("work", "queue-string.json", "IWorkProcessor")]
    public async Task A_valid_payload_without_the_runtime_registered_is_503_naming_the_missing_service(string function, string capture, string service)
    {
        using var client = factory.CreateClient();

        var problem = await AssertProblemAsync(await PostAsync(client, function, Capture(capture)), HttpStatusCode.ServiceUnavailable);

        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains(service, detail, StringComparison.Ordinal);
        Assert.Contains("AddSupervisionRuntime", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_POST_reaches_the_trigger_endpoints()
    {
        using var client = factory.CreateClient();

        var response = await client.GetAsync(new Uri("/work", UriKind.Relative));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }
}

using Microsoft.Extensions.Configuration;
using Supervision.Testing;

namespace Supervision.Functions.Tests;

/// <summary>The Functions app's shared API pipeline, built as the worker builds it, with storage on a port nobody listens on.</summary>
public static class PipelineFixture
{
    public static OwnedPipeline Create(IDictionary<string, string?>? settings = null)
    {
        var dead = TestStorage.FreePort();
        var values = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = TestStorage.AzuriteConnectionString(dead, dead, dead),
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            values[k] = v;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return new OwnedPipeline(new ApiPipeline(configuration, "Production"));
    }
}

/// <summary>Disposes the pipeline synchronously for <c>using var</c> in tests.</summary>
public sealed class OwnedPipeline(ApiPipeline pipeline) : IDisposable
{
    public ApiPipeline Pipeline => pipeline;

    public IServiceProvider Services => pipeline.Services;

    public void Dispose() => pipeline.DisposeAsync().AsTask().GetAwaiter().GetResult();
}

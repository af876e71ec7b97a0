using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

namespace Supervision.Functions;

/// <summary>
/// The isolated worker's entry point. The API, UI, orchestrations and activities are composed once, in the shared API
/// pipeline (<see cref="ApiPipeline"/>); the worker adds Application Insights and the triggers that adapt to it.
/// Not a top-level program, so the test project can reference this app and the standalone host (whose
/// <c>Program</c> is global) side by side.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        var builder = FunctionsApplication.CreateBuilder(args);
        builder.ConfigureFunctionsWebApplication();
        builder.Services.AddWorkerTelemetry(builder.Configuration);
        builder.Services.AddSingleton<ApiPipeline>();
        builder.Build().Run();
    }
}

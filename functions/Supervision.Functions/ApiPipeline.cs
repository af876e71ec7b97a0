using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Supervision.Api;
using Supervision.Orchestrations;

namespace Supervision.Functions;

/// <summary>
/// The API's request pipeline, built once in-process from the one definition of every endpoint
/// (<see cref="SupervisionApi"/>), exactly as the standalone host maps it; and the app's composition root: the
/// orchestrator and activity triggers resolve the catalog and the activities from <see cref="Services"/>, so one set of
/// services serves HTTP and the Durable Task side. Its web server and hosted services are never started (the Functions
/// worker owns the process and the HTTP listener); only its middleware and endpoints run, on the worker's
/// <see cref="HttpContext"/> (docs/decisions.md, E7).
/// </summary>
public sealed class ApiPipeline : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly RequestDelegate pipeline;

    /// <summary>The worker's configuration and loggers flow in, so both see the same settings and logs go to the host.</summary>
    public ApiPipeline(IConfiguration configuration, IHostEnvironment environment, ILoggerFactory loggers)
        : this(configuration, environment.EnvironmentName, loggers)
    {
    }

    public ApiPipeline(IConfiguration configuration, string environmentName, ILoggerFactory? loggers = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = environmentName,
            ApplicationName = typeof(SupervisionApi).Assembly.GetName().Name,
        });
        builder.Configuration.AddConfiguration(configuration);
        if (loggers is not null)
        {
            builder.Logging.ClearProviders();
            builder.Services.Replace(ServiceDescriptor.Singleton(loggers));
        }

        builder.AddSupervisionApi();
        builder.Services.AddSingleton<IDurableEngine, FunctionsDurableEngine>();
        app = builder.Build();

        // What WebApplication adds around the app's own middleware when its host starts, written out because it never
        // starts here: routing first, the API's middleware and endpoints, then the endpoint middleware.
        app.UseRouting();
        app.MapSupervisionApi();
        app.UseEndpoints(_ => { });
        pipeline = ((IApplicationBuilder)app).Build();
    }

    /// <summary>The composed services (API, orchestrations, activities, storage).</summary>
    public IServiceProvider Services => app.Services;

    /// <summary>
    /// Runs one request through the pipeline on the worker's <paramref name="http"/>, with a scope of the pipeline's
    /// services and <paramref name="client"/> as the Durable Task client for the calls it makes. The response is
    /// written to <paramref name="http"/>; the returned result writes nothing more.
    /// </summary>
    public async Task<IActionResult> RunAsync(HttpContext http, DurableTaskClient? client)
    {
        var outerServices = http.RequestServices;
        var outerEndpoint = http.GetEndpoint();
        await using var scope = app.Services.CreateAsyncScope();
        using var durable = client is null ? null : DurableClientScope.Enter(client);
        try
        {
            http.RequestServices = scope.ServiceProvider;
            http.SetEndpoint(null); // the worker's own routing may have chosen one; the API's routing must choose
            http.Request.RouteValues.Clear();
            await pipeline(http);
        }
        finally
        {
            http.RequestServices = outerServices;
            http.SetEndpoint(outerEndpoint);
        }

        return new EmptyResult();
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();
}

using Microsoft.Extensions.FileProviders;
using Supervision.Api.Platform;

namespace Supervision.Api;

/// <summary>
/// The API and UI, defined once. A host adds them (<see cref="AddSupervisionApi"/>), supplies the Durable Task side (an
/// <see cref="Orchestrations.IDurableEngine"/> and a worker running the orchestrations), and maps them
/// (<see cref="MapSupervisionApi"/>). The standalone host maps them on Kestrel; the Functions app runs the same request
/// pipeline behind its HTTP triggers. Start-up never waits on storage: Flex Consumption gives an app 30 s.
/// </summary>
public static class SupervisionApi
{
    public static WebApplicationBuilder AddSupervisionApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();

        // Logging never holds up a request: the console logger's queue (its default is to make the logging thread wait
        // when the console is slower than the log) drops entries instead. A flood of failing requests, each logging a
        // stack trace, once ran the whole process at the speed of its console, health probes included (issue 15.4).
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o =>
            o.QueueFullMode = Microsoft.Extensions.Logging.Console.ConsoleLoggerQueueFullMode.DropWrite);
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.AddOptions<ApiLimits>().Bind(builder.Configuration.GetSection(ApiLimits.Section));

        // The outer bound for every request (the endpoints cap their own bodies lower); the standalone host is Kestrel.
        var maxBody = builder.Configuration.GetValue($"{ApiLimits.Section}:MaxRequestBodyBytes", new ApiLimits().MaxRequestBodyBytes);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = maxBody);
        builder.Services.AddSupervisionRateLimits();
        builder.Services.AddHealthChecks();
        builder.Services.AddCalendar();
        builder.AddSupervision();
        return builder;
    }

    public static WebApplication MapSupervisionApi(this WebApplication app)
    {
        // First, so every response carries the headers: pages, API, downloads and the problems written below (W1).
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();

        // Monitors poll GET / until any response comes back; answer at once. Browsers go to the UI.
        app.MapGet("/", (HttpRequest r) => r.Headers.Accept.ToString().Contains("text/html", StringComparison.Ordinal)
            ? Results.Redirect("/app/")
            : Results.Json(new { service = "supervision", status = "up" }));
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") });

        // The UI's files ship in wwwroot/ beside the binaries of whichever host runs.
        var files = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "wwwroot"));
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        app.MapSupervision();
        app.MapCalendarEndpoints();
        Ui.UiEndpoints.MapUiEndpoints(app, app.Configuration.GetValue<bool>("Supervision:Demo"));
        return app;
    }
}

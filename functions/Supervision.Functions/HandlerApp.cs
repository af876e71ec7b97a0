using System.Globalization;

namespace Supervision.Functions;

/// <summary>
/// Builds the custom-handler web app. Under the Functions host it listens on
/// <c>FUNCTIONS_CUSTOMHANDLER_PORT</c> (127.0.0.1 only; the host calls it there); standalone it listens on
/// <c>Supervision:Urls</c> or http://127.0.0.1:7071, the Functions local port.
/// Start-up never waits on storage: Flex Consumption gives the app 30 s, and the host polls <c>GET /</c>.
/// </summary>
public static class HandlerApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        var port = Environment.GetEnvironmentVariable("FUNCTIONS_CUSTOMHANDLER_PORT");
        if (!string.IsNullOrEmpty(port))
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{int.Parse(port, CultureInfo.InvariantCulture)}");
        }
        else if (builder.Configuration["urls"] is null && builder.Configuration["ASPNETCORE_URLS"] is null)
        {
            builder.WebHost.UseUrls(builder.Configuration["Supervision:Urls"] ?? "http://127.0.0.1:7071");
        }

        builder.Services.AddProblemDetails();
        builder.Services.AddHealthChecks();
        builder.Services.AddCalendar();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();

        // The Functions host polls GET / until any response comes back; answer at once.
        app.MapGet("/", () => Results.Json(new { service = "supervision", status = "up" }));
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") });
        app.MapTriggerEndpoints();
        app.MapCalendarEndpoints();
        return app;
    }
}

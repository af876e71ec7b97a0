using Microsoft.Extensions.Options;
using Supervision.Domain.Cases;
using Supervision.Domain.JointAssignments;
using Supervision.Domain.Policy;
using Supervision.Domain.Tickets;
using Supervision.Functions.Alerts;
using Supervision.Functions.Auth;
using Supervision.Functions.Cases;
using Supervision.Functions.Demo;
using Supervision.Functions.Org;
using Supervision.Runtime;

namespace Supervision.Functions.Platform;

/// <summary>
/// Wires the application: storage settings, the clock, the runtime with the case orchestration, the org directory,
/// authentication and the API. Under the Functions host (<c>FUNCTIONS_CUSTOMHANDLER_PORT</c> set) the timer and queue
/// triggers drive the runtime; standalone, hosted services stand in for them. Nothing here touches storage.
/// </summary>
public static class Composition
{
    public static void AddSupervision(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var storage = StorageSettings.From(config);
        builder.Services.AddSingleton(storage);

        // One clock for the process (STYLE.md): real, or accelerated for demos (Supervision:Clock:Speed, e.g. 86400 = 1 day/s).
        var speed = config.GetValue("Supervision:Clock:Speed", 1.0);
        if (speed < 1)
        {
            throw new InvalidOperationException("Supervision:Clock:Speed must be 1 or more.");
        }

        if (speed > 1)
        {
            builder.Services.AddSupervisionClock(speed, config.GetValue<DateTimeOffset?>("Supervision:Clock:Start"));
        }

        var runtime = builder.Services.AddSupervisionRuntime(o =>
        {
            config.GetSection("Supervision:Runtime").Bind(o);
            o.ConnectionString ??= storage.ConnectionString;
            o.TableEndpoint ??= storage.TableServiceUri;
            o.QueueEndpoint ??= storage.QueueServiceUri;
        });
        if (storage.Credential is not null)
        {
            builder.Services.AddSingleton(storage.Credential);
        }

        // Alerts go to the local mailbox; with Supervision:Graph:Enabled also by e-mail and Teams (docs/alerts.md).
        if (config.GetValue<bool>($"{GraphAlertOptions.Section}:Enabled"))
        {
            runtime.UseGraphAlerts(config);
        }

        builder.Services.AddSingleton(PolicyCatalog.Default);
        builder.Services.AddSingleton<ICalendarSource, StoredCalendarSource>();
        builder.Services.AddOptions<OrgOptions>().Bind(config.GetSection("Supervision:Org")).Configure(o =>
        {
            if (config.GetValue<bool>("Supervision:Demo") && config["Supervision:Org:Seed"] is null)
            {
                o.Seed = "demo";
            }
        });
        builder.Services.AddSingleton<OrgService>();
        builder.Services.AddSingleton<HostedCaseDecider>();
        builder.Services.AddSingleton(sp => OrchestrationRegistration.For(sp.GetRequiredService<HostedCaseDecider>(), CaseJson.Options));

        // A red case clock sends RaiseTicket to "ticket"; conference and joint decisions come back to "case" (docs/supervision.md).
        builder.Services.AddSingleton<HostedTicketDecider>();
        builder.Services.AddSingleton(sp => OrchestrationRegistration.For(sp.GetRequiredService<HostedTicketDecider>(), TicketJson.Options));
        builder.Services.AddSingleton<HostedJointDecider>();
        builder.Services.AddSingleton(sp => OrchestrationRegistration.For(sp.GetRequiredService<HostedJointDecider>(), JointJson.Options));
        builder.Services.AddSingleton<CaseServices>();

        var underFunctionsHost = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("FUNCTIONS_CUSTOMHANDLER_PORT"));
        if (!underFunctionsHost && config.GetValue("Supervision:Standalone", true) && storage.IsConfigured)
        {
            runtime.AddStandaloneHosting();
        }

        if (config.GetValue<bool>("Supervision:Demo"))
        {
            builder.Services.AddHostedService<DemoSeeder>();
        }

        builder.AddSupervisionAuth();
        builder.Services.AddOpenApi();

        // Enums travel as their names (Urgent, Red…), never as numbers that mean nothing to a reader.
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
    }

    public static void MapSupervision(this WebApplication app)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi();
        app.MapCaseEndpoints();
        app.MapOrgEndpoints();
        app.MapOpsEndpoints();
        app.MapDemoEndpoints(app.Configuration.GetValue<bool>("Supervision:Demo"));
    }
}

using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Supervision.Api.Alerts;
using Supervision.Api.Auth;
using Supervision.Api.Cases;
using Supervision.Api.Demo;
using Supervision.Api.Files;
using Supervision.Api.Org;
using Supervision.Api.Oversight;
using Supervision.Domain.Alerts;
using Supervision.Domain.Backlog;
using Supervision.Domain.Cases;
using Supervision.Domain.JointAssignments;
using Supervision.Domain.Policy;
using Supervision.Domain.Reception;
using Supervision.Domain.Tickets;
using Supervision.Orchestrations;

namespace Supervision.Api.Platform;

/// <summary>
/// Wires the application: storage settings, the legal clock, the orchestrations (deciders, activities, storage, the
/// command gateway), the org directory, authentication and the API. The host adds the Durable Task engine. Nothing here
/// touches storage.
/// </summary>
public static class Composition
{
    public static void AddSupervision(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var storage = StorageSettings.From(config);
        builder.Services.AddSingleton(storage);
        builder.Services.AddClocks(ClockSettings.Mapping(config, Clocks.Wall.GetUtcNow()));

        builder.Services.AddSupervisionOrchestrations(o =>
        {
            config.GetSection("Supervision:Storage").Bind(o);
            o.ConnectionString ??= storage.ConnectionString;
            o.TableEndpoint ??= storage.TableServiceUri;
        });
        builder.Services.Configure<CommandOptions>(config.GetSection("Supervision:Commands"));
        if (storage.Credential is not null)
        {
            builder.Services.AddSingleton(storage.Credential);
        }

        // Alerts go to the local mailbox; with Supervision:Graph:Enabled also by e-mail and Teams (docs/alerts.md).
        if (config.GetValue<bool>($"{GraphAlertOptions.Section}:Enabled"))
        {
            builder.Services.UseGraphAlerts(config);
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
        builder.Services.AddDecider(CaseDecider.Type, CaseState.Initial, CaseJson.Options,
            (sp, org, calendar) => new CaseDecider(calendar, sp.GetRequiredService<PolicyCatalog>(), org));

        // A red case clock sends RaiseTicket to "ticket"; conference and joint decisions come back to "case" (docs/supervision.md).
        builder.Services.AddDecider(TicketDecider.Type, TicketState.Initial, TicketJson.Options,
            (_, org, calendar) => new TicketDecider(calendar, org, SupervisionPolicy.Default));
        builder.Services.AddDecider(JointDecider.Type, JointState.Initial, JointJson.Options,
            (_, org, calendar) => new JointDecider(calendar, org, SupervisionPolicy.Default));

        // 积案化解 campaigns (decision B1): cases are added from the case's state of record; no message back to the case.
        builder.Services.AddDecider(CampaignDecider.Type, CampaignState.Initial, CampaignJson.Options,
            (_, org, _) => new CampaignDecider(org, BacklogPolicy.Default));

        // A booked reception slot reminds the leader and the bureaus a day ahead (decision R13; a Timed alert, never digested).
        builder.Services.AddDecider(AppointmentDecider.Type, AppointmentState.Initial, AppointmentJson.Options,
            (_, org, _) => new AppointmentDecider(org, ReceptionPolicy.Default));

        // Alerts: routine ones wait for the morning digest, urgent ones escalate until acknowledged (docs/alerts.md, A13).
        builder.Services.AddOptions<AlertOptions>().Bind(config.GetSection(AlertOptions.Section));
        builder.Services.Replace(ServiceDescriptor.Singleton<IAlertRouter, PolicyAlertRouter>());
        builder.Services.AddDecider(AlertDecider.Type, AlertState.Initial, AlertJson.Options,
            (sp, org, _) => new AlertDecider(org, sp.GetRequiredService<IOptions<AlertOptions>>().Value.Policy()));
        builder.Services.AddDecider(DigestDecider.Type, DigestState.Initial, AlertJson.Options,
            (sp, org, _) => new DigestDecider(org, sp.GetRequiredService<IOptions<AlertOptions>>().Value.Policy()));
        builder.Services.AddSingleton<QueryCodeThrottle>();
        builder.Services.AddOptions<PortalOptions>().Bind(config.GetSection(PortalOptions.Section));
        builder.Services.AddSingleton<PortalChallenges>();
        builder.Services.AddSingleton<CaseServices>();
        builder.Services.AddCaseFiles(config);
        builder.Services.AddSingleton<ReadModelRebuilder>();

        if (config.GetValue<bool>("Supervision:Demo"))
        {
            builder.Services.AddHostedService<DemoSeeder>();
        }

        builder.AddSupervisionAuth();
        builder.Services.AddOpenApi(OpenApiContract.Configure);

        // Enums travel as their names (Urgent, Red…), never as numbers that mean nothing to a reader.
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
    }

    public static void MapSupervision(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.MapOpenApi();
        app.MapCaseEndpoints();
        app.MapPortalEndpoints();
        app.MapReceptionEndpoints();
        app.MapFileEndpoints();
        app.MapSupervisionEndpoints();
        app.MapOrgEndpoints();
        app.MapOpsEndpoints();
        app.MapAlertEndpoints();
        app.MapDemoEndpoints(app.Configuration.GetValue<bool>("Supervision:Demo"));
    }
}

/// <summary>
/// The legal clock of a process (<c>Supervision:Clock</c>): <c>Speed</c> legal seconds per real second (default 1) from
/// <c>Start</c> (default: now) at real time <c>RealOrigin</c> (default: now). <c>Start</c> is honoured at every speed,
/// including 1 (a real-time clock that runs from a chosen legal instant). Processes that must agree on legal time
/// (several hosts over one storage account) are given the same <c>Start</c> and <c>RealOrigin</c>.
/// </summary>
public static class ClockSettings
{
    public static ClockMapping Mapping(IConfiguration config, DateTimeOffset realNow)
    {
        var speed = config.GetValue("Supervision:Clock:Speed", 1.0);
        if (speed < 1 || double.IsNaN(speed) || double.IsInfinity(speed))
        {
            throw new InvalidOperationException("Supervision:Clock:Speed must be a number of at least 1.");
        }

        var start = config.GetValue<DateTimeOffset?>("Supervision:Clock:Start");
        var origin = config.GetValue<DateTimeOffset?>("Supervision:Clock:RealOrigin") ?? realNow;
        return start is null && speed == 1 ? ClockMapping.RealTime : new ClockMapping(start ?? origin, origin, speed);
    }
}

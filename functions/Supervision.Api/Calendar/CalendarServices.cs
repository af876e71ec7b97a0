using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Supervision.Calendar.Storage;
using Supervision.Orchestrations;

// In the app's root namespace so HandlerApp needs no extra using (one line per feature there).
namespace Supervision.Api;

/// <summary>
/// Registers the calendar: the <see cref="CalendarStore"/> (embedded notices overridden by administrator-loaded ones in
/// Blob storage) and the <c>calendar-admin</c> policy.
/// <list type="bullet">
/// <item><c>AzureWebJobsStorage</c>: connection string; or <c>AzureWebJobsStorage:blobServiceUri</c>
/// (env <c>AzureWebJobsStorage__blobServiceUri</c>) with <c>AzureWebJobsStorage:clientId</c> for identity-based access.
/// Neither set: embedded notices only, and PUT answers 503.</item>
/// <item><c>Supervision:Calendar:Container</c> (default <c>calendar</c>), <c>Supervision:Calendar:RefreshSeconds</c>
/// (default 60): how long a loaded calendar is served before storage is asked for changes.</item>
/// </list>
/// Settings are read when the store is first resolved, never at start-up, and the store touches storage only on first use.
/// </summary>
public static class CalendarServices
{
    /// <summary>The authorization policy guarding calendar administration: the role claim <c>admin</c>.</summary>
    public const string AdminPolicy = "calendar-admin";

    public static IServiceCollection AddCalendar(this IServiceCollection services)
    {
        services.AddClocks();
        services.AddSingleton(sp =>
        {
            var config = sp.GetRequiredService<IConfiguration>();
            var storage = config.GetSection("AzureWebJobsStorage");
            var container = CalendarBlobs.CreateContainer(
                storage.Value,
                storage["blobServiceUri"],
                storage["clientId"],
                config["Supervision:Calendar:Container"] ?? CalendarStore.DefaultContainerName);
            var refresh = TimeSpan.FromSeconds(config.GetValue("Supervision:Calendar:RefreshSeconds", 60));
            return new CalendarStore(
                container, sp.GetRequiredService<Clocks>().Real, refresh, sp.GetRequiredService<ILogger<CalendarStore>>());
        });

        // The real authentication scheme is added elsewhere; the policy only needs the role claim.
        services.AddAuthentication();
        services.AddAuthorizationBuilder().AddPolicy(AdminPolicy, p => p.RequireAuthenticatedUser().RequireRole("admin"));
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, CalendarAuthorizationResultHandler>();
        return services;
    }
}

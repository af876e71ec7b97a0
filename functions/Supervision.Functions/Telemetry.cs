using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;

namespace Supervision.Functions;

/// <summary>
/// Application Insights for the worker's own telemetry (the host sends its own). The component accepts only
/// Entra-authenticated ingestion (<c>DisableLocalAuth</c> in infra-bicep/), and the worker SDK does not read
/// <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> by itself, so its credential is built from that setting here.
/// Without a connection string (a laptop), nothing is added.
/// </summary>
public static class Telemetry
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AuthenticationSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    public static IServiceCollection AddWorkerTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration[ConnectionStringSetting]))
        {
            return services;
        }

        var credential = CredentialFor(configuration[AuthenticationSetting]);
        services.AddApplicationInsightsTelemetryWorkerService(o =>
        {
            o.ConnectionString = configuration[ConnectionStringSetting];
            o.Credential = credential;
        });
        services.ConfigureFunctionsApplicationInsights();
        return services;
    }

    /// <summary>
    /// The credential <c>Authorization=AAD[;ClientId=…]</c> asks for (the Functions host's format): the user-assigned
    /// identity with that client id, or the system-assigned one; null when the setting does not ask for Entra auth.
    /// </summary>
    public static TokenCredential? CredentialFor(string? authentication)
    {
        var parts = (authentication ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2, StringSplitOptions.TrimEntries))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var mode) || !mode.Equals("AAD", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return parts.TryGetValue("ClientId", out var clientId) && clientId.Length > 0
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
    }
}

using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Supervision.Api.Auth;

/// <summary>
/// Standalone demo sign-in: the caller names a demo person in the <c>X-Supervision-User</c> header (API clients) or the
/// <c>supervision-user</c> cookie (the browser UI). Only registered when <c>Supervision:Auth:Mode</c> is <c>Demo</c>, and
/// refused at start-up when the app runs in Azure (see <see cref="AuthSetup"/>): anyone can claim any identity here.
/// </summary>
public sealed class DemoAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IOptions<AuthOptions> auth)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Demo";
    public const string Header = "X-Supervision-User";
    public const string Cookie = "supervision-user";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var id = Request.Headers[Header].FirstOrDefault() ?? Request.Cookies[Cookie];
        if (string.IsNullOrWhiteSpace(id))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        return Task.FromResult(AuthenticateResult.Success(AuthSetup.Ticket(id.Trim(), SchemeName, auth.Value)));
    }
}

/// <summary>
/// Azure App Service authentication ("Easy Auth"): the platform validates the Entra ID token and passes the principal
/// as Base64 JSON in <c>X-MS-CLIENT-PRINCIPAL</c>, stripping that header from client requests. The person id is the
/// Entra object id. Requires App Service authentication to be enabled with "require authentication" (docs/deploy.md);
/// without it a client could forge the header.
/// </summary>
public sealed class EasyAuthAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IOptions<AuthOptions> auth)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "EasyAuth";
    public const string Header = "X-MS-CLIENT-PRINCIPAL";
    private const string ObjectId = "http://schemas.microsoft.com/identity/claims/objectidentifier";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers[Header].FirstOrDefault();
        if (string.IsNullOrEmpty(header))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        try
        {
            using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(header)));
            var claims = doc.RootElement.GetProperty("claims").EnumerateArray()
                .Select(c => (Type: c.GetProperty("typ").GetString(), Value: c.GetProperty("val").GetString()))
                .ToList();
            var oid = claims.FirstOrDefault(c => c.Type is ObjectId or "oid").Value;
            return Task.FromResult(oid is { Length: > 0 }
                ? AuthenticateResult.Success(AuthSetup.Ticket(oid, SchemeName, auth.Value))
                : AuthenticateResult.Fail("The client principal carries no object id."));
        }
        catch (Exception e) when (e is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return Task.FromResult(AuthenticateResult.Fail("The client principal header is malformed."));
        }
    }
}

/// <summary>Wires authentication and authorization for the chosen mode.</summary>
public static class AuthSetup
{
    public static void AddSupervisionAuth(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("Supervision:Auth");
        var mode = section["Mode"] ?? (builder.Configuration.GetValue<bool>("Supervision:Demo") ? DemoAuthenticationHandler.SchemeName : EasyAuthAuthenticationHandler.SchemeName);
        if (mode == DemoAuthenticationHandler.SchemeName && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WEBSITE_INSTANCE_ID")))
        {
            // Demo sign-in trusts whatever the caller claims; it must never be reachable in Azure.
            throw new InvalidOperationException("Supervision:Auth:Mode=Demo is refused when running in Azure App Service/Functions.");
        }

        builder.Services.Configure<AuthOptions>(o =>
        {
            o.Mode = mode;
            foreach (var id in section.GetSection("Admins").Get<string[]>() ?? [])
            {
                o.Admins.Add(id);
            }

            if (mode == DemoAuthenticationHandler.SchemeName && o.Admins.Count == 0)
            {
                o.Admins.Add("admin");
            }
        });

        var auth = builder.Services.AddAuthentication(mode);
        if (mode == DemoAuthenticationHandler.SchemeName)
        {
            auth.AddScheme<AuthenticationSchemeOptions, DemoAuthenticationHandler>(DemoAuthenticationHandler.SchemeName, null);
        }
        else
        {
            auth.AddScheme<AuthenticationSchemeOptions, EasyAuthAuthenticationHandler>(EasyAuthAuthenticationHandler.SchemeName, null);
        }

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(SupervisionClaims.PersonPolicy, p => p.RequireAuthenticatedUser())
            .AddPolicy(SupervisionClaims.AdminPolicy, p => p.RequireRole(SupervisionClaims.AdminRole));
    }

    internal static AuthenticationTicket Ticket(string personId, string scheme, AuthOptions options)
    {
        var claims = new List<Claim> { new(SupervisionClaims.PersonId, personId) };
        if (options.Admins.Contains(personId))
        {
            claims.Add(new Claim(ClaimTypes.Role, SupervisionClaims.AdminRole));
        }

        return new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, scheme)), scheme);
    }
}

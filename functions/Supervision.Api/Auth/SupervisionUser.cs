using System.Security.Claims;

namespace Supervision.Api.Auth;

/// <summary>Claim types and policies of the API. The person id is the only identity the domain needs; roles and unit
/// scope come from the org directory inside the decider and the visibility rules, never from the token.</summary>
public static class SupervisionClaims
{
    public const string PersonId = ClaimTypes.NameIdentifier;
    public const string AdminRole = "admin";

    /// <summary>Policy: an authenticated person known to the org directory (or an administrator).</summary>
    public const string PersonPolicy = "person";

    /// <summary>Policy: an administrator (org, calendar, policy and runtime operations).</summary>
    public const string AdminPolicy = "admin";

    public static string? PersonIdOf(ClaimsPrincipal user) => user.FindFirstValue(PersonId);
}

/// <summary>Settings of <c>Supervision:Auth</c>.</summary>
public sealed class AuthOptions
{
    /// <summary><c>Demo</c> (standalone: the caller names a demo person) or <c>EasyAuth</c> (Azure App Service authentication).</summary>
    public string Mode { get; set; } = "EasyAuth";

    /// <summary>Person ids (Entra object ids in Azure) that administer the system.</summary>
    public IList<string> Admins { get; } = [];
}

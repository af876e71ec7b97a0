using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Supervision.Api;

/// <summary>
/// Answers a refused calendar request with <c>application/problem+json</c> saying what is missing. The authorization
/// middleware runs before the app's status-code pages, so without this a 401/403 would have an empty body. Works before
/// any authentication scheme is registered (plain 401/403 then) and, once one is, lets it add its challenge headers.
/// Other endpoints keep the default behaviour.
/// </summary>
internal sealed class CalendarAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler fallback = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded || context.GetEndpoint()?.Metadata.GetMetadata<CalendarEndpointMarker>() is null)
        {
            await fallback.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        var schemes = context.RequestServices.GetRequiredService<IAuthenticationSchemeProvider>();
        string title, detail;
        if (authorizeResult.Challenged)
        {
            if (await schemes.GetDefaultChallengeSchemeAsync() is not null)
            {
                await context.ChallengeAsync();
            }

            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            title = "Authentication required";
            detail = $"Sign in as a calendar administrator: this route requires the '{CalendarServices.AdminPolicy}' policy (role claim 'admin').";
        }
        else
        {
            if (await schemes.GetDefaultForbidSchemeAsync() is not null)
            {
                await context.ForbidAsync();
            }

            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            title = "Not a calendar administrator";
            detail = $"You are signed in but lack the role claim 'admin' that the '{CalendarServices.AdminPolicy}' policy requires; ask for the admin role.";
        }

        if (!context.Response.HasStarted)
        {
            await Results.Problem(title: title, detail: detail, statusCode: context.Response.StatusCode).ExecuteAsync(context);
        }
    }
}

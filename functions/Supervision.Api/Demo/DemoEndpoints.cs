using Supervision.Api.Org;
using Supervision.Domain.Org;

namespace Supervision.Api.Demo;

/// <summary>Small endpoints the UI needs: the clock (real or accelerated) and, in demo mode only, the demo people to sign in as.</summary>
public static class DemoEndpoints
{
    public static IEndpointRouteBuilder MapDemoEndpoints(this IEndpointRouteBuilder app, bool demo)
    {
        app.MapGet("/api/clock", (TimeProvider clock, IConfiguration config) =>
        {
            var now = clock.GetUtcNow();
            return Results.Json(new
            {
                utc = now,
                local = now.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture),
                speed = config.GetValue("Supervision:Clock:Speed", 1.0),
            });
        }).AllowAnonymous().WithTags("clock");

        if (demo)
        {
            app.MapGet("/api/demo/users", async (OrgService orgs, CancellationToken ct) =>
            {
                var org = await orgs.GetAsync(ct);
                return Results.Json(org.People.Select(p => new
                {
                    p.Id,
                    p.Name,
                    roles = string.Join("、", p.Roles.Select(r => $"{org.Unit(r.Unit)?.Name}{RoleNames.Of(r.Role)}")),
                }).Prepend(new { Id = "admin", Name = "管理员", roles = "admin" }));
            }).AllowAnonymous().WithTags("demo");
        }

        return app;
    }
}

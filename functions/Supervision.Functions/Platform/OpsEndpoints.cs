using Supervision.Functions.Auth;
using Supervision.Runtime;

namespace Supervision.Functions.Platform;

/// <summary>Operations (administrators): an instance's events, wake-ups and outbox, read-model rebuilds, dead letters.</summary>
public static class OpsEndpoints
{
    public static IEndpointRouteBuilder MapOpsEndpoints(this IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup("/api/ops").RequireAuthorization(SupervisionClaims.AdminPolicy).WithTags("operations");
        ops.MapGet("/instances/{type}/{id}/events", async (string type, string id, RuntimeOperations o, CancellationToken ct) =>
            Results.Json(await o.ListEventsAsync(type, id, ct)));
        ops.MapGet("/instances/{type}/{id}/wakeups", async (string type, string id, RuntimeOperations o, CancellationToken ct) =>
            Results.Json(await o.ListWakeUpsAsync(type, id, ct)));
        ops.MapGet("/instances/{type}/{id}/outbox", async (string type, string id, RuntimeOperations o, CancellationToken ct) =>
            Results.Json(await o.ListOutboxAsync(type, id, ct)));
        ops.MapPost("/instances/{type}/{id}/rebuild", async (string type, string id, RuntimeOperations o, CancellationToken ct) =>
            Results.Json(new { rows = await o.RebuildReadModelsAsync(type, id, ct) }));
        ops.MapPost("/readmodels/{type}/rebuild", async (string type, RuntimeOperations o, CancellationToken ct) =>
            Results.Json(new { rows = await o.RebuildAllReadModelsAsync(type, ct) }));
        ops.MapGet("/deadletters", async (RuntimeOperations o, CancellationToken ct) => Results.Json(await o.ListDeadLettersAsync(1000, ct)));
        ops.MapPost("/deadletters/{id}/replay", async (string id, RuntimeOperations o, CancellationToken ct) =>
            await o.ReplayDeadLetterAsync(id, ct) ? Results.Accepted() : Problems.NotFound($"No dead letter '{id}'."));
        ops.MapPost("/deadletters/replay", async (RuntimeOperations o, CancellationToken ct) =>
            Results.Json(new { replayed = await o.ReplayAllDeadLettersAsync(ct) }));

        // The local mailbox stands in for Graph when it is not configured: alerts for the caller's roles and units.
        app.MapGet("/api/mailbox", async (HttpContext http, LocalMailbox mailbox, Org.OrgService orgs, CancellationToken ct) =>
        {
            var org = await orgs.GetAsync(ct);
            var person = org.PersonById(SupervisionClaims.PersonIdOf(http.User));
            var all = await mailbox.ListAsync(ct: ct);
            var mine = http.User.IsInRole(SupervisionClaims.AdminRole)
                ? all
                : all.Where(m => person?.Roles.Any(r => Domain.Org.RoleNames.Of(r.Role) == m.Role && r.Unit == m.UnitId) ?? false).ToList();
            return Results.Json(mine.OrderByDescending(m => m.DeliveredAt));
        }).RequireAuthorization(SupervisionClaims.PersonPolicy).WithTags("alerts");
        return app;
    }
}

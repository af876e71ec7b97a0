using Azure.Data.Tables;
using Supervision.Api.Auth;
using Supervision.Domain.Cases;
using Supervision.Orchestrations;

namespace Supervision.Api.Platform;

/// <summary>
/// Operations (administrators) on the Durable Task client: instance status and history, failed instances with their
/// errors, restart, terminate and purge; the audit trail of an instance; read-model rebuilds from the recorded state;
/// effects that failed after their retries, with re-send.
/// </summary>
public static class OpsEndpoints
{
    private static readonly string[] KnownStatuses =
    [
        RuntimeStatuses.Running, RuntimeStatuses.Pending, RuntimeStatuses.Completed, RuntimeStatuses.Failed,
        RuntimeStatuses.Terminated, RuntimeStatuses.ContinuedAsNew, RuntimeStatuses.Suspended,
    ];

    public static IEndpointRouteBuilder MapOpsEndpoints(this IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup("/api/ops").RequireAuthorization(SupervisionClaims.AdminPolicy).WithTags("operations");
        ops.MapGet("/instances", async (HttpContext http, IDurableEngine engine, CancellationToken ct) =>
        {
            var q = new QueryParams(http.Request.Query);
            var status = q.Text("status", 40) ?? RuntimeStatuses.Failed;
            if (!KnownStatuses.Contains(status))
            {
                q.Fail("status", $"status must be one of {string.Join(", ", KnownStatuses)}");
            }

            return q.Problem ?? Results.Json(await engine.ListAsync([status], 200, ct));
        })
            .WithSummary("Instances in a runtime status (default Failed), with their errors.");
        ops.MapGet("/instances/{id}", async (string id, IDurableEngine engine, CancellationToken ct) =>
            await engine.GetStatusAsync(id, ct) is { } s ? Results.Json(s) : Problems.NotFound($"No instance '{id}'."));
        ops.MapGet("/instances/{id}/history", async (string id, IDurableEngine engine, CancellationToken ct) =>
            Results.Json(await engine.GetHistoryAsync(id, ct)));
        ops.MapGet("/instances/{id}/events", async (string id, string? type, DecisionStore store, CancellationToken ct) =>
            Results.Json(await store.ReadEventsAsync(type ?? CaseDecider.Type, id, ct)));
        // Restart and terminate check the instance first: a message sent to an instance that does not exist (or no longer
        // runs) is never consumed cleanly and would keep the engine retrying it.
        ops.MapPost("/instances/{id}/restart", async (string id, IDurableEngine engine, CancellationToken ct) =>
        {
            switch (await engine.GetStatusAsync(id, ct))
            {
                case null:
                    return Problems.NotFound($"No instance '{id}'.");
                case { RuntimeStatus: not (RuntimeStatuses.Failed or RuntimeStatuses.Terminated) } s:
                    return Problems.Conflict($"Instance '{id}' is {s.RuntimeStatus}: only a failed or terminated instance is restarted.");
            }

            await engine.RestartAsync(id, ct);
            return Results.Accepted();
        }).WithSummary("Starts a failed or terminated instance again from the folded state of its latest execution.");
        ops.MapPost("/instances/{id}/terminate", async (string id, string? reason, IDurableEngine engine, CancellationToken ct) =>
        {
            switch (await engine.GetStatusAsync(id, ct))
            {
                case null:
                    return Problems.NotFound($"No instance '{id}'.");
                case { RuntimeStatus: RuntimeStatuses.Completed or RuntimeStatuses.Failed or RuntimeStatuses.Terminated } s:
                    return Problems.Conflict($"Instance '{id}' is {s.RuntimeStatus}: it has ended already.");
            }

            await engine.TerminateAsync(id, reason ?? "terminated by an administrator", ct);
            return Results.Accepted();
        }).WithSummary("Ends a running instance.");
        ops.MapDelete("/instances/{id}", async (string id, IDurableEngine engine, CancellationToken ct) =>
            await engine.GetStatusAsync(id, ct) switch
            {
                null => Problems.NotFound($"No instance '{id}'."),
                { RuntimeStatus: not (RuntimeStatuses.Completed or RuntimeStatuses.Failed or RuntimeStatuses.Terminated) } s =>
                    Problems.Conflict($"Instance '{id}' is {s.RuntimeStatus}: terminate it before purging its history."),
                _ => await engine.PurgeAsync(id, ct) ? Results.NoContent() : Problems.NotFound($"No finished instance '{id}' to purge."),
            });
        ops.MapPost("/readmodels/{type}/rebuild", async (string type, ReadModelRebuilder rebuilder, CancellationToken ct) =>
            Results.Json(new { rows = await rebuilder.RebuildAsync(type, ct) }))
            .WithSummary("Rewrites every read-model row of a type from the recorded state of its instances.");
        ops.MapGet("/failed-effects", async (OrchestrationStorage storage, CancellationToken ct) =>
        {
            var table = await storage.EffectFailuresAsync();
            var rows = new List<object>();
            await foreach (var e in table.QueryAsync<TableEntity>(maxPerPage: 200, cancellationToken: ct))
            {
                rows.Add(new { effectId = e.GetString("EffectId"), kind = e.GetString("Kind"), source = e.PartitionKey, instanceId = e.GetString("SourceInstanceId"), error = e.GetString("Error"), failedAt = e.GetDateTimeOffset("FailedAt") });
            }

            return Results.Json(rows);
        }).WithSummary("Effects (alerts, read-model rows, messages) that failed after their retries.");
        ops.MapPost("/failed-effects/resend", async (ReadModelRebuilder rebuilder, CancellationToken ct) =>
            Results.Json(new { resent = await rebuilder.ResendFailedEffectsAsync(ct) }))
            .WithSummary("Runs every failed effect again (each is idempotent by its id) and removes those that succeed.");

        ops.MapGet("/failed-deliveries", async (IAlertSink sink, CancellationToken ct) =>
            Results.Json(sink is Alerts.GraphAlertSink graph ? await graph.FailedAsync(ct) : []))
            .WithSummary("Alert deliveries Microsoft Graph refused for good (per alert, person and channel): e.g. 403, no mailbox or Teams licence.");
        ops.MapPost("/failed-deliveries/resend", async (IAlertSink sink, CancellationToken ct) =>
        {
            var (sent, failed) = sink is Alerts.GraphAlertSink graph ? await graph.ResendFailedAsync(ct) : (0, 0);
            return Results.Json(new { sent, failed });
        }).WithSummary("Sends every refused delivery again, to that person on that channel; those refused again stay listed.");

        // The local mailbox stands in for Graph when it is not configured: alerts for the caller's roles and units.
        app.MapGet("/api/mailbox", async (HttpContext http, LocalMailbox mailbox, Org.OrgService orgs, CancellationToken ct) =>
        {
            var org = await orgs.GetAsync(ct);
            var person = org.PersonById(SupervisionClaims.PersonIdOf(http.User));
            var all = await mailbox.ListAsync(ct: ct);
            var mine = http.User.IsInRole(SupervisionClaims.AdminRole)
                ? all
                : all.Where(m => person is not null
                    && ((m.Role == Domain.Orchestration.AlertAudience.PersonRole && m.UnitId == person.Id) // a digest addressed to them
                        || person.Roles.Any(r => Domain.Org.RoleNames.Of(r.Role) == m.Role && r.Unit == m.UnitId))).ToList();
            return Results.Json(mine.OrderByDescending(m => m.DeliveredAt));
        }).RequireAuthorization(SupervisionClaims.PersonPolicy).WithTags("alerts");
        return app;
    }
}

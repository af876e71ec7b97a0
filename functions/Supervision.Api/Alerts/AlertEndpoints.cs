using System.Text.Json;
using Supervision.Api.Auth;
using Supervision.Api.Org;
using Supervision.Api.Platform;
using Supervision.Domain.Alerts;
using Supervision.Domain.Org;
using Supervision.Orchestrations;

namespace Supervision.Api.Alerts;

/// <summary>
/// Acknowledging an urgent alert (the link in its mail, the mailbox page, or this API): it stops the escalation, and
/// every mailbox row of the alert and of its escalations shows who acknowledged it and when.
/// </summary>
public static class AlertEndpoints
{
    public static IEndpointRouteBuilder MapAlertEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/alerts/{alertId}/ack", AcknowledgeAsync)
            .RequireAuthorization(SupervisionClaims.PersonPolicy).WithTags("alerts")
            .WithSummary("Acknowledge an urgent alert (or one of its escalations) as one of its recipients: stops its escalation.");
        return app;
    }

    private static async Task<IResult> AcknowledgeAsync(
        string alertId, HttpContext http, DecisionStore store, CommandGateway gateway, LocalMailbox mailbox, OrgService orgs, TimeProvider clock,
        CancellationToken ct)
    {
        const string NotFound = "No urgent alert with that id was sent to you (routine alerts come in the daily digest and need no acknowledgement).";
        // Alert ids contain '/', which a client escapes as %2F; routing leaves that escaped in the value.
        var root = AlertDecider.RootOf(Uri.UnescapeDataString(alertId));
        var instance = AlertPolicy.AlertInstanceId(root);
        if (await store.GetAsync(AlertDecider.Type, instance, ct) is not { } snapshot)
        {
            return Problems.NotFound(NotFound);
        }

        var state = JsonSerializer.Deserialize<AlertState>(snapshot.StateJson, AlertJson.Options)!;
        var org = await orgs.GetAsync(ct);
        var personId = SupervisionClaims.PersonIdOf(http.User)!;
        var person = org.PersonById(personId);
        var recipient = person is not null && state.Alerted.Any(a => person.Roles.Any(r => RoleNames.Of(r.Role) == a.Role && r.Unit == a.UnitId));
        if (!recipient && !http.User.IsInRole(SupervisionClaims.AdminRole))
        {
            return Problems.NotFound(NotFound); // not told of it: as if it did not exist
        }

        AlertCommand command = new AcknowledgeAlert(personId);
        var result = await gateway.SendAsync(
            AlertDecider.Type, instance,
            new CommandEnvelope($"ack:{root}:{personId}", personId, clock.GetUtcNow(), JsonSerializer.Serialize(command, AlertJson.Options)),
            create: false, ct);
        if (result.Outcome is not { } outcome)
        {
            return Results.Accepted(value: new { alertId = root, status = "pending" });
        }

        if (outcome.Rejection is { } rejection)
        {
            return Problems.Rejected(rejection);
        }

        await mailbox.AcknowledgeAsync(root, personId, ct);
        var after = await store.GetAsync(AlertDecider.Type, instance, ct);
        var acknowledged = after is null ? state : JsonSerializer.Deserialize<AlertState>(after.StateJson, AlertJson.Options)!;
        return Results.Json(new
        {
            alertId = root,
            acknowledgedBy = acknowledged.AcknowledgedBy,
            acknowledgedAt = acknowledged.AcknowledgedAt?.ToDateTimeOffset(),
            escalations = acknowledged.Level,
        });
    }
}

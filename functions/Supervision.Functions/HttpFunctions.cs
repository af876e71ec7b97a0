using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.DurableTask.Client;

namespace Supervision.Functions;

/// <summary>
/// One HTTP function per API route, each a thin adapter handing the request to the shared pipeline
/// (<see cref="ApiPipeline"/>), where the one definition of the endpoint (functions/Supervision.Api) answers it.
/// Routes are written out literally so the host routes them and <c>functions.metadata</c> lists them; host.json's
/// empty <c>routePrefix</c> keeps them exactly the standalone host's paths. The route-parity test
/// (tests/Supervision.Functions.Tests) fails when an endpoint is added to the API without its function here.
/// Every API function takes the invocation's Durable Task client (docs/decisions.md, E7).
/// </summary>
public sealed class ApiFunctions(ApiPipeline pipeline)
{
    [Function("api-calendar-deadline")]
    public Task<IActionResult> CalendarDeadline(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/calendar/deadline")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-calendar-year")]
    public Task<IActionResult> CalendarYear(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/calendar/{year}")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-calendar-notice")]
    public Task<IActionResult> CalendarNotice(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/calendar/notices/{year}")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-clock")]
    public Task<IActionResult> Clock(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/clock")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-demo-users")]
    public Task<IActionResult> DemoUsers(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/demo/users")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-ops-failed-deliveries")]
    public Task<IActionResult> FailedDeliveries(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ops/failed-deliveries")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-ops-failed-deliveries-resend")]
    public Task<IActionResult> ResendFailedDeliveries(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/ops/failed-deliveries/resend")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-alerts-ack")]
    public Task<IActionResult> AcknowledgeAlert(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/alerts/{alertId}/ack")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-mailbox")]
    public Task<IActionResult> Mailbox(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/mailbox")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-me")]
    public Task<IActionResult> Me(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/me")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-cases")]
    public Task<IActionResult> Cases(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "api/cases")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-case")]
    public Task<IActionResult> Case(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/cases/{id}")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-case-command-status")]
    public Task<IActionResult> CaseCommandStatus(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/cases/{id}/commands/{commandId}")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-case-classify")]
    public Task<IActionResult> CaseClassify(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/cases/{id}/classify")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-case-route")]
    public Task<IActionResult> CaseRoute(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/cases/{id}/route")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-case-refer-out")]
    public Task<IActionResult> CaseReferOut(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/cases/{id}/refer-out")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-case-object")]
    public Task<IActionResult> CaseObject(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/cases/{id}/object")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-case-decide-objection")]
    public Task<IActionResult> CaseDecideObjection(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/cases/{id}/decide-objection")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-case-accept")]
    public Task<IActionResult> CaseAccept(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/cases/{id}/accept")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-case-approve-extension")]
    public Task<IActionResult> CaseApproveExtension(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/cases/{id}/approve-extension")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-case-reply")]
    public Task<IActionResult> CaseReply(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/cases/{id}/reply")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-case-completion-report")]
    public Task<IActionResult> CaseCompletionReport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/cases/{id}/completion-report")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-case-rate")]
    public Task<IActionResult> CaseRate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/cases/{id}/rate")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-case-request-review")]
    public Task<IActionResult> CaseRequestReview(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/cases/{id}/request-review")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-case-review-opinion")]
    public Task<IActionResult> CaseReviewOpinion(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/cases/{id}/review-opinion")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-case-request-reexamination")]
    public Task<IActionResult> CaseRequestReexamination(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/cases/{id}/request-reexamination")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-case-start-hearing")]
    public Task<IActionResult> CaseStartHearing(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/cases/{id}/start-hearing")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-case-end-hearing")]
    public Task<IActionResult> CaseEndHearing(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/cases/{id}/end-hearing")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-case-reexamination-opinion")]
    public Task<IActionResult> CaseReexaminationOpinion(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/cases/{id}/reexamination-opinion")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-case-report-major")]
    public Task<IActionResult> CaseReportMajor(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/cases/{id}/report-major")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-case-migrate-policy")]
    public Task<IActionResult> CaseMigratePolicy(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/cases/{id}/migrate-policy")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-petitioner-case")]
    public Task<IActionResult> PetitionerCase(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/petitioner/cases/{id}")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-petitioner-case-rate")]
    public Task<IActionResult> PetitionerCaseRate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/petitioner/cases/{id}/rate")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-petitioner-case-request-review")]
    public Task<IActionResult> PetitionerCaseRequestReview(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/petitioner/cases/{id}/request-review")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-petitioner-case-request-reexamination")]
    public Task<IActionResult> PetitionerCaseRequestReexamination(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/petitioner/cases/{id}/request-reexamination")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-org")]
    public Task<IActionResult> Org(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "put", Route = "api/org")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-org-unit")]
    public Task<IActionResult> OrgUnit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "put", "delete", Route = "api/org/units/{id}")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-org-person")]
    public Task<IActionResult> OrgPerson(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", "delete", Route = "api/org/people/{id}")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-ops-instances")]
    public Task<IActionResult> OpsInstances(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ops/instances")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-ops-instance")]
    public Task<IActionResult> OpsInstance(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "delete", Route = "api/ops/instances/{id}")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-ops-instance-history")]
    public Task<IActionResult> OpsInstanceHistory(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ops/instances/{id}/history")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-ops-instance-events")]
    public Task<IActionResult> OpsInstanceEvents(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ops/instances/{id}/events")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-ops-instance-restart")]
    public Task<IActionResult> OpsInstanceRestart(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/ops/instances/{id}/restart")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-ops-instance-terminate")]
    public Task<IActionResult> OpsInstanceTerminate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/ops/instances/{id}/terminate")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-ops-readmodel-rebuild")]
    public Task<IActionResult> OpsReadmodelRebuild(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/ops/readmodels/{type}/rebuild")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-ops-failed-effects")]
    public Task<IActionResult> OpsFailedEffects(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ops/failed-effects")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-ops-failed-effects-resend")]
    public Task<IActionResult> OpsFailedEffectsResend(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/ops/failed-effects/resend")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);
}

/// <summary>
/// What is not an API route: the root (monitors and the redirect to the UI), health, the OpenAPI document and the UI's
/// static files, forwarded to the same pipeline. None needs a Durable Task client.
/// </summary>
public sealed class SiteFunctions(ApiPipeline pipeline)
{
    /// <summary>
    /// <c>GET /</c>. A route cannot be empty (the host would use the function name), so this is the usual root template:
    /// one optional parameter that only the empty path satisfies. Needs <c>AzureWebJobsDisableHomepage=true</c>.
    /// </summary>
    [Function("root")]
    public Task<IActionResult> Root([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "{root:maxlength(0)?}")] HttpRequest req) =>
        pipeline.RunAsync(req.HttpContext, null);

    [Function("health-live")]
    public Task<IActionResult> HealthLive([HttpTrigger(AuthorizationLevel.Anonymous, Route = "health/live")] HttpRequest req) =>
        pipeline.RunAsync(req.HttpContext, null);

    [Function("health-ready")]
    public Task<IActionResult> HealthReady([HttpTrigger(AuthorizationLevel.Anonymous, Route = "health/ready")] HttpRequest req) =>
        pipeline.RunAsync(req.HttpContext, null);

    [Function("openapi")]
    public Task<IActionResult> OpenApi([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi/{documentName}.json")] HttpRequest req) =>
        pipeline.RunAsync(req.HttpContext, null);

    /// <summary>The UI (<c>/app</c>, <c>/app/</c> and its files), served by the pipeline's static-file middleware.</summary>
    [Function("app")]
    public Task<IActionResult> App([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "app/{*path}")] HttpRequest req) =>
        pipeline.RunAsync(req.HttpContext, null);
}

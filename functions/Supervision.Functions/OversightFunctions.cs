using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.DurableTask.Client;

namespace Supervision.Functions;

/// <summary>
/// HTTP adapters for supervision (督办单, 联合交办, inboxes, scorecard) and the demo sign-in page: one function per route,
/// each handing the request to the shared pipeline like <see cref="ApiFunctions"/>.
/// </summary>
public sealed class OversightFunctions(ApiPipeline pipeline)
{
    [Function("api-tickets")]
    public Task<IActionResult> Tickets(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/tickets")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-ticket")]
    public Task<IActionResult> Ticket(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/tickets/{id}")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-ticket-acknowledge")]
    public Task<IActionResult> TicketAcknowledge(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/tickets/{id}/acknowledge")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-ticket-respond")]
    public Task<IActionResult> TicketRespond(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/tickets/{id}/respond")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-ticket-accept")]
    public Task<IActionResult> TicketAccept(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/tickets/{id}/accept")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-ticket-reject")]
    public Task<IActionResult> TicketReject(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/tickets/{id}/reject")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-ticket-conference-decision")]
    public Task<IActionResult> TicketConferenceDecision(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/tickets/{id}/conference-decision")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-ticket-recommend-accountability")]
    public Task<IActionResult> TicketRecommendAccountability(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/tickets/{id}/recommend-accountability")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-ticket-accountability-reply")]
    public Task<IActionResult> TicketAccountabilityReply(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/tickets/{id}/accountability-reply")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-ticket-command")]
    public Task<IActionResult> TicketCommand(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/tickets/{id}/commands/{commandId}")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-joint-assignments")]
    public Task<IActionResult> JointAssignments(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/joint-assignments")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-joint-assignment")]
    public Task<IActionResult> JointAssignment(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/joint-assignments/{id}")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-joint-assignment-consent")]
    public Task<IActionResult> JointAssignmentConsent(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/joint-assignments/{id}/consent")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-joint-assignment-dispute")]
    public Task<IActionResult> JointAssignmentDispute(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/joint-assignments/{id}/dispute")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-joint-assignment-resolve-dispute")]
    public Task<IActionResult> JointAssignmentResolveDispute(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/joint-assignments/{id}/resolve-dispute")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-joint-assignment-approve")]
    public Task<IActionResult> JointAssignmentApprove(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/joint-assignments/{id}/approve")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-joint-assignment-amend")]
    public Task<IActionResult> JointAssignmentAmend(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/joint-assignments/{id}/amend")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-joint-assignment-reject")]
    public Task<IActionResult> JointAssignmentReject(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/joint-assignments/{id}/reject")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-joint-assignment-command")]
    public Task<IActionResult> JointAssignmentCommand(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/joint-assignments/{id}/commands/{commandId}")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-inbox-conference")]
    public Task<IActionResult> InboxConference(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/inbox/conference")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-inbox-supervisor")]
    public Task<IActionResult> InboxSupervisor(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/inbox/supervisor")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-inbox-agency")]
    public Task<IActionResult> InboxAgency(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/inbox/agency")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-inbox-leader")]
    public Task<IActionResult> InboxLeader(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/inbox/leader")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-scorecard")]
    public Task<IActionResult> Scorecard(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/scorecard")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-case-reissue-query-code")]
    public Task<IActionResult> CaseReissueQueryCode(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/cases/{id}/reissue-query-code")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-demo-people")]
    public Task<IActionResult> DemoPeople(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/demo/people")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);
}

using Supervision.Api.Auth;

namespace Supervision.Api.Oversight;

/// <summary>Maps the supervision API: tickets, joint assignments, inboxes, the scorecard and the repeat analysis (docs/api.md).</summary>
public static class SupervisionEndpoints
{
    public static IEndpointRouteBuilder MapSupervisionEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").RequireAuthorization(SupervisionClaims.PersonPolicy);
        api.MapTicketEndpoints();
        api.MapJointEndpoints();
        api.MapCampaignEndpoints();
        api.MapInboxEndpoints();
        api.MapScorecardEndpoints();
        api.MapAnalysisEndpoints();
        return app;
    }
}

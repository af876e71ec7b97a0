using Supervision.Domain.Orchestration;

namespace Supervision.Api.Platform;

/// <summary>The API's errors, all <c>application/problem+json</c> with a reason a person can act on.</summary>
public static class Problems
{
    /// <summary>A decider's rejection: 409 for a transition, 400 for invalid data, 403 for a forbidden actor.</summary>
    public static IResult Rejected(Rejection r) => Results.Problem(
        statusCode: r.Kind switch
        {
            RejectionKind.InvalidTransition => StatusCodes.Status409Conflict,
            RejectionKind.Forbidden => StatusCodes.Status403Forbidden,
            _ => StatusCodes.Status400BadRequest,
        },
        title: r.Kind switch
        {
            RejectionKind.InvalidTransition => "This step is not allowed in the case's current state",
            RejectionKind.Forbidden => "You may not take this step on this case",
            _ => "The request is invalid",
        },
        detail: r.Reason,
        extensions: new Dictionary<string, object?> { ["command"] = r.Command, ["from"] = r.From, ["to"] = r.To });

    /// <summary>A rejection recorded by an orchestration.</summary>
    public static IResult Rejected(Orchestrations.RejectionData r) =>
        Rejected(new Rejection(Enum.Parse<RejectionKind>(r.Kind), r.Command, r.From, r.Reason, r.To));

    public static IResult Invalid(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request is invalid", detail: detail);

    public static IResult NotFound(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);

    public static IResult Forbidden(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail);

    public static IResult Conflict(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail);
}

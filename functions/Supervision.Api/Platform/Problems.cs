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
        extensions: r.Fields is { Count: > 0 } fields
            ? new Dictionary<string, object?> { ["command"] = r.Command, ["from"] = r.From, ["to"] = r.To, ["errors"] = Group(fields) }
            : new Dictionary<string, object?> { ["command"] = r.Command, ["from"] = r.From, ["to"] = r.To });

    /// <summary>A rejection recorded by an orchestration.</summary>
    public static IResult Rejected(Orchestrations.RejectionData r) =>
        Rejected(new Rejection(Enum.Parse<RejectionKind>(r.Kind), r.Command, r.From, r.Reason, r.To));

    public static IResult Invalid(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request is invalid", detail: detail);

    /// <summary>400 with every problem by its field: <c>errors: {"petitioner.name": ["…"]}</c>.</summary>
    public static IResult Fields(IEnumerable<FieldError> errors)
    {
        var grouped = Group(errors);
        return Results.Problem(
            statusCode: StatusCodes.Status400BadRequest, title: "The request is invalid",
            detail: string.Join("; ", grouped.SelectMany(g => g.Value)),
            extensions: new Dictionary<string, object?> { ["errors"] = grouped });
    }

    public static IResult TooLarge(long limit) => Results.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request body is too large",
        detail: $"This endpoint accepts at most {limit} bytes.", extensions: new Dictionary<string, object?> { ["limit"] = limit });

    public static IResult PreconditionRequired(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status428PreconditionRequired, title: "If-Match is required", detail: detail);

    public static IResult PreconditionFailed(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "The resource has changed", detail: detail);

    public static Dictionary<string, string[]> Group(IEnumerable<FieldError> errors) =>
        errors.GroupBy(e => e.Field, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray(), StringComparer.Ordinal);

    public static IResult NotFound(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);

    public static IResult Forbidden(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail);

    public static IResult Conflict(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail);
}

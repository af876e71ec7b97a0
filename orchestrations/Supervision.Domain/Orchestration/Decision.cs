namespace Supervision.Domain.Orchestration;

/// <summary>Outcome of <see cref="IDecider{TState,TCommand,TEvent}.Decide"/>: events to append, or a rejection.</summary>
public sealed record Decision<TEvent>
    where TEvent : class
{
    private Decision(IReadOnlyList<TEvent> events, Rejection? rejection)
    {
        Events = events;
        Rejection = rejection;
    }

    public IReadOnlyList<TEvent> Events { get; }

    public Rejection? Rejection { get; }

    public bool IsRejected => Rejection is not null;

    /// <summary>Nothing to do (the state already satisfies the command, or a stale timer).</summary>
    public static Decision<TEvent> None { get; } = new([], null);

    public static Decision<TEvent> Accept(params TEvent[] events) => new(events, null);

    public static Decision<TEvent> Accept(IReadOnlyList<TEvent> events) => new(events, null);

    public static Decision<TEvent> Reject(Rejection rejection) => new([], rejection);
}

/// <summary>How a rejection maps onto the HTTP edge.</summary>
public enum RejectionKind
{
    /// <summary>The command is not allowed in the current state → 409.</summary>
    InvalidTransition,

    /// <summary>The command's data is invalid → 400.</summary>
    Validation,

    /// <summary>The actor may not do this (role, org unit, accusation guard) → 403.</summary>
    Forbidden,
}

/// <summary>
/// One data-carrying rejection (STYLE.md, from durabletask): what was tried, from which state, and a reason a
/// person can act on. <paramref name="Reason"/> must not contain personal data: it may be logged.
/// </summary>
/// <param name="Fields">For a validation rejection: each problem with the JSON field path it concerns (e.g. <c>petitioner.name</c>).</param>
public sealed record Rejection(RejectionKind Kind, string Command, string From, string Reason, string? To = null, IReadOnlyList<FieldError>? Fields = null)
{
    public static Rejection Transition(string command, string from, string reason, string? to = null) =>
        new(RejectionKind.InvalidTransition, command, from, reason, to);

    public static Rejection Invalid(string command, string from, string reason) =>
        new(RejectionKind.Validation, command, from, reason);

    public static Rejection Forbidden(string command, string from, string reason) =>
        new(RejectionKind.Forbidden, command, from, reason);

    public static Rejection Invalid(string command, string from, IReadOnlyList<FieldError> fields) =>
        new(RejectionKind.Validation, command, from, string.Join("; ", fields.Select(f => f.ToString())), null, fields);
}

/// <summary>One validation problem with the JSON path of the field it concerns (camelCase, dotted: <c>petitioner.idNumber</c>).</summary>
public sealed record FieldError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Supervision.Api.Auth;
using Supervision.Api.Platform;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;
using Supervision.Orchestrations;

namespace Supervision.Api.Oversight;

/// <summary>
/// One decider's HTTP edge, described once: its orchestration type, JSON rules, route, visibility rule, command map and
/// typed view. <see cref="DeciderPipeline"/> runs every command of every described decider through the same steps, so
/// each limit and guarantee of docs/api.md (strict capped body before storage, 404 for what the caller may not see,
/// early refusal that writes nothing, 202 while the engine is slow, the view as recorded) holds for each by
/// construction. What differs between deciders is a hook here, never a copy of the pipeline.
/// </summary>
/// <param name="Type">The decider's and orchestration's type name (<c>ticket</c>, <c>joint</c>).</param>
/// <param name="Route">The route group under <c>/api</c>, e.g. <c>/tickets</c>.</param>
/// <param name="Name">The operation-id stem: <c>{Name}-{action}</c>, <c>{Name}CommandStatus</c>.</param>
/// <param name="Title">The detail operation id: <c>get{Title}</c>.</param>
/// <param name="Noun">How problems name one (<c>ticket</c>, <c>joint assignment</c>).</param>
/// <param name="Json">The decider's JSON rules (state, commands, events).</param>
/// <param name="Decider">The decider in force, for the early answer.</param>
/// <param name="CanSee">Who may see one; anyone else is told 404, as for a missing one.</param>
/// <param name="Actions">URL action → the command's JSON discriminator, CLR type and summary.</param>
/// <param name="View">The typed view of one as recorded, for the person asking (null: not a person of the directory, e.g. a petitioner).</param>
public sealed record DeciderEdge<TState, TCommand, TEvent>(
    string Type,
    string Route,
    string Name,
    string Title,
    string Noun,
    JsonSerializerOptions Json,
    Func<SupervisionServices, IDecider<TState, TCommand, TEvent>> Decider,
    Func<OrgDirectory, Person, TState, bool> CanSee,
    IReadOnlyDictionary<string, (string Type, Type Command, string Summary)> Actions,
    Func<SupervisionServices, OrgDirectory, Person?, Recorded<TState>, IReadOnlyList<StoredEvent>, IReadOnlyList<CommandOutcome>, object> View)
    where TState : class
    where TCommand : class
    where TEvent : class
{
    /// <summary>
    /// The decider's own strict reader, when it has one (the case's <c>CaseCommandReader</c>): the command for
    /// (action, actor) or the 400/413/415 naming the field. Without it, the body goes through the one strict capped
    /// reader and <see cref="SupervisionHttp.TryCommand{T}"/>.
    /// </summary>
    public Func<HttpContext, string, string, CancellationToken, Task<(TCommand? Command, IResult? Problem)>>? Read { get; init; }

    /// <summary>
    /// Fills in what the caller may leave out, given the current state (e.g. the caller's own party unit); null keeps the
    /// body. Only for bodies <see cref="Completes"/> picks, which are then loaded before they are read (the others are
    /// read first, so a refused body costs no storage call).
    /// </summary>
    public Func<CommandRequest<TState>, JsonObject?>? Complete { get; init; }

    /// <summary>Which (action, body) pairs <see cref="Complete"/> may fill in.</summary>
    public Func<string, JsonObject, bool>? Completes { get; init; }

    /// <summary>
    /// A check against stored data before anything is sent, which may also complete the command (e.g. a cited file is
    /// the case's file as stored, and carries the digest the file store measured).
    /// </summary>
    public Func<CommandRequest<TState>, TCommand, Task<(TCommand Command, IResult? Problem)>>? Check { get; init; }

    /// <summary>What follows an applied command at the edge, before the view is read (e.g. sealing the cited file).</summary>
    public Func<CommandRequest<TState>, TCommand, Task>? Applied { get; init; }

    /// <summary>The operation id of an action's POST; <c>{Name}-{action}</c> unless the decider's ids predate the pipeline.</summary>
    public Func<string, string>? OperationOf { get; init; }

    /// <summary>The command-status operation id; <c>{Name}CommandStatus</c> by default.</summary>
    public string? StatusOperation { get; init; }

    public string StatusUrl(string id, string commandId) =>
        $"/api{Route}/{Uri.EscapeDataString(id)}/commands/{Uri.EscapeDataString(commandId)}";

    public async Task<Recorded<TState>?> LoadAsync(SupervisionServices s, string id, CancellationToken ct) =>
        await s.Store.GetAsync(Type, id, ct) is { } stored
            ? new Recorded<TState>(id, stored.Version, JsonSerializer.Deserialize<TState>(stored.StateJson, Json)!)
            : null;
}

/// <summary>One instance's state of record and its version.</summary>
public sealed record Recorded<TState>(string Id, long Version, TState State);

/// <summary>A command on its way through the pipeline: who asks, about what, with which body and action.</summary>
public sealed record CommandRequest<TState>(HttpContext Http, string Action, JsonObject? Body, OrgDirectory Org, Person Person, Recorded<TState> Current);

/// <summary>The one command pipeline: load → visible or 404 → strict, capped read → early decide → send → answer or 202 → view.</summary>
public static class DeciderPipeline
{
    /// <summary>Maps the detail, one POST per action and the command status of a described decider.</summary>
    public static RouteGroupBuilder Map<TState, TCommand, TEvent, TView>(
        this RouteGroupBuilder group, DeciderEdge<TState, TCommand, TEvent> edge, string detailSummary)
        where TState : class
        where TCommand : class
        where TEvent : class
    {
        group.MapGet("/{id}", (string id, HttpContext http, CancellationToken ct) => DetailAsync(edge, id, http, ct))
            .WithName("get" + edge.Title).WithSummary(detailSummary)
            .Produces<TView>().ProducesProblem(StatusCodes.Status404NotFound);
        foreach (var (action, (_, command, summary)) in edge.Actions)
        {
            group.MapPost($"/{{id}}/{action}", (string id, HttpContext http, CancellationToken ct) => CommandAsync(edge, id, action, http, ct))
                .Accepts(command, "application/json").WithName(edge.OperationOf?.Invoke(action) ?? $"{edge.Name}-{action}")
                .WithSummary($"{summary} The actor is the signed-in person.")
                .Produces<TView>().Produces<PendingCommand>(StatusCodes.Status202Accepted)
                .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        }

        group.MapGet("/{id}/commands/{commandId}", (string id, string commandId, HttpContext http, CancellationToken ct) => StatusAsync(edge, id, commandId, http, ct))
            .WithName(edge.StatusOperation ?? edge.Name + "CommandStatus").WithSummary($"The outcome of a {edge.Noun} command answered 202.")
            .Produces<CommandStatusView>().Produces<PendingCommand>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    /// <summary>A step on an existing instance.</summary>
    public static async Task<IResult> CommandAsync<TState, TCommand, TEvent>(
        DeciderEdge<TState, TCommand, TEvent> edge, string id, string action, HttpContext http, CancellationToken ct)
        where TState : class
        where TCommand : class
        where TEvent : class
    {
        var notFound = Problems.NotFound($"No {edge.Noun} '{id}' that you may act on.");
        var actor = SupervisionClaims.PersonIdOf(http.User);
        if (actor is null)
        {
            return notFound;
        }

        // The body first, checked against the command's shape: a refused one costs no storage call, and its 400 says
        // nothing about whether the instance exists. A body the server completes from the current state waits for it.
        var type = edge.Actions[action].Type;
        TCommand? command = null;
        JsonObject? body = null;
        var completes = false;
        IResult? bad;
        if (edge.Read is not null)
        {
            (command, bad) = await edge.Read(http, action, actor, ct);
            if (bad is not null)
            {
                return bad;
            }
        }
        else
        {
            (body, bad) = await SupervisionHttp.ReadObjectAsync(http, ct);
            if (bad is not null)
            {
                return bad;
            }

            completes = edge.Complete is not null && edge.Completes?.Invoke(action, body!) == true;
            if (!completes && !SupervisionHttp.TryCommand<TCommand>(body!, type, actor, edge.Json, out command, out bad))
            {
                return bad!;
            }
        }

        var s = SupervisionServices.Of(http);
        var (org, person) = await SupervisionHttp.WhoAsync(http, s, ct);
        if (person is null || await edge.LoadAsync(s, id, ct) is not { } current || !edge.CanSee(org, person, current.State))
        {
            return notFound;
        }

        var request = new CommandRequest<TState>(http, action, body, org, person, current);
        if (completes)
        {
            request = request with { Body = edge.Complete!(request) ?? body };
            if (!SupervisionHttp.TryCommand<TCommand>(request.Body!, type, actor, edge.Json, out command, out bad))
            {
                return bad!;
            }
        }

        var step = command!;
        if (edge.Check is not null)
        {
            (step, bad) = await edge.Check(request, step);
            if (bad is not null)
            {
                return bad;
            }
        }

        var commandId = SupervisionHttp.CommandId(actor, SupervisionHttp.Key(http));
        return await SendAsync(
            edge, s, org, actor, id, current.State, step, commandId, create: false, http, ct,
            applied: edge.Applied is null ? null : () => edge.Applied(request, step));
    }

    /// <summary>
    /// The shared tail of every command, creating ones and the petitioner's included: the early refusal (writes nothing),
    /// the send at the legal instant received, then the rejection, the 202 while the engine is slow, or — once
    /// <paramref name="applied"/> has run — the view as recorded (<paramref name="view"/>, else the edge's).
    /// </summary>
    public static async Task<IResult> SendAsync<TState, TCommand, TEvent>(
        DeciderEdge<TState, TCommand, TEvent> edge, SupervisionServices s, OrgDirectory org, string actor, string id, TState state, TCommand command,
        string commandId, bool create, HttpContext http, CancellationToken ct,
        Func<Task>? applied = null,
        Func<Recorded<TState>, IReadOnlyList<StoredEvent>, IReadOnlyList<CommandOutcome>, object>? view = null)
        where TState : class
        where TCommand : class
        where TEvent : class
    {
        if (await s.EarlyRefusalAsync(edge.Decider(s), edge.Type, id, state, command, commandId, actor, ct) is { } refused)
        {
            return refused;
        }

        var result = await s.SendAsync(edge.Type, id, JsonSerializer.Serialize(command, edge.Json), commandId, actor, create, ct);
        if (SupervisionHttp.Answer(edge.StatusUrl(id, commandId), commandId, result) is { } early)
        {
            return early;
        }

        if (applied is not null)
        {
            await applied();
        }

        http.Response.Headers["Idempotent-Replayed"] = result.Replayed ? "true" : "false";
        var status = create && !result.Replayed ? StatusCodes.Status201Created : StatusCodes.Status200OK;
        var current = await edge.LoadAsync(s, id, ct);
        var events = await s.Store.ReadEventsAsync(edge.Type, id, ct);
        var rejected = view is null ? await s.Store.ReadRejectionsAsync(edge.Type, id, ct) : [];
        return Results.Json(view is null ? edge.View(s, org, org.PersonById(actor), current!, events, rejected) : view(current!, events, rejected), edge.Json, statusCode: status);
    }

    public static async Task<IResult> DetailAsync<TState, TCommand, TEvent>(
        DeciderEdge<TState, TCommand, TEvent> edge, string id, HttpContext http, CancellationToken ct)
        where TState : class
        where TCommand : class
        where TEvent : class
    {
        var s = SupervisionServices.Of(http);
        var (org, person) = await SupervisionHttp.WhoAsync(http, s, ct);
        if (await edge.LoadAsync(s, id, ct) is not { } current || person is null || !edge.CanSee(org, person, current.State))
        {
            return Problems.NotFound($"No {edge.Noun} '{id}' that you may see.");
        }

        var events = await s.Store.ReadEventsAsync(edge.Type, id, ct);
        var rejected = await s.Store.ReadRejectionsAsync(edge.Type, id, ct);
        return Results.Json(edge.View(s, org, person, current, events, rejected), edge.Json);
    }

    public static async Task<IResult> StatusAsync<TState, TCommand, TEvent>(
        DeciderEdge<TState, TCommand, TEvent> edge, string id, string commandId, HttpContext http, CancellationToken ct)
        where TState : class
        where TCommand : class
        where TEvent : class
    {
        var s = SupervisionServices.Of(http);
        var (org, person) = await SupervisionHttp.WhoAsync(http, s, ct);
        if (await edge.LoadAsync(s, id, ct) is not { } current || person is null || !edge.CanSee(org, person, current.State))
        {
            return Problems.NotFound($"No {edge.Noun} '{id}' that you may see.");
        }

        var outcome = await s.Store.GetOutcomeAsync(edge.Type, id, commandId, ct);
        return outcome is null
            ? Results.Json(new PendingCommand("Pending", commandId, null), statusCode: StatusCodes.Status202Accepted)
            : Results.Json(new CommandStatusView(outcome.Status.ToString(), commandId, outcome.Version, outcome.Rejection));
    }
}

/// <summary>A command accepted while the engine is slow: poll <see cref="StatusUrl"/>.</summary>
public sealed record PendingCommand(string Status, string CommandId, string? StatusUrl);

/// <summary>The recorded outcome of a command: <c>Applied</c> or <c>Rejected</c> with the reason.</summary>
public sealed record CommandStatusView(string Status, string CommandId, long Version, RejectionData? Rejection);

/// <summary>One step of an instance's timeline, as recorded.</summary>
public sealed record TimelineEntry(long Sequence, string Type, DateTimeOffset At, string Actor, string? ActorName, JsonElement Data)
{
    public static IEnumerable<TimelineEntry> Of(OrgDirectory org, IReadOnlyList<StoredEvent> events) =>
        events.Select(e => new TimelineEntry(e.Sequence, e.EventType, e.At, e.Actor, org.PersonById(e.Actor)?.Name, JsonDocument.Parse(e.Data).RootElement));
}

/// <summary>A command the decider refused, kept so the timeline can say who tried what and why not.</summary>
public sealed record RejectedEntry(DateTimeOffset At, string Actor, string? Command, string? Reason)
{
    public static IEnumerable<RejectedEntry> Of(IReadOnlyList<CommandOutcome> rejected) =>
        rejected.OrderBy(r => r.At).Select(r => new RejectedEntry(r.At, r.Actor, r.Rejection?.Command, r.Rejection?.Reason));
}

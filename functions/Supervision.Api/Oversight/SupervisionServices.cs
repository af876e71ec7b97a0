using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using NodaTime;
using Supervision.Api.Auth;
using Supervision.Api.Cases;
using Supervision.Api.Org;
using Supervision.Api.Platform;
using Supervision.Domain.Backlog;
using Supervision.Domain.Calendar;
using Supervision.Domain.Cases;
using Supervision.Domain.JointAssignments;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;
using Supervision.Domain.Tickets;
using Supervision.Orchestrations;

namespace Supervision.Api.Oversight;

/// <summary>
/// What the supervision endpoints (tickets, joint assignments, inboxes, scorecard) need, resolved per request from the
/// services the host already registers, so mapping them takes one line in <see cref="Composition"/>.
/// </summary>
public sealed class SupervisionServices(IServiceProvider sp)
{
    public CommandGateway Gateway { get; } = sp.GetRequiredService<CommandGateway>();

    public DecisionStore Store { get; } = sp.GetRequiredService<DecisionStore>();

    public OrchestrationStorage Storage { get; } = sp.GetRequiredService<OrchestrationStorage>();

    public OrgService Org { get; } = sp.GetRequiredService<OrgService>();

    public ICalendarSource Calendar { get; } = sp.GetRequiredService<ICalendarSource>();

    public TimeProvider Clock { get; } = sp.GetRequiredService<TimeProvider>();

    public CaseServices Cases { get; } = sp.GetRequiredService<CaseServices>();

    public LocalMailbox Mailbox { get; } = sp.GetRequiredService<LocalMailbox>();

    /// <summary>The deciders in force, for the early answer (<see cref="EarlyRefusalAsync{TState, TCommand, TEvent}"/>).</summary>
    public IDecider<TicketState, TicketCommand, TicketEvent> Tickets { get; } = sp.GetRequiredService<ReferenceBoundDecider<TicketState, TicketCommand, TicketEvent>>();

    public IDecider<JointState, JointCommand, JointEvent> Joints { get; } = sp.GetRequiredService<ReferenceBoundDecider<JointState, JointCommand, JointEvent>>();

    public IDecider<CampaignState, CampaignCommand, CampaignEvent> Campaigns { get; } = sp.GetRequiredService<ReferenceBoundDecider<CampaignState, CampaignCommand, CampaignEvent>>();

    public static SupervisionServices Of(HttpContext http) => new(http.RequestServices);

    public Instant Now() => Instant.FromDateTimeOffset(Clock.GetUtcNow());

    public async Task<(long Version, TicketState State)?> TicketAsync(string id, CancellationToken ct) =>
        await Store.GetAsync(TicketDecider.Type, id, ct) is { } s ? (s.Version, TicketJson.Deserialize<TicketState>(s.StateJson)) : null;

    public async Task<(long Version, JointState State)?> JointAsync(string id, CancellationToken ct) =>
        await Store.GetAsync(JointDecider.Type, id, ct) is { } s ? (s.Version, JointJson.Deserialize<JointState>(s.StateJson)) : null;

    /// <summary>
    /// The refusal the decider gives a command against the current state (or the initial one, for a creating command),
    /// before anything is sent: a plainly refused step then writes nothing (no instance, no history, no outcome row), as
    /// for cases. A retry of a command already decided is answered from its record instead. The orchestration still
    /// decides everything it is sent, so a step that loses a race is refused there, visibly.
    /// </summary>
    public async Task<IResult?> EarlyRefusalAsync<TState, TCommand, TEvent>(
        IDecider<TState, TCommand, TEvent> decider, string type, string id, TState state, TCommand command, string commandId, string actor, CancellationToken ct)
        where TState : class
        where TCommand : class
        where TEvent : class
    {
        if (await Store.GetOutcomeAsync(type, id, commandId, ct) is not null)
        {
            return null;
        }

        return decider.Decide(state, command, new DecisionContext(id, commandId, Now(), actor)).Rejection is { } refused
            ? Problems.Rejected(refused)
            : null;
    }

    /// <summary>Sends a command recorded at the legal instant the API received it.</summary>
    public Task<CommandResult> SendAsync(string type, string id, string json, string commandId, string actor, bool create, CancellationToken ct) =>
        Gateway.SendAsync(type, id, new CommandEnvelope(commandId, actor, Clock.GetUtcNow(), json), create, ct);

    /// <summary>Rows of a read model matching an OData filter (null: all), as dictionaries.</summary>
    public async Task<List<Dictionary<string, object?>>> RowsAsync(string model, string? filter, CancellationToken ct)
    {
        var table = await Storage.ReadModelAsync(model);
        var rows = new List<Dictionary<string, object?>>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            var row = e.ToDictionary(p => p.Key, p => (object?)p.Value, StringComparer.Ordinal);
            row["id"] = e.RowKey;
            rows.Add(row);
        }

        return rows;
    }
}

/// <summary>Shared request plumbing of the supervision endpoints (same rules as the case API).</summary>
public static class SupervisionHttp
{
    public static string CommandId(string actor, string? key) =>
        key is null ? "http:" + Guid.NewGuid().ToString("N") : "http:" + Hash(actor + "|" + key)[..32];

    public static string? Key(HttpContext http) => http.Request.Headers[CaseEndpoints.IdempotencyHeader].FirstOrDefault();

    /// <summary>A short id suffix: from the idempotency key when given (a retry addresses the same instance), else random.</summary>
    public static string Suffix(string actor, string? key) =>
        key is null ? Convert.ToHexString(RandomNumberGenerator.GetBytes(4)) : Hash("id|" + actor + "|" + key)[..8].ToUpperInvariant();

    public static string Hash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();

    /// <summary>
    /// The body as a JSON object, read by the API's one strict reader (<see cref="HttpInput.ReadObjectAsync"/>: the command
    /// body cap, JSON only, no duplicate keys, bounded depth, valid text in every field), or the 400/413/415 naming the
    /// field. No body is an empty object. Touches no storage, so callers read it before loading anything.
    /// </summary>
    public static async Task<(JsonObject? Body, IResult? Problem)> ReadObjectAsync(HttpContext http, CancellationToken ct)
    {
        var limits = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<ApiLimits>>().Value;
        using var body = await HttpInput.ReadObjectAsync(http.Request, limits.MaxCommandBodyBytes, ct, CaseJson.MaxDepth);
        return body.Problem is not null ? (null, body.Problem) : (JsonNode.Parse(body.Text!)!.AsObject(), null);
    }

    /// <summary>
    /// Deserializes <paramref name="body"/> as <typeparamref name="T"/>; a body that does not fit is a 400 naming the
    /// field the serializer stopped at (never an exception).
    /// </summary>
    public static bool TryRead<T>(JsonObject body, JsonSerializerOptions options, string what, out T? value, out IResult? problem)
        where T : class
    {
        try
        {
            value = body.Deserialize<T>(options);
            problem = null;
            return true;
        }
        catch (JsonException e)
        {
            value = null;
            problem = Problems.Fields([new Domain.Orchestration.FieldError(Field(e.Path), $"The body does not fit {what}: {e.Message}")]);
            return false;
        }
        catch (Exception e) when (e is NotSupportedException or FormatException or ArgumentException or InvalidOperationException)
        {
            value = null;
            problem = Problems.Fields([new Domain.Orchestration.FieldError("$", $"The body does not fit {what}: {e.Message}")]);
            return false;
        }
    }

    /// <summary>
    /// Reads a polymorphic command as the case edge does: the step is the route's (a client <c>$type</c> other than it is
    /// refused, so no runtime-made command comes from outside), the actor is the server's, and the body passes the same
    /// <see cref="CommandShape"/> check (required, not null, enums by name, kinds) before it is deserialized. The problem
    /// names the field.
    /// </summary>
    public static bool TryCommand<T>(JsonObject body, string type, string actor, JsonSerializerOptions options, out T command, out IResult? problem)
        where T : class
    {
        command = null!;
        if (body["$type"] is { } given && (given.GetValueKind() != JsonValueKind.String || given.GetValue<string>() != type))
        {
            problem = Problems.Fields([new Domain.Orchestration.FieldError("$type", $"$type must be absent or \"{type}\" on this endpoint")]);
            return false;
        }

        var ordered = new JsonObject { ["$type"] = type, ["actor"] = actor };
        foreach (var (name, value) in body)
        {
            if (name is not ("$type" or "actor"))
            {
                ordered[name] = value?.DeepClone();
            }
        }

        if (CommandTypes<T>.ByName.TryGetValue(type, out var derived))
        {
            var errors = new List<Domain.Orchestration.FieldError>();
            using var doc = JsonDocument.Parse(ordered.ToJsonString());
            CommandShape.Check(doc.RootElement, derived, errors, t => t.Namespace == derived.Namespace);
            if (errors.Count > 0)
            {
                problem = Problems.Fields(errors);
                return false;
            }
        }

        if (TryRead<T>(ordered, options, $"the '{type}' command", out var read, out problem) && read is not null)
        {
            command = read;
            return true;
        }

        problem ??= Problems.Fields([new Domain.Orchestration.FieldError("$", $"The body does not fit the '{type}' command.")]);
        return false;
    }

    /// <summary><c>$.arrangement.leadDueDate</c> → <c>arrangement.leadDueDate</c>; the root stays <c>$</c>.</summary>
    public static string Field(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "$" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    /// <summary>The rejection, 202 with a status link while the engine is slow, or null when applied.</summary>
    public static IResult? Answer(string statusUrl, string commandId, CommandResult result) => result.Outcome switch
    {
        null => Results.Json(new { status = "Pending", commandId, statusUrl }, statusCode: StatusCodes.Status202Accepted),
        { Rejection: { } r } => Problems.Rejected(r),
        _ => null,
    };

    public static async Task<(OrgDirectory Org, Person? Person)> WhoAsync(HttpContext http, SupervisionServices s, CancellationToken ct)
    {
        var org = await s.Org.GetAsync(ct);
        return (org, org.PersonById(SupervisionClaims.PersonIdOf(http.User)));
    }

    public static HashSet<string> Split(object? list) =>
        new(((list as string) ?? string.Empty).Split(CaseRow.ListSeparator, StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
}

/// <summary>A polymorphic command base's derived types by their JSON discriminator.</summary>
internal static class CommandTypes<T>
{
    public static readonly IReadOnlyDictionary<string, Type> ByName = typeof(T)
        .GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonDerivedTypeAttribute), inherit: false)
        .Cast<System.Text.Json.Serialization.JsonDerivedTypeAttribute>()
        .ToDictionary(a => (string)a.TypeDiscriminator!, a => a.DerivedType, StringComparer.Ordinal);
}

/// <summary>
/// Who may see a ticket or a joint assignment: a person with a role in a unit it names, or a supervisor, leader or
/// conference-office staff member whose level's government is an ancestor of (or is) such a unit — never anyone the
/// accusation guard excludes (the accused person, or anyone in the accused unit). The same answer (404) for
/// "no such ticket" and "not yours to see".
/// </summary>
public static class SupervisionVisibility
{
    public static bool CanSee(OrgDirectory org, Person person, TicketState s) =>
        s.Status != TicketStatus.New
        && !AccusationGuard.ExcludesPerson(org, s.Category, s.AccusedUnitId, s.AccusedPersonId, person.Id)
        && CanSeeUnits(org, person, [s.AgencyId, s.BureauId, s.BureauId is null ? null : org.ConferenceOfficeOf(s.BureauId)?.Id, s.Accountability?.TargetUnitId,
            .. s.Rulings.Select(r => r.ReassignTo)]);

    public static bool CanSee(OrgDirectory org, Person person, JointState s) =>
        s.Status != JointStatus.New
        && !AccusationGuard.ExcludesPerson(org, s.Category, s.AccusedUnitId, s.AccusedPersonId, person.Id)
        && CanSeeUnits(org, person, [s.BureauId, s.ConferenceOfficeId, s.ResolverUnitId, .. s.Arrangement?.Parties ?? []]);

    /// <summary>The accusation guard on a read-model row (its <c>excludedUnits</c>).</summary>
    public static bool Guarded(OrgDirectory org, Person person, IReadOnlyDictionary<string, object?> row)
    {
        var excluded = SupervisionHttp.Split(row.GetValueOrDefault(TicketRow.ExcludedUnits));
        return org.UnitsOf(person.Id).Any(excluded.Contains);
    }

    public static bool CanSeeRow(OrgDirectory org, Person person, IReadOnlyDictionary<string, object?> row, params string?[] units) =>
        !Guarded(org, person, row) && CanSeeUnits(org, person, units);

    public static bool CanSeeUnits(OrgDirectory org, Person person, IEnumerable<string?> units)
    {
        var named = units.OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var grant in person.Roles)
        {
            if (named.Contains(grant.Unit))
            {
                return true;
            }

            if (grant.Role is Role.Supervisor or Role.Leader or Role.ConferenceStaff
                && org.GovernmentOf(grant.Unit) is { } government
                && named.Any(u => org.IsAncestorOrSelf(government.Id, u)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The governments whose units a person oversees (<see cref="Oversees"/>), none nested in another: the scope of the
    /// analysis roll-ups (decision A22).
    /// </summary>
    public static IReadOnlyList<string> OverseenGovernments(OrgDirectory org, Person person)
    {
        var all = person.Roles.Where(g => g.Role is Role.Supervisor or Role.Leader or Role.ConferenceStaff)
            .Select(g => org.GovernmentOf(g.Unit)?.Id).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        return [.. all.Where(g => !all.Any(other => other != g && org.IsAncestorOrSelf(other, g)))];
    }

    /// <summary>Units a person oversees (supervisor, leader, conference staff): everything under their level's government.</summary>
    public static bool Oversees(OrgDirectory org, Person person, string unitId) =>
        person.Roles.Any(g => g.Role is Role.Supervisor or Role.Leader or Role.ConferenceStaff
            && org.GovernmentOf(g.Unit) is { } gov && org.IsAncestorOrSelf(gov.Id, unitId));
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using NodaTime;
using Supervision.Api.Auth;
using Supervision.Api.Org;
using Supervision.Api.Platform;
using Supervision.Domain.Calendar;
using Supervision.Domain.Cases;
using Supervision.Domain.Org;
using Supervision.Orchestrations;

namespace Supervision.Api.Cases;

/// <summary>
/// The case API: register, every lifecycle command, detail with timeline and explained deadlines, and lists from the
/// <c>cases</c> read model. Commands go to the case orchestration through <see cref="CommandGateway"/>, which waits a
/// bounded time for the recorded outcome, so the caller gets the new state or the decider's rejection (409/400/403),
/// and 202 with a status link only when the engine is slow. An <c>Idempotency-Key</c> header makes a retried request
/// act once: the key becomes the command id, which the orchestration decides at most once.
/// </summary>
public static class CaseEndpoints
{
    public const string IdempotencyHeader = "Idempotency-Key";
    public const string QueryCodeHeader = "X-Query-Code";

    /// <summary>Lifecycle commands by their stable action name (the command's JSON discriminator).</summary>
    public static readonly IReadOnlyDictionary<string, Type> Commands = new Dictionary<string, Type>(StringComparer.Ordinal)
    {
        ["classify"] = typeof(ClassifyCase),
        ["route"] = typeof(RouteCase),
        ["refer-out"] = typeof(ReferOut),
        ["object"] = typeof(RaiseObjection),
        ["decide-objection"] = typeof(DecideObjection),
        ["accept"] = typeof(AcceptCase),
        ["approve-extension"] = typeof(ApproveExtension),
        ["reply"] = typeof(IssueReply),
        ["completion-report"] = typeof(SubmitCompletionReport),
        ["rate"] = typeof(RateHandling),
        ["request-review"] = typeof(RequestReview),
        ["review-opinion"] = typeof(IssueReviewOpinion),
        ["request-reexamination"] = typeof(RequestReExamination),
        ["start-hearing"] = typeof(StartHearing),
        ["end-hearing"] = typeof(EndHearing),
        ["reexamination-opinion"] = typeof(IssueReExaminationOpinion),
        ["report-major"] = typeof(ReportMajor),
        ["migrate-policy"] = typeof(MigratePolicy),
    };

    /// <summary>What a petitioner may do with the query code (查询码) instead of a staff login.</summary>
    public static readonly IReadOnlySet<string> PetitionerCommands = new HashSet<string>(StringComparer.Ordinal)
    {
        "rate", "request-review", "request-reexamination",
    };

    public static IEndpointRouteBuilder MapCaseEndpoints(this IEndpointRouteBuilder app)
    {
        var staff = app.MapGroup("/api").RequireAuthorization(SupervisionClaims.PersonPolicy).WithTags("cases");
        staff.MapPost("/cases", RegisterAsync).Accepts<RegisterCase>("application/json").WithName("register")
            .WithSummary("Register a petition (登记). Case id and query code are assigned by the server.");
        staff.MapGet("/cases", ListAsync).WithName("listCases")
            .WithSummary("Cases visible to the caller, filtered by unit / status / light / due within N days, paged.");
        staff.MapGet("/cases/{id}", DetailAsync).WithName("getCase")
            .WithSummary("A case with its clocks (deadline, explanation, light, countdown) and its timeline.");
        foreach (var (action, type) in Commands)
        {
            staff.MapPost($"/cases/{{id}}/{action}", (string id, HttpContext http, CaseServices s, CancellationToken ct) =>
                    CommandAsync(id, action, http, s, ct))
                .Accepts(type, "application/json").WithName(action)
                .WithSummary($"Case command '{action}'. The actor is the signed-in person; any 'actor' in the body is ignored.");
        }

        staff.MapGet("/cases/{id}/commands/{commandId}", CommandStatusAsync).WithName("commandStatus")
            .WithSummary("The outcome of a command answered 202 (still pending when the engine was slow).");
        staff.MapGet("/me", MeAsync).WithName("me").WithTags("people");

        var petitioner = app.MapGroup("/api/petitioner").WithTags("petitioner").AllowAnonymous();
        petitioner.MapGet("/cases/{id}", PetitionerViewAsync).WithName("petitionerView")
            .WithSummary("Progress query (查询) with the query code in the X-Query-Code header.");
        foreach (var action in PetitionerCommands)
        {
            petitioner.MapPost($"/cases/{{id}}/{action}", (string id, HttpContext http, CaseServices s, CancellationToken ct) =>
                    PetitionerCommandAsync(id, action, http, s, ct))
                .Accepts(Commands[action], "application/json").WithName("petitioner-" + action);
        }

        return app;
    }

    private static async Task<IResult> RegisterAsync(HttpContext http, CaseServices s, CancellationToken ct)
    {
        var actor = SupervisionClaims.PersonIdOf(http.User)!;
        var body = await ReadObjectAsync(http, ct);
        if (body is null)
        {
            return Problems.Invalid("The body must be a JSON object with the registration fields (channel, receivedAt, unitId, petitioner, summary, matterKey…).");
        }

        var key = http.Request.Headers[IdempotencyHeader].FirstOrDefault();
        body["$type"] = "register";
        body["actor"] = actor;
        body["caseId"] = "pending";
        var queryCode = NewQueryCode();
        body["queryCode"] = queryCode;
        body["queryCodeSalt"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        if (!TryDeserialize(body, out var parsed, out var error) || parsed is not RegisterCase draft)
        {
            return Problems.Invalid(error);
        }

        // The id comes from the request itself (its receipt date and, when given, the idempotency key), never from the
        // clock: a retry after midnight must address the same case, or the runtime could not recognise it as a retry.
        var caseId = NewCaseId(draft.ReceivedAt, key is null ? null : actor + "|" + key);
        var command = draft with { CaseId = caseId };

        var commandId = CommandId(actor, key);
        if (await FindEarlierAsync(command, caseId, s, ct) is { } earlier)
        {
            return await RepeatAsync(command, earlier, commandId, s, ct);
        }

        var result = await s.SendAsync(caseId, command, commandId, actor, create: true, ct);
        if (Answer(caseId, commandId, result) is { } early)
        {
            return early;
        }

        var snapshot = await s.GetAsync(caseId, ct);
        var org = await s.Org.GetAsync(ct);
        var view = CaseViews.Detail(s.Calendar.Current, org, snapshot!.State, snapshot.Version, s.Now(), [], []);

        // The query code goes to the registrar once, to hand to the petitioner; only its salted hash is stored, so no
        // list, detail or retried registration shows it again (a lost code is re-issued by a registrar).
        return Results.Json(
            new { @case = view, queryCode = result.Replayed ? null : queryCode, replayed = result.Replayed },
            CaseJson.Options,
            statusCode: result.Replayed ? StatusCodes.Status200OK : StatusCodes.Status201Created);
    }

    /// <summary>
    /// A registration whose petitioner + matter fingerprint matches a case that is final (Art. 36: not accepted again) or
    /// still open (Art. 19: not accepted twice while within its limit). Closed and referred-out cases do not block.
    /// </summary>
    private static async Task<IReadOnlyDictionary<string, object?>?> FindEarlierAsync(RegisterCase registration, string caseId, CaseServices s, CancellationToken ct)
    {
        var fingerprint = CaseHashes.Fingerprint(registration.Petitioner, registration.MatterKey);
        var table = await s.Storage.ReadModelAsync(CaseRow.Model);
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"fingerprint eq {fingerprint}"), cancellationToken: ct))
        {
            var status = e.GetString(CaseRow.Status);
            if (e.RowKey != caseId && (status == nameof(CaseStatus.Final) || (e.GetBoolean(CaseRow.Open) ?? false)))
            {
                return e.ToDictionary(p => p.Key, p => (object?)p.Value, StringComparer.Ordinal);
            }
        }

        return null;
    }

    private static async Task<IResult> RepeatAsync(
        RegisterCase registration, IReadOnlyDictionary<string, object?> earlier, string commandId, CaseServices s, CancellationToken ct)
    {
        var earlierId = (string)earlier[CaseRow.CaseId]!;
        var final = earlier.GetValueOrDefault(CaseRow.Status) as string == nameof(CaseStatus.Final);
        var record = new RecordRepeatPetition(registration.Actor, registration.ReceivedAt, registration.Channel, registration.UnitId);
        var result = await s.SendAsync(earlierId, record, commandId, registration.Actor, create: false, ct);
        if (Answer(earlierId, commandId, result) is { } early)
        {
            return early;
        }

        // An accusation's id is not disclosed to a registrar who may not see it; other cases are named so the
        // registrar can answer the petitioner.
        var named = earlier.GetValueOrDefault(CaseRow.Category) as string != nameof(Category.Accusation);
        return Results.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: final ? "Repeat of a final case" : "Already being handled",
            detail: final
                ? $"The same request on the same facts was finally decided after re-examination{(named ? $" (case {earlierId})" : string.Empty)} and is not accepted again (《信访工作条例》第三十六条). The repeat is recorded on that case."
                : $"The same matter is being handled within its time limit{(named ? $" as case {earlierId}" : string.Empty)} (《信访工作条例》第十九条). The duplicate is recorded on that case.",
            extensions: new Dictionary<string, object?> { ["caseId"] = named ? earlierId : null, ["final"] = final });
    }

    private static async Task<IResult> CommandAsync(string id, string action, HttpContext http, CaseServices s, CancellationToken ct)
    {
        var actor = SupervisionClaims.PersonIdOf(http.User)!;
        var org = await s.Org.GetAsync(ct);
        var person = org.PersonById(actor);
        var snapshot = await s.GetAsync(id, ct);
        if (snapshot is null || person is null || !CaseVisibility.CanSee(org, person, snapshot.State))
        {
            // Same answer for "no such case" and "not yours to see": existence is not disclosed (accusation guard).
            return Problems.NotFound($"No case '{id}' that you may act on.");
        }

        return await ExecuteAsync(id, action, actor, http, s, org, petitioner: false, ct);
    }

    private static async Task<IResult> PetitionerCommandAsync(string id, string action, HttpContext http, CaseServices s, CancellationToken ct)
    {
        var code = http.Request.Headers[QueryCodeHeader].FirstOrDefault();
        var snapshot = await s.GetAsync(id, ct);
        if (code is null || snapshot is null || !CaseVisibility.CanPetitionerSee(snapshot.State, code))
        {
            return Problems.NotFound("No case with that id and query code.");
        }

        return await ExecuteAsync(id, action, Actors.Petitioner(code), http, s, await s.Org.GetAsync(ct), petitioner: true, ct);
    }

    private static async Task<IResult> ExecuteAsync(
        string id, string action, string actor, HttpContext http, CaseServices s, OrgDirectory org, bool petitioner, CancellationToken ct)
    {
        var body = await ReadObjectAsync(http, ct) ?? [];
        body["$type"] = action;
        body["actor"] = actor;
        if (!TryDeserialize(body, out var command, out var error))
        {
            return Problems.Invalid(error);
        }

        if (await Files.LegalRecords.CheckAsync(id, command, http, ct) is { } badFile)
        {
            return badFile;
        }

        var key = http.Request.Headers[IdempotencyHeader].FirstOrDefault();
        var commandId = CommandId(actor, key);

        // An early answer from the current state saves a round trip through the engine for a plainly refused step;
        // the orchestration still decides everything it is sent (a step that loses a race is refused there, visibly).
        if (await s.GetAsync(id, ct) is { } current && await s.Store.GetOutcomeAsync(CaseDecider.Type, id, commandId, ct) is null
            && s.Decider.Decide(current.State, command, new Domain.Orchestration.DecisionContext(id, commandId, s.Now(), actor)).Rejection is { } early)
        {
            return Problems.Rejected(early);
        }

        var result = await s.SendAsync(id, command, commandId, actor, create: false, ct);
        if (Answer(id, commandId, result) is { } answer)
        {
            return answer;
        }

        await Files.LegalRecords.SealAsync(id, command, http, ct); // the cited legal record is now immutable
        var snapshot = await s.GetAsync(id, ct);
        if (petitioner)
        {
            return Results.Json(CaseViews.Petitioner(s.Calendar.Current, snapshot!.State, s.Now()), CaseJson.Options);
        }

        var events = await s.Store.ReadEventsAsync(CaseDecider.Type, id, ct);
        var rejected = await s.Store.ReadRejectionsAsync(CaseDecider.Type, id, ct);
        http.Response.Headers["Idempotent-Replayed"] = result.Replayed ? "true" : "false";
        return Results.Json(CaseViews.Detail(s.Calendar.Current, org, snapshot!.State, snapshot.Version, s.Now(), events, rejected), CaseJson.Options);
    }

    private static async Task<IResult> DetailAsync(string id, HttpContext http, CaseServices s, CancellationToken ct)
    {
        var org = await s.Org.GetAsync(ct);
        var person = org.PersonById(SupervisionClaims.PersonIdOf(http.User));
        var snapshot = await s.GetAsync(id, ct);
        if (snapshot is null || person is null || !CaseVisibility.CanSee(org, person, snapshot.State))
        {
            return Problems.NotFound($"No case '{id}' that you may see.");
        }

        var events = await s.Store.ReadEventsAsync(CaseDecider.Type, id, ct);
        var rejected = await s.Store.ReadRejectionsAsync(CaseDecider.Type, id, ct);
        return Results.Json(CaseViews.Detail(s.Calendar.Current, org, snapshot.State, snapshot.Version, s.Now(), events, rejected), CaseJson.Options);
    }

    private static async Task<IResult> PetitionerViewAsync(string id, HttpContext http, CaseServices s, CancellationToken ct)
    {
        var code = http.Request.Headers[QueryCodeHeader].FirstOrDefault();
        var snapshot = await s.GetAsync(id, ct);
        if (code is null || snapshot is null || !CaseVisibility.CanPetitionerSee(snapshot.State, code))
        {
            return Problems.NotFound("No case with that id and query code.");
        }

        return Results.Json(CaseViews.Petitioner(s.Calendar.Current, snapshot.State, s.Now()), CaseJson.Options);
    }

    private static async Task<IResult> ListAsync(
        HttpContext http, CaseServices s, string? unit, string? status, string? light, int? dueWithinDays, bool? open,
        int page = 1, int pageSize = 50, CancellationToken ct = default)
    {
        if (page < 1 || pageSize is < 1 or > 200)
        {
            return Problems.Invalid("page must be ≥ 1 and pageSize between 1 and 200.");
        }

        if (light is not null && !Enum.TryParse<Light>(light, ignoreCase: true, out _))
        {
            return Problems.Invalid("light must be one of green, yellow, orange, red.");
        }

        if (status is not null && !Enum.TryParse<CaseStatus>(status, ignoreCase: true, out _))
        {
            return Problems.Invalid($"status must be one of {string.Join(", ", Enum.GetNames<CaseStatus>())}.");
        }

        if (dueWithinDays is < 0)
        {
            return Problems.Invalid("dueWithinDays must be zero or more.");
        }

        var org = await s.Org.GetAsync(ct);
        var person = org.PersonById(SupervisionClaims.PersonIdOf(http.User));
        if (person is null)
        {
            return Problems.Forbidden("You are signed in but not in the org directory; ask an administrator to add you.");
        }

        var table = await s.Storage.ReadModelAsync(CaseRow.Model);
        var filter = unit is null ? null : TableClient.CreateQueryFilter($"PartitionKey eq {unit}");
        var now = s.Now();
        var dueBy = dueWithinDays is { } days ? now.Plus(Duration.FromDays(days)).ToDateTimeOffset() : (DateTimeOffset?)null;
        var rows = new List<IReadOnlyDictionary<string, object?>>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            var row = e.ToDictionary(p => p.Key, p => (object?)p.Value, StringComparer.Ordinal);
            if (!CaseVisibility.CanSeeRow(org, person, row)
                || (status is not null && !string.Equals(row.GetValueOrDefault(CaseRow.Status) as string, status, StringComparison.OrdinalIgnoreCase))
                || (light is not null && !string.Equals(row.GetValueOrDefault(CaseRow.Light) as string, light, StringComparison.OrdinalIgnoreCase))
                || (open is { } o && (row.GetValueOrDefault(CaseRow.Open) as bool? ?? false) != o)
                || (dueBy is { } by && !(row.GetValueOrDefault(CaseRow.NextDue) is DateTimeOffset due && due <= by)))
            {
                continue;
            }

            rows.Add(row);
        }

        var ordered = rows.OrderBy(r => r.GetValueOrDefault(CaseRow.NextDue) as DateTimeOffset? ?? DateTimeOffset.MaxValue).ToList();
        var items = ordered.Skip((page - 1) * pageSize).Take(pageSize).Select(CaseViews.ListItem).ToList();
        return Results.Json(new { items, page, pageSize, total = ordered.Count }, CaseJson.Options);
    }

    private static async Task<IResult> MeAsync(HttpContext http, CaseServices s, CancellationToken ct)
    {
        var org = await s.Org.GetAsync(ct);
        var id = SupervisionClaims.PersonIdOf(http.User)!;
        var person = org.PersonById(id);
        return Results.Json(new
        {
            id,
            name = person?.Name,
            admin = http.User.IsInRole(SupervisionClaims.AdminRole),
            roles = person?.Roles.Select(r => new { role = RoleNames.Of(r.Role), unit = r.Unit, unitName = org.Unit(r.Unit)?.Name }),
        });
    }

    private static async Task<JsonObject?> ReadObjectAsync(HttpContext http, CancellationToken ct)
    {
        // No body at all is an empty command; a body that is not JSON is refused (the caller gets a 400, not a silent no-op).
        if (http.Request.ContentLength is 0 || (http.Request.ContentLength is null && http.Request.ContentType is null))
        {
            return [];
        }

        if (!(http.Request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) ?? false))
        {
            return null;
        }

        try
        {
            return await JsonNode.ParseAsync(http.Request.Body, cancellationToken: ct) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool TryDeserialize(JsonObject body, out CaseCommand command, out string error)
    {
        // "$type" must come first for the polymorphic reader; rebuild the object with it in front.
        var ordered = new JsonObject { ["$type"] = body["$type"]?.DeepClone() };
        foreach (var (name, value) in body)
        {
            if (name != "$type")
            {
                ordered[name] = value?.DeepClone();
            }
        }

        try
        {
            command = ordered.Deserialize<CaseCommand>(CaseJson.Options) ?? throw new JsonException("empty command");
            error = string.Empty;
            return true;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or FormatException or ArgumentException)
        {
            command = null!;
            error = $"The body does not fit the '{body["$type"]}' command: {e.Message}";
            return false;
        }
    }

    /// <summary>
    /// The answer when the outcome is not a success: the decider's rejection, or 202 with the status link when the
    /// orchestration has not recorded the command within the wait. Null when the command was applied (or changed nothing).
    /// </summary>
    private static IResult? Answer(string caseId, string commandId, CommandResult result) => result.Outcome switch
    {
        null => Results.Json(
            new { status = "Pending", commandId, statusUrl = $"/api/cases/{caseId}/commands/{Uri.EscapeDataString(commandId)}" },
            statusCode: StatusCodes.Status202Accepted),
        { Rejection: { } r } => Problems.Rejected(r),
        _ => null,
    };

    private static async Task<IResult> CommandStatusAsync(string id, string commandId, HttpContext http, CaseServices s, CancellationToken ct)
    {
        var org = await s.Org.GetAsync(ct);
        var person = org.PersonById(SupervisionClaims.PersonIdOf(http.User));
        var snapshot = await s.GetAsync(id, ct);
        if (snapshot is null || person is null || !CaseVisibility.CanSee(org, person, snapshot.State))
        {
            return Problems.NotFound($"No case '{id}' that you may see.");
        }

        var outcome = await s.Store.GetOutcomeAsync(CaseDecider.Type, id, commandId, ct);
        return outcome is null
            ? Results.Json(new { status = "Pending", commandId }, statusCode: StatusCodes.Status202Accepted)
            : Results.Json(new { status = outcome.Status.ToString(), commandId, version = outcome.Version, rejection = outcome.Rejection });
    }

    /// <summary>The command id: derived from the idempotency key when given (same key, same id), else unique.</summary>
    private static string CommandId(string actor, string? key) =>
        key is null ? "http:" + Guid.NewGuid().ToString("N") : "http:" + Hash(actor + "|" + key)[..32];

    /// <summary>XF-yyyyMMdd-xxxxxxxx, dated by the receipt day in Beijing; deterministic for an idempotent retry, random otherwise.</summary>
    private static string NewCaseId(Instant receivedAt, string? seed)
    {
        var suffix = seed is null ? Convert.ToHexString(RandomNumberGenerator.GetBytes(4)) : Hash(seed)[..8].ToUpperInvariant();
        return string.Create(CultureInfo.InvariantCulture, $"XF-{LegalCalendar.LocalDateOf(receivedAt):yyyyMMdd}-{suffix}");
    }

    /// <summary>A 10-digit query code (查询码) from a cryptographic RNG: the petitioner's only credential.</summary>
    private static string NewQueryCode() =>
        string.Concat(Enumerable.Range(0, 10).Select(_ => RandomNumberGenerator.GetInt32(10).ToString(CultureInfo.InvariantCulture)));

    private static string Hash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();
}

/// <summary>What the case endpoints need, resolved once per request.</summary>
public sealed class CaseServices(
    CommandGateway gateway, DecisionStore store, HostedCaseDecider decider, OrchestrationStorage storage, OrgService org, ICalendarSource calendar, TimeProvider clock)
{
    public DecisionStore Store => store;

    public HostedCaseDecider Decider => decider;

    public OrchestrationStorage Storage => storage;

    public OrgService Org => org;

    public ICalendarSource Calendar => calendar;

    public TimeProvider Clock => clock;

    public Instant Now() => Instant.FromDateTimeOffset(clock.GetUtcNow());

    /// <summary>The case's latest recorded state, or null when there is no such case.</summary>
    public async Task<CaseSnapshot?> GetAsync(string caseId, CancellationToken ct) =>
        await store.GetAsync(CaseDecider.Type, caseId, ct) is { } s
            ? new CaseSnapshot(s.Version, System.Text.Json.JsonSerializer.Deserialize<CaseState>(s.StateJson, CaseJson.Options)!)
            : null;

    /// <summary>Sends a command to the case orchestration, recorded at the current legal instant.</summary>
    public Task<CommandResult> SendAsync(string caseId, CaseCommand command, string commandId, string actor, bool create, CancellationToken ct) =>
        gateway.SendAsync(
            CaseDecider.Type, caseId,
            new CommandEnvelope(commandId, actor, clock.GetUtcNow(), System.Text.Json.JsonSerializer.Serialize(command, CaseJson.Options)),
            create, ct);
}

/// <summary>A case state with the sequence of its last event.</summary>
public sealed record CaseSnapshot(long Version, CaseState State);

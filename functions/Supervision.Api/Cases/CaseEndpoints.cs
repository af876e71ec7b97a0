using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using NodaTime;
using Supervision.Api.Auth;
using Supervision.Api.Org;
using Supervision.Api.Oversight;
using Supervision.Api.Platform;
using Supervision.Domain.Calendar;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
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
        ["take-ownership"] = typeof(TakeOwnership),
    };

    /// <summary>What a petitioner may do with the query code (查询码) instead of a staff login.</summary>
    public static readonly IReadOnlySet<string> PetitionerCommands = new HashSet<string>(StringComparer.Ordinal)
    {
        "rate", "request-review", "request-reexamination",
    };

    /// <summary>
    /// The case decider's edge for staff: its lifecycle steps by action, read by <see cref="CaseCommandReader"/>, seen by
    /// <see cref="CaseVisibility"/>, a cited stored file checked (and given the digest the file store measured) before
    /// the step and sealed after it, and the detail view. Registration and the petitioner's steps share its tail.
    /// </summary>
    public static readonly DeciderEdge<CaseState, CaseCommand, CaseEvent> Edge = new(
        CaseDecider.Type, "/cases", "case", "Case", "case", CaseJson.Options, s => s.Cases.Decider, CaseVisibility.CanSee,
        Commands.ToDictionary(
            c => c.Key,
            c => (c.Key, c.Value, $"Case command '{c.Key}'; any 'actor' in the body is ignored."),
            StringComparer.Ordinal),
        (s, org, _, c, events, rejected) => CaseViews.Detail(s.Calendar.Current, org, c.State, c.Version, s.Now(), events, rejected))
    {
        Read = (http, action, actor, ct) =>
            ReadCommandAsync(http, http.RequestServices.GetRequiredService<CaseServices>(), action, new Dictionary<string, string>(StringComparer.Ordinal) { ["actor"] = actor }, ct),
        Check = CiteStoredFileAsync,
        Applied = (r, command) => Files.LegalRecords.SealAsync(r.Current.Id, command, r.Http, r.Http.RequestAborted), // the cited legal record is now immutable
        OperationOf = action => action,
        StatusOperation = "commandStatus",
    };

    private const string PetitionerPolicy =
        "A wrong code and an unknown case answer the same 404. Wrong codes are throttled per client (IPv4 address or IPv6 /64) "
        + "and per case: a client over its limit gets 429 problem+json with Retry-After (docs/api.md, Query codes). "
        + "Only the guesser is throttled: the right code from any other client is always answered, and a re-issued code works at once.";

    public static IEndpointRouteBuilder MapCaseEndpoints(this IEndpointRouteBuilder app)
    {
        var staff = app.MapGroup("/api").RequireAuthorization(SupervisionClaims.PersonPolicy).WithTags("cases");
        staff.MapPost("/cases", RegisterAsync).Accepts<RegisterCase>("application/json").WithName("register")
            .WithSummary("Register a petition (登记). Case id and query code are assigned by the server.");
        staff.MapPost("/cases/{id}/reissue-query-code", ReissueQueryCodeAsync).WithName("reissue-query-code")
            .WithSummary("A registrar re-issues the query code: the new code is answered once and works at once; the old one ends.");
        staff.MapGet("/cases", ListAsync).WithName("listCases")
            .WithSummary("Cases visible to the caller, filtered by unit / status / light / due within N days, paged.");
        staff.MapGroup("/cases").Map<CaseState, CaseCommand, CaseEvent, object>(
            Edge, "A case with its clocks (deadline, explanation, light, countdown) and its timeline.");
        staff.MapGet("/me", MeAsync).WithName("me").WithTags("people");

        var petitioner = app.MapGroup("/api/petitioner").WithTags("petitioner").AllowAnonymous();
        petitioner.MapGet("/cases/{id}", PetitionerViewAsync).WithName("petitionerView")
            .WithSummary("Progress query (查询) with the query code in the X-Query-Code header.")
            .WithDescription(PetitionerPolicy)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status429TooManyRequests);
        foreach (var action in PetitionerCommands)
        {
            petitioner.MapPost($"/cases/{{id}}/{action}", (string id, HttpContext http, CaseServices s, CancellationToken ct) =>
                    PetitionerCommandAsync(id, action, http, s, ct))
                .Accepts(Commands[action], "application/json").WithName("petitioner-" + action)
                .WithDescription(PetitionerPolicy)
                .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status429TooManyRequests);
        }

        return app;
    }

    private static async Task<IResult> RegisterAsync(HttpContext http, CaseServices s, CancellationToken ct)
    {
        var actor = SupervisionClaims.PersonIdOf(http.User)!;
        var key = http.Request.Headers[IdempotencyHeader].FirstOrDefault();
        // The code is hashed here, before it enters any command, envelope or history row: only the registrar's answer
        // below carries it in clear (decision H1).
        var queryCode = NewQueryCode();
        var (parsed, problem) = await ReadCommandAsync(http, s, "register", new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["actor"] = actor,
            ["caseId"] = "pending",
            ["queryCodeHash"] = HashNewCode(queryCode),
        }, ct);
        if (problem is not null)
        {
            return problem;
        }

        var draft = (RegisterCase)parsed!;

        // The id comes from the request itself (its receipt date and, when given, the idempotency key), never from the
        // clock: a retry after midnight must address the same case, or the runtime could not recognise it as a retry.
        var caseId = NewCaseId(draft.ReceivedAt, key is null ? null : actor + "|" + key);
        var command = draft with { CaseId = caseId };

        var commandId = SupervisionHttp.CommandId(actor, key);
        switch (await RegisterCommandAsync(command, commandId, s, ct))
        {
            case RegistrationOutcome.Repeat repeat:
                return RepeatProblem(repeat);
            case RegistrationOutcome.Refused refused:
                return refused.Answer;
            case RegistrationOutcome.Pending pending:
                return SupervisionHttp.Answer(Edge.StatusUrl(pending.CaseId, pending.CommandId), pending.CommandId, new CommandResult(null, false))!;
            case RegistrationOutcome.Created created:
                var org = await s.Org.GetAsync(ct);
                var view = CaseViews.Detail(s.Calendar.Current, org, created.Case.State, created.Case.Version, s.Now(), [], []);

                // The query code goes to the registrar once, to hand to the petitioner; only its salted hash is stored, so no
                // list, detail or retried registration shows it again (a lost code is re-issued by a registrar).
                return Results.Json(
                    new { @case = view, queryCode = created.Replayed ? null : queryCode, replayed = created.Replayed },
                    CaseJson.Options,
                    statusCode: created.Replayed ? StatusCodes.Status200OK : StatusCodes.Status201Created);
            default:
                throw new InvalidOperationException("unknown registration outcome");
        }
    }

    /// <summary>
    /// Registers <paramref name="command"/> (its case id, actor and query-code hash set), recognising repeats exactly as
    /// Arts. 19 and 36 require, for every intake (the counter, the online portal): a petitioner + matter fingerprint
    /// (current or legacy form) matching a final or open case records the repeat on that case and registers nothing;
    /// otherwise the fingerprint is claimed atomically and the case is started. Nothing is written for a refusal
    /// other than the repeat record on the earlier case.
    /// </summary>
    internal static async Task<RegistrationOutcome> RegisterCommandAsync(RegisterCase command, string commandId, CaseServices s, CancellationToken ct)
    {
        var caseId = command.CaseId;
        if (await FindEarlierAsync(command, caseId, s, ct) is { } earlier)
        {
            return await RecordRepeatAsync(command, earlier, commandId, s, ct);
        }

        // Atomic duplicate check: claim the fingerprint before the case exists (Art. 19/36 under concurrency).
        var fingerprint = CaseHashes.Fingerprint(command.Petitioner, command.MatterKey);
        if (await ClaimAsync(fingerprint, command, caseId, commandId, s, ct) is { } refused)
        {
            return refused;
        }

        CommandResult result;
        try
        {
            result = await s.SendAsync(caseId, command, commandId, command.Actor, create: true, ct);
        }
        catch
        {
            await s.Claims.ReleaseAsync(fingerprint, commandId, CancellationToken.None);
            throw;
        }

        switch (result.Outcome)
        {
            case null:
                return new RegistrationOutcome.Pending(caseId, commandId);
            case { Rejection: { } rejection }:
                // A refused registration must not block the next attempt at the same petition.
                await s.Claims.ReleaseAsync(fingerprint, commandId, ct);
                return new RegistrationOutcome.Refused(Problems.Rejected(rejection));
            default:
                return new RegistrationOutcome.Created(caseId, (await s.GetAsync(caseId, ct))!, result.Replayed);
        }
    }

    /// <summary>
    /// Claims the fingerprint for this registration. Null when it is ours (new, our own retry, or taken over from a
    /// closed case, a refused registration or a stale claim); otherwise the 409 to answer.
    /// </summary>
    private static async Task<RegistrationOutcome?> ClaimAsync(string fingerprint, RegisterCase command, string caseId, string commandId, CaseServices s, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var claim = await s.Claims.TryClaimAsync(fingerprint, caseId, commandId, ct);
            if (claim is null || claim.GetString(FingerprintClaims.CommandIdColumn) == commandId)
            {
                return null;
            }

            var claimedCase = claim.GetString(FingerprintClaims.CaseIdColumn) ?? string.Empty;
            if (claimedCase != caseId && await s.GetAsync(claimedCase, ct) is { } existing)
            {
                if (existing.State.Status == CaseStatus.Final || existing.State.IsOpen)
                {
                    var row = new Dictionary<string, object?>(StringComparer.Ordinal)
                    {
                        [CaseRow.CaseId] = claimedCase,
                        [CaseRow.Status] = existing.State.Status.ToString(),
                        [CaseRow.Category] = existing.State.Category?.ToString(),
                    };
                    return await RecordRepeatAsync(command, row, commandId, s, ct);
                }
            }
            else if (claimedCase != caseId)
            {
                var outcome = await s.Store.GetOutcomeAsync(CaseDecider.Type, claimedCase, claim.GetString(FingerprintClaims.CommandIdColumn) ?? string.Empty, ct);
                var stale = s.Claims.IsStale(claim);
                if (outcome is not { Rejection: not null } && !stale)
                {
                    return new RegistrationOutcome.Refused(Problems.Conflict(
                        "The same petition (same petitioner and matter) is being registered right now (《信访工作条例》第十九条); it is not registered twice."));
                }
            }

            // The earlier case is closed or referred out, its registration was refused, or the claim is stale: take it.
            if (await s.Claims.TakeOverAsync(claim, caseId, commandId, ct))
            {
                return null;
            }
        }

        return new RegistrationOutcome.Refused(Problems.Conflict("The same petition is being registered right now; try again."));
    }

    /// <summary>
    /// A registration whose petitioner + matter fingerprint (current or legacy form) matches a case that is final
    /// (Art. 36: not accepted again) or still open (Art. 19: not accepted twice while within its limit). Closed and
    /// referred-out cases do not block.
    /// </summary>
    private static async Task<IReadOnlyDictionary<string, object?>?> FindEarlierAsync(RegisterCase registration, string caseId, CaseServices s, CancellationToken ct)
    {
        var fingerprint = CaseHashes.Fingerprint(registration.Petitioner, registration.MatterKey);
        var legacy = CaseHashes.LegacyFingerprint(registration.Petitioner, registration.MatterKey);
        var table = await s.Storage.ReadModelAsync(CaseRow.Model);
        var filter = TableClient.CreateQueryFilter($"fingerprint eq {fingerprint} or fingerprint eq {legacy}");
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            var status = e.GetString(CaseRow.Status);
            if (e.RowKey != caseId && (status == nameof(CaseStatus.Final) || (e.GetBoolean(CaseRow.Open) ?? false)))
            {
                return e.ToDictionary(p => p.Key, p => (object?)p.Value, StringComparer.Ordinal);
            }
        }

        return null;
    }

    private static async Task<RegistrationOutcome> RecordRepeatAsync(
        RegisterCase registration, IReadOnlyDictionary<string, object?> earlier, string commandId, CaseServices s, CancellationToken ct)
    {
        var earlierId = (string)earlier[CaseRow.CaseId]!;
        var final = earlier.GetValueOrDefault(CaseRow.Status) as string == nameof(CaseStatus.Final);
        var record = new RecordRepeatPetition(registration.Actor, registration.ReceivedAt, registration.Channel, registration.UnitId);
        var result = await s.SendAsync(earlierId, record, commandId, registration.Actor, create: false, ct);
        if (SupervisionHttp.Answer(Edge.StatusUrl(earlierId, commandId), commandId, result) is { } early)
        {
            return new RegistrationOutcome.Refused(early);
        }

        // An accusation's id is not disclosed to a registrar who may not see it; other cases are named so the
        // registrar can answer the petitioner.
        var named = earlier.GetValueOrDefault(CaseRow.Category) as string != nameof(Category.Accusation);
        return new RegistrationOutcome.Repeat(earlierId, final, named);
    }

    private static IResult RepeatProblem(RegistrationOutcome.Repeat repeat)
    {
        var (earlierId, final, named) = (repeat.EarlierId, repeat.Final, repeat.Named);
        return Results.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: final ? "Repeat of a final case" : "Already being handled",
            detail: final
                ? $"The same request on the same facts was finally decided after re-examination{(named ? $" (case {earlierId})" : string.Empty)} and is not accepted again (《信访工作条例》第三十六条). The repeat is recorded on that case."
                : $"The same matter is being handled within its time limit{(named ? $" as case {earlierId}" : string.Empty)} (《信访工作条例》第十九条). The duplicate is recorded on that case.",
            extensions: new Dictionary<string, object?> { ["caseId"] = named ? earlierId : null, ["final"] = final });
    }

    /// <summary>
    /// A registrar re-issues the query code (a lost or leaked code): the new code is answered once, the old one stops
    /// working, <c>query-code-reissued</c> goes on the timeline and the case's count of wrong codes is cleared.
    /// </summary>
    private static async Task<IResult> ReissueQueryCodeAsync(string id, HttpContext http, CaseServices s, CancellationToken ct)
    {
        var actor = SupervisionClaims.PersonIdOf(http.User)!;

        // The body (ignored, but read strictly like every body) is checked before any storage call: a refusal stays cheap.
        using (var body = await HttpInput.ReadObjectAsync(http.Request, s.Limits.MaxCommandBodyBytes, ct, CaseJson.MaxDepth))
        {
            if (body.Problem is not null)
            {
                return body.Problem;
            }
        }

        var org = await s.Org.GetAsync(ct);
        var person = org.PersonById(actor);
        var current = await s.GetAsync(id, ct);
        if (current is null || person is null || !CaseVisibility.CanSee(org, person, current.State))
        {
            return Problems.NotFound($"No case '{id}' that you may act on.");
        }

        var code = NewQueryCode();
        var command = new ReissueQueryCode(actor, HashNewCode(code));
        var commandId = SupervisionHttp.CommandId(actor, SupervisionHttp.Key(http));
        if (await s.Store.GetOutcomeAsync(CaseDecider.Type, id, commandId, ct) is null
            && s.Decider.Decide(current.State, command, new DecisionContext(id, commandId, s.Now(), actor)).Rejection is { } refused)
        {
            return Problems.Rejected(refused);
        }

        var result = await s.SendAsync(id, command, commandId, actor, create: false, ct);
        if (SupervisionHttp.Answer(Edge.StatusUrl(id, commandId), commandId, result) is { } answer)
        {
            return answer;
        }

        if (!result.Replayed)
        {
            s.Throttle.Reissued(id); // the new code works at once, whoever guessed at the old one
        }

        var snapshot = await s.GetAsync(id, ct);
        var events = await s.Store.ReadEventsAsync(CaseDecider.Type, id, ct);
        var rejected = await s.Store.ReadRejectionsAsync(CaseDecider.Type, id, ct);
        return Results.Json(
            new
            {
                @case = CaseViews.Detail(s.Calendar.Current, org, snapshot!.State, snapshot.Version, s.Now(), events, rejected),
                queryCode = result.Replayed ? null : code,
                replayed = result.Replayed,
            },
            CaseJson.Options);
    }

    /// <summary>
    /// The case a petitioner may see with the code in <see cref="QueryCodeHeader"/>, or the refusal: 404 for a wrong code
    /// and an unknown case alike (the same words, so a guess learns nothing), 429 with <c>Retry-After</c> when this client
    /// is over its limit of wrong codes (<see cref="QueryCodeThrottle"/>). Only the guesser is throttled: a client that
    /// is not over a limit is always checked, so the owner's right code is answered whatever others sent.
    /// </summary>
    internal static async Task<(CaseSnapshot? Case, IResult? Refusal)> PetitionerCaseAsync(string id, HttpContext http, CaseServices s, CancellationToken ct)
    {
        var code = http.Request.Headers[QueryCodeHeader].FirstOrDefault();
        if (string.IsNullOrEmpty(code) || code.Length > 64 || id.Length > 64)
        {
            return (null, NoSuchCase());
        }

        // Unknown ids are counted like cases, so a refusal says nothing about whether a case exists.
        var client = QueryCodeThrottle.ClientOf(http);
        if (s.Throttle.TryAttempt(client, id) is { } retry)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds));
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return (null, Results.Problem(
                statusCode: StatusCodes.Status429TooManyRequests,
                title: "Too many wrong query codes",
                detail: $"Too many wrong query codes were sent from your network; try again in {seconds} s. "
                    + "If you have lost your query code, the registering petition bureau can issue a new one.",
                extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = seconds }));
        }

        var snapshot = await s.GetAsync(id, ct);
        if (snapshot is null || !CaseVisibility.CanPetitionerSee(snapshot.State, code))
        {
            return (null, NoSuchCase()); // the attempt stays counted as a failure
        }

        s.Throttle.Succeeded(client, id);
        return (snapshot, null);
    }

    private static IResult NoSuchCase() => Problems.NotFound("No case with that id and query code.");

    private static async Task<IResult> PetitionerViewAsync(string id, HttpContext http, CaseServices s, CancellationToken ct)
    {
        var (snapshot, refusal) = await PetitionerCaseAsync(id, http, s, ct);
        return snapshot is null
            ? refusal!
            : Results.Json(CaseViews.Petitioner(s.Calendar.Current, snapshot.State, s.Now(), await s.Store.ReadEventsAsync(CaseDecider.Type, id, ct)), CaseJson.Options);
    }

    private static async Task<IResult> PetitionerCommandAsync(string id, string action, HttpContext http, CaseServices s, CancellationToken ct)
    {
        // The body first (no storage call, no wrong-code count for a request that is refused anyway); the actor is named
        // once the code has matched.
        var (command, problem) = await ReadCommandAsync(http, s, action, new Dictionary<string, string>(StringComparer.Ordinal) { ["actor"] = Actors.PetitionerPrefix }, ct);
        if (problem is not null)
        {
            return problem;
        }

        var (snapshot, refusal) = await PetitionerCaseAsync(id, http, s, ct);
        if (snapshot is null)
        {
            return refusal!;
        }

        // The petitioner is named by the hash their code matched, never by the code (the command id derives from it too).
        var actor = Actors.PetitionerFor(CaseVisibility.StoredQueryCodeHash(snapshot.State)!);
        var (badFile, cited) = await Files.LegalRecords.CheckAsync(id, Files.LegalRecords.WithDigest(command! with { Actor = actor }, null), http, ct);
        if (badFile is not null)
        {
            return badFile;
        }

        var o = SupervisionServices.Of(http);
        return await DeciderPipeline.SendAsync(
            Edge, o, await s.Org.GetAsync(ct), actor, id, snapshot.State, cited, SupervisionHttp.CommandId(actor, SupervisionHttp.Key(http)), create: false, http, ct,
            applied: () => Files.LegalRecords.SealAsync(id, cited, http, ct),
            view: (c, events, _) => CaseViews.Petitioner(s.Calendar.Current, c.State, s.Now(), events));
    }

    /// <summary>A client never sets the digest; a cited stored file gets the one the file store measured.</summary>
    private static async Task<(CaseCommand Command, IResult? Problem)> CiteStoredFileAsync(CommandRequest<CaseState> r, CaseCommand command)
    {
        var (badFile, cited) = await Files.LegalRecords.CheckAsync(r.Current.Id, Files.LegalRecords.WithDigest(command, null), r.Http, r.Http.RequestAborted);
        return (cited, badFile);
    }

    /// <summary>
    /// Cases visible to the caller, ordered by (nextDue, caseId) — a total order that timers do not reshuffle — and paged
    /// by keyset: <c>continuation</c> is the sort key of the last row served, so paging on never repeats or skips a row.
    /// <c>page</c> (offset paging) still works for the first pages of small lists.
    /// </summary>
    private static async Task<IResult> ListAsync(HttpContext http, CaseServices s, CancellationToken ct)
    {
        var q = new QueryParams(http.Request.Query);
        var unit = q.Text("unit");
        var status = q.Enum<CaseStatus>("status");
        var light = q.Enum<Light>("light");
        var dueWithinDays = q.Number("dueWithinDays", 0, 3660);
        var open = q.Bool("open");
        var ownedByMe = q.Bool("ownedByMe");
        var page = q.Number("page", 1, 100_000);
        var pageSize = q.Number("pageSize", 1, 200) ?? 50;
        var continuation = q.Text("continuation", 400);
        ListCursor? after = null;
        if (continuation is not null)
        {
            after = ListCursor.Parse(continuation);
            if (after is null)
            {
                q.Fail("continuation", "continuation is not a token this API gave out");
            }
            else if (page is not null)
            {
                q.Fail("page", "page and continuation cannot be combined");
            }
        }

        if (q.Problem is { } problem)
        {
            return problem;
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
                || (status is { } st && !string.Equals(row.GetValueOrDefault(CaseRow.Status) as string, st.ToString(), StringComparison.OrdinalIgnoreCase))
                || (light is { } li && !string.Equals(row.GetValueOrDefault(CaseRow.Light) as string, li.ToString(), StringComparison.OrdinalIgnoreCase))
                || (open is { } o && (row.GetValueOrDefault(CaseRow.Open) as bool? ?? false) != o)
                || (ownedByMe is { } mine && (row.GetValueOrDefault(CaseRow.Owner) as string == person.Id) != mine)
                || (dueBy is { } by && !(row.GetValueOrDefault(CaseRow.NextDue) is DateTimeOffset due && due <= by)))
            {
                continue;
            }

            rows.Add(row);
        }

        var ordered = rows.Select(r => (Key: ListCursor.Of(r), Row: r)).OrderBy(r => r.Key).ToList();
        var remaining = after is { } a ? ordered.Where(r => r.Key.CompareTo(a) > 0).ToList()
            : page is { } p ? ordered.Skip((p - 1) * pageSize).ToList()
            : ordered;
        var served = remaining.Take(pageSize).ToList();
        var next = remaining.Count > pageSize ? served[^1].Key.ToToken() : null;
        var items = served.Select(r => CaseViews.ListItem(r.Row, s.Calendar.Current, now)).ToList();
        return Results.Json(new { items, page = page ?? (after is null ? 1 : (int?)null), pageSize, total = ordered.Count, continuation = next }, CaseJson.Options);
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

    /// <summary>Names the client may not set: the server assigns them (the signed-in actor, the case id, the query code).</summary>
    public static readonly IReadOnlySet<string> ServerFields = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "actor", "caseId", "queryCode", "queryCodeSalt", "queryCodeHash",
    };

    /// <summary>
    /// Reads the body of command <paramref name="action"/> under the size cap, refuses duplicate keys, excess depth and a
    /// client <c>$type</c> other than the route's (no <c>timer</c> from outside), replaces any server-assigned field with
    /// <paramref name="server"/>, and hands the result to <see cref="CaseCommandReader"/>: the command, or 400/413/415
    /// problem+json naming each field. Nothing is written before this returns a command.
    /// </summary>
    internal static async Task<(CaseCommand? Command, IResult? Problem)> ReadCommandAsync(
        HttpContext http, CaseServices s, string action, IReadOnlyDictionary<string, string> server, CancellationToken ct)
    {
        using var body = await HttpInput.ReadObjectAsync(http.Request, s.Limits.MaxCommandBodyBytes, ct, CaseJson.MaxDepth);
        if (body.Problem is not null)
        {
            return (null, body.Problem);
        }

        var doc = body.Document!;

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("$type", action);
            foreach (var (name, value) in server)
            {
                writer.WriteString(name, value);
            }

            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "$type")
                {
                    if (p.Value.ValueKind != JsonValueKind.String || p.Value.GetString() != action)
                    {
                        return (null, Problems.Fields([new Domain.Orchestration.FieldError("$type", $"$type must be absent or \"{action}\" on this endpoint")]));
                    }

                    continue;
                }

                if (ServerFields.Contains(p.Name) || p.Name.StartsWith('$'))
                {
                    continue; // assigned by the server; a client's value is ignored
                }

                p.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        var read = CaseCommandReader.Read(Encoding.UTF8.GetString(buffer.ToArray()), s.Now());
        return read.IsValid ? (read.Command, null) : (null, Problems.Fields(read.Errors));
    }

    /// <summary>XF-yyyyMMdd-xxxxxxxx, dated by the receipt day in Beijing; deterministic for an idempotent retry, random otherwise.</summary>
    internal static string NewCaseId(Instant receivedAt, string? seed)
    {
        var suffix = seed is null ? Convert.ToHexString(RandomNumberGenerator.GetBytes(4)) : SupervisionHttp.Hash(seed)[..8].ToUpperInvariant();
        return string.Create(CultureInfo.InvariantCulture, $"XF-{LegalCalendar.LocalDateOf(receivedAt):yyyyMMdd}-{suffix}");
    }

    /// <summary>A 10-digit query code (查询码) from a cryptographic RNG: the petitioner's only credential.</summary>
    internal static string NewQueryCode() =>
        string.Concat(Enumerable.Range(0, 10).Select(_ => RandomNumberGenerator.GetInt32(10).ToString(CultureInfo.InvariantCulture)));

    /// <summary>The stored form of a new code: PBKDF2 with a fresh random 16-byte salt (decision H1).</summary>
    internal static string HashNewCode(string code) => QueryCodes.Hash(code, RandomNumberGenerator.GetBytes(QueryCodes.SaltBytes));
}

/// <summary>What registering a petition came to (<see cref="CaseEndpoints.RegisterCommandAsync"/>).</summary>
internal abstract record RegistrationOutcome
{
    /// <summary>The case exists (or, <paramref name="Replayed"/>, already did for this command).</summary>
    internal sealed record Created(string CaseId, CaseSnapshot Case, bool Replayed) : RegistrationOutcome;

    /// <summary>A repeat of <paramref name="EarlierId"/> (final: Art. 36; open: Art. 19), recorded there; <paramref name="Named"/>: the id may be told.</summary>
    internal sealed record Repeat(string EarlierId, bool Final, bool Named) : RegistrationOutcome;

    /// <summary>The engine has not recorded the registration within the wait; it will be.</summary>
    internal sealed record Pending(string CaseId, string CommandId) : RegistrationOutcome;

    /// <summary>Refused: the problem to answer.</summary>
    internal sealed record Refused(IResult Answer) : RegistrationOutcome;
}

/// <summary>What the case endpoints need, resolved once per request.</summary>
public sealed class CaseServices(
    CommandGateway gateway, DecisionStore store, ReferenceBoundDecider<CaseState, CaseCommand, CaseEvent> decider, OrchestrationStorage storage, OrgService org, ICalendarSource calendar, Clocks clocks,
    Microsoft.Extensions.Options.IOptions<ApiLimits> limits, QueryCodeThrottle throttle)
{
    private readonly FingerprintClaims claims = new(storage, clocks);

    public ApiLimits Limits => limits.Value;

    public FingerprintClaims Claims => claims;

    public QueryCodeThrottle Throttle => throttle;

    public DecisionStore Store => store;

    /// <summary>The case decider in force: the API checks a command against current state before sending it.</summary>
    public IDecider<CaseState, CaseCommand, CaseEvent> Decider => decider;

    public OrchestrationStorage Storage => storage;

    public OrgService Org => org;

    public ICalendarSource Calendar => calendar;

    public TimeProvider Clock => clocks.Legal;

    public Instant Now() => Instant.FromDateTimeOffset(clocks.Legal.GetUtcNow());

    /// <summary>The case's latest recorded state, or null when there is no such case.</summary>
    public async Task<CaseSnapshot?> GetAsync(string caseId, CancellationToken ct) =>
        await store.GetAsync(CaseDecider.Type, caseId, ct) is { } s
            ? new CaseSnapshot(s.Version, System.Text.Json.JsonSerializer.Deserialize<CaseState>(s.StateJson, CaseJson.Options)!)
            : null;

    /// <summary>Sends a command to the case orchestration, recorded at the current legal instant.</summary>
    public Task<CommandResult> SendAsync(string caseId, CaseCommand command, string commandId, string actor, bool create, CancellationToken ct) =>
        gateway.SendAsync(
            CaseDecider.Type, caseId,
            new CommandEnvelope(commandId, actor, clocks.Legal.GetUtcNow(), System.Text.Json.JsonSerializer.Serialize(command, CaseJson.Options)),
            create, ct);

    /// <summary>Sends a command (already serialized) to an instance of another type, recorded at the current legal instant.</summary>
    public Task<CommandResult> SendToAsync(string type, string id, string json, string commandId, string actor, bool create, CancellationToken ct) =>
        gateway.SendAsync(type, id, new CommandEnvelope(commandId, actor, clocks.Legal.GetUtcNow(), json), create, ct);
}

/// <summary>A case state with the sequence of its last event.</summary>
public sealed record CaseSnapshot(long Version, CaseState State);

/// <summary>The list's sort key (nextDue, caseId); as a token, base64url of "ticks|caseId".</summary>
public readonly record struct ListCursor(long DueTicks, string CaseId) : IComparable<ListCursor>
{
    public static ListCursor Of(IReadOnlyDictionary<string, object?> row) => new(
        row.GetValueOrDefault(CaseRow.NextDue) is DateTimeOffset due ? due.UtcTicks : long.MaxValue,
        row.GetValueOrDefault(CaseRow.CaseId) as string ?? string.Empty);

    public static ListCursor? Parse(string token)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Microsoft.AspNetCore.WebUtilities.Base64UrlTextEncoder.Decode(token));
            var bar = text.IndexOf('|', StringComparison.Ordinal);
            return bar > 0 && long.TryParse(text.AsSpan(0, bar), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                ? new ListCursor(ticks, text[(bar + 1)..])
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public string ToToken() => Microsoft.AspNetCore.WebUtilities.Base64UrlTextEncoder.Encode(
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{DueTicks}|{CaseId}")));

    public static bool operator <(ListCursor left, ListCursor right) => left.CompareTo(right) < 0;

    public static bool operator <=(ListCursor left, ListCursor right) => left.CompareTo(right) <= 0;

    public static bool operator >(ListCursor left, ListCursor right) => left.CompareTo(right) > 0;

    public static bool operator >=(ListCursor left, ListCursor right) => left.CompareTo(right) >= 0;

    public int CompareTo(ListCursor other)
    {
        var byDue = DueTicks.CompareTo(other.DueTicks);
        return byDue != 0 ? byDue : string.CompareOrdinal(CaseId, other.CaseId);
    }
}

using System.Text;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;
using Supervision.Api.Oversight;
using Supervision.Api.Platform;
using Supervision.Domain.Calendar;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;

namespace Supervision.Api.Cases;

/// <summary>
/// Online petitions (网上信访; the issue's Rules cite Arts. 7 and 9 for this channel, docs/decisions.md P1): a petitioner submits a petition on the portal without signing in.
/// It is registered like a counter registration (same decider, same Arts. 19/36 repeat recognition through
/// <see cref="CaseEndpoints.RegisterCommandAsync"/>) with channel <see cref="Channel.Online"/>, received at the service's
/// legal instant (never the client's), by the <see cref="Actors.Portal"/> actor, at the petition bureau the petitioner
/// chose; the bureau's registrar finds it in the queue and routes it within 15 days (Art. 22). Abuse control: a per-client
/// budget of submissions (<see cref="ApiLimits.PortalSubmissionsPerClient"/>, in <see cref="RateLimits"/>) and a
/// single-use proof of work (<see cref="PortalChallenges"/>). Nothing is written for a refused submission.
/// </summary>
public static class PortalEndpoints
{
    public const string ProblemBase = "https://supervision.example/problems/";

    private static readonly HashSet<string> Fields = new(StringComparer.Ordinal)
    {
        "bureauId", "petitioner", "summary", "matterKey", "category", "challenge", "solution", "submissionKey",
    };

    private static readonly string[] PetitionerFields = ["name", "idNumber", "phone", "address"];

    public static IEndpointRouteBuilder MapPortalEndpoints(this IEndpointRouteBuilder app)
    {
        var portal = app.MapGroup("/api/portal").WithTags("portal").AllowAnonymous();
        portal.MapGet("/bureaus", BureausAsync).WithName("portalBureaus")
            .WithSummary("The petition bureaus (信访部门) an online petition may be addressed to.");
        portal.MapGet("/challenge", ChallengeAsync).WithName("portalChallenge")
            .WithSummary("A single-use proof-of-work challenge for one online petition: find a decimal solution such that SHA-256(challenge + \":\" + solution) starts with `bits` zero bits.");
        portal.MapPost("/petitions", SubmitAsync).WithName("submitPetition")
            .Accepts<OnlinePetition>("application/json")
            .Produces(StatusCodes.Status201Created).Produces(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("Submit a petition online (网上信访): registered with channel Online at the chosen bureau; 201 with the case number and query code (once) and the route-by date (Art. 22), or 200 naming the earlier case of a repeat (Arts. 19, 36).")
            .WithDescription("Anonymous. Budget per client (IPv4 address or IPv6 /64): 429 with Retry-After. The body carries a solved challenge from GET /api/portal/challenge (single-use, expiring): a wrong, expired or used one is 400/409 with reason challenge-invalid/-expired/-used. Files are attached afterwards with POST /api/petitioner/cases/{id}/files and the query code.");
        return app;
    }

    private static async Task<IResult> BureausAsync(CaseServices s, CancellationToken ct)
    {
        var org = await s.Org.GetAsync(ct);
        var items = org.Units.Where(u => u.Type == UnitType.PetitionBureau)
            .OrderBy(u => u.Level).ThenBy(u => u.Id, StringComparer.Ordinal)
            .Select(u => new { id = u.Id, name = u.Name, level = u.Level.ToString() });
        return Results.Json(new { items });
    }

    private static async Task<IResult> ChallengeAsync(PortalChallenges challenges, CancellationToken ct)
    {
        var (challenge, bits, expiresAt) = await challenges.IssueAsync(ct);
        return Results.Json(new { challenge, bits, expiresAt, algorithm = "SHA-256(challenge + \":\" + solution), leading zero bits" });
    }

    private static async Task<IResult> SubmitAsync(HttpContext http, CaseServices s, PortalChallenges challenges, CancellationToken ct)
    {
        using var body = await HttpInput.ReadObjectAsync(http.Request, s.Limits.MaxCommandBodyBytes, ct, CaseJson.MaxDepth);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var now = s.Now(); // the legal instant of receipt (Art. 22's 15 days run from it), never the client's clock
        var org = await s.Org.GetAsync(ct);
        var errors = new List<FieldError>();
        var root = body.Root;
        foreach (var p in root.EnumerateObject())
        {
            if (!Fields.Contains(p.Name))
            {
                errors.Add(new FieldError(p.Name, $"{p.Name} is not a field of an online petition"));
            }
        }

        var bureauId = Text(root, "bureauId");
        if (bureauId is null)
        {
            errors.Add(new FieldError("bureauId", "bureauId is required: the petition bureau the petition is addressed to (GET /api/portal/bureaus)"));
        }
        else if (org.Unit(bureauId) is not { Type: UnitType.PetitionBureau })
        {
            errors.Add(new FieldError("bureauId", "bureauId is not a petition bureau of the directory (GET /api/portal/bureaus)"));
        }

        var challenge = Text(root, "challenge");
        var solution = Text(root, "solution");
        if (challenge is null)
        {
            errors.Add(new FieldError("challenge", "challenge is required (GET /api/portal/challenge)"));
        }

        if (solution is null)
        {
            errors.Add(new FieldError("solution", "solution is required: the proof of work for the challenge"));
        }

        // The submission key (decision P2): with it the code is derived, so a retry after a lost answer is told it again.
        // A credential like the code: checked here, never logged, never stored.
        string? submissionKey = null;
        if (root.TryGetProperty("submissionKey", out var key) && key.ValueKind != JsonValueKind.Null)
        {
            if (key.ValueKind == JsonValueKind.String && SubmissionKeys.IsWellFormed(key.GetString()))
            {
                submissionKey = key.GetString();
            }
            else
            {
                errors.Add(new FieldError("submissionKey", "submissionKey must be 22 to 64 characters of A-Z, a-z, 0-9, '-' and '_' (16 or more random bytes in base64url, made once per petition by the page); send a new random key, or leave the field out"));
            }
        }

        var queryCode = submissionKey is null ? CaseEndpoints.NewQueryCode() : SubmissionKeys.QueryCode(submissionKey);
        var caseId = CaseEndpoints.NewCaseId(now, submissionKey);
        var json = RegistrationJson(root, caseId, CaseEndpoints.HashNewCode(queryCode), bureauId, now, errors);
        var read = CaseCommandReader.Read(json, now);

        // One 400 naming every problem; the portal's own words win over the reader's for the same field.
        var own = errors.Select(e => e.Field).ToHashSet(StringComparer.Ordinal);
        var all = errors.Concat(read.Errors.Where(e => !own.Contains(e.Field) && e.Field != "unitId")).ToList();
        if (all.Count > 0 || read.Command is not RegisterCase command)
        {
            return Problems.Fields(all.Count > 0 ? all : [new FieldError("$", "the petition could not be read")]);
        }

        var (nonce, refusal) = await challenges.VerifyAsync(challenge!, solution!, ct);
        if (refusal is null && !await challenges.SpendAsync(nonce!, ct))
        {
            refusal = ChallengeRefusal.Used;
        }

        if (refusal is { } why)
        {
            return ChallengeProblem(why);
        }

        var commandId = submissionKey is null ? "portal:" + nonce : "portal:" + KeyHash(submissionKey);
        if (submissionKey is not null)
        {
            switch (await RecoverAsync(command, commandId, queryCode, submissionKey, s, ct))
            {
                case Recovery.Answer answer:
                    return answer.Result;
                case Recovery.Continue next:
                    command = next.Command;
                    break;
            }
        }

        var fingerprint = CaseHashes.Fingerprint(command.Petitioner, command.MatterKey);
        var outcome = await CaseEndpoints.RegisterCommandAsync(command, commandId, s, ct);
        if (submissionKey is not null && (outcome is RegistrationOutcome.Pending || (outcome is RegistrationOutcome.Created registered && registered.Case.State.Fingerprint == fingerprint)))
        {
            // Accepted: the key now names this petition, so it is recovered on any later day and refused for another one.
            await s.Claims.BindSubmissionAsync(KeyHash(submissionKey), fingerprint, command.CaseId, ct);
        }

        return outcome switch
        {
            RegistrationOutcome.Created { Replayed: true } created when submissionKey is not null =>
                created.Case.State.Fingerprint == fingerprint
                    ? Replay(s, org, created.Case.State, fingerprint, queryCode)
                    : await KeyUsedElsewhereAsync(fingerprint, commandId, s),
            RegistrationOutcome.Created created => Results.Json(Answer(s, org, created.Case.State, queryCode), CaseJson.Options, statusCode: StatusCodes.Status201Created),
            RegistrationOutcome.Repeat repeat => Results.Json(
                new
                {
                    status = "Repeat",
                    caseId = repeat.Named ? repeat.EarlierId : null,
                    final = repeat.Final,
                    article = repeat.Final ? "第三十六条" : "第十九条",
                    detail = repeat.Final
                        ? "The same request on the same facts was finally decided after re-examination and is not accepted again (Art. 36); your submission is recorded on that case. No new case was registered."
                        : "The same matter from you is already being handled within its time limit (Art. 19); your submission is recorded on that case. No new case was registered: follow it with the query code you were given.",
                },
                CaseJson.Options),
            RegistrationOutcome.Pending pending => Results.Json(
                new
                {
                    status = "Pending",
                    caseId = pending.CaseId,
                    queryCode,
                    detail = "Your petition is received and is being recorded; look it up with the case number and query code in a minute.",
                },
                CaseJson.Options,
                statusCode: StatusCodes.Status202Accepted),
            RegistrationOutcome.Refused refused => refused.Answer,
            _ => throw new InvalidOperationException("unknown registration outcome"),
        };
    }

    private abstract record Recovery
    {
        /// <summary>Answered from what is stored (the replay, or a refusal); nothing written.</summary>
        internal sealed record Answer(IResult Result) : Recovery;

        /// <summary>Register (or finish registering) this command.</summary>
        internal sealed record Continue(RegisterCase Command) : Recovery;
    }

    /// <summary>
    /// A petition sent with a submission key (decision P2), before anything is written: the same key and the same petition
    /// already registered is answered again (200, replayed, the same case and the derived code, after checking the case's
    /// stored hash verifies it); one still being registered (the first answer was 202) is registered under its first case
    /// id so the engine replays it; the key already used for another petition is a 409. Otherwise registration goes on.
    /// The fingerprint claim names the command id of whoever registered the petition; the key's own row (keyed by its
    /// SHA-256, written once its registration was accepted) names the petition the key was used for.
    /// </summary>
    private static async Task<Recovery> RecoverAsync(
        RegisterCase command, string commandId, string queryCode, string submissionKey, CaseServices s, CancellationToken ct)
    {
        var org = await s.Org.GetAsync(ct);
        var fingerprint = CaseHashes.Fingerprint(command.Petitioner, command.MatterKey);
        var claim = await s.Claims.FindAsync(fingerprint, ct);
        if (claim is not null && claim.GetString(FingerprintClaims.CommandIdColumn) == commandId
            && claim.GetString(FingerprintClaims.CaseIdColumn) is { Length: > 0 } claimed)
        {
            if (await s.GetAsync(claimed, ct) is not { } mine)
            {
                // The first answer was 202 (still being recorded): the same command under the same case id is replayed.
                return new Recovery.Continue(command with { CaseId = claimed });
            }

            return new Recovery.Answer(Replay(s, org, mine.State, fingerprint, queryCode));
        }

        // The key's own row: which petition it registered (written once that registration was accepted).
        if (await s.Claims.FindSubmissionAsync(KeyHash(submissionKey), ct) is { } used)
        {
            if (used.Fingerprint != fingerprint)
            {
                return new Recovery.Answer(KeyUsed());
            }

            return await s.GetAsync(used.CaseId, ct) is { } existing
                ? new Recovery.Answer(Replay(s, org, existing.State, fingerprint, queryCode))
                : new Recovery.Continue(command with { CaseId = used.CaseId });
        }

        return new Recovery.Continue(command);
    }

    /// <summary>The replayed answer when the stored hash verifies the derived code; a 409 when the code was re-issued since.</summary>
    private static IResult Replay(CaseServices s, OrgDirectory org, CaseState state, string fingerprint, string queryCode)
    {
        if (state.Fingerprint != fingerprint)
        {
            return KeyUsed();
        }

        if (!CaseVisibility.CanPetitionerSee(state, queryCode))
        {
            return Results.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "The query code of this petition was re-issued",
                detail: $"This petition is registered as case {state.CaseId}, but its query code was re-issued by the petition bureau since, so the first code no longer works. Look the case up with the new code the bureau gave you, or ask the bureau to re-issue it.",
                type: ProblemBase + "submission-key-code-reissued",
                extensions: new Dictionary<string, object?> { ["reason"] = "submission-key-code-reissued", ["caseId"] = state.CaseId });
        }

        return Results.Json(Answer(s, org, state, queryCode, replayed: true), CaseJson.Options);
    }

    /// <summary>
    /// The engine replayed a registration for this key that is not this petition (the key's case id holds another
    /// petition): the claim this request just made is released and nothing is handed out.
    /// </summary>
    private static async Task<IResult> KeyUsedElsewhereAsync(string fingerprint, string commandId, CaseServices s)
    {
        await s.Claims.ReleaseAsync(fingerprint, commandId, CancellationToken.None);
        return KeyUsed();
    }

    /// <summary>The key's SHA-256 (lower-case hex): what the command id and the key's row carry; never the key.</summary>
    private static string KeyHash(string submissionKey) => SupervisionHttp.Hash(submissionKey);

    private static IResult KeyUsed() => Results.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: "This submission key was already used",
        detail: "This submission key was already used for another petition; start a new petition (reload the form: the page makes a new key). Nothing was registered.",
        type: ProblemBase + "submission-key-used",
        extensions: new Dictionary<string, object?> { ["reason"] = "submission-key-used", ["field"] = "submissionKey" });

    /// <summary>The petitioner's answer: the case number and the query code (once), and what happens next with its legal date.</summary>
    private static object Answer(CaseServices s, OrgDirectory org, CaseState state, string queryCode, bool replayed = false)
    {
        var routing = state.Clock(ClockNames.Routing);
        return new
        {
            status = "Registered",
            replayed,
            caseId = state.CaseId,
            queryCode,
            channel = state.Channel.ToString(),
            receivedAt = state.ReceivedAt,
            receivedOn = state.ReceivedOn,
            bureau = new { id = state.BureauId, name = org.Unit(state.BureauId)?.Name },
            routeBy = routing?.DueDate,
            provisional = routing?.Provisional ?? false,
            next = new object[]
            {
                new { step = "route", article = "第二十二条", days = 15, dueDate = routing?.DueDate, text = $"The petition bureau routes (转送/交办) the matter to the competent body by {Date(routing?.DueDate)} (15 days from receipt, Art. 22)." },
                new { step = "accept", article = "第二十三条", days = 15, dueDate = (LocalDate?)null, text = "The competent body tells you in writing within 15 days of receiving it whether it accepts the matter (Art. 23)." },
                new { step = "handle", article = "第三十四条", days = 60, dueDate = (LocalDate?)null, text = "An accepted matter is handled within 60 days of acceptance (extendable once by at most 30 days, Art. 34)." },
            },
            filesUrl = $"/api/petitioner/cases/{Uri.EscapeDataString(state.CaseId!)}/files",
            legalCalendar = s.Calendar.Current.Version,
        };
    }

    private static string Date(LocalDate? d) => d is { } v ? LocalDatePattern.Iso.Format(v) : "(being computed)";

    /// <summary>
    /// The registration command's JSON: the server's fields (actor, case id, code hash, channel, receipt instant, unit)
    /// and the petitioner's (petitioner, summary, matter key, category) as sent, so the counter's reader checks them with
    /// the counter's rules and names the same fields (<c>petitioner.idNumber</c>: GB 11643 check digit, decision H3).
    /// The identity number, phone and address are required online: without them the bureau could neither recognise a
    /// repeat nor send the written notices of Art. 23.
    /// </summary>
    private static string RegistrationJson(JsonElement root, string caseId, string codeHash, string? bureauId, Instant now, List<FieldError> errors)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("$type", "register");
            w.WriteString("actor", Actors.Portal);
            w.WriteString("caseId", caseId);
            w.WriteString("queryCodeHash", codeHash);
            w.WriteString("channel", nameof(Channel.Online));
            w.WriteString("receivedAt", InstantPattern.ExtendedIso.Format(now));
            w.WriteString("unitId", bureauId ?? "unknown");
            foreach (var name in new[] { "summary", "matterKey", "category" })
            {
                if (root.TryGetProperty(name, out var value) && !(name == "category" && value.ValueKind == JsonValueKind.String && value.GetString() is ""))
                {
                    w.WritePropertyName(name);
                    value.WriteTo(w);
                }
            }

            if (!root.TryGetProperty("petitioner", out var petitioner) || petitioner.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new FieldError("petitioner", "petitioner is required: an object with name, idNumber, phone and address"));
            }
            else
            {
                w.WriteStartObject("petitioner");
                foreach (var p in petitioner.EnumerateObject())
                {
                    if (!PetitionerFields.Contains(p.Name, StringComparer.Ordinal))
                    {
                        errors.Add(new FieldError("petitioner." + p.Name, $"petitioner.{p.Name} is not a field of an online petition"));
                    }
                }

                foreach (var name in PetitionerFields)
                {
                    if (!petitioner.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null
                        || (value.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(value.GetString())))
                    {
                        errors.Add(new FieldError("petitioner." + name, $"petitioner.{name} is required for an online petition ({Why(name)})"));
                        continue;
                    }

                    w.WritePropertyName(name);
                    value.WriteTo(w);
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Why(string field) => field switch
    {
        "name" => "the petitioner's real name",
        "idNumber" => "the 18-character resident identity number; it identifies repeat petitions",
        "phone" => "so the bureau can reach you",
        _ => "where the written notices of Art. 23 are sent",
    };

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(v.GetString()) ? v.GetString() : null;

    private static IResult ChallengeProblem(ChallengeRefusal why) => Results.Problem(
        statusCode: why == ChallengeRefusal.Used ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest,
        title: why switch
        {
            ChallengeRefusal.Expired => "The form's check has expired",
            ChallengeRefusal.Used => "The form's check was already used",
            _ => "The form's check is not valid",
        },
        detail: why switch
        {
            ChallengeRefusal.Expired => "The anti-bot check of this form expired before it was sent. Nothing was registered: fetch a new challenge (the page does so itself) and send the petition again.",
            ChallengeRefusal.Used => "This anti-bot check was already used by an earlier submission. Nothing new was registered: fetch a new challenge and send again; if the earlier submission went through, look it up with its query code.",
            _ => "The anti-bot check of this form is not one this service issued, or its solution is wrong. Nothing was registered: reload the page and send the petition again.",
        },
        type: ProblemBase + why switch
        {
            ChallengeRefusal.Expired => "challenge-expired",
            ChallengeRefusal.Used => "challenge-used",
            _ => "challenge-invalid",
        },
        extensions: new Dictionary<string, object?> { ["reason"] = "challenge-" + why.ToString().ToLowerInvariant() });
}

/// <summary>The body of an online petition (for the OpenAPI document; the endpoint reads it by hand).</summary>
/// <param name="BureauId">The petition bureau addressed (GET /api/portal/bureaus).</param>
/// <param name="Petitioner">Name, identity number (18 characters, GB 11643 check digit), phone and address: all required online.</param>
/// <param name="Summary">The request and its facts (at most 2,000 characters).</param>
/// <param name="MatterKey">The matter in a short stable form (e.g. the property or decision concerned): with the identity number it recognises repeats.</param>
/// <param name="Category">Suggestion, Accusation or Complaint; absent when the petitioner is not sure (the registrar classifies).</param>
/// <param name="Challenge">From GET /api/portal/challenge.</param>
/// <param name="Solution">Decimal digits: SHA-256(challenge + ":" + solution) starts with the challenge's bits of zeros.</param>
/// <param name="SubmissionKey">Optional (decision P2): a random key the page makes once per petition (16+ bytes, base64url, 22 to 64 characters of [A-Za-z0-9_-]). The query code is derived from it, so a retry with the same key and a fresh challenge is answered 200 with the same case and code (replayed: true); the key reused for another petition is 409. Never stored.</param>
public sealed record OnlinePetition(
    string BureauId, Petitioner Petitioner, string Summary, string MatterKey, Category? Category, string Challenge, string Solution, string? SubmissionKey = null);

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Azure.Data.Tables;
using Supervision.Api.Auth;
using Supervision.Api.Platform;
using Supervision.Domain.Cases;
using Supervision.Domain.Org;
using Supervision.Orchestrations;

namespace Supervision.Api.Org;

/// <summary>
/// The org directory: read by people in it (e-mail addresses only for administrators), edited by administrators. Every
/// edit needs <c>If-Match</c> with the ETag of the directory it was made against (428 without, 412 when stale); the
/// result is validated whole, and a replacement may not drop a unit that open cases reference (400, nothing stored).
/// </summary>
public static class OrgEndpoints
{
    private static readonly JsonSerializerOptions Strict = CreateStrict();

    public static IEndpointRouteBuilder MapOrgEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/org").RequireAuthorization(SupervisionClaims.PersonPolicy).WithTags("org");
        read.MapGet("/", async (HttpContext http, OrgService org, CancellationToken ct) =>
        {
            var (directory, etag) = await org.GetVersionedAsync(ct);
            if (!MayRead(http, directory))
            {
                return NotInDirectory();
            }

            http.Response.Headers.ETag = etag;
            var json = JsonNode.Parse(directory.ToJson())!;
            if (!http.User.IsInRole(SupervisionClaims.AdminRole))
            {
                // E-mail addresses are for alert delivery and administrators, not for everyone in the directory.
                foreach (var person in json["people"]?.AsArray() ?? [])
                {
                    person?.AsObject().Remove("email");
                }
            }

            return Results.Content(json.ToJsonString(), "application/json");
        });
        read.MapGet("/units/{id}", async (string id, HttpContext http, OrgService org, CancellationToken ct) =>
        {
            var o = await org.GetAsync(ct);
            if (!MayRead(http, o))
            {
                return NotInDirectory();
            }

            return o.Unit(id) is { } u
                ? Results.Json(new { unit = u, parent = o.Parent(id), children = o.Children(id), commonConference = o.ConferenceOfficeOf(id) })
                : Problems.NotFound($"No unit '{id}'.");
        });

        var write = app.MapGroup("/api/org").RequireAuthorization(SupervisionClaims.AdminPolicy).WithTags("org");
        write.MapPut("/", async (HttpContext http, OrgService org, OrchestrationStorage storage, Microsoft.Extensions.Options.IOptions<ApiLimits> limits, CancellationToken ct) =>
        {
            if (IfMatch(http) is not { } etag)
            {
                return MissingIfMatch();
            }

            using var body = await HttpInput.ReadObjectAsync(http.Request, limits.Value.MaxOrgBodyBytes, ct, CaseJson.MaxDepth, emptyIsObject: false);
            if (body.Problem is not null)
            {
                return body.Problem;
            }

            var replacement = body.Text!;
            return await EditAsync(http, org, storage, etag, _ => OrgDirectory.Parse(replacement), ct);
        });
        write.MapPut("/units/{id}", async (string id, HttpContext http, OrgService org, OrchestrationStorage storage, Microsoft.Extensions.Options.IOptions<ApiLimits> limits, CancellationToken ct) =>
        {
            if (IfMatch(http) is not { } etag)
            {
                return MissingIfMatch();
            }

            var (unit, problem) = await ReadAsync<OrgUnit>(http, limits.Value.MaxCommandBodyBytes, ct);
            return problem ?? (unit!.Id != id
                ? Problems.Conflict($"The body's id '{unit.Id}' differs from the route's '{id}'.")
                : await EditAsync(http, org, storage, etag, o => o.WithUnit(unit), ct));
        });
        write.MapDelete("/units/{id}", async (string id, HttpContext http, OrgService org, OrchestrationStorage storage, CancellationToken ct) =>
            IfMatch(http) is { } etag ? await EditAsync(http, org, storage, etag, o => o.WithoutUnit(id), ct) : MissingIfMatch());
        write.MapPut("/people/{id}", async (string id, HttpContext http, OrgService org, OrchestrationStorage storage, Microsoft.Extensions.Options.IOptions<ApiLimits> limits, CancellationToken ct) =>
        {
            if (IfMatch(http) is not { } etag)
            {
                return MissingIfMatch();
            }

            var (person, problem) = await ReadAsync<Person>(http, limits.Value.MaxCommandBodyBytes, ct);
            return problem ?? (person!.Id != id
                ? Problems.Conflict($"The body's id '{person.Id}' differs from the route's '{id}'.")
                : await EditAsync(http, org, storage, etag, o => o.WithPerson(person), ct));
        });
        write.MapDelete("/people/{id}", async (string id, HttpContext http, OrgService org, OrchestrationStorage storage, CancellationToken ct) =>
            IfMatch(http) is { } etag ? await EditAsync(http, org, storage, etag, o => o.WithoutPerson(id), ct) : MissingIfMatch());
        return app;
    }

    private static bool MayRead(HttpContext http, OrgDirectory org) =>
        http.User.IsInRole(SupervisionClaims.AdminRole) || org.PersonById(SupervisionClaims.PersonIdOf(http.User)) is not null;

    private static IResult NotInDirectory() =>
        Problems.Forbidden("You are signed in but not in the org directory; ask an administrator to add you.");

    private static string? IfMatch(HttpContext http)
    {
        var value = http.Request.Headers.IfMatch.ToString().Trim();
        return value.Length == 0 || value == "*" ? null : value;
    }

    private static IResult MissingIfMatch() => Problems.PreconditionRequired(
        "Org edits need If-Match with the ETag of GET /api/org, so that an edit made against an old copy cannot overwrite a newer one.");

    private static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpContext http, long limit, CancellationToken ct)
        where T : class
    {
        using var body = await HttpInput.ReadObjectAsync(http.Request, limit, ct, CaseJson.MaxDepth, emptyIsObject: false);
        if (body.Problem is not null)
        {
            return (null, body.Problem);
        }

        var doc = body.Document!;

        try
        {
            return doc.RootElement.Deserialize<T>(Strict) is { } value
                ? (value, null)
                : (null, Problems.Fields([new Domain.Orchestration.FieldError("$", "the body must be a JSON object")]));
        }
        catch (JsonException e)
        {
            var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "$" : e.Path.TrimStart('$', '.');
            return (null, Problems.Fields([new Domain.Orchestration.FieldError(field, e.Message)]));
        }
    }

    private static async Task<IResult> EditAsync(
        HttpContext http, OrgService org, OrchestrationStorage storage, string etag, Func<OrgDirectory, OrgDirectory> edit, CancellationToken ct)
    {
        try
        {
            var inUse = await UnitsOfOpenCasesAsync(storage, ct);
            var (result, newETag) = await org.UpdateAsync(o => edit(o).RequireUnits(inUse), etag, ct);
            http.Response.Headers.ETag = newETag;
            return Results.Content(result.ToJson(), "application/json");
        }
        catch (DataValidationException e)
        {
            return Results.Problem(
                statusCode: StatusCodes.Status400BadRequest, title: "The org directory would be invalid", detail: e.Message,
                extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, IReadOnlyList<string>> { ["$"] = e.Errors } });
        }
        catch (OrgPreconditionFailedException e)
        {
            return Problems.PreconditionFailed(e.Message);
        }
    }

    /// <summary>Every unit an open case references (bureau, registering, responsible, handling, involved), from the read model.</summary>
    private static async Task<IReadOnlyCollection<string>> UnitsOfOpenCasesAsync(OrchestrationStorage storage, CancellationToken ct)
    {
        var table = await storage.ReadModelAsync(CaseRow.Model);
        var units = new HashSet<string>(StringComparer.Ordinal);
        var columns = new[] { CaseRow.BureauId, CaseRow.RegisteredBy, CaseRow.ResponsibleUnitId, CaseRow.HandlingUnitId, CaseRow.InvolvedUnits };
        await foreach (var row in table.QueryAsync<TableEntity>($"{CaseRow.Open} eq true", select: columns, cancellationToken: ct))
        {
            foreach (var column in columns)
            {
                foreach (var id in (row.GetString(column) ?? string.Empty).Split(CaseRow.ListSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    units.Add(id);
                }
            }
        }

        return units;
    }

    private static JsonSerializerOptions CreateStrict()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            AllowDuplicateProperties = false,
            MaxDepth = CaseJson.MaxDepth,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
        };
        o.Converters.Add(new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false));
        return o;
    }
}

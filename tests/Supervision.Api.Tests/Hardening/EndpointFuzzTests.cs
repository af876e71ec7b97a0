using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using CsCheck;
using Microsoft.Extensions.DependencyInjection;
using Supervision.Api.Cases;
using Supervision.Api.Tests.Cases;
using Supervision.Orchestrations;

namespace Supervision.Api.Tests.Hardening;

/// <summary>
/// Property-based fuzzing of every operation in the OpenAPI document: bodies built from each request schema, then broken
/// (wrong JSON kinds, nulls, huge strings, unknown and numeric enum values, duplicate keys, a client <c>$type</c>, deep
/// nesting, not JSON at all), odd ids, odd query parameters, odd users and headers. Never a 5xx; every 4xx is
/// problem+json; a refused request writes nothing (the seed case's version and the number of cases are unchanged).
/// </summary>
public sealed class EndpointFuzzTests
{
    private const int Requests = 2000;
    private static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);

    private sealed record Operation(string Method, string Template, JsonNode? Schema);

    private sealed record FuzzRequest(string Method, string Path, string? Body, string? User, string? QueryCode, string? IfMatch, string? IdempotencyKey)
    {
        public override string ToString() =>
            $"{Method} {Path} as {User ?? "anonymous"} code={QueryCode} if-match={IfMatch} body={(Body is null ? "-" : Body.Length > 300 ? Body[..300] + $"…({Body.Length})" : Body)}";
    }

    [Fact]
    public async Task Every_endpoint_survives_fuzzed_requests_without_5xx_and_refusals_write_nothing()
    {
        // Real-time legal clock: no timer fires during the run, so any change to the seed case is a request's doing.
        await using var app = await CaseApp.StartAsync(Start, speed: 1, settings: new Dictionary<string, string>
        {
            ["Supervision:Api:StaffPerUser"] = "1000000",
            ["Supervision:Api:PetitionerPerClient"] = "1000000",
            ["Supervision:Api:QueryCodeFailuresPerClient"] = "1000000",
            ["Supervision:Api:QueryCodeFailuresPerCase"] = "1000000",
            ["Supervision:Commands:Wait"] = "00:00:20",
        });
        var registrar = app.As("c-registrar");
        var (seedId, _) = await registrar.RegisterAsync(app.Now);
        var services = app.Services.GetRequiredService<CaseServices>();
        var rows = await app.Services.GetRequiredService<OrchestrationStorage>().ReadModelAsync(Domain.Cases.CaseRow.Model);

        async Task<int> CountAsync()
        {
            var n = 0;
            await foreach (var _ in rows.QueryAsync<TableEntity>(select: ["RowKey"]))
            {
                n++;
            }

            return n;
        }

        await CaseApp.EventuallyAsync<string>(async () => await CountAsync() == 1 ? "yes" : null, "the seed case's row");
        var version = (await services.GetAsync(seedId, CancellationToken.None))!.Version;
        var count = 1;

        var doc = await app.Anonymous().GetAsync(new Uri("/openapi/v1.json", UriKind.Relative)).OkAsync();
        var schemas = doc["components"]?["schemas"]?.AsObject() ?? [];
        var operations = new List<Operation>();
        foreach (var (template, item) in doc["paths"]!.AsObject())
        {
            foreach (var (method, op) in item!.AsObject())
            {
                if (method is "get" or "post" or "put" or "delete" or "patch")
                {
                    var schema = op?["requestBody"]?["content"]?["application/json"]?["schema"];
                    operations.Add(new Operation(method.ToUpperInvariant(), template, schema is null ? null : Resolve(schema, schemas)));
                }
            }
        }

        Assert.True(operations.Count > 30, $"only {operations.Count} operations in the OpenAPI document");

        var clients = new Dictionary<string, HttpClient>(StringComparer.Ordinal);
        HttpClient ClientFor(string? user) => user is null ? app.Anonymous() : clients.TryGetValue(user, out var c) ? c : clients[user] = app.As(user);
        var statuses = new Dictionary<int, int>();

        var gen = RequestGen(operations, schemas, seedId);
        await gen.SampleAsync(async request =>
        {
            using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(request.Path, UriKind.Relative));
            if (request.Body is not null)
            {
                message.Content = new StringContent(request.Body, Encoding.UTF8, "application/json");
            }

            if (request.QueryCode is not null)
            {
                message.Headers.TryAddWithoutValidation(CaseEndpoints.QueryCodeHeader, request.QueryCode);
            }

            if (request.IfMatch is not null)
            {
                message.Headers.TryAddWithoutValidation("If-Match", request.IfMatch);
            }

            if (request.IdempotencyKey is not null)
            {
                message.Headers.TryAddWithoutValidation(CaseEndpoints.IdempotencyHeader, request.IdempotencyKey);
            }

            using var response = await ClientFor(request.User).SendAsync(message);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(status < 500, $"{status} for {request}: {body}");
            if (status >= 400)
            {
                Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{status} without problem+json for {request}: {body}");
                if (request.Method == "GET")
                {
                    return; // reads write nothing by construction; the write checks below cost two storage reads each
                }

                var now = (await services.GetAsync(seedId, CancellationToken.None))!.Version;
                Assert.True(now == version, $"refused ({status}) but the seed case moved from version {version} to {now}: {request}");
                var n = await CountAsync();
                Assert.True(n == count, $"refused ({status}) but the read model went from {count} to {n} cases: {request}");
            }
            else
            {
                // An accepted request may write: wait for its registration's row, then take the new baseline.
                if (status == (int)HttpStatusCode.Created)
                {
                    count++;
                    var expected = count;
                    await CaseApp.EventuallyAsync<string>(async () => await CountAsync() == expected ? "yes" : null, "the new case's row");
                }

                version = (await services.GetAsync(seedId, CancellationToken.None))!.Version;
            }
        }, iter: Requests, threads: 1, print: r => r.ToString());

        // The run reached the code, not just the front door: validation, not-found and scope answers all occurred.
        // (Most operations need a visible case or a role, so 404/403 dominate; one in twenty still reaching validation is plenty.)
        Assert.True(statuses.GetValueOrDefault(400) > Requests / 20, string.Join(", ", statuses.Select(s => $"{s.Key}:{s.Value}")));
        Assert.True(statuses.GetValueOrDefault(404) > 0, string.Join(", ", statuses.Select(s => $"{s.Key}:{s.Value}")));
    }

    private static JsonNode Resolve(JsonNode schema, JsonObject schemas, int depth = 0)
    {
        if (depth < 8 && schema["$ref"] is { } r && schemas[((string)r!).Split('/')[^1]] is { } target)
        {
            return Resolve(target, schemas, depth + 1);
        }

        return schema;
    }

    private static readonly string[] Users = ["c-registrar", "c-supervisor", "c-housing-officer", "ca-land-head", "admin", "stranger"];
    private static readonly string[] OddIds =
    [
        "XF-20250910-00000000", "x", "案件", new string('9', 300), "..", "XF-%2F..%2F", "%00", "' or 1 eq 1", "PartitionKey eq 'a'",
    ];

    private static readonly string[] ListParams = ["dueWithinDays", "open", "pageSize", "page", "light", "status", "unit", "continuation", "year", "from", "days", "type", "reason"];
    private static readonly string[] OddValues = ["", "-1", "0", "1", "2147483647", "99999999999", "1e3", "abc", "true", "maybe", "Red", "NaN", "%00", "2025-02-30", "9999-12-31", new string('x', 5000)];

    private static Gen<FuzzRequest> RequestGen(IReadOnlyList<Operation> operations, JsonObject schemas, string seedId) =>
        from op in Gen.OneOfConst([.. operations])
        from id in Gen.Frequency((3, Gen.Const(seedId)), (2, Gen.OneOfConst(OddIds)))
        from user in Gen.Frequency((6, Gen.OneOfConst<string?>(Users)), (1, Gen.OneOfConst<string?>(null, null)))
        from code in Gen.OneOfConst<string?>(null, "0000000000", "", new string('1', 200), "１２３４５６７８９０")
        from ifMatch in Gen.OneOfConst<string?>(null, "*", "\"0x8DEADBEEF\"", "\"seed\"x", "garbage")
        from key in Gen.OneOfConst<string?>(null, "k1", new string('k', 2000))
        from query in Gen.Frequency((3, Gen.Const(string.Empty)), (2, QueryGen))
        from body in op.Method is "POST" or "PUT" || op.Schema is not null ? BodyGen(op.Schema, schemas) : Gen.OneOfConst<string?>(null, null)
        select new FuzzRequest(
            op.Method,
            Fill(op.Template, id) + query,
            body,

            // Admin operations that legitimately destroy state (ops restart/terminate/delete/rebuild) are fuzzed as others.
            op.Template.StartsWith("/api/ops", StringComparison.Ordinal) && op.Method != "GET" && user == "admin" ? "c-supervisor" : user,
            code,
            ifMatch,
            key);

    private static string Fill(string template, string id)
    {
        var path = template;
        foreach (var name in new[] { "{id}", "{commandId}", "{type}", "{year}" })
        {
            path = path.Replace(name, Uri.EscapeDataString(id), StringComparison.Ordinal);
        }

        return path;
    }

    private static readonly Gen<string> QueryGen =
        from pairs in Gen.Select(Gen.OneOfConst(ListParams), Gen.OneOfConst(OddValues)).Array[1, 3]
        select "?" + string.Join("&", pairs.Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2)}"));

    /// <summary>A body valid for <paramref name="schema"/> as far as the schema says, then broken in one of many ways.</summary>
    private static Gen<string?> BodyGen(JsonNode? schema, JsonObject schemas)
    {
        JsonNode valid = (schema is null ? null : Sample(schema, schemas, 0)) ?? new JsonObject();
        var names = valid is JsonObject o ? o.Select(p => p.Key).ToArray() : [];
        var whole = Gen.OneOfConst<string?>(
            null, "", "{", "[]", "null", "1", "\"text\"", "{\"a\":1,\"a\":2}", new string('[', 5000) + new string(']', 5000),
            new string('{', 1) + string.Concat(Enumerable.Repeat("\"a\":{", 60)) + new string('}', 61), "{\"$type\":\"timer\"}", "\u00ff\u00fe");
        if (names.Length == 0)
        {
            return Gen.Frequency((3, Gen.OneOfConst<string?>(valid.ToJsonString())), (2, whole));
        }

        var field = from name in Gen.OneOfConst(names)
                    from mutation in Gen.Int[0, 10]
                    from length in Gen.Int[1, 400_000]
                    select Mutate(valid, name, mutation, length);
        return Gen.Frequency((1, Gen.OneOfConst<string?>(valid.ToJsonString())), (8, field), (2, whole));
    }

    private static string? Mutate(JsonNode valid, string name, int mutation, int length)
    {
        var body = valid.DeepClone().AsObject();
        switch (mutation)
        {
            case 0: body[name] = null; break;
            case 1: body[name] = 12345; break;
            case 2: body[name] = true; break;
            case 3: body[name] = new JsonArray(1, "x", null); break;
            case 4: body[name] = new JsonObject { ["x"] = 1 }; break;
            case 5: body[name] = "Bogus"; break;
            case 6: body[name] = new string('字', length); break;
            case 7: body.Remove(name); break;
            case 8: body[name] = -2147483648; break;
            case 9:
                // A duplicate key, which no JSON object model can hold: spliced into the text.
                var text = body.ToJsonString();
                return "{" + $"\"{name}\":\"dup\"," + text[1..];
            default: body["$type"] = "timer"; break;
        }

        return body.ToJsonString();
    }

    private static JsonNode? Sample(JsonNode schema, JsonObject schemas, int depth)
    {
        schema = Resolve(schema, schemas);
        if (depth > 4)
        {
            return null;
        }

        if (schema["enum"] is JsonArray values && values.Count > 0)
        {
            return values[0]?.DeepClone();
        }

        var type = schema["type"]?.ToJsonString() ?? string.Empty;
        var format = (string?)schema["format"];
        if (schema["properties"] is JsonObject properties)
        {
            var o = new JsonObject();
            foreach (var (name, property) in properties)
            {
                o[name] = property is null ? null : Sample(property, schemas, depth + 1);
            }

            return o;
        }

        return type switch
        {
            _ when type.Contains("string", StringComparison.Ordinal) => format switch
            {
                "date-time" => "2025-09-10T01:00:00Z",
                "date" => "2025-09-10",
                _ => "c-housing",
            },
            _ when type.Contains("integer", StringComparison.Ordinal) || type.Contains("number", StringComparison.Ordinal) => 1,
            _ when type.Contains("boolean", StringComparison.Ordinal) => true,
            _ when type.Contains("array", StringComparison.Ordinal) => new JsonArray(),
            _ => null,
        };
    }
}

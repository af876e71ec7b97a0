using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.Extensions.DependencyInjection;
using Supervision.Api.Cases;
using Supervision.Api.Tests.Cases;

namespace Supervision.Api.Tests.Hardening;

/// <summary>
/// Property-based fuzzing of every operation in the OpenAPI document: bodies built from each request schema, then broken
/// (wrong JSON kinds, nulls, huge strings, unknown and numeric enum values, duplicate keys, a client <c>$type</c>, deep
/// nesting, not JSON at all), odd ids, odd query parameters, odd users (administrators too) and headers. Never a 5xx;
/// every 4xx is problem+json; a refused request, a read included, writes nothing: every table, queue and container
/// under the app's prefix is as it was (counts and newest change, see <see cref="Supervision.Testing.StorageSnapshot"/>).
/// </summary>
public sealed class EndpointFuzzTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Requests = 2000;
    private static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);

    private sealed record Operation(string Method, string Template, JsonNode? Schema);

    private sealed record FuzzRequest(string Operation, string Method, string Path, string? Body, string? User, string? QueryCode, string? IfMatch, string? IdempotencyKey)
    {
        public override string ToString() =>
            $"{Method} {Path} as {User ?? "anonymous"} code={QueryCode} if-match={IfMatch} body={(Body is null ? "-" : Body.Length > 300 ? Body[..300] + $"…({Body.Length})" : Body)}";
    }

    [Fact]
    public async Task Every_endpoint_survives_fuzzed_requests_without_5xx_and_refusals_write_nothing()
    {
        // Real-time legal clock: no timer fires during the run, so any write is a request's doing.
        await using var app = await CaseApp.StartAsync(Start, speed: 1, settings: new Dictionary<string, string>
        {
            ["Supervision:Api:StaffPerUser"] = "1000000",
            ["Supervision:Api:PetitionerPerClient"] = "1000000",
            ["Supervision:Api:QueryCodeFailuresPerClient"] = "1000000",
            ["Supervision:Api:QueryCodeFailuresPerCase"] = "1000000",
            ["Supervision:Api:QueryCodeFailuresPerClientOnBusyCase"] = "1000000",
            ["Supervision:Commands:Wait"] = "00:00:20",
        });
        var storage = await Supervision.Testing.TestStorage.GetConnectionStringAsync();
        var registrar = app.As("c-registrar");
        var (seedId, _) = await registrar.RegisterAsync(app.Now);

        // Every table, queue and container of this app, except Durable Task's partition ownership, which the engine renews
        // on its own every few seconds whatever the requests do.
        static bool Bookkeeping(string name) =>
            name.Contains("partitions", StringComparison.OrdinalIgnoreCase) || name.EndsWith("-leases", StringComparison.OrdinalIgnoreCase);
        Task<IReadOnlyDictionary<string, string>> SnapshotAsync() => Supervision.Testing.StorageSnapshot.TakeAsync(storage, app.Prefix, Bookkeeping);

        // After an accepted request its consequences (read models, effects) land asynchronously: the baseline is taken once
        // storage holds still (two equal snapshots in a row).
        async Task<IReadOnlyDictionary<string, string>> SettledAsync()
        {
            var last = await SnapshotAsync();
            return await CaseApp.EventuallyAsync(async () =>
            {
                await Task.Delay(300);
                var now = await SnapshotAsync();
                var still = Supervision.Testing.StorageSnapshot.Differences(last, now).Count == 0;
                last = now;
                return still ? now : null;
            }, "storage to settle after an accepted request");
        }

        // The file store opens at first use and then writes its link-signing key once (CaseFiles): a process's one-time
        // set-up, not a request's write, so it happens before the baseline.
        await registrar.GetAsync(new Uri($"/api/cases/{seedId}/files", UriKind.Relative)).OkAsync();
        var baseline = await SettledAsync();

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
        var reached = new Dictionary<string, SortedSet<int>>(StringComparer.Ordinal);

        // Failures are collected, not thrown: the requests share one service, so shrinking a failing one would replay it
        // against a different state. The first few are reported with the request before them.
        var failures = new List<string>();
        FuzzRequest? previous = null;

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
            (reached.TryGetValue(request.Operation, out var seen) ? seen : reached[request.Operation] = []).Add(status);
            var body = await response.Content.ReadAsStringAsync();
            if (status >= 500)
            {
                failures.Add($"{status} for {request}: {body}");
            }

            if (status >= 400)
            {
                if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    failures.Add($"{status} without problem+json for {request}: {body}");
                }

                // Nothing anywhere under the app's prefix changed: no row, message or blob written, replaced or removed.
                var after = await SnapshotAsync();
                var changed = Supervision.Testing.StorageSnapshot.Differences(baseline, after);
                if (changed.Count > 0)
                {
                    failures.Add($"refused ({status}) but storage changed: {string.Join("; ", changed)} — {request} (after {previous})");
                    baseline = await SettledAsync();
                }
            }
            else
            {
                baseline = await SettledAsync();
            }

            previous = request;
        }, iter: Requests, threads: 1, print: r => r.ToString());
        Assert.True(failures.Count == 0, $"{failures.Count} failures; the first:\n" + string.Join("\n", failures.Take(5)));

        // The run reached the code, not just the front door: validation, not-found and scope answers all occurred, and
        // every operation answered at least once from its own handler (not only 401/403/404/405 at the door).
        var summary = string.Join(", ", statuses.Select(s => $"{s.Key}:{s.Value}"));
        Assert.True(statuses.GetValueOrDefault(400) > Requests / 20, summary);
        Assert.True(statuses.GetValueOrDefault(404) > 0, summary);
        var door = new HashSet<int> { 401, 403, 404, 405 };
        var unreached = operations.Select(o => $"{o.Method} {o.Template}").Where(o => !reached.TryGetValue(o, out var seen) || seen.All(door.Contains)).ToList();
        Assert.True(unreached.Count == 0, "operations the generator never got past the door: " + string.Join("; ", unreached.Select(o => $"{o} [{string.Join(",", reached.GetValueOrDefault(o) ?? [])}]")));
        var accepted = operations.Select(o => $"{o.Method} {o.Template}").Count(o => reached.TryGetValue(o, out var seen) && seen.Any(x => x is >= 200 and < 300));
        output.WriteLine($"{operations.Count} operations, {accepted} with a 2xx; statuses {summary}");
        foreach (var (op, seen) in reached.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {op}: {string.Join(",", seen)}");
        }
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
            $"{op.Method} {op.Template}",
            op.Method,
            Fill(op.Template, Destructive(op) && user == "admin" ? OddIds[0] : id) + query,
            body,
            user,
            code,
            ifMatch,
            key);

    /// <summary>Operations an administrator may use to end or remove an instance: fuzzed as admin on ids other than the seed,
    /// so the run keeps a case to aim the others at.</summary>
    private static bool Destructive(Operation op) => op.Template.StartsWith("/api/ops", StringComparison.Ordinal) && op.Method != "GET";

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

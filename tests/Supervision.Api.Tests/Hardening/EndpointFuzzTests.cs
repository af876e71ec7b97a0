using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.Extensions.DependencyInjection;
using Supervision.Api.Cases;
using Supervision.Api.Tests.Cases;
using Supervision.Api.Tests.Oversight;

namespace Supervision.Api.Tests.Hardening;

/// <summary>
/// Property-based fuzzing of every operation in the OpenAPI document: bodies built from each request schema, then broken
/// (wrong JSON kinds, nulls, huge strings, unknown and numeric enum values, duplicate keys, a client <c>$type</c>, deep
/// nesting, not JSON at all), odd ids, odd query parameters, odd users (administrators too) and headers. Never a 5xx;
/// every 4xx is problem+json; a refused request, a read included, writes nothing: every table, queue and container
/// under the app's prefix is as it was (counts and newest change, see <see cref="Supervision.Testing.StorageSnapshot"/>).
/// </summary>
[RunsLong]
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
            ["Supervision:Api:PortalSubmissionsPerClient"] = "1000000",
            ["Supervision:Api:QueryCodeFailuresPerClient"] = "1000000",
            ["Supervision:Api:QueryCodeFailuresPerCase"] = "1000000",
            ["Supervision:Api:QueryCodeFailuresPerClientOnBusyCase"] = "1000000",
            ["Supervision:Commands:Wait"] = "00:00:20",

            // The seeded download link must outlive the random run (over 5 minutes on a loaded box), or the directed pass
            // at the end meets an expired link and the download endpoint looks unreachable.
            ["Supervision:Files:LinkLifetime"] = "01:00:00",
        });
        var storage = await Supervision.Testing.TestStorage.GetConnectionStringAsync();
        var registrar = app.As("c-registrar");
        var (seedId, seedCode) = await registrar.RegisterAsync(app.Now);
        var seeds = await SeedAsync(app, seedId, seedCode);

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

        var gen = RequestGen(operations, schemas, seeds);
        async Task<int> SendAsync(FuzzRequest request)
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
            return status;
        }

        await gen.SampleAsync(async r => await SendAsync(r), iter: Requests, threads: 1, print: r => r.ToString());

        // A directed pass for each operation the random run left at the door: its real target, a sample valid body and
        // the seed's query code, from every user in turn (the same checks apply to every answer).
        var door = new HashSet<int> { 401, 403, 404, 405 };
        bool AtDoor(string op) => !reached.TryGetValue(op, out var seen) || seen.All(door.Contains);
        foreach (var op in operations.Where(o => AtDoor($"{o.Method} {o.Template}")))
        {
            var body = op.Schema is null ? null : Sample(op.Schema, schemas, 0)?.ToJsonString();
            var path = Fill(op, seeds, OddIds[0]) + (op.Template == "/api/files/download" ? seeds.LinkQuery : string.Empty);
            foreach (var user in Users.Append(null))
            {
                var status = await SendAsync(new FuzzRequest($"{op.Method} {op.Template}", op.Method, path, body ?? (op.Method is "POST" or "PUT" ? "{}" : null), user, seeds.QueryCode, null, null));

                // Every id is real and the code is right: a 404 now is the handler's own rule (e.g. a file the petitioner
                // may not see), so it counts as reached.
                if (status == 404 && user is not null)
                {
                    reached[$"{op.Method} {op.Template}"].Add(0);
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} failures; the first:\n" + string.Join("\n", failures.Take(5)));

        // The run reached the code, not just the front door: validation, not-found and scope answers all occurred, and
        // every operation answered at least once from its own handler (not only 401/403/404/405 at the door).
        var summary = string.Join(", ", statuses.Select(s => $"{s.Key}:{s.Value}"));
        Assert.True(statuses.GetValueOrDefault(400) > Requests / 20, summary);
        Assert.True(statuses.GetValueOrDefault(404) > 0, summary);
        var unreached = operations.Select(o => $"{o.Method} {o.Template}").Where(AtDoor).ToList();
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

    private static readonly string[] Users = ["c-registrar", "c-supervisor", "c-housing-officer", "c-housing-head", "c-conf-staff", "c-leader", "ca-registrar", "ca-land-head", "admin", "stranger"];
    private static readonly string[] OddIds =
    [
        "XF-20250910-00000000", "x", "案件", new string('9', 300), "..", "XF-%2F..%2F", "%00", "' or 1 eq 1", "PartitionKey eq 'a'",
    ];

    private static readonly string[] ListParams = ["dueWithinDays", "open", "pageSize", "page", "light", "status", "unit", "continuation", "year", "from", "days", "type", "reason"];
    private static readonly string[] OddValues = ["", "-1", "0", "1", "2147483647", "99999999999", "1e3", "abc", "true", "maybe", "Red", "NaN", "%00", "2025-02-30", "9999-12-31", new string('x', 5000)];

    /// <summary>Real objects for the generator to aim at, so every operation can get past "not found".</summary>
    private sealed record Seeds(string CaseId, string QueryCode, string VictimId, string TicketId, string JointId, string FileId, string LinkQuery, string AlertId);

    /// <summary>
    /// A routed case with a file, a download link and a 督办单; a county case with a joint assignment; and the victim, a
    /// case for the administrators' destructive operations. The file store's one-time set-up (its link-signing key)
    /// happens here too, before the baseline.
    /// </summary>
    private static async Task<Seeds> SeedAsync(CaseApp app, string caseId, string code)
    {
        var registrar = app.As("c-registrar");
        await registrar.Command(caseId, "route", new { kind = "Forward", agencyId = "c-housing" }).OkAsync();
        var (victim, _) = await registrar.RegisterAsync(app.Now, matter: "fuzz:victim", petitioner: "李四");
        var alert = await CaseApp.EventuallyAsync(
            async () => (await app.As("c-housing-officer").GetJsonAsync("/api/mailbox")).AsArray().Select(m => (string?)m!["alertId"]).FirstOrDefault(),
            "an alert for the agency the seed case was routed to");
        var content = new ByteArrayContent([.. "%PDF-1.7\n"u8.ToArray(), .. new byte[2000]]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/pdf");
        content.Headers.TryAddWithoutValidation("Content-Disposition", "attachment; filename*=UTF-8''a.pdf");
        var file = await registrar.PostAsync(new Uri($"/api/cases/{caseId}/files?kind=Evidence", UriKind.Relative), content).OkAsync();
        var fileId = (string)file["id"]!;
        var url = (string)(await registrar.PostAsync(new Uri($"/api/cases/{caseId}/files/{fileId}/link", UriKind.Relative), null).OkAsync())["url"]!;
        var ticket = await app.As("c-supervisor").PostJsonAsync("/api/tickets", new { caseId, agencyId = "c-housing", ground = "Stalling", problem = "多次推诿" }).OkAsync();
        var county = app.As("ca-registrar");
        var (countyCase, _) = await county.RegisterAsync(app.Now, matter: "fuzz:joint", unit: "ca-bureau");
        var today = Legal.DateOf(app.Now);
        var joint = await county.PostJsonAsync("/api/joint-assignments", new
        {
            caseId = countyCase,
            arrangement = new
            {
                leadAgencyId = "ca-housing",
                leadDueDate = today.PlusDays(45).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                coHandlers = new[] { new { unitId = "ca-land", dueDate = today.PlusDays(14).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) } },
            },
        }).OkAsync();
        return new Seeds(caseId, code, victim, (string)ticket["id"]!, (string)joint["id"]!, fileId, url[url.IndexOf('?', StringComparison.Ordinal)..], alert);
    }

    private static Gen<FuzzRequest> RequestGen(IReadOnlyList<Operation> operations, JsonObject schemas, Seeds seeds) =>
        from op in Gen.OneOfConst([.. operations])
        from real in Gen.Frequency((3, Gen.Const(true)), (2, Gen.Const(false)))
        from odd in Gen.OneOfConst(OddIds)
        from user in Gen.Frequency((6, Gen.OneOfConst<string?>(Users)), (1, Gen.OneOfConst<string?>(null, null)))
        from code in Gen.Frequency((2, Gen.Const<string?>(seeds.QueryCode)), (3, Gen.OneOfConst<string?>(null, "0000000000", "", new string('1', 200), "１２３４５６７８９０")))
        from ifMatch in Gen.OneOfConst<string?>(null, "*", "\"0x8DEADBEEF\"", "\"seed\"x", "garbage")
        from key in Gen.OneOfConst<string?>(null, "k1", new string('k', 2000))
        from query in Gen.Frequency((3, Gen.Const(string.Empty)), (2, QueryGen), (1, Gen.Const(seeds.LinkQuery)))
        from body in op.Method is "POST" or "PUT" || op.Schema is not null ? BodyGen(op.Schema, schemas) : Gen.OneOfConst<string?>(null, null)
        select new FuzzRequest($"{op.Method} {op.Template}", op.Method, Fill(op, real ? seeds : null, odd) + query, body, user, code, ifMatch, key);

    /// <summary>Operations an administrator may use to end or remove an instance: aimed at the victim case, so the run
    /// keeps its seeds to aim the others at.</summary>
    private static bool Destructive(Operation op) => op.Template.StartsWith("/api/ops", StringComparison.Ordinal) && op.Method != "GET";

    /// <summary>The template with a real id of the right kind for each placeholder, or the odd one.</summary>
    private static string Fill(Operation op, Seeds? seeds, string odd)
    {
        string Id(string? real) => Uri.EscapeDataString(real ?? odd);
        var template = op.Template;
        var id = seeds is null ? null
            : template.StartsWith("/api/tickets/", StringComparison.Ordinal) ? seeds.TicketId
            : template.StartsWith("/api/joint-assignments/", StringComparison.Ordinal) ? seeds.JointId
            : template.StartsWith("/api/org/units/", StringComparison.Ordinal) ? "c-housing"
            : Destructive(op) ? seeds.VictimId
            : seeds.CaseId;
        return template
            .Replace("{id}", Id(id), StringComparison.Ordinal)
            .Replace("{fileId}", Id(seeds?.FileId), StringComparison.Ordinal)
            .Replace("{alertId}", Id(seeds?.AlertId), StringComparison.Ordinal)
            .Replace("{commandId}", Id(null), StringComparison.Ordinal)
            .Replace("{type}", Id(seeds is null ? null : "case"), StringComparison.Ordinal)
            .Replace("{year}", Id(seeds is null ? null : "2025"), StringComparison.Ordinal);
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

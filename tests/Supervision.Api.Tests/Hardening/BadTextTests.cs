using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Supervision.Api.Cases;
using Supervision.Api.Tests.Cases;
using Supervision.Orchestrations;
using Xunit.Abstractions;

namespace Supervision.Api.Tests.Hardening;

/// <summary>
/// Issue 15.3: text the JSON reader accepts (an escaped lone surrogate <c>"\ud800"</c>, a control character) or
/// refuses (bytes that are not UTF-8, a UTF-8-encoded surrogate) in any field of any write endpoint is a 400
/// problem+json naming that field, never a 5xx, and writes nothing. The table is every JSON write operation of the
/// OpenAPI document: a sample body is built from its request schema, and each field in turn (strings, numbers, dates,
/// nested objects' and arrays' fields) carries each kind of bad text. Odd route and query values are 400/404, never 5xx.
/// </summary>
public sealed class BadTextTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);
    private const string Marker = "@@bad@@";

    /// <summary>Bad text as the raw bytes of a JSON string token (quotes included).</summary>
    private static readonly (string Name, byte[] Token)[] BadTexts =
    [
        ("escaped lone high surrogate", Encoding.ASCII.GetBytes("\"\\ud800\"")),
        ("escaped lone low surrogate", Encoding.ASCII.GetBytes("\"ok\\udc00\"")),
        ("reversed surrogate pair", Encoding.ASCII.GetBytes("\"\\udc00\\ud800\"")),
        ("UTF-8-encoded surrogate (CESU)", [(byte)'"', 0xED, 0xA0, 0x80, (byte)'"']),
        ("invalid UTF-8 byte", [(byte)'"', (byte)'a', 0xFF, (byte)'"']),
        ("truncated UTF-8 sequence", [(byte)'"', 0xE4, 0xB8, (byte)'"']),
        ("NUL control character", Encoding.ASCII.GetBytes("\"a\\u0000b\"")),
    ];

    /// <summary>Operations whose body is not JSON (uploads: raw bytes or multipart).</summary>
    private static bool Excluded(string template) => template.Contains("/files", StringComparison.Ordinal);

    [Fact]
    public async Task Bad_text_in_any_field_of_any_write_endpoint_is_400_naming_the_field_and_writes_nothing()
    {
        await using var app = await CaseApp.StartAsync(Start, speed: 1, settings: new Dictionary<string, string>
        {
            ["Supervision:Api:StaffPerUser"] = "1000000",
            ["Supervision:Api:PetitionerPerClient"] = "1000000",
            ["Supervision:Api:PortalSubmissionsPerClient"] = "1000000",
            ["Supervision:Api:PerClientConcurrency"] = "1000",
        });
        var registrar = app.As("c-registrar");
        var (seedId, code) = await registrar.RegisterAsync(app.Now);
        var services = app.Services.GetRequiredService<CaseServices>();
        var rows = await app.Services.GetRequiredService<OrchestrationStorage>().ReadModelAsync(Domain.Cases.CaseRow.Model);
        await CaseApp.EventuallyAsync<string>(async () => await CountAsync(rows) == 1 ? "yes" : null, "the seed case's row");
        var version = (await services.GetAsync(seedId, CancellationToken.None))!.Version;

        var doc = await app.Anonymous().GetAsync(new Uri("/openapi/v1.json", UriKind.Relative)).OkAsync();
        var schemas = doc["components"]?["schemas"]?.AsObject() ?? [];
        var table = new List<(string Method, string Template, JsonObject Sample)>();
        foreach (var (template, item) in doc["paths"]!.AsObject())
        {
            foreach (var (method, op) in item!.AsObject())
            {
                if (method is not ("post" or "put") || Excluded(template))
                {
                    continue;
                }

                var schema = op?["requestBody"]?["content"]?["application/json"]?["schema"];
                if (schema is null)
                {
                    continue;
                }

                var sample = Sample(schema, schemas, 0) as JsonObject ?? [];
                if (sample.Count == 0)
                {
                    sample["note"] = "x"; // a body-less command still reads its body strictly
                }

                table.Add((method.ToUpperInvariant(), template, sample));
            }
        }

        // The holiday notice is read by hand (no schema in the document): its fields by hand too.
        table.Add(("PUT", "/api/calendar/notices/{year}", JsonNode.Parse("""
            {"year":2026,"version":"v1","source":"国办发明电〔2025〕1号",
             "restBlocks":[{"name":"元旦","from":"2026-01-01","to":"2026-01-03"}],"makeUpWorkdays":["2026-01-04"]}
            """)!.AsObject()));

        // The operations the issue names are in the table, with the fields it names.
        Assert.Contains(table, t => t.Template == "/api/joint-assignments" && t.Sample.ContainsKey("arrangement"));
        Assert.Contains(table, t => t.Template == "/api/cases" && t.Method == "POST" && t.Sample.ContainsKey("accusedUnitId"));
        Assert.Contains(table, t => t.Template == "/api/tickets" && t.Sample.ContainsKey("bureauId"));
        Assert.Contains(table, t => t.Template.EndsWith("/approve-extension", StringComparison.Ordinal) && t.Sample.ContainsKey("days"));
        Assert.Contains(table, t => t.Template.EndsWith("/review-opinion", StringComparison.Ordinal) && t.Sample.ContainsKey("digest"));
        Assert.True(table.Count > 30, $"only {table.Count} write operations with a JSON body");

        var admin = app.As("admin");
        var petitioner = app.Petitioner(code);
        var failures = new List<string>();
        var requests = 0;
        foreach (var (method, template, sample) in table)
        {
            var path = template.Replace("{id}", template.StartsWith("/api/cases", StringComparison.Ordinal) || template.StartsWith("/api/petitioner", StringComparison.Ordinal)
                ? seedId : "XF-20250910-00000000", StringComparison.Ordinal).Replace("{alertId}", "a1", StringComparison.Ordinal).Replace("{year}", "2026", StringComparison.Ordinal);
            var client = template.StartsWith("/api/org", StringComparison.Ordinal) || template.StartsWith("/api/calendar", StringComparison.Ordinal) ? admin
                : template.StartsWith("/api/petitioner", StringComparison.Ordinal) ? petitioner
                : registrar;
            foreach (var field in Leaves(sample, string.Empty))
            {
                foreach (var (name, token) in BadTexts)
                {
                    requests++;
                    var body = Replace(Mark(sample, field), token);
                    using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative)) { Content = new ByteArrayContent(body) };
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                    request.Headers.TryAddWithoutValidation("If-Match", "\"seed\"");
                    using var response = await client.SendAsync(request);
                    var text = await response.Content.ReadAsStringAsync();
                    var what = $"{method} {template} field '{field}' with {name}";
                    if (response.StatusCode != HttpStatusCode.BadRequest || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                    {
                        failures.Add($"{what}: {(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType}: {Short(text)}");
                        continue;
                    }

                    var errors = JsonNode.Parse(text)?["errors"]?.AsObject();
                    if (errors?[field] is not JsonArray { Count: > 0 })
                    {
                        failures.Add($"{what}: 400 without an error for '{field}': {Short(text)}");
                    }
                }
            }

            var now = (await services.GetAsync(seedId, CancellationToken.None))!.Version;
            if (now != version)
            {
                failures.Add($"{method} {template}: refused, but the seed case moved from version {version} to {now}");
                version = now;
            }

            var count = await CountAsync(rows);
            if (count != 1)
            {
                failures.Add($"{method} {template}: refused, but the read model lists {count} cases");
            }
        }

        output.WriteLine($"{requests} requests over {table.Count} operations; {failures.Count} failures");
        Assert.True(failures.Count == 0, $"{failures.Count} of {requests}:\n" + string.Join("\n", failures.Take(60)));
    }

    [Fact]
    public async Task Odd_route_and_query_values_are_400_or_404_never_5xx()
    {
        // Kestrel on loopback, as in production: the test server refuses some of these paths before the app sees them.
        await using var app = await CaseApp.StartAsync(Start, kestrel: true, speed: 1);
        using var registrar = new HttpClient { BaseAddress = app.Address, Timeout = TimeSpan.FromSeconds(30) };
        registrar.DefaultRequestHeaders.Add("X-Supervision-User", "c-registrar");
        using var supervisor = new HttpClient { BaseAddress = app.Address, Timeout = TimeSpan.FromSeconds(30) };
        supervisor.DefaultRequestHeaders.Add("X-Supervision-User", "c-supervisor");
        string[] ids = ["%00", "a%01b", "%7F", "%C2%85", "%ED%A0%80", "%FF", "%E4%B8", "a%0Ab", "%EF%BF%BE", "%23", "%3F", "%5C", "%27", new string('9', 2000)];
        string[] routes =
        [
            "/api/cases/{0}", "/api/cases/{0}/classify", "/api/cases/{0}/commands/{0}", "/api/tickets/{0}", "/api/tickets/{0}/acknowledge",
            "/api/joint-assignments/{0}", "/api/joint-assignments/{0}/approve", "/api/petitioner/cases/{0}", "/api/cases/{0}/reissue-query-code",
            "/api/cases?unit={0}", "/api/cases?continuation={0}", "/api/cases?status={0}", "/api/scorecard?month={0}", "/api/scorecard?unit={0}",
            "/api/calendar/deadline?from={0}&days=3", "/api/inbox/supervisor?includeClosed={0}",
            "/api/analysis/repeats?month={0}", "/api/analysis/repeats?unit={0}", "/api/analysis/repeats?format={0}",
        ];
        var failures = new List<string>();
        foreach (var route in routes)
        {
            foreach (var id in ids)
            {
                var path = string.Format(System.Globalization.CultureInfo.InvariantCulture, route, id);
                using var request = new HttpRequestMessage(route.Contains("/classify", StringComparison.Ordinal) || route.EndsWith("acknowledge", StringComparison.Ordinal)
                    || route.EndsWith("approve", StringComparison.Ordinal) || route.EndsWith("reissue-query-code", StringComparison.Ordinal) ? HttpMethod.Post : HttpMethod.Get,
                    new Uri(path, UriKind.Relative));
                if (request.Method == HttpMethod.Post)
                {
                    request.Content = new StringContent("{\"category\":\"Complaint\"}", Encoding.UTF8, "application/json");
                }

                request.Headers.TryAddWithoutValidation(CaseEndpoints.QueryCodeHeader, "0000000000");
                var client = route.StartsWith("/api/scorecard", StringComparison.Ordinal) || route.StartsWith("/api/inbox", StringComparison.Ordinal)
                    || route.StartsWith("/api/analysis", StringComparison.Ordinal) ? supervisor : registrar;
                using var response = await client.SendAsync(request);
                var status = (int)response.StatusCode;
                // Kestrel itself refuses a few of these request lines (400, before the app and its problem+json).
                var ok = status is 200 or 400 or 404 && (status == 200 || response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                    || (status == 400 && response.Content.Headers.ContentLength == 0));
                if (!ok)
                {
                    failures.Add($"{request.Method} {path}: {status} {response.Content.Headers.ContentType?.MediaType}: {Short(await response.Content.ReadAsStringAsync())}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static async Task<int> CountAsync(TableClient rows)
    {
        var n = 0;
        await foreach (var _ in rows.QueryAsync<TableEntity>(select: ["RowKey"]))
        {
            n++;
        }

        return n;
    }

    private static string Short(string text) => text.Length > 400 ? text[..400] + "…" : text;

    private static JsonNode Resolve(JsonNode schema, JsonObject schemas, int depth = 0) =>
        depth < 8 && schema["$ref"] is { } r && schemas[((string)r!).Split('/')[^1]] is { } target ? Resolve(target, schemas, depth + 1) : schema;

    /// <summary>A plausible value of <paramref name="schema"/> (objects with every property, arrays of one item).</summary>
    private static JsonNode? Sample(JsonNode schema, JsonObject schemas, int depth)
    {
        schema = Resolve(schema, schemas);
        if (depth > 6)
        {
            return "x";
        }

        if ((schema["oneOf"] ?? schema["anyOf"]) is JsonArray alternatives)
        {
            var pick = alternatives.Select(a => Resolve(a!, schemas)).FirstOrDefault(a => TypeOf(a) != "null");
            return pick is null ? "x" : Sample(pick, schemas, depth + 1);
        }

        if (schema["enum"] is JsonArray { Count: > 0 } values && values.FirstOrDefault(v => v is not null) is { } first)
        {
            return first.DeepClone();
        }

        switch (TypeOf(schema))
        {
            case "object" or null when schema["properties"] is JsonObject properties:
                var obj = new JsonObject();
                foreach (var (name, property) in properties)
                {
                    obj[name] = Sample(property!, schemas, depth + 1);
                }

                return obj;
            case "array":
                return schema["items"] is { } items ? new JsonArray(Sample(items, schemas, depth + 1)) : new JsonArray("x");
            case "integer" or "number":
                return 1;
            case "boolean":
                return true;
            case "string":
                return (string?)schema["format"] switch
                {
                    "date" => "2025-09-10",
                    "date-time" => "2025-09-10T09:00:00Z",
                    _ => "x",
                };
            default:
                return "x";
        }
    }

    private static string? TypeOf(JsonNode schema) => schema["type"] switch
    {
        JsonValue v => (string?)v,
        JsonArray a => a.Select(t => (string?)t).FirstOrDefault(t => t != "null"),
        _ => null,
    };

    /// <summary>Every leaf of <paramref name="node"/> (strings, numbers, booleans, empty containers) as a field path.</summary>
    private static IEnumerable<string> Leaves(JsonNode? node, string path)
    {
        switch (node)
        {
            case JsonObject { Count: > 0 } obj:
                foreach (var (name, child) in obj)
                {
                    foreach (var leaf in Leaves(child, path.Length == 0 ? name : path + "." + name))
                    {
                        yield return leaf;
                    }
                }

                break;
            case JsonArray { Count: > 0 } array:
                for (var i = 0; i < array.Count; i++)
                {
                    foreach (var leaf in Leaves(array[i], $"{path}[{i}]"))
                    {
                        yield return leaf;
                    }
                }

                break;
            default:
                yield return path;
                break;
        }
    }

    /// <summary>A copy of <paramref name="sample"/> with the marker at <paramref name="field"/>.</summary>
    private static JsonObject Mark(JsonObject sample, string field)
    {
        var copy = sample.DeepClone().AsObject();
        JsonNode parent = copy;
        var parts = field.Replace("[", ".[", StringComparison.Ordinal).Split('.');
        for (var i = 0; i < parts.Length; i++)
        {
            var last = i == parts.Length - 1;
            var part = parts[i];
            if (part.StartsWith('['))
            {
                var index = int.Parse(part[1..^1], System.Globalization.CultureInfo.InvariantCulture);
                if (last)
                {
                    parent.AsArray()[index] = Marker;
                }
                else
                {
                    parent = parent.AsArray()[index]!;
                }
            }
            else if (last)
            {
                parent.AsObject()[part] = Marker;
            }
            else
            {
                parent = parent.AsObject()[part]!;
            }
        }

        return copy;
    }

    private static byte[] Replace(JsonObject marked, byte[] token)
    {
        var bytes = Encoding.UTF8.GetBytes(marked.ToJsonString());
        var needle = Encoding.UTF8.GetBytes("\"" + Marker + "\"");
        var at = bytes.AsSpan().IndexOf(needle);
        Assert.True(at >= 0);
        return [.. bytes.AsSpan(0, at), .. token, .. bytes.AsSpan(at + needle.Length)];
    }
}

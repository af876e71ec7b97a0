using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace Supervision.Functions.Triggers;

/// <summary>A host payload that cannot be what the Functions host sends; the reason names the offending field.</summary>
public sealed class HostPayloadException(string reason) : Exception(reason);

/// <summary>
/// Reads what the Functions host POSTs to a custom handler for a non-forwarded trigger:
/// <c>{"Data":{binding:value},"Metadata":{...}}</c>, serialized by Newtonsoft (PLATFORM.md §1.2).
/// Property names are matched case-insensitively; strings may arrive JSON-encoded a second time;
/// counts may be strings or numbers.
/// </summary>
public sealed class HostPayload
{
    private HostPayload(JsonElement data, JsonElement? metadata)
    {
        Data = data;
        Metadata = metadata;
    }

    /// <summary>The <c>Data</c> object: one entry per trigger/input binding, keyed by binding name.</summary>
    public JsonElement Data { get; }

    /// <summary>The <c>Metadata</c> object, when sent.</summary>
    public JsonElement? Metadata { get; }

    /// <summary>Parses the envelope. The returned elements live as long as <paramref name="document"/>.</summary>
    public static HostPayload Parse(JsonDocument document)
    {
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new HostPayloadException($"The body must be a JSON object {{\"Data\":{{...}},\"Metadata\":{{...}}}}, got a JSON {Kind(root)}.");
        }

        if (Property(root, "Data") is not { } data)
        {
            throw new HostPayloadException("\"Data\" is missing: the Functions host sends {\"Data\":{<binding>:<value>},\"Metadata\":{...}}.");
        }

        if (data.ValueKind != JsonValueKind.Object)
        {
            throw new HostPayloadException($"\"Data\" must be a JSON object keyed by binding name, got a JSON {Kind(data)}.");
        }

        var metadata = Property(root, "Metadata");
        if (metadata is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) } bad)
        {
            throw new HostPayloadException($"\"Metadata\" must be a JSON object, got a JSON {Kind(bad)}.");
        }

        return new HostPayload(data, metadata is { ValueKind: JsonValueKind.Object } m ? m : null);
    }

    /// <summary>The value of binding <paramref name="name"/> under <c>Data</c>, or a reason naming function.json.</summary>
    public JsonElement Binding(string name, string function) =>
        Property(Data, name) is { ValueKind: not JsonValueKind.Null } value
            ? value
            : throw new HostPayloadException(
                $"\"Data.{name}\" is missing: functions/{function}/function.json names its trigger binding \"{name}\", and the host sends it under Data.");

    /// <summary>A metadata entry, or null when absent or null.</summary>
    public JsonElement? MetadataValue(string name) =>
        Metadata is { } m && Property(m, name) is { ValueKind: not JsonValueKind.Null } v ? v : null;

    /// <summary>Case-insensitive property lookup (the host's serializer casing is not a contract).</summary>
    public static JsonElement? Property(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (obj.TryGetProperty(name, out var exact))
        {
            return exact;
        }

        foreach (var p in obj.EnumerateObject())
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value;
            }
        }

        return null;
    }

    /// <summary>
    /// Decodes a queue message as the host delivers it (already Base64-decoded by the host): a JSON string is taken
    /// by value, and if that value is itself a JSON string literal it is decoded once more — so <c>"\"aaaaa\""</c>
    /// gives <c>aaaaa</c> and <c>"\"{\\\"a\\\":1}\""</c> gives <c>{"a":1}</c>. A JSON object or array (a host that
    /// passed the body as JSON) is taken as its raw JSON text.
    /// </summary>
    public static string DecodeMessage(JsonElement value, string field)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                var text = value.GetString()!;
                return UnquoteOnce(text) ?? text;
            case JsonValueKind.Object:
            case JsonValueKind.Array:
                return value.GetRawText();
            default:
                throw new HostPayloadException($"\"{field}\" must be a JSON string (the message text, JSON-encoded by the host), got a JSON {Kind(value)}.");
        }
    }

    /// <summary>Decodes a metadata string that may be JSON-encoded a second time (e.g. <c>Metadata.Id</c>).</summary>
    public static string DecodeString(JsonElement value, string field)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new HostPayloadException($"\"{field}\" must be a JSON string, got a JSON {Kind(value)}.");
        }

        var text = value.GetString()!;
        return UnquoteOnce(text) ?? text;
    }

    /// <summary>A non-negative count sent as a JSON number or as a string holding one (the host does both).</summary>
    public static long ReadCount(JsonElement value, string field)
    {
        var ok = value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetInt64(out var n) ? n : (long?)null,
            JsonValueKind.String => long.TryParse(UnquoteOnce(value.GetString()!) ?? value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : null,
            _ => null,
        };
        return ok is >= 0
            ? ok.Value
            : throw new HostPayloadException($"\"{field}\" must be a non-negative whole number (a JSON number or a string holding one), got {Describe(value)}.");
    }

    /// <summary>A flag sent as a JSON boolean or a string "true"/"false"; null when absent.</summary>
    public static bool? ReadFlag(JsonElement? value) => value switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        { ValueKind: JsonValueKind.String } s when bool.TryParse(s.GetString(), out var b) => b,
        _ => null,
    };

    /// <summary>
    /// Reads the HTTP request object the host sends for a non-forwarded HTTP trigger (PLATFORM.md §1.2). Our <c>api</c>
    /// function is forwarded, so the host never sends this today; it is kept so that a function which cannot be
    /// forwarded (an extra binding) has a tested reader. <c>Query</c> may be an object or a JSON string.
    /// </summary>
    public static HostHttpRequest ReadHttpRequest(JsonElement req, string field)
    {
        if (req.ValueKind != JsonValueKind.Object)
        {
            throw new HostPayloadException($"\"{field}\" must be the host's HTTP request object, got a JSON {Kind(req)}.");
        }

        var url = Property(req, "Url") is { ValueKind: JsonValueKind.String } u ? u.GetString()! : throw new HostPayloadException($"\"{field}.Url\" is missing.");
        var method = Property(req, "Method") is { ValueKind: JsonValueKind.String } m ? m.GetString()! : throw new HostPayloadException($"\"{field}.Method\" is missing.");
        var body = Property(req, "Body") switch
        {
            null or { ValueKind: JsonValueKind.Null } => null,
            { ValueKind: JsonValueKind.String } s => s.GetString(),
            { } other => other.GetRawText(),
        };
        return new HostHttpRequest(
            url,
            method,
            ReadStringMap(Property(req, "Query"), $"{field}.Query"),
            ReadHeaders(Property(req, "Headers"), $"{field}.Headers"),
            ReadStringMap(Property(req, "Params"), $"{field}.Params"),
            body);
    }

    private static Dictionary<string, string> ReadStringMap(JsonElement? value, string field)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        switch (value)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return map;
            case { ValueKind: JsonValueKind.String } s:
                var text = s.GetString()!.Trim();
                if (text.StartsWith('{'))
                {
                    try
                    {
                        using var inner = JsonDocument.Parse(text);
                        return ReadStringMap(inner.RootElement.Clone(), field);
                    }
                    catch (JsonException e)
                    {
                        throw new HostPayloadException($"\"{field}\" is a string that starts like JSON but does not parse: {e.Message}");
                    }
                }

                foreach (var (k, v) in QueryHelpers.ParseQuery(text))
                {
                    map[k] = v.ToString();
                }

                return map;
            case { ValueKind: JsonValueKind.Object } o:
                foreach (var p in o.EnumerateObject())
                {
                    map[p.Name] = p.Value.ValueKind switch
                    {
                        JsonValueKind.String => p.Value.GetString()!,
                        JsonValueKind.Array => string.Join(',', p.Value.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString() : x.GetRawText())),
                        _ => p.Value.GetRawText(),
                    };
                }

                return map;
            case { } other:
                throw new HostPayloadException($"\"{field}\" must be an object or a JSON string, got a JSON {Kind(other)}.");
        }
    }

    private static Dictionary<string, string[]> ReadHeaders(JsonElement? value, string field)
    {
        var map = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        if (value is not { ValueKind: JsonValueKind.Object } o)
        {
            return value is null or { ValueKind: JsonValueKind.Null }
                ? map
                : throw new HostPayloadException($"\"{field}\" must be an object, got a JSON {Kind(value.Value)}.");
        }

        foreach (var p in o.EnumerateObject())
        {
            map[p.Name] = p.Value.ValueKind == JsonValueKind.Array
                ? p.Value.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : x.GetRawText()).ToArray()
                : [p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText()];
        }

        return map;
    }

    /// <summary>If <paramref name="text"/> is exactly one JSON string literal, its value; otherwise null.</summary>
    private static string? UnquoteOnce(string text)
    {
        if (text.Length < 2 || text[0] != '"' || text[^1] != '"')
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.ValueKind == JsonValueKind.String ? doc.RootElement.GetString() : null;
        }
        catch (JsonException)
        {
            return null; // Text that merely starts and ends with a quote: the message text itself.
        }
    }

    private static string Kind(JsonElement e) => e.ValueKind.ToString().ToLowerInvariant();

    private static string Describe(JsonElement e) =>
        e.ValueKind == JsonValueKind.String ? $"the string {e.GetRawText()}" : $"a JSON {Kind(e)} {e.GetRawText()}";
}

/// <summary>The host's HTTP request object for a non-forwarded HTTP trigger.</summary>
public sealed record HostHttpRequest(
    string Url,
    string Method,
    IReadOnlyDictionary<string, string> Query,
    IReadOnlyDictionary<string, string[]> Headers,
    IReadOnlyDictionary<string, string> Params,
    string? Body);

using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Supervision.Domain.Orchestration;

namespace Supervision.Api.Platform;

/// <summary>
/// A JSON object body read by <see cref="HttpInput.ReadObjectAsync"/>: the parsed document and its text, or the problem
/// to answer with (400 naming the field, 413, 415). Dispose it to return the document's buffers.
/// </summary>
public sealed class JsonBody : IDisposable
{
    internal JsonBody(JsonDocument? document, string? text, IResult? problem)
    {
        Document = document;
        Text = text;
        Problem = problem;
    }

    /// <summary>The body, an object whose every name and string is valid text; null when <see cref="Problem"/> is set.</summary>
    public JsonDocument? Document { get; }

    /// <summary>The body as UTF-8 text (<c>{}</c> for no body when an empty body is allowed).</summary>
    public string? Text { get; }

    public IResult? Problem { get; }

    public JsonElement Root => Document!.RootElement;

    public void Dispose() => Document?.Dispose();
}

/// <summary>
/// Reading request input by hand, once, so that no input reaches ASP.NET Core's default binding (whose failures are
/// bare 400s or 500s): bodies under an explicit cap, query parameters parsed and named in the problem.
/// </summary>
public static class HttpInput
{
    /// <summary>At most this many text problems are listed for one body: a refusal stays cheap whatever its size.</summary>
    private const int MaxTextErrors = 20;

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>
    /// The one reader of JSON request bodies (docs/decisions.md, A6 and A14): at most <paramref name="limit"/> bytes (413
    /// beyond, also when Content-Length says so up front), JSON only (415 for another media type), parsed from the bytes
    /// with no duplicate keys and at most <paramref name="maxDepth"/> levels, an object at the root, and every property
    /// name and string value valid text — no lone UTF-16 surrogate (<c>"\ud800"</c>), no bytes that are not UTF-8, no
    /// control character other than tab, line feed and carriage return. Each problem names its field
    /// (<c>arrangement.coHandlers[0].unitId</c>); nothing throws, and nothing touches storage. No body at all is an empty
    /// object when <paramref name="emptyIsObject"/>, else a 400.
    /// </summary>
    public static async Task<JsonBody> ReadObjectAsync(HttpRequest request, long limit, CancellationToken ct, int maxDepth = 32, bool emptyIsObject = true)
    {
        var (bytes, length, problem) = await ReadBytesAsync(request, limit, ct);
        if (problem is not null)
        {
            return new(null, null, problem);
        }

        if (bytes is null)
        {
            return emptyIsObject
                ? new(JsonDocument.Parse("{}"), "{}", null)
                : new(null, null, Problems.Fields([new FieldError("$", "the body is empty; send a JSON object")]));
        }

        return ParseObject(bytes.AsMemory(0, length), maxDepth, emptyIsObject);
    }

    /// <summary>
    /// Parses a JSON object body held as UTF-8 bytes with the rules of <see cref="ReadObjectAsync"/>. Pure; every
    /// problem is a 400 naming the field.
    /// </summary>
    public static JsonBody ParseObject(ReadOnlyMemory<byte> utf8, int maxDepth = 32, bool emptyIsObject = false)
    {
        var span = utf8.Span;
        if (span.StartsWith(Encoding.UTF8.Preamble))
        {
            utf8 = utf8[Encoding.UTF8.Preamble.Length..];
        }

        if (utf8.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return emptyIsObject
                ? new(JsonDocument.Parse("{}"), "{}", null)
                : new(null, null, Problems.Fields([new FieldError("$", "the body is empty; send a JSON object")]));
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = maxDepth, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            return new(null, null, Problems.Fields([new FieldError(Field(e.Path), "not valid JSON: " + e.Message)]));
        }

        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            doc.Dispose();
            return new(null, null, Problems.Fields([new FieldError("$", "the body must be a JSON object")]));
        }

        var errors = new List<FieldError>();
        CheckText(doc.RootElement, string.Empty, errors);
        if (errors.Count > 0)
        {
            doc.Dispose();
            return new(null, null, Problems.Fields(errors));
        }

        // Every string was checked above, so the bytes are valid UTF-8 wherever it matters; outside strings the parser
        // accepted only JSON syntax (ASCII), so this cannot fail.
        return new(doc, StrictUtf8.GetString(utf8.Span), null);
    }

    /// <summary>Parses a JSON object body given as text (the same rules).</summary>
    public static JsonBody ParseObject(string? text, int maxDepth = 32, bool emptyIsObject = false) =>
        ParseObject(Encoding.UTF8.GetBytes(text ?? string.Empty), maxDepth, emptyIsObject);

    /// <summary>Why <paramref name="value"/> is not acceptable text (a lone surrogate, a control character), or null.</summary>
    public static string? TextProblem(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return $"holds a lone UTF-16 surrogate (U+{(int)c:X4}); send Unicode text";
            }
            else if (c < ' ' && c is not ('\t' or '\n' or '\r'))
            {
                return $"holds the control character U+{(int)c:X4}; only tab, line feed and carriage return are allowed";
            }
        }

        return null;
    }

    private static void CheckText(JsonElement element, string path, List<FieldError> errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in element.EnumerateObject())
                {
                    if (errors.Count >= MaxTextErrors)
                    {
                        return;
                    }

                    string name;
                    try
                    {
                        name = p.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        errors.Add(new FieldError(path.Length == 0 ? "$" : path, "a property name here is not valid text: " + NotText));
                        continue;
                    }

                    var child = path.Length == 0 ? name : path + "." + name;
                    if (TextProblem(name) is { } bad)
                    {
                        errors.Add(new FieldError(path.Length == 0 ? "$" : path, $"the property name '{Printable(name)}' {bad}"));
                        continue;
                    }

                    CheckText(p.Value, child, errors);
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (errors.Count >= MaxTextErrors)
                    {
                        return;
                    }

                    CheckText(item, string.Create(CultureInfo.InvariantCulture, $"{(path.Length == 0 ? "$" : path)}[{i++}]"), errors);
                }

                break;
            case JsonValueKind.String:
                var field = path.Length == 0 ? "$" : path;
                string value;
                try
                {
                    value = element.GetString()!;
                }
                catch (InvalidOperationException)
                {
                    errors.Add(new FieldError(field, $"{field} is not valid text: {NotText}"));
                    return;
                }

                if (TextProblem(value) is { } problem)
                {
                    errors.Add(new FieldError(field, $"{field} {problem}"));
                }

                break;
        }
    }

    private const string NotText = "it holds a lone UTF-16 surrogate (such as \\ud800) or bytes that are not UTF-8; send Unicode text";

    private static string Printable(string name) =>
        new(name.Select(c => char.IsControl(c) || char.IsSurrogate(c) ? '\uFFFD' : c).Take(100).ToArray());

    /// <summary><c>$.petitioner.name</c> → <c>petitioner.name</c>; the root stays <c>$</c>.</summary>
    private static string Field(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "$" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    /// <summary>
    /// The body's bytes under the cap, or the problem (413, 415). No body at all is null bytes and no problem.
    /// </summary>
    private static async Task<(byte[]? Bytes, int Length, IResult? Problem)> ReadBytesAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        if (request.ContentLength > limit)
        {
            return (null, 0, Problems.TooLarge(limit));
        }

        if (request.ContentLength is 0 || (request.ContentLength is null && request.ContentType is null && request.Headers.TransferEncoding.Count == 0))
        {
            return (null, 0, null);
        }

        if (!(request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) ?? false))
        {
            return (null, 0, Results.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: "Send the body as application/json."));
        }

        // Kestrel's own limit stays as the outer bound; this one is the endpoint's.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature
            && (feature.MaxRequestBodySize is null || feature.MaxRequestBodySize > limit + 1))
        {
            feature.MaxRequestBodySize = limit + 1;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return (null, 0, Problems.TooLarge(limit));
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, 0, Problems.TooLarge(limit));
        }

        return buffer.Length == 0 ? (null, 0, null) : (buffer.GetBuffer(), (int)buffer.Length, null);
    }
}

/// <summary>
/// Query parameters, parsed by hand: each method records a problem naming the parameter instead of throwing, and
/// <see cref="Problem"/> answers them all at once (400 problem+json with <c>errors</c>).
/// </summary>
public sealed class QueryParams(IQueryCollection query)
{
    private readonly List<FieldError> errors = [];

    public IResult? Problem => errors.Count == 0 ? null : Problems.Fields(errors);

    public string? Text(string name, int maxLength = 200)
    {
        if (!Single(name, out var value) || value is null)
        {
            return null;
        }

        if (value.Length == 0 || value.Length > maxLength)
        {
            errors.Add(new FieldError(name, $"{name} must be 1 to {maxLength} characters"));
            return null;
        }

        if (HttpInput.TextProblem(value) is { } bad)
        {
            errors.Add(new FieldError(name, $"{name} {bad}"));
            return null;
        }

        return value;
    }

    public int? Number(string name, int min, int max)
    {
        if (!Single(name, out var value) || value is null)
        {
            return null;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
        {
            errors.Add(new FieldError(name, $"{name} must be a whole number from {min} to {max}"));
            return null;
        }

        return n;
    }

    public bool? Bool(string name)
    {
        if (!Single(name, out var value) || value is null)
        {
            return null;
        }

        if (value is "true" or "false")
        {
            return value == "true";
        }

        errors.Add(new FieldError(name, $"{name} must be true or false"));
        return null;
    }

    public TEnum? Enum<TEnum>(string name)
        where TEnum : struct, Enum
    {
        if (!Single(name, out var value) || value is null)
        {
            return null;
        }

        if (System.Enum.GetNames<TEnum>().FirstOrDefault(n => string.Equals(n, value, StringComparison.OrdinalIgnoreCase)) is { } match)
        {
            return System.Enum.Parse<TEnum>(match);
        }

        errors.Add(new FieldError(name, $"{name} must be one of {string.Join(", ", System.Enum.GetNames<TEnum>())}"));
        return null;
    }

    /// <summary>Records a problem for <paramref name="name"/> found by the caller.</summary>
    public void Fail(string name, string message) => errors.Add(new FieldError(name, message));

    private bool Single(string name, out string? value)
    {
        value = null;
        if (!query.TryGetValue(name, out var values))
        {
            return true;
        }

        if (values.Count != 1)
        {
            errors.Add(new FieldError(name, $"{name} may be given once"));
            return false;
        }

        value = values[0];
        return true;
    }
}

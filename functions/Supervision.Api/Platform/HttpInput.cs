using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Supervision.Domain.Orchestration;

namespace Supervision.Api.Platform;

/// <summary>A request body read under a size cap: the text, or the problem to answer with (400/413/415).</summary>
public sealed record BodyRead(string? Text, IResult? Problem);

/// <summary>
/// Reading request input by hand, once, so that no input reaches ASP.NET Core's default binding (whose failures are
/// bare 400s or 500s): bodies under an explicit cap, query parameters parsed and named in the problem.
/// </summary>
public static class HttpInput
{
    /// <summary>
    /// The body as UTF-8 text, at most <paramref name="limit"/> bytes (413 beyond, also when Content-Length says so up
    /// front), JSON only (415 for another media type). No body at all is <c>null</c> text and no problem.
    /// </summary>
    public static async Task<BodyRead> ReadJsonAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        if (request.ContentLength > limit)
        {
            return new(null, Problems.TooLarge(limit));
        }

        if (request.ContentLength is 0 || (request.ContentLength is null && request.ContentType is null && request.Headers.TransferEncoding.Count == 0))
        {
            return new(null, null);
        }

        if (!(request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) ?? false))
        {
            return new(null, Results.Problem(
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
                    return new(null, Problems.TooLarge(limit));
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return new(null, Problems.TooLarge(limit));
        }

        try
        {
            return new(new UTF8Encoding(false, true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length), null);
        }
        catch (DecoderFallbackException)
        {
            return new(null, Problems.Fields([new FieldError("$", "the body is not valid UTF-8")]));
        }
    }

    /// <summary>Parses a JSON object body (no duplicate keys, bounded depth); the problem names the field.</summary>
    public static JsonDocument? ParseObject(string? text, out IResult? problem, int maxDepth = 32)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = Problems.Fields([new FieldError("$", "the body is empty; send a JSON object")]);
            return null;
        }

        try
        {
            var doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = maxDepth, AllowDuplicateProperties = false });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                doc.Dispose();
                problem = Problems.Fields([new FieldError("$", "the body must be a JSON object")]);
                return null;
            }

            return doc;
        }
        catch (JsonException e)
        {
            problem = Problems.Fields([new FieldError(string.IsNullOrEmpty(e.Path) ? "$" : e.Path, "not valid JSON: " + e.Message)]);
            return null;
        }
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

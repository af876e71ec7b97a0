namespace Supervision.Api.Platform;

/// <summary>
/// The security headers on every response the pipeline writes: pages, static files, API JSON, problem+json from the
/// exception handler and the status-code pages, health and OpenAPI (docs/decisions.md, W1). The pages load only their
/// own files (no inline script or style, no framing, no plugins); a file download (<c>Content-Disposition:
/// attachment</c>: case files, scorecard exports) gets a policy that allows nothing and sandboxes it, in case a browser
/// is ever made to render one. Registered first, so it wraps the exception handler.
/// </summary>
public static class SecurityHeaders
{
    public const string PageCsp =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    public const string DownloadCsp = "default-src 'none'; frame-ancestors 'none'; sandbox";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        // Set now (a handler may read or replace them) and again as the response starts: the exception handler clears
        // the headers before it writes its problem, and a download's disposition is only known once it is written.
        var response = http.Response;
        Apply(response);
        response.OnStarting(static r =>
        {
            Apply((HttpResponse)r);
            return Task.CompletedTask;
        }, response);
        return next(http);
    });

    /// <summary>Adds what is missing; a download always gets the download policy. Nothing a handler set is weakened.</summary>
    public static void Apply(HttpResponse response)
    {
        var headers = response.Headers;
        var download = headers.ContentDisposition.ToString().StartsWith("attachment", StringComparison.OrdinalIgnoreCase);
        if (download)
        {
            headers.ContentSecurityPolicy = DownloadCsp;
        }
        else if (string.IsNullOrEmpty(headers.ContentSecurityPolicy))
        {
            headers.ContentSecurityPolicy = PageCsp;
        }

        SetIfMissing(headers, "X-Content-Type-Options", "nosniff");
        SetIfMissing(headers, "X-Frame-Options", "DENY");
        SetIfMissing(headers, "Referrer-Policy", "no-referrer");
    }

    private static void SetIfMissing(IHeaderDictionary headers, string name, string value)
    {
        if (string.IsNullOrEmpty(headers[name]))
        {
            headers[name] = value;
        }
    }
}

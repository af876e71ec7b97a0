using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Supervision.Api.Auth;

namespace Supervision.Api.Platform;

/// <summary>
/// Abuse limits with ASP.NET Core's rate limiter (one global chained limiter from <see cref="ApiLimits"/>, nothing ever
/// queued): requests in progress at once per client and in all, fixed windows for petitioner endpoints by client
/// (IPv4 address or IPv6 /64; never by case, which would refuse the owner while others hammer the case) and for staff
/// endpoints by signed-in person.
/// A refusal is 429 problem+json with <c>Retry-After</c>. Health, the UI's files and OpenAPI are not limited.
/// </summary>
public static class RateLimits
{
    public static IServiceCollection AddSupervisionRateLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<ApiLimits>>((o, limits) =>
        {
            var l = limits.Value;
            o.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                // In progress at once, per client and in all: refused at once (queue 0), so a flood costs the process
                // only the refusals, never a growing queue of waiting requests.
                PartitionedRateLimiter.Create<HttpContext, string>(http => IsApi(http)
                    ? Concurrency("inflight:" + ClientOf(http), l.PerClientConcurrency)
                    : RateLimitPartition.GetNoLimiter(string.Empty)),

                // The online petition budget, by client: a bound on what one address can register (decision P1).
                PartitionedRateLimiter.Create<HttpContext, string>(http => IsSubmission(http)
                    ? Window("portal:" + Cases.QueryCodeThrottle.ClientOf(http), l.PortalSubmissionsPerClient, l.PortalSubmissionWindow)
                    : RateLimitPartition.GetNoLimiter(string.Empty)),

                // Petitioners by client only: a per-case limit would refuse the owner while others hammer the case.
                PartitionedRateLimiter.Create<HttpContext, string>(http => IsPetitioner(http)
                    ? Window("client:" + Cases.QueryCodeThrottle.ClientOf(http), l.PetitionerPerClient, l.Window)
                    : RateLimitPartition.GetNoLimiter(string.Empty)),
                PartitionedRateLimiter.Create<HttpContext, string>(http =>
                    http.Request.Path.StartsWithSegments("/api") && !IsPetitioner(http) && SupervisionClaims.PersonIdOf(http.User) is { } person
                        ? Window("user:" + person, l.StaffPerUser, l.Window)
                        : RateLimitPartition.GetNoLimiter(string.Empty)),
                PartitionedRateLimiter.Create<HttpContext, string>(http => IsApi(http)
                    ? Concurrency("inflight", l.MaxConcurrentRequests)
                    : RateLimitPartition.GetNoLimiter(string.Empty)));
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                // A window says when it reopens; a concurrency limit frees up as soon as a request in progress ends.
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds));
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = IsSubmission(http) && retry > TimeSpan.FromSeconds(1)
                            ? $"Too many petitions were submitted from your network; nothing was registered. Try again in {seconds} s, or send the petition by letter or bring it to the petition bureau."
                            : $"Too many requests; try again in {seconds} s.",
                    },
                });
            };
        });
        services.AddRateLimiter(_ => { });
        return services;
    }

    /// <summary>Anonymous petitioner routes: the query-code routes and the online portal, limited by client address.</summary>
    private static bool IsPetitioner(HttpContext http) =>
        http.Request.Path.StartsWithSegments("/api/petitioner") || http.Request.Path.StartsWithSegments("/api/portal");

    private static bool IsSubmission(HttpContext http) =>
        HttpMethods.IsPost(http.Request.Method) && http.Request.Path.Equals("/api/portal/petitions", StringComparison.OrdinalIgnoreCase);

    /// <summary>Health (<c>/health/*</c>), <c>/</c>, the UI's files and OpenAPI are never limited: a monitor must get through a flood.</summary>
    private static bool IsApi(HttpContext http) => http.Request.Path.StartsWithSegments("/api");

    /// <summary>The client: the signed-in person, else the client address (petitioners, anonymous callers).</summary>
    private static string ClientOf(HttpContext http) =>
        !IsPetitioner(http) && SupervisionClaims.PersonIdOf(http.User) is { } person
            ? "user:" + person
            : "client:" + Cases.QueryCodeThrottle.ClientOf(http);

    private static RateLimitPartition<string> Concurrency(string key, int permits) =>
        RateLimitPartition.GetConcurrencyLimiter(key, _ => new ConcurrencyLimiterOptions
        {
            PermitLimit = Math.Max(1, permits),
            QueueLimit = 0,
        });

    private static RateLimitPartition<string> Window(string key, int permits, TimeSpan window) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, permits),
            Window = window,
            QueueLimit = 0,
            AutoReplenishment = true,
        });
}

/// <summary>Malformed requests found by the server itself (bad framing, body over Kestrel's limit) → 400/413 problem+json.</summary>
public sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        httpContext.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = bad.StatusCode,
                Title = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is too large" : "The request is invalid",
                Detail = bad.Message,
            },
        });
    }
}

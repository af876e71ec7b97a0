using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Supervision.Testing;

namespace Supervision.Api.Tests.Alerts;

/// <summary>One request the fake Graph server received.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The request path.</param>
/// <param name="Authorization">The Authorization header.</param>
/// <param name="Body">The JSON body.</param>
/// <param name="At">When the fake received it (real time), to check how long a client waited between attempts.</param>
public sealed record GraphRequest(string Method, string Path, string? Authorization, JsonElement Body, DateTimeOffset At = default);

/// <summary>What the fake answers: a status and an optional Retry-After header.</summary>
public sealed record GraphAnswer(int Status, string? RetryAfter = null);

/// <summary>
/// A minimal Graph on a real loopback Kestrel port: serves <c>POST /v1.0/users/{id}/sendMail</c> (202) and
/// <c>POST /v1.0/users/{id}/teamwork/sendActivityNotification</c> (204), records every request, and lets a test
/// override the answer per request (429 with Retry-After, 403…).
/// </summary>
public sealed class FakeGraphServer : IAsyncDisposable
{
    public const string Token = "fake-graph-token";

    private readonly WebApplication app;
    private readonly ConcurrentQueue<GraphRequest> requests = new();

    private FakeGraphServer(WebApplication app, int port)
    {
        this.app = app;
        Port = port;
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}/v1.0";

    /// <summary>Decides the answer for a request; null means the success status of the endpoint.</summary>
    public Func<GraphRequest, GraphAnswer?> Answer { get; set; } = _ => null;

    public IReadOnlyList<GraphRequest> Requests => [.. requests];

    public static async Task<FakeGraphServer> StartAsync()
    {
        var port = TestStorage.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var server = new FakeGraphServer(app, port);
        app.MapPost("/v1.0/users/{id}/sendMail", (HttpContext c) => server.HandleAsync(c, StatusCodes.Status202Accepted));
        app.MapPost("/v1.0/users/{id}/teamwork/sendActivityNotification", (HttpContext c) => server.HandleAsync(c, StatusCodes.Status204NoContent));
        app.MapFallback((HttpContext c) => server.HandleAsync(c, StatusCodes.Status404NotFound));
        using var started = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StartAsync(started.Token);
        return server;
    }

    public IReadOnlyList<GraphRequest> To(string pathSuffix) =>
        Requests.Where(r => r.Path.EndsWith(pathSuffix, StringComparison.Ordinal)).ToList();

    private async Task HandleAsync(HttpContext context, int success)
    {
        using var doc = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var request = new GraphRequest(
            context.Request.Method, context.Request.Path.Value ?? "", context.Request.Headers.Authorization.ToString(), doc.RootElement.Clone(), Supervision.Orchestrations.Clocks.Wall.GetUtcNow());
        requests.Enqueue(request);
        var answer = request.Authorization == $"Bearer {Token}" ? Answer(request) : new GraphAnswer(StatusCodes.Status401Unauthorized);
        context.Response.StatusCode = answer?.Status ?? success;
        if (answer?.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Supervision.Api.Platform;

namespace Supervision.Functions.Tests;

/// <summary>
/// Issue 15 item 6 on the Functions path: what the site functions and the API catch-all answer through the shared
/// pipeline carries the same security headers as the standalone host (docs/decisions.md, W1) — the UI, the portal, the
/// vendored chart library, API JSON and problems. The worker's response is modelled with a body feature that runs the
/// response's OnStarting callbacks on the first write, as the worker's server does.
/// </summary>
public sealed class SecurityHeadersTests : IDisposable
{
    private readonly OwnedPipeline owned = PipelineFixture.Create();

    public void Dispose() => owned.Dispose();

    public static TheoryData<string, string> Site() => new()
    {
        { "app", "/app/index.html" },
        { "app", "/app/" },
        { "app", "/app/pages/index.js" },
        { "portal", "/portal/" },
        { "portal", "/portal/portal.js" },
        { "root", "/" },
        { "health-live", "/health/live" },
        { "openapi", "/openapi/v1.json" },
        { "app", "/app/no-such-page.html" },
    };

    [Theory]
    [MemberData(nameof(Site))]
    public async Task Site_functions_answer_with_the_page_policy(string function, string path)
    {
        var (http, response) = Request("GET", path);
        var site = new SiteFunctions(owned.Pipeline);

        await (function switch
        {
            "app" => site.App(http.Request),
            "portal" => site.Portal(http.Request),
            "root" => site.Root(http.Request),
            "health-live" => site.HealthLive(http.Request),
            "openapi" => site.OpenApi(http.Request),
            _ => throw new ArgumentOutOfRangeException(nameof(function)),
        });
        await response.CompleteAsync();

        Assert.Equal(path.Contains("no-such", StringComparison.Ordinal) ? 404 : 200, http.Response.StatusCode);
        Assert.True(response.Started);
        AssertHeaders(http);
    }

    [Fact]
    public async Task The_portal_page_and_the_chart_library_are_reached_through_their_functions()
    {
        var (portal, portalBody) = Request("GET", "/portal/");
        await new SiteFunctions(owned.Pipeline).Portal(portal.Request);
        await portalBody.CompleteAsync();
        var vendorFile = Path.Combine(AppContext.BaseDirectory, "wwwroot", "vendor", "echarts.min.js");
        var (vendor, vendorBody) = Request("GET", "/vendor/echarts.min.js");
        await new SiteFunctions(owned.Pipeline).Vendor(vendor.Request);
        await vendorBody.CompleteAsync();

        Assert.Equal(200, portal.Response.StatusCode);
        Assert.Contains("portal.js", portalBody.Text, StringComparison.Ordinal);

        // ECharts is installed by scripts/lib.sh ensure_ui (git-ignored); without it the function still answers, 404.
        Assert.Equal(File.Exists(vendorFile) ? 200 : 404, vendor.Response.StatusCode);
        AssertHeaders(vendor);
    }

    [Theory]
    [InlineData("/api/clock", 200)]
    [InlineData("/api/cases", 401)]
    [InlineData("/api/no-such-thing", 404)]
    public async Task The_api_function_answers_with_the_headers(string path, int status)
    {
        var (http, response) = Request("GET", path);

        await new ApiFunctions(owned.Pipeline).Api(http.Request, null!);
        await response.CompleteAsync();

        Assert.Equal(status, http.Response.StatusCode);
        AssertHeaders(http);
    }

    [Fact]
    public async Task A_problem_from_the_exception_handler_carries_the_headers_it_cleared()
    {
        // The handler clears the response (headers included) before writing its problem; the headers come back as it starts.
        using var demo = PipelineFixture.Create(new Dictionary<string, string?> { ["Supervision:Auth:Mode"] = "Demo" });
        var (http, response) = Request("POST", "/api/cases");
        http.Request.Headers["X-Supervision-User"] = "c-registrar";
        http.Request.ContentType = "application/json";
        http.Request.Body = new FailingStream();

        await new ApiFunctions(demo.Pipeline).Api(http.Request, null!);
        await response.CompleteAsync();

        Assert.Equal(500, http.Response.StatusCode);
        Assert.StartsWith("application/problem+json", http.Response.ContentType, StringComparison.Ordinal);
        AssertHeaders(http);
    }

    /// <summary>A request body whose read fails (a broken connection, say): an exception no endpoint handles.</summary>
    private sealed class FailingStream : MemoryStream
    {
        public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("the body broke (test)");

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("the body broke (test)");

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the body broke (test)");
    }

    private static void AssertHeaders(HttpContext http)
    {
        var h = http.Response.Headers;
        Assert.Equal(SecurityHeaders.PageCsp, h.ContentSecurityPolicy.ToString());
        Assert.Equal("nosniff", h.XContentTypeOptions.ToString());
        Assert.Equal("DENY", h.XFrameOptions.ToString());
        Assert.Equal("no-referrer", h["Referrer-Policy"].ToString());
    }

    private static (DefaultHttpContext Http, StartingResponse Response) Request(string method, string path)
    {
        var http = new DefaultHttpContext();
        var response = new StartingResponse();
        http.Features.Set<IHttpResponseFeature>(response);
        http.Features.Set<IHttpResponseBodyFeature>(response);
        http.Request.Method = method;
        http.Request.Scheme = "https";
        http.Request.Host = new HostString("func.example");
        http.Request.Path = path;
        return (http, response);
    }

    /// <summary>A server's response: OnStarting callbacks run (last registered first) before the first byte is written.</summary>
    private sealed class StartingResponse : IHttpResponseFeature, IHttpResponseBodyFeature
    {
        private readonly List<(Func<object, Task> Callback, object State)> starting = [];
        private readonly MemoryStream buffer = new();
        private readonly Stream stream;
        private PipeWriter? writer;

        public StartingResponse() => stream = new StartingStream(this);

        public bool Started { get; private set; }

        public string Text => Encoding.UTF8.GetString(buffer.ToArray());

        public int StatusCode { get; set; } = 200;

        public string? ReasonPhrase { get; set; }

        public IHeaderDictionary Headers { get; set; } = new HeaderDictionary();

        public Stream Body { get => stream; set => throw new NotSupportedException(); }

        public bool HasStarted => Started;

        public Stream Stream => stream;

        public PipeWriter Writer => writer ??= PipeWriter.Create(stream);

        public void OnStarting(Func<object, Task> callback, object state) => starting.Insert(0, (callback, state));

        public void OnCompleted(Func<object, Task> callback, object state)
        {
        }

        public async Task StartAsync(CancellationToken cancellationToken = default)
        {
            if (Started)
            {
                return;
            }

            foreach (var (callback, state) in starting)
            {
                await callback(state);
            }

            Started = true;
        }

        public void DisableBuffering()
        {
        }

        public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
        {
            await StartAsync(cancellationToken);
            await using var file = File.OpenRead(path);
            file.Seek(offset, SeekOrigin.Begin);
            await file.CopyToAsync(buffer, cancellationToken);
        }

        public async Task CompleteAsync()
        {
            if (writer is not null)
            {
                await writer.FlushAsync();
            }

            await StartAsync();
        }

        private sealed class StartingStream(StartingResponse owner) : Stream
        {
            public override bool CanRead => false;

            public override bool CanSeek => false;

            public override bool CanWrite => true;

            public override long Length => owner.buffer.Length;

            public override long Position { get => owner.buffer.Position; set => throw new NotSupportedException(); }

            public override void Flush()
            {
            }

            public override Task FlushAsync(CancellationToken cancellationToken) => owner.StartAsync(cancellationToken);

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count)
            {
                owner.StartAsync().GetAwaiter().GetResult();
                owner.buffer.Write(buffer, offset, count);
            }

            public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
            {
                await owner.StartAsync(cancellationToken);
                await owner.buffer.WriteAsync(buffer, cancellationToken);
            }

            public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
                WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        }
    }
}

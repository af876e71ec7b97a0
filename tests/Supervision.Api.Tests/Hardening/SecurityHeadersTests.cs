using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Supervision.Api.Platform;
using Supervision.Api.Tests.Cases;

namespace Supervision.Api.Tests.Hardening;

/// <summary>One host for the header tests; a test-only middleware at the end of its pipeline throws, so the exception
/// handler's problem can be checked too.</summary>
public sealed class HeadersApp : IAsyncLifetime
{
    public const string ThrowPath = "/test/throw";

    public CaseApp App { get; private set; } = null!;

    public async Task InitializeAsync() =>
        App = await CaseApp.StartAsync(SecurityHeadersTests.Start, services: s => s.AddTransient<IStartupFilter, ThrowAtTheEnd>());

    public async Task DisposeAsync() => await App.DisposeAsync();

    /// <summary>Runs after the app's own pipeline (inside its exception handler) for a request no endpoint or file took.</summary>
    private sealed class ThrowAtTheEnd : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Use((http, inner) => http.Request.Path == ThrowPath ? throw new InvalidOperationException("boom (test)") : inner(http));
        };
    }
}

/// <summary>
/// Issue 15 item 6: every response carries the security headers (docs/decisions.md, W1) — the pages and their files,
/// API JSON, health and OpenAPI, problems from endpoints, authorization, status-code pages and the exception handler —
/// and a file download carries the stricter, sandboxing policy instead.
/// </summary>
public sealed class SecurityHeadersTests(HeadersApp fixture) : IClassFixture<HeadersApp>
{
    public static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);

    private CaseApp App => fixture.App;

    private static readonly string[] Expected =
        ["default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'", "connect-src 'self'",
            "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"];

    [Theory]
    [InlineData("/app/")]
    [InlineData("/app/index.html")]
    [InlineData("/app/ticket.html")]
    [InlineData("/app/leader.html")]
    [InlineData("/app/app.css")]
    [InlineData("/app/shell.js")]
    [InlineData("/app/pages/index.js")]
    [InlineData("/portal/")]
    [InlineData("/portal/portal.js")]
    public async Task Pages_and_their_files_carry_the_page_policy(string path)
    {
        using var response = await App.Anonymous().GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertPageHeaders(response);
    }

    [Fact]
    public async Task The_page_policy_is_the_one_documented()
    {
        using var response = await App.Anonymous().GetAsync(new Uri("/app/", UriKind.Relative));

        var csp = Single(response, "Content-Security-Policy");
        Assert.Equal(SecurityHeaders.PageCsp, csp);
        Assert.Equal(Expected, csp.Split(';', StringSplitOptions.TrimEntries));
        Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_page_has_inline_script_inline_handlers_or_inline_style()
    {
        // What the policy would refuse in the browser, found in the files themselves (the browser tests check the console).
        var root = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        var pages = Directory.GetFiles(root, "*.html", SearchOption.AllDirectories);
        Assert.NotEmpty(pages);
        foreach (var page in pages)
        {
            var html = await File.ReadAllTextAsync(page);
            var name = Path.GetRelativePath(root, page);
            Assert.False(Regex.IsMatch(html, @"<script(?![^>]*\ssrc=)[^>]*>"), $"{name}: a script without src");
            Assert.False(Regex.IsMatch(html, @"\son[a-z]+\s*="), $"{name}: an inline event handler");
            Assert.False(Regex.IsMatch(html, @"\sstyle\s*=|<style"), $"{name}: inline style");
            Assert.DoesNotContain("javascript:", html, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/health/live")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/api/clock")]
    public async Task Api_json_health_and_openapi_carry_the_headers(string path)
    {
        using var response = await App.Anonymous().GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertPageHeaders(response);
    }

    [Fact]
    public async Task Signed_in_api_answers_carry_the_headers()
    {
        using var list = await App.As("c-registrar").GetAsync(new Uri("/api/cases", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal("application/json", list.Content.Headers.ContentType?.MediaType);
        AssertPageHeaders(list);
    }

    [Theory]
    [InlineData(null, "/api/cases", HttpStatusCode.Unauthorized)] // authorization → status-code pages
    [InlineData("c-registrar", "/api/ops/instances", HttpStatusCode.Forbidden)] // admin only
    [InlineData("c-registrar", "/api/cases/XF-20250910-NOSUCH00", HttpStatusCode.NotFound)] // the endpoint's own problem
    [InlineData("c-registrar", "/api/no-such-route", HttpStatusCode.NotFound)] // no endpoint → status-code pages
    [InlineData(null, "/app/no-such-page.html", HttpStatusCode.NotFound)]
    [InlineData("c-registrar", "/api/cases?pageSize=0", HttpStatusCode.BadRequest)]
    [InlineData(null, HeadersApp.ThrowPath, HttpStatusCode.InternalServerError)] // the exception handler
    public async Task Problems_and_404s_carry_the_headers(string? person, string path, HttpStatusCode status)
    {
        var client = person is null ? App.Anonymous() : App.As(person);

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        AssertPageHeaders(response);
    }

    [Fact]
    public async Task A_405_for_a_wrong_method_carries_the_headers()
    {
        using var response = await App.As("c-registrar").DeleteAsync(new Uri("/api/clock", UriKind.Relative));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        AssertPageHeaders(response);
    }

    [Fact]
    public async Task File_downloads_carry_the_download_policy_by_every_route()
    {
        var registrar = App.As("c-registrar");
        var (id, _) = await registrar.RegisterAsync(App.Now, matter: "headers:download:" + Guid.NewGuid().ToString("N")[..8]);
        using var content = new ByteArrayContent("%PDF-1.7\n<script>alert(1)</script>\n%%EOF\n"u8.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        content.Headers.TryAddWithoutValidation("Content-Disposition", "attachment; filename*=UTF-8''a.pdf");
        using var upload = await registrar.PostAsync(new Uri($"/api/cases/{id}/files?kind=Evidence", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        AssertPageHeaders(upload); // the upload's JSON answer is an API answer
        var fileId = (string)(await upload.JsonAsync())["id"]!;

        using var direct = await registrar.GetAsync(new Uri($"/api/cases/{id}/files/{fileId}", UriKind.Relative));
        AssertDownloadHeaders(direct);
        var link = await registrar.PostAsync(new Uri($"/api/cases/{id}/files/{fileId}/link", UriKind.Relative), null).OkAsync();
        using var byLink = await App.Anonymous().GetAsync(new Uri((string)link["url"]!, UriKind.Relative));
        AssertDownloadHeaders(byLink);
    }

    [Theory]
    [InlineData("csv")]
    [InlineData("xlsx")]
    public async Task Scorecard_exports_carry_the_download_policy(string format)
    {
        using var export = await App.As("c-supervisor").GetAsync(new Uri($"/api/scorecard?month=2025-09&format={format}", UriKind.Relative));

        AssertDownloadHeaders(export);
    }

    private static void AssertDownloadHeaders(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("default-src 'none'; frame-ancestors 'none'; sandbox", Single(response, "Content-Security-Policy"));
        AssertCommonHeaders(response);
    }

    private static void AssertPageHeaders(HttpResponseMessage response)
    {
        Assert.Equal(SecurityHeaders.PageCsp, Single(response, "Content-Security-Policy"));
        AssertCommonHeaders(response);
    }

    private static void AssertCommonHeaders(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", Single(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Single(response, "X-Frame-Options"));
        Assert.Equal("no-referrer", Single(response, "Referrer-Policy"));
    }

    /// <summary>The header's one value (whether the client files it as a response or a content header).</summary>
    private static string Single(HttpResponseMessage response, string name)
    {
        var values = (response.Headers.TryGetValues(name, out var h) ? h : [])
            .Concat(response.Content.Headers.TryGetValues(name, out var c) ? c : []).ToList();
        Assert.True(values.Count == 1, $"{name} on {response.RequestMessage?.RequestUri}: [{string.Join(" | ", values)}]");
        return values[0];
    }
}

using System.Net;
using System.Text;
using Microsoft.AspNetCore.Mvc;

namespace Supervision.Functions.Tests;

/// <summary>
/// The HTTP functions called as the worker calls them, with the worker's <see cref="HttpContext"/>: the shared pipeline
/// answers on it (routing, authentication, endpoints, static files), and the function's own result writes nothing.
/// </summary>
public sealed class HttpAdapterTests : IDisposable
{
    private readonly OwnedPipeline owned = PipelineFixture.Create();

    public void Dispose() => owned.Dispose();

    private static DefaultHttpContext Request(string method, string path, string? accept = null)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = method;
        http.Request.Scheme = "https";
        http.Request.Host = new HostString("func.example");
        http.Request.Path = path;
        if (accept is not null)
        {
            http.Request.Headers.Accept = accept;
        }

        http.Response.Body = new MemoryStream();
        return http;
    }

    private static string Body(HttpContext http) => Encoding.UTF8.GetString(((MemoryStream)http.Response.Body).ToArray());

    [Fact]
    public async Task Health_live_answers_200_while_storage_is_unreachable()
    {
        var http = Request("GET", "/health/live");

        var result = await new SiteFunctions(owned.Pipeline).HealthLive(http.Request);

        Assert.Equal((int)HttpStatusCode.OK, http.Response.StatusCode);
        Assert.IsType<EmptyResult>(result);
    }

    [Fact]
    public async Task Root_answers_monitors_with_json_and_browsers_with_a_redirect_to_the_ui()
    {
        var monitor = Request("GET", "/");
        await new SiteFunctions(owned.Pipeline).Root(monitor.Request);
        Assert.Equal(200, monitor.Response.StatusCode);
        Assert.Contains("\"status\":\"up\"", Body(monitor), StringComparison.Ordinal);

        var browser = Request("GET", "/", accept: "text/html");
        await new SiteFunctions(owned.Pipeline).Root(browser.Request);
        Assert.Equal(302, browser.Response.StatusCode);
        Assert.Equal("/app/", browser.Response.Headers.Location.ToString());
    }

    [Fact]
    public async Task Unauthenticated_case_list_is_401_problem_json()
    {
        var http = Request("GET", "/api/cases");

        await new ApiFunctions(owned.Pipeline).Api(http.Request, null!);

        Assert.Equal((int)HttpStatusCode.Unauthorized, http.Response.StatusCode);
        Assert.StartsWith("application/problem+json", http.Response.ContentType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_catch_all_function_reaches_the_endpoint_the_pipeline_routes_to()
    {
        // Under one trigger the pipeline's routing picks the endpoint: the calendar's own refusal of its query proves
        // it was the calendar endpoint that answered; a path no endpoint has is the pipeline's 404.
        var calendar = Request("GET", "/api/calendar/deadline");
        calendar.Request.QueryString = new QueryString("?from=2026-03-02&days=abc");
        await new ApiFunctions(owned.Pipeline).Api(calendar.Request, null!);
        var unknown = Request("GET", "/api/no-such-thing");
        await new ApiFunctions(owned.Pipeline).Api(unknown.Request, null!);

        Assert.Equal(400, calendar.Response.StatusCode);
        Assert.Contains("Invalid deadline request", Body(calendar), StringComparison.Ordinal);
        Assert.Equal(404, unknown.Response.StatusCode);
    }

    [Fact]
    public async Task The_ui_is_served_from_the_pipeline_static_files()
    {
        var http = Request("GET", "/app/index.html");

        await new SiteFunctions(owned.Pipeline).App(http.Request);

        Assert.Equal(200, http.Response.StatusCode);
        Assert.StartsWith("text/html", http.Response.ContentType, StringComparison.Ordinal);
        Assert.Contains("<html", Body(http), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_openapi_document_lists_the_api()
    {
        var http = Request("GET", "/openapi/v1.json");

        await new SiteFunctions(owned.Pipeline).OpenApi(http.Request);

        Assert.Equal(200, http.Response.StatusCode);
        Assert.Contains("/api/cases", Body(http), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_worker_request_services_and_endpoint_are_restored_after_the_call()
    {
        var http = Request("GET", "/health/live");
        using var outer = new ServiceCollection().BuildServiceProvider();
        http.RequestServices = outer;

        await new SiteFunctions(owned.Pipeline).HealthLive(http.Request);

        Assert.Same(outer, http.RequestServices);
    }

    [Fact]
    public async Task The_pipeline_uses_the_invocation_client_for_the_engine()
    {
        var engine = owned.Services.GetRequiredService<Supervision.Orchestrations.IDurableEngine>();

        Assert.IsType<FunctionsDurableEngine>(engine);
        await Assert.ThrowsAsync<InvalidOperationException>(() => engine.GetStatusAsync("x"));
    }
}

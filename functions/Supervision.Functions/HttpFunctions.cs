using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.DurableTask.Client;

namespace Supervision.Functions;

/// <summary>
/// The whole API as one HTTP function: <c>api/{*path}</c>, every method, handing the request to the shared pipeline
/// (<see cref="ApiPipeline"/>), whose routing picks the endpoint from the one definition in functions/Supervision.Api.
/// A function per route would only open a door the pipeline routes through again (and the host ranks overlapping
/// templates by function name, not as ASP.NET Core does); one catch-all keeps a single definition of every route.
/// Every API call may reach the engine, so it takes the invocation's Durable Task client (docs/decisions.md, E7).
/// Uploads stream through the worker's ASP.NET Core integration; the host's request limit (100 MB) is above the largest
/// file kind's limit (50 MiB).
/// </summary>
public sealed class ApiFunctions(ApiPipeline pipeline)
{
    [Function("api")]
    public Task<IActionResult> Api(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", "post", "put", "patch", "delete", Route = "api/{*path}")] HttpRequest req,
        [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);
}

/// <summary>
/// What is not an API route: the root (monitors and the redirect to the UI), health, the OpenAPI document and the static
/// files of the UI, the petitioner's portal and the vendored chart library, forwarded to the same pipeline. None needs a
/// Durable Task client.
/// </summary>
public sealed class SiteFunctions(ApiPipeline pipeline)
{
    /// <summary>
    /// <c>GET /</c>. A route cannot be empty (the host would use the function name), so this is the usual root template:
    /// one optional parameter that only the empty path satisfies. Needs <c>AzureWebJobsDisableHomepage=true</c>.
    /// </summary>
    [Function("root")]
    public Task<IActionResult> Root([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "{root:maxlength(0)?}")] HttpRequest req) =>
        pipeline.RunAsync(req.HttpContext, null);

    [Function("health-live")]
    public Task<IActionResult> HealthLive([HttpTrigger(AuthorizationLevel.Anonymous, Route = "health/live")] HttpRequest req) =>
        pipeline.RunAsync(req.HttpContext, null);

    [Function("health-ready")]
    public Task<IActionResult> HealthReady([HttpTrigger(AuthorizationLevel.Anonymous, Route = "health/ready")] HttpRequest req) =>
        pipeline.RunAsync(req.HttpContext, null);

    [Function("openapi")]
    public Task<IActionResult> OpenApi([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi/{documentName}.json")] HttpRequest req) =>
        pipeline.RunAsync(req.HttpContext, null);

    /// <summary>The UI (<c>/app</c>, <c>/app/</c> and its files), served by the pipeline's static-file middleware.</summary>
    [Function("app")]
    public Task<IActionResult> App([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "app/{*path}")] HttpRequest req) =>
        pipeline.RunAsync(req.HttpContext, null);

    /// <summary>The petitioner's portal (<c>/portal/</c>): static files like the UI, outside <c>/app</c>.</summary>
    [Function("portal")]
    public Task<IActionResult> Portal([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "portal/{*path}")] HttpRequest req) =>
        pipeline.RunAsync(req.HttpContext, null);

    /// <summary>The UI's third-party files (<c>/vendor/echarts.min.js</c>, which the leader page loads).</summary>
    [Function("vendor")]
    public Task<IActionResult> Vendor([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "vendor/{*path}")] HttpRequest req) =>
        pipeline.RunAsync(req.HttpContext, null);
}

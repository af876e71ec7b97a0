using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.DurableTask.Client;

namespace Supervision.Functions;

/// <summary>
/// The case-file routes (functions/Supervision.Api/Files/FileEndpoints.cs) as HTTP functions, thin adapters like
/// <see cref="ApiFunctions"/>. The upload streams through the worker's ASP.NET Core integration; the host's own request
/// limit (100 MB) is above the largest kind's limit (50 MiB).
/// </summary>
public sealed class FileFunctions(ApiPipeline pipeline)
{
    [Function("api-case-files")]
    public Task<IActionResult> CaseFiles(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "api/cases/{id}/files")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-case-file")]
    public Task<IActionResult> CaseFile(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "delete", Route = "api/cases/{id}/files/{fileId}")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-case-file-link")]
    public Task<IActionResult> CaseFileLink(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/cases/{id}/files/{fileId}/link")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-files-download")]
    public Task<IActionResult> FilesDownload(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/files/download")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);

    [Function("api-petitioner-case-file")]
    public Task<IActionResult> PetitionerCaseFile(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/petitioner/cases/{id}/files/{fileId}")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        pipeline.RunAsync(req.HttpContext, client);
}

using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Supervision.Api.Auth;
using Supervision.Api.Cases;
using Supervision.Api.Platform;
using Supervision.Domain.Cases;
using Supervision.Files;

namespace Supervision.Api.Files;

/// <summary>
/// Case files over HTTP (docs/files.md "Wiring it into the HTTP layer", docs/api.md "Case files"): streamed upload,
/// list, download, short-lived links, delete; the petitioner's download of their served reply. Whoever may see the case
/// may use its files; everyone else, the accused unit included, gets the same 404 as for a case that does not exist.
/// </summary>
public static class FileEndpoints
{
    /// <summary>The kinds a petitioner may download with the query code, once a served step cites them.</summary>
    public static readonly IReadOnlySet<CaseFileKind> PetitionerKinds = new HashSet<CaseFileKind> { CaseFileKind.WrittenOpinion, CaseFileKind.Reply };

    public static IServiceCollection AddCaseFiles(this IServiceCollection services, IConfiguration config)
    {
        var settings = new FileSettings();
        config.GetSection(FileSettings.Section).Bind(settings);
        services.AddSingleton(settings);
        services.AddSingleton<CaseFiles>();
        return services;
    }

    public static IEndpointRouteBuilder MapFileEndpoints(this IEndpointRouteBuilder app)
    {
        // Kestrel's 30 MB default is raised for the upload only; the store enforces each kind's own limit while streaming.
        var largest = FilePolicy.Default.Kinds.Values.Max(k => k.MaxBytes) + (64 * 1024);
        var staff = app.MapGroup("/api/cases/{id}/files").RequireAuthorization(SupervisionClaims.PersonPolicy).WithTags("files");
        staff.MapPost(string.Empty, UploadAsync).WithName("uploadFile")
            .WithMetadata(new RequestSizeLimitAttribute(largest))
            .Produces(StatusCodes.Status201Created).ProducesProblem(413).ProducesProblem(415).ProducesProblem(400)
            .WithSummary("Upload a file (?kind=Evidence|Letter|WrittenOpinion|Reply|CompletionReport|TicketReport|Other), streamed: the raw body with Content-Disposition: attachment; filename*=UTF-8''…, or multipart/form-data (first file part).");
        staff.MapGet(string.Empty, ListAsync).WithName("listFiles").WithSummary("The case's files, oldest first.");
        staff.MapGet("/{fileId}", DownloadAsync).WithName("downloadFile").WithSummary("The file's bytes (SHA-256 checked while streaming).");
        staff.MapPost("/{fileId}/link", LinkAsync).WithName("fileLink").WithSummary("A short-lived download link for the caller.");
        staff.MapDelete("/{fileId}", DeleteAsync).WithName("deleteFile").WithSummary("Delete a file; refused (409) for a sealed legal record.");

        app.MapGet("/api/files/download", LinkDownloadAsync).AllowAnonymous().WithTags("files").WithName("downloadByLink")
            .WithSummary("Download with a link's token (the token is the authorization; a link issued to another signed-in person is refused).");
        app.MapPost("/api/petitioner/cases/{id}/files", PetitionerUploadAsync).AllowAnonymous().WithTags("petitioner")
            .WithName("petitionerUploadFile")
            .WithMetadata(new RequestSizeLimitAttribute(largest))
            .Produces(StatusCodes.Status201Created).ProducesProblem(413).ProducesProblem(415).ProducesProblem(400).ProducesProblem(409)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("The petitioner attaches material (?kind=Evidence|Letter) to their case with the query code in X-Query-Code, until the bureau routes it; streamed and sniffed like the staff upload.")
            .WithDescription("Wrong query codes are throttled like the other petitioner routes: 429 problem+json with Retry-After (docs/api.md, Query codes).");
        app.MapGet("/api/petitioner/cases/{id}/files/{fileId}", PetitionerDownloadAsync).AllowAnonymous().WithTags("petitioner")
            .WithName("petitionerDownloadFile")
            .WithSummary("The petitioner's served written opinion or reply, with the query code in X-Query-Code.")
            .WithDescription("Wrong query codes are throttled like the other petitioner routes: 429 problem+json with Retry-After (docs/api.md, Query codes).")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    private static Task<IResult> UploadAsync(string id, string? kind, HttpContext http, CaseServices s, CaseFiles files, CancellationToken ct) =>
        GuardAsync(async () =>
        {
            if (!await CanSeeAsync(id, http, s, ct))
            {
                return NoCase(id);
            }

            var k = CaseFileKind.Evidence;
            if (kind is not null && (!Enum.TryParse(kind, ignoreCase: true, out k) || !Enum.IsDefined(k) || int.TryParse(kind, out _)))
            {
                return Problems.Invalid($"kind must be one of {string.Join(", ", Enum.GetNames<CaseFileKind>())}.");
            }

            var (stored, problem) = await StoreAsync(id, k, http, files, ct);
            return problem ?? Results.Created($"/api/cases/{id}/files/{stored!.FileId}", View(stored));
        });

    /// <summary>
    /// The petitioner attaches material (补充材料) to their online petition with the query code, while the case waits at
    /// the bureau (before it is routed) and up to <see cref="PortalOptions.MaxFilesPerCase"/> files; sniffed and limited
    /// exactly as the staff upload. A refused file leaves the case as it was.
    /// </summary>
    private static Task<IResult> PetitionerUploadAsync(string id, string? kind, HttpContext http, CaseServices s, CaseFiles files,
        Microsoft.Extensions.Options.IOptions<PortalOptions> portal, CancellationToken ct) =>
        GuardAsync(async () =>
        {
            var (snapshot, refusal) = await CaseEndpoints.PetitionerCaseAsync(id, http, s, ct);
            if (snapshot is null)
            {
                return refusal!;
            }

            var k = CaseFileKind.Evidence;
            if (kind is not null && (!Enum.TryParse(kind, ignoreCase: true, out k) || int.TryParse(kind, out _) || k is not (CaseFileKind.Evidence or CaseFileKind.Letter)))
            {
                return Problems.Invalid("kind must be Evidence (证据材料) or Letter (信访件).");
            }

            if (snapshot.State.Status != CaseStatus.Registered)
            {
                return Problems.Conflict("Material can be attached online only until the petition bureau routes the case; your case has moved on, so hand further material to the body handling it, or post it quoting your case number.");
            }

            var existing = await (await files.StoreAsync(ct)).ListAsync(id, ct);
            if (existing.Count >= portal.Value.MaxFilesPerCase)
            {
                return Problems.Conflict($"A case takes at most {portal.Value.MaxFilesPerCase} files online; bring or post further material to the petition bureau, quoting your case number.");
            }

            var (stored, problem) = await StoreAsync(id, k, http, files, ct);
            return problem ?? Results.Json(View(stored!), statusCode: StatusCodes.Status201Created);
        });

    /// <summary>Streams the request's file (raw body or the first multipart file part) into the case's store.</summary>
    private static async Task<(StoredFile? File, IResult? Problem)> StoreAsync(string id, CaseFileKind k, HttpContext http, CaseFiles files, CancellationToken ct)
    {
        var store = await files.StoreAsync(ct);
        StoredFile stored;
        if (MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var media) && media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            var boundary = HeaderUtilities.RemoveQuotes(media.Boundary).Value;
            if (string.IsNullOrEmpty(boundary))
            {
                return (null, Problems.Invalid("A multipart body needs a boundary."));
            }

            var reader = new MultipartReader(boundary, http.Request.Body);
            MultipartSection? section;
            while ((section = await reader.ReadNextSectionAsync(ct)) is not null)
            {
                if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var part) && part.IsFileDisposition())
                {
                    break;
                }
            }

            if (section is null)
            {
                return (null, Problems.Invalid("The multipart body has no file part (Content-Disposition: form-data; name=\"file\"; filename=\"…\")."));
            }

            var disposition = ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var d) ? d : null;
            stored = await store.UploadAsync(id, k, NameOf(disposition) ?? string.Empty, section.Body, section.ContentType, ct);
        }
        else
        {
            var disposition = ContentDispositionHeaderValue.TryParse(http.Request.Headers.ContentDisposition.ToString(), out var d) ? d : null;
            var name = NameOf(disposition) ?? http.Request.Query["name"].FirstOrDefault();
            if (name is null)
            {
                return (null, Problems.Invalid("Name the file: Content-Disposition: attachment; filename*=UTF-8''<name> (or ?name=)."));
            }

            var declared = media?.MediaType.Value is "application/octet-stream" ? null : http.Request.ContentType;
            stored = await store.UploadAsync(id, k, name, http.Request.Body, declared, ct);
        }

        return (stored, null);
    }


    private static Task<IResult> ListAsync(string id, HttpContext http, CaseServices s, CaseFiles files, CancellationToken ct) =>
        GuardAsync(async () => await CanSeeAsync(id, http, s, ct)
            ? Results.Json((await (await files.StoreAsync(ct)).ListAsync(id, ct)).Select(View))
            : NoCase(id));

    private static Task<IResult> DownloadAsync(string id, string fileId, HttpContext http, CaseServices s, CaseFiles files, CancellationToken ct) =>
        GuardAsync(async () => await CanSeeAsync(id, http, s, ct)
            ? new FileStreamResult(await (await files.StoreAsync(ct)).OpenReadAsync(id, fileId, ct))
            : NoCase(id));

    private static Task<IResult> LinkAsync(string id, string fileId, HttpContext http, CaseServices s, CaseFiles files, CancellationToken ct) =>
        GuardAsync(async () =>
        {
            if (!await CanSeeAsync(id, http, s, ct))
            {
                return NoCase(id);
            }

            var store = await files.StoreAsync(ct);
            var link = await store.CreateDownloadLinkAsync(id, fileId, files.Settings.LinkLifetime, SupervisionClaims.PersonIdOf(http.User)!, ct);
            return Results.Json(new { url = link.Url.ToString(), expiresOn = link.ExpiresOn });
        });

    private static Task<IResult> DeleteAsync(string id, string fileId, HttpContext http, CaseServices s, CaseFiles files, CancellationToken ct) =>
        GuardAsync(async () =>
        {
            if (!await CanSeeAsync(id, http, s, ct))
            {
                return NoCase(id);
            }

            await (await files.StoreAsync(ct)).DeleteAsync(id, fileId, ct);
            return Results.NoContent();
        });

    private static Task<IResult> LinkDownloadAsync(string? token, HttpContext http, CaseFiles files, CancellationToken ct) =>
        GuardAsync(async () =>
        {
            var store = await files.StoreAsync(ct);
            var grant = store.VerifyDownloadLink(token, SupervisionClaims.PersonIdOf(http.User));
            return new FileStreamResult(await store.OpenReadAsync(grant.Owner, grant.FileId, ct));
        });

    private static Task<IResult> PetitionerDownloadAsync(string id, string fileId, HttpContext http, CaseServices s, CaseFiles files, CancellationToken ct) =>
        GuardAsync(async () =>
        {
            // The same check, and the same throttle of wrong codes, as the petitioner's other routes.
            var (snapshot, refusal) = await CaseEndpoints.PetitionerCaseAsync(id, http, s, ct);
            if (snapshot is null)
            {
                return refusal!;
            }

            // Only what was served on the petitioner: a file a recorded opinion cites, of an opinion kind. Drafts,
            // evidence and internal reports are not theirs to fetch, and are not disclosed to exist.
            var state = snapshot.State;
            var store = await files.StoreAsync(ct);
            var cited = fileId == state.ReplyFile || fileId == state.ReviewFile || fileId == state.ReExamFile;
            if (!cited || !PetitionerKinds.Contains((await store.GetAsync(id, fileId, ct)).Kind))
            {
                return Problems.NotFound("No served opinion with that id on this case.");
            }

            return new FileStreamResult(await store.OpenReadAsync(id, fileId, ct));
        });

    /// <summary>Whether the signed-in person may see the case (and so use its files).</summary>
    internal static async Task<bool> CanSeeAsync(string id, HttpContext http, CaseServices s, CancellationToken ct)
    {
        var org = await s.Org.GetAsync(ct);
        var person = org.PersonById(SupervisionClaims.PersonIdOf(http.User));
        var snapshot = await s.GetAsync(id, ct);
        return snapshot is not null && person is not null && CaseVisibility.CanSee(org, person, snapshot.State);
    }

    private static IResult NoCase(string id) => Problems.NotFound($"No case '{id}' that you may see.");

    private static string? NameOf(ContentDispositionHeaderValue? d) =>
        d is null ? null : HeaderUtilities.RemoveQuotes(d.FileNameStar).Value is { Length: > 0 } star ? star : HeaderUtilities.RemoveQuotes(d.FileName).Value;

    /// <summary>The file as the API shows it (no blob name: storage layout is not part of the contract).</summary>
    public static object View(StoredFile f) => new
    {
        id = f.FileId,
        caseId = f.Owner,
        kind = f.Kind.ToString(),
        name = f.OriginalName,
        contentType = f.ContentType,
        size = f.SizeBytes,
        sha256 = f.Sha256,
        uploadedAt = f.UploadedAt,
        sealedAt = f.SealedAt,
        @sealed = f.IsSealed,
    };

    /// <summary>The library's refusals as problem+json with its status and stable type (docs/files.md "Errors → HTTP").</summary>
    private static async Task<IResult> GuardAsync(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (CaseFileException e)
        {
            return Problem(e);
        }
        catch (ArgumentOutOfRangeException e)
        {
            return Problems.Invalid(e.Message);
        }
    }

    public static IResult Problem(CaseFileException e) => Results.Problem(
        statusCode: e.Reason.HttpStatus(),
        title: e.Message,
        type: "https://supervision.example/problems/" + e.Reason.ProblemType(),
        extensions: new Dictionary<string, object?> { ["reason"] = e.Reason.ToString() });

    /// <summary>
    /// Streams an open download with its headers. Reading to the end checks the SHA-256; a mismatch aborts the
    /// connection so the client sees a broken transfer, never a complete wrong file.
    /// </summary>
    private sealed class FileStreamResult(FileDownload download) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            await using var d = download;
            var f = d.File;
            var r = http.Response;
            r.ContentType = f.ContentType;
            r.ContentLength = f.SizeBytes;
            r.Headers.ContentDisposition = CaseFileStore.ContentDisposition(f.OriginalName);
            r.Headers.XContentTypeOptions = "nosniff";
            r.Headers.ContentSecurityPolicy = SecurityHeaders.DownloadCsp; // never rendered as a page (W1)
            r.Headers.CacheControl = "private, no-store";
            r.Headers["Repr-Digest"] = $"sha-256=:{Convert.ToBase64String(Convert.FromHexString(f.Sha256))}:";
            http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            try
            {
                await d.Content.CopyToAsync(r.Body, http.RequestAborted);
            }
            catch (IOException) when (!http.RequestAborted.IsCancellationRequested)
            {
                http.Abort();
            }
        }
    }
}

using Supervision.Api.Files;
using Supervision.Api.Platform;
using Supervision.Domain.Tickets;
using Supervision.Files;

namespace Supervision.Api.Oversight;

/// <summary>
/// Files a ticket step cites are held to the same rule as a case's legal records (decision F9.3, S10): a response's
/// <c>{fileId}@sha256:{hex}</c> must name a file of the ticket's case stored with exactly that SHA-256, and an
/// accountability reply shaped as a file id must be a file of the case; once the step is applied they are sealed, so
/// the report the supervisor accepted is the report kept.
/// </summary>
public static class TicketRecords
{
    private const string Marker = "@sha256:";

    /// <summary>
    /// (file id, the SHA-256 the reference claims or null) of each stored file the command cites. A reference not shaped
    /// as a file id is an external (paper archive) one, unchecked unless stored records are required (decision F9.4).
    /// </summary>
    public static IEnumerable<(string FileId, string? Sha256)> Cited(TicketCommand command, bool requireStored) => command switch
    {
        RespondToTicket r => (r.Files ?? []).Select(f => Parse(f) ?? (requireStored ? (f, null) : null)).OfType<(string, string?)>(),
        RecordAccountabilityReply a when IsFileId(a.ReplyFile) || (requireStored && !string.IsNullOrWhiteSpace(a.ReplyFile)) => [(a.ReplyFile, null)],
        _ => [],
    };

    /// <summary>A refusal (problem+json) when a cited file is not the case's file as stored; otherwise null.</summary>
    public static async Task<IResult?> CheckAsync(string? caseId, TicketCommand command, HttpContext http, CancellationToken ct)
    {
        var files = http.RequestServices.GetRequiredService<CaseFiles>();
        var cited = Cited(command, files.Settings.RequireStoredLegalRecords).ToList();
        if (cited.Count == 0)
        {
            return null;
        }

        if (caseId is null)
        {
            return Problems.Invalid("This ticket has no case to hold its files.");
        }

        var store = await files.StoreAsync(ct);
        foreach (var (fileId, sha256) in cited)
        {
            try
            {
                var file = await store.GetAsync(caseId, fileId, ct);
                if (file.Kind != CaseFileKind.TicketReport)
                {
                    return Problems.Invalid($"The cited file '{fileId}' is a {file.Kind}; a ticket's report or reply is uploaded with ?kind={CaseFileKind.TicketReport}.");
                }

                if (sha256 is not null && !string.Equals(file.Sha256, sha256, StringComparison.Ordinal))
                {
                    return Problems.Invalid($"The file '{fileId}' of case {caseId} is stored with SHA-256 {file.Sha256}, not the {sha256} cited: cite the file as the upload answered.");
                }
            }
            catch (CaseFileException e) when (e.Reason == CaseFileError.NotFound)
            {
                return Problems.Invalid($"The cited file '{fileId}' is not a file of case {caseId}: upload it first (POST /api/cases/{caseId}/files?kind={CaseFileKind.TicketReport}) and cite '{{id}}{Marker}{{sha256}}' as the upload answered.");
            }
        }

        return null;
    }

    /// <summary>Seals the cited files once the step is applied; a failure leaves them replaceable and is logged (a retried request seals again).</summary>
    public static async Task SealAsync(string? caseId, TicketCommand command, HttpContext http, CancellationToken ct)
    {
        var files = http.RequestServices.GetRequiredService<CaseFiles>();
        if (caseId is null)
        {
            return;
        }

        var store = await files.StoreAsync(ct);
        foreach (var (fileId, _) in Cited(command, files.Settings.RequireStoredLegalRecords))
        {
            try
            {
                await store.SealAsync(caseId, fileId, ct);
            }
            catch (Exception e) when (e is Azure.RequestFailedException or CaseFileException or InvalidOperationException)
            {
                http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TicketRecords))
                    .LogWarning(e, "Sealing {File} of {Case} for a ticket step failed", fileId, caseId);
            }
        }
    }

    private static (string, string?)? Parse(string? reference) =>
        reference?.IndexOf(Marker, StringComparison.Ordinal) is > 0 and var at && IsFileId(reference[..at])
            ? (reference[..at], reference[(at + Marker.Length)..])
            : null;

    private static bool IsFileId(string? text) => text is { Length: 32 } && text.All(char.IsAsciiHexDigitLower);
}

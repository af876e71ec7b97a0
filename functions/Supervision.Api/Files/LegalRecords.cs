using System.Text.RegularExpressions;
using Supervision.Api.Platform;
using Supervision.Domain.Cases;
using Supervision.Files;

namespace Supervision.Api.Files;

/// <summary>
/// A file cited by a legal step is part of that step's command (decision F9.3): before the command is sent, the cited
/// file must exist on the case with the step's kind; once the command is applied the file is sealed (idempotent, so a
/// retried request seals again harmlessly). A seal that fails leaves the file replaceable, never wrongly immutable.
/// </summary>
public static partial class LegalRecords
{
    /// <summary>The file a legal command cites, and the kinds that fit the step.</summary>
    public static (string File, CaseFileKind[] Kinds)? CitedBy(CaseCommand command) => command switch
    {
        IssueReply c => (c.OpinionFile, [CaseFileKind.WrittenOpinion]),
        IssueReviewOpinion c => (c.OpinionFile, [CaseFileKind.Reply]),
        IssueReExaminationOpinion c => (c.OpinionFile, [CaseFileKind.Reply]),
        SubmitCompletionReport c => (c.ReportFile, [CaseFileKind.CompletionReport]),
        _ => null,
    };

    /// <summary>
    /// A refusal (problem+json) when the command cites a file that is not a fitting file of the case; otherwise the
    /// command, carrying the cited stored file's SHA-256 and size (<see cref="FileDigest"/>) so its event records them.
    /// </summary>
    public static async Task<(IResult? Problem, CaseCommand Command)> CheckAsync(string caseId, CaseCommand command, HttpContext http, CancellationToken ct)
    {
        if (CitedBy(command) is not { } cited || string.IsNullOrWhiteSpace(cited.File))
        {
            return (null, command);
        }

        var files = http.RequestServices.GetRequiredService<CaseFiles>();
        if (!FileId().IsMatch(cited.File) && !files.Settings.RequireStoredLegalRecords)
        {
            return (null, command); // an external (paper archive) reference, decision F9.4
        }

        try
        {
            var file = await (await files.StoreAsync(ct)).GetAsync(caseId, cited.File, ct);
            return cited.Kinds.Contains(file.Kind)
                ? (null, WithDigest(command, new FileDigest(file.Sha256, file.SizeBytes)))
                : (Problems.Invalid($"The cited file '{cited.File}' is a {file.Kind}; this step needs a {string.Join(" or ", cited.Kinds)} uploaded with ?kind={cited.Kinds[0]}."), command);
        }
        catch (CaseFileException e) when (e.Reason == CaseFileError.NotFound)
        {
            return (Problems.Invalid($"The cited file '{cited.File}' is not a file of this case: upload it first (POST /api/cases/{caseId}/files?kind={cited.Kinds[0]}) and cite the id returned."), command);
        }
    }

    /// <summary>The digest is the server's measurement: whatever a client sent in its place is replaced (or dropped).</summary>
    public static CaseCommand WithDigest(CaseCommand command, FileDigest? digest) => command switch
    {
        IssueReply c => c with { Digest = digest },
        IssueReviewOpinion c => c with { Digest = digest },
        IssueReExaminationOpinion c => c with { Digest = digest },
        SubmitCompletionReport c => c with { Digest = digest },
        _ => command,
    };

    /// <summary>Seals the cited file after its command was applied. Retried a few times; a failure is logged, and the
    /// next identical (idempotent) request seals it.</summary>
    public static async Task SealAsync(string caseId, CaseCommand command, HttpContext http, CancellationToken ct)
    {
        if (CitedBy(command) is not { } cited || !FileId().IsMatch(cited.File))
        {
            return;
        }

        var files = http.RequestServices.GetRequiredService<CaseFiles>();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await (await files.StoreAsync(ct)).SealAsync(caseId, cited.File, ct);
                return;
            }
            catch (Azure.RequestFailedException e) when (attempt < 3)
            {
                http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LegalRecords))
                    .LogWarning(e, "Sealing {File} of {Case} failed (attempt {Attempt}); retrying", cited.File, caseId, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), ct);
            }
        }
    }

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex FileId();
}

using System.Collections.Frozen;

namespace Supervision.Files;

/// <summary>What a file is in the case. The last four are legal records (法律文书) that can be sealed.</summary>
public enum CaseFileKind
{
    /// <summary>The petition letter (信访件) or its scan.</summary>
    Letter,

    /// <summary>Material the petitioner or a unit submits (证据材料).</summary>
    Evidence,

    /// <summary>The written handling opinion (书面处理意见书).</summary>
    WrittenOpinion,

    /// <summary>A reply to the petitioner: review or re-review opinion (复查/复核意见书).</summary>
    Reply,

    /// <summary>A unit's report on a supervision ticket (督办单 办理情况报告).</summary>
    TicketReport,

    /// <summary>The completion report that closes a supervised matter (办结报告).</summary>
    CompletionReport,

    /// <summary>Anything else attached to a case or ticket.</summary>
    Other,
}

/// <summary>A file as recorded: the index entry the API lists and the case events cite.</summary>
/// <param name="FileId">26 lowercase base-32 characters from 130 random bits; the blob is <c>{Owner}/{FileId}</c>.</param>
/// <param name="Owner">The case id or ticket id the file belongs to.</param>
/// <param name="Sha256">Lowercase hex SHA-256 of the bytes as stored, computed while streaming.</param>
/// <param name="ContentType">Sniffed from the bytes, never the client's claim.</param>
/// <param name="OriginalName">The client's name after sanitising (<see cref="FileNames.Sanitise"/>).</param>
/// <param name="SealedAt">When <see cref="CaseFileStore.SealAsync"/> made it a legal record; then it is immutable.</param>
public sealed record StoredFile(
    string FileId,
    string Owner,
    CaseFileKind Kind,
    long SizeBytes,
    string Sha256,
    string ContentType,
    string OriginalName,
    string BlobName,
    DateTimeOffset UploadedAt,
    DateTimeOffset? SealedAt = null)
{
    public bool IsSealed => SealedAt is not null;
}

/// <summary>An open download: dispose it when the response is written. Reading to the end verifies the SHA-256.</summary>
public sealed class FileDownload : IAsyncDisposable, IDisposable
{
    internal FileDownload(StoredFile file, Stream content)
    {
        File = file;
        Content = content;
    }

    public StoredFile File { get; }

    /// <summary>The bytes, streamed from storage; throws <see cref="IOException"/> at the end if they do not match
    /// <see cref="StoredFile.Sha256"/> (the API should then abort the response rather than end it cleanly).</summary>
    public Stream Content { get; }

    public ValueTask DisposeAsync() => Content.DisposeAsync();

    public void Dispose() => Content.Dispose();
}

/// <summary>A short-lived download link.</summary>
/// <param name="Url">Standalone: relative to the API (<see cref="CaseFileOptions.LinkPath"/>?token=…). With
/// <see cref="CaseFileOptions.UseUserDelegationSas"/>: an absolute blob URL with a read-only user-delegation SAS.</param>
/// <param name="Token">The standalone token (null for a SAS).</param>
public sealed record DownloadLink(Uri Url, DateTimeOffset ExpiresOn, string? Token);

/// <summary>What a valid standalone link grants: one file, to one principal, until <paramref name="ExpiresOn"/>.</summary>
public sealed record DownloadGrant(string Owner, string FileId, string Principal, DateTimeOffset ExpiresOn);

/// <summary>What a kind may contain and how large it may be.</summary>
public sealed record KindPolicy(long MaxBytes, IReadOnlySet<string> AllowedTypes);

/// <summary>Per-kind limits. <see cref="Default"/>: 50 MB evidence and letters, 20 MB legal records, 10 MB other.</summary>
public sealed record FilePolicy(IReadOnlyDictionary<CaseFileKind, KindPolicy> Kinds, IReadOnlySet<CaseFileKind> SealableKinds)
{
    private const long MB = 1024 * 1024;

    public static FilePolicy Default { get; } = new(
        new Dictionary<CaseFileKind, KindPolicy>
        {
            [CaseFileKind.Letter] = new(50 * MB, Set(FileTypes.Pdf, FileTypes.Ofd, FileTypes.Docx, FileTypes.Png, FileTypes.Jpeg, FileTypes.Tiff, FileTypes.Text)),
            [CaseFileKind.Evidence] = new(50 * MB, Set(
                FileTypes.Pdf, FileTypes.Ofd, FileTypes.Docx, FileTypes.Xlsx, FileTypes.Png, FileTypes.Jpeg, FileTypes.Gif,
                FileTypes.WebP, FileTypes.Tiff, FileTypes.Text)),
            [CaseFileKind.WrittenOpinion] = new(20 * MB, Set(FileTypes.Pdf, FileTypes.Ofd, FileTypes.Docx)),
            [CaseFileKind.Reply] = new(20 * MB, Set(FileTypes.Pdf, FileTypes.Ofd, FileTypes.Docx)),
            [CaseFileKind.TicketReport] = new(20 * MB, Set(FileTypes.Pdf, FileTypes.Ofd, FileTypes.Docx, FileTypes.Xlsx)),
            [CaseFileKind.CompletionReport] = new(20 * MB, Set(FileTypes.Pdf, FileTypes.Ofd, FileTypes.Docx)),
            [CaseFileKind.Other] = new(10 * MB, Set(FileTypes.Pdf, FileTypes.Ofd, FileTypes.Docx, FileTypes.Xlsx, FileTypes.Png, FileTypes.Jpeg, FileTypes.Text)),
        },
        new HashSet<CaseFileKind> { CaseFileKind.WrittenOpinion, CaseFileKind.Reply, CaseFileKind.TicketReport, CaseFileKind.CompletionReport });

    public KindPolicy For(CaseFileKind kind) =>
        Kinds.TryGetValue(kind, out var p) ? p : throw new ArgumentOutOfRangeException(nameof(kind), kind, "no policy for this kind");

    private static FrozenSet<string> Set(params string[] types) => types.ToFrozenSet(StringComparer.Ordinal);
}

/// <summary>Settings of <see cref="CaseFileStore"/>. Bind from configuration section <c>Files</c>.</summary>
public sealed record CaseFileOptions
{
    public string ContainerName { get; init; } = "case-files";

    public FilePolicy Policy { get; init; } = FilePolicy.Default;

    /// <summary>Size of each staged block, which is also the upload buffer (two are in use at once). 4 MiB.</summary>
    public int BlockSizeBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>HMAC-SHA256 key for standalone links, at least 32 bytes. Required unless <see cref="UseUserDelegationSas"/>.</summary>
    public byte[]? LinkSigningKey { get; init; }

    /// <summary>The API route that serves standalone links; the token goes in <c>?token=</c>.</summary>
    public string LinkPath { get; init; } = "/api/files/download";

    /// <summary>Links asked for with a longer lifetime are refused (<see cref="ArgumentOutOfRangeException"/>).</summary>
    public TimeSpan MaxLinkLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Azure only: links are user-delegation SAS URLs straight to Blob storage (needs a token credential).</summary>
    public bool UseUserDelegationSas { get; init; }

    /// <summary>Azure only: sealing also sets an Unlocked version-level immutability policy (container must have
    /// version-level WORM enabled, PLATFORM.md §2.1). Azurite does not support it.</summary>
    public bool UseVersionLevelWorm { get; init; }

    /// <summary>Retention of the immutability policy set at sealing.</summary>
    public TimeSpan WormRetention { get; init; } = TimeSpan.FromDays(365 * 30);
}

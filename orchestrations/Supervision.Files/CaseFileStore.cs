using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;

namespace Supervision.Files;

/// <summary>
/// Case files in one Blob container (<see cref="CaseFileOptions.ContainerName"/>), one blob per file at
/// <c>{owner}/{fileId}</c>. The blob's metadata is the index (kind, SHA-256, size, name, sealed), so listing an owner's
/// files is one prefix listing and there is no second store to keep consistent (decision F5).
/// <list type="bullet">
/// <item>Uploads stream through two reusable buffers of <see cref="CaseFileOptions.BlockSizeBytes"/>: each buffer is
/// hashed, checked and staged as a block while the next is read; the blob appears only when the block list is
/// committed, with its metadata and <c>If-None-Match: *</c>, so a refused upload leaves nothing visible and no blob is
/// ever overwritten (decisions F1, F2).</item>
/// <item>Legal records are sealed by <see cref="SealAsync"/>; the product then refuses to replace or delete them
/// (<see cref="CaseFileError.Immutable"/>); in Azure, <see cref="CaseFileOptions.UseVersionLevelWorm"/> adds a
/// version-level immutability policy so storage refuses too (F3).</item>
/// </list>
/// Authorization is the caller's job: every method takes an owner the caller has already checked the principal may
/// see, and finds files only under that owner, so a file id from another case answers <see cref="CaseFileError.NotFound"/>.
/// Thread-safe; one instance per process.
/// </summary>
public sealed class CaseFileStore
{
    private const string MetaKind = "kind";
    private const string MetaOwner = "owner";
    private const string MetaSha256 = "sha256";
    private const string MetaSize = "size";
    private const string MetaName = "name";
    private const string MetaUploadedAt = "uploadedat";
    private const string MetaSealedAt = "sealedat";

    private readonly BlobContainerClient container;
    private readonly CaseFileOptions options;
    private readonly TimeProvider time;
    private readonly Func<string> newFileId;
    private readonly DownloadLinks? links;
    private UserDelegationKey? delegationKey;

    public CaseFileStore(BlobContainerClient container, CaseFileOptions options, TimeProvider time)
        : this(container, options, time, NewFileId)
    {
    }

    internal CaseFileStore(BlobContainerClient container, CaseFileOptions options, TimeProvider time, Func<string> newFileId)
    {
        if (options.BlockSizeBytes is < 64 * 1024 or > 100 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "BlockSizeBytes must be between 64 KiB and 100 MiB");
        }

        if (!options.UseUserDelegationSas && options.LinkSigningKey is null)
        {
            throw new ArgumentException("LinkSigningKey is required unless UseUserDelegationSas is on", nameof(options));
        }

        this.container = container;
        this.options = options;
        this.time = time;
        this.newFileId = newFileId;
        links = options.LinkSigningKey is { } key ? new DownloadLinks(key) : null;
    }

    /// <summary>Creates the container if missing (standalone start-up; in Azure it is deployed by Bicep).</summary>
    public Task CreateContainerIfNotExistsAsync(CancellationToken ct = default) => container.CreateIfNotExistsAsync(cancellationToken: ct);

    /// <summary>
    /// Streams <paramref name="content"/> into a new blob, never holding more than two blocks in memory. The type is
    /// sniffed from the bytes and must be allowed for <paramref name="kind"/>; a declared type or a name extension that
    /// disagrees is refused. Refusals are <see cref="CaseFileException"/> (TooLarge, Empty, TypeNotAllowed,
    /// TypeMismatch, BadName); nothing is left in storage after one.
    /// </summary>
    /// <param name="owner">The case id or ticket id (letters, digits, <c>-_.</c>; at most 100).</param>
    /// <param name="declaredContentType">The client's claim (e.g. the multipart part's Content-Type); may be null.</param>
    public async Task<StoredFile> UploadAsync(
        string owner, CaseFileKind kind, string originalFileName, Stream content, string? declaredContentType,
        CancellationToken ct = default)
    {
        ValidateOwner(owner);
        var policy = options.Policy.For(kind);
        var name = FileNames.Sanitise(originalFileName);
        var declared = FileTypes.NormaliseDeclared(declaredContentType);
        var fileId = newFileId();
        var blob = container.GetBlockBlobClient(BlobName(owner, fileId));

        var blockSize = options.BlockSizeBytes;
        var current = ArrayPool<byte>.Shared.Rent(blockSize);
        var spare = ArrayPool<byte>.Shared.Rent(blockSize);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var blockIds = new List<string>();
        Task? inFlight = null;
        var committed = false;
        try
        {
            var n = await FillAsync(content, current, blockSize, ct);
            if (n == 0)
            {
                throw new CaseFileException(CaseFileError.Empty, "the file is empty");
            }

            var type = FileTypes.Sniff(current.AsSpan(0, Math.Min(n, FileTypes.SniffWindow)));
            var zip = type == FileTypes.Zip ? new ZipTail() : null;
            var text = type == FileTypes.Text ? new FileTypes.TextValidator() : null;
            if (zip is null)
            {
                CheckType(type, kind, policy, declared, name);
            }
            else if (!policy.AllowedTypes.Any(t => t is FileTypes.Docx or FileTypes.Xlsx or FileTypes.Ofd))
            {
                CheckType(FileTypes.Zip, kind, policy, declared, name);
            }

            long total = 0;
            while (n > 0)
            {
                total += n;
                if (total > policy.MaxBytes)
                {
                    throw new CaseFileException(CaseFileError.TooLarge,
                        $"the file is larger than {Describe(policy.MaxBytes)}, the limit for {kind}");
                }

                var chunk = current.AsSpan(0, n);
                hash.AppendData(chunk);
                zip?.Append(chunk);
                if (text is not null && !text.Append(chunk))
                {
                    throw new CaseFileException(CaseFileError.TypeNotAllowed,
                        "the file starts as text but is not plain UTF-8 text throughout; save it as UTF-8 text or PDF");
                }

                if (inFlight is not null)
                {
                    await inFlight;
                }

                var blockId = Convert.ToBase64String(Encoding.ASCII.GetBytes(blockIds.Count.ToString("D6", CultureInfo.InvariantCulture)));
                blockIds.Add(blockId);
                inFlight = blob.StageBlockAsync(blockId, new MemoryStream(current, 0, n, writable: false), cancellationToken: ct);
                (current, spare) = (spare, current);
                n = await FillAsync(content, current, blockSize, ct);
            }

            if (inFlight is not null)
            {
                await inFlight;
                inFlight = null;
            }

            if (text is not null && !text.Complete(allowTruncated: false))
            {
                throw new CaseFileException(CaseFileError.TypeNotAllowed, "the text ends in the middle of a UTF-8 character");
            }

            if (zip is not null)
            {
                type = zip.Classify(total);
                CheckType(type, kind, policy, declared, name);
            }

            var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            var uploadedAt = time.GetUtcNow();
            var file = new StoredFile(fileId, owner, kind, total, sha, type!, name, blob.Name, uploadedAt);
            try
            {
                await blob.CommitBlockListAsync(blockIds, new CommitBlockListOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = type },
                    Metadata = ToMetadata(file),
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                }, ct);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // A 128-bit random id collided, or someone wrote this name outside the product: never overwrite.
                committed = true; // the existing blob is not ours to clean up
                throw new InvalidOperationException($"blob {blob.Name} already exists; it was not overwritten", e);
            }

            committed = true;
            return file;
        }
        finally
        {
            if (inFlight is not null)
            {
                try
                {
                    await inFlight;
                }
                catch (Exception e) when (e is RequestFailedException or OperationCanceledException)
                {
                    // The upload already failed for another reason, which is the one to report.
                }
            }

            ArrayPool<byte>.Shared.Return(current);
            ArrayPool<byte>.Shared.Return(spare);
            if (!committed && blockIds.Count > 0)
            {
                await DiscardStagedBlocksAsync(blob);
            }
        }
    }

    /// <summary>The file's record, or <see cref="CaseFileError.NotFound"/>.</summary>
    public async Task<StoredFile> GetAsync(string owner, string fileId, CancellationToken ct = default)
    {
        var (file, _) = await GetWithETagAsync(owner, fileId, ct);
        return file;
    }

    /// <summary>Every file of an owner, oldest first. Blobs under the prefix that are not case files are skipped.</summary>
    public async Task<IReadOnlyList<StoredFile>> ListAsync(string owner, CancellationToken ct = default)
    {
        ValidateOwner(owner);
        var files = new List<StoredFile>();
        await foreach (var item in container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, owner + "/", ct))
        {
            if (FromMetadata(item.Name, item.Properties.ContentType, item.Metadata) is { } file && file.Owner == owner)
            {
                files.Add(file);
            }
        }

        return files.OrderBy(f => f.UploadedAt).ThenBy(f => f.FileId, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Opens the bytes for streaming with the record in the same request. Reading to the end verifies the SHA-256.
    /// </summary>
    public async Task<FileDownload> OpenReadAsync(string owner, string fileId, CancellationToken ct = default)
    {
        var blob = Blob(owner, fileId);
        try
        {
            var response = await blob.DownloadStreamingAsync(cancellationToken: ct);
            var details = response.Value.Details;
            var file = FromMetadata(blob.Name, details.ContentType, details.Metadata);
            if (file is null)
            {
                await response.Value.Content.DisposeAsync();
                throw NotFound();
            }

            return new FileDownload(file, new VerifyingStream(response.Value.Content, file.Sha256, file.SizeBytes));
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw NotFound(e);
        }
    }

    /// <summary>
    /// Makes a legal record immutable; call it when the legal step that cites the file is recorded. Idempotent: sealing
    /// a sealed file returns it unchanged (and applies a missing WORM policy). Only kinds in
    /// <see cref="FilePolicy.SealableKinds"/> can be sealed (<see cref="InvalidOperationException"/> otherwise).
    /// </summary>
    public async Task<StoredFile> SealAsync(string owner, string fileId, CancellationToken ct = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (file, props) = await GetWithETagAsync(owner, fileId, ct);
            if (!options.Policy.SealableKinds.Contains(file.Kind))
            {
                throw new InvalidOperationException($"a {file.Kind} file is not a legal record and cannot be sealed");
            }

            var blob = Blob(owner, fileId);
            if (!file.IsSealed)
            {
                var sealedAt = time.GetUtcNow();
                var metadata = new Dictionary<string, string>(props.Metadata, StringComparer.OrdinalIgnoreCase)
                {
                    [MetaSealedAt] = sealedAt.ToString("O", CultureInfo.InvariantCulture),
                };
                try
                {
                    await blob.SetMetadataAsync(metadata, new BlobRequestConditions { IfMatch = props.ETag }, ct);
                }
                catch (RequestFailedException e) when (e.Status == 412 && attempt < 3)
                {
                    continue; // changed since read (another seal): read again
                }

                file = file with { SealedAt = sealedAt };
            }

            if (options.UseVersionLevelWorm && props.ImmutabilityPolicy?.ExpiresOn is null)
            {
                await blob.SetImmutabilityPolicyAsync(
                    new BlobImmutabilityPolicy
                    {
                        ExpiresOn = file.SealedAt!.Value + options.WormRetention,
                        PolicyMode = BlobImmutabilityPolicyMode.Unlocked,
                    },
                    cancellationToken: ct);
            }

            return file;
        }
    }

    /// <summary>Deletes an unsealed file; a sealed one is <see cref="CaseFileError.Immutable"/>. The delete is
    /// conditional on the ETag read, so a seal that lands in between wins.</summary>
    public async Task DeleteAsync(string owner, string fileId, CancellationToken ct = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (file, props) = await GetWithETagAsync(owner, fileId, ct);
            RefuseSealed(file);
            try
            {
                await Blob(owner, fileId).DeleteAsync(DeleteSnapshotsOption.IncludeSnapshots, new BlobRequestConditions { IfMatch = props.ETag }, ct);
                return;
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 3)
            {
                // Changed since read: check the seal again.
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                throw NotFound(e);
            }
        }
    }

    /// <summary>
    /// Replaces an unsealed file (e.g. a corrected draft opinion) by a new upload of the same kind, then deletes the old
    /// one. A sealed file is refused before any byte is read. The new file has a new id: ids are never reused.
    /// </summary>
    public async Task<StoredFile> ReplaceAsync(
        string owner, string fileId, string originalFileName, Stream content, string? declaredContentType,
        CancellationToken ct = default)
    {
        var old = await GetAsync(owner, fileId, ct);
        RefuseSealed(old);
        var replacement = await UploadAsync(owner, old.Kind, originalFileName, content, declaredContentType, ct);
        try
        {
            await DeleteAsync(owner, fileId, ct);
        }
        catch (CaseFileException e) when (e.Reason == CaseFileError.Immutable)
        {
            // Sealed while the replacement streamed in: the sealed file wins, the replacement goes.
            await Blob(owner, replacement.FileId).DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
            throw;
        }
        catch (CaseFileException e) when (e.Reason == CaseFileError.NotFound)
        {
            // Deleted meanwhile by someone else: the replacement stands.
        }

        return replacement;
    }

    /// <summary>
    /// A link that lets the holder download one file until <c>now + lifetime</c> (at most
    /// <see cref="CaseFileOptions.MaxLinkLifetime"/>). The caller has authorized <paramref name="principal"/> for the
    /// owner; the link binds owner, file id, principal and expiry. Standalone it is an HMAC-signed API URL (verify with
    /// <see cref="VerifyDownloadLink"/>); with <see cref="CaseFileOptions.UseUserDelegationSas"/> a read-only
    /// user-delegation SAS for the blob, with the principal as the SAS correlation id for storage logs.
    /// </summary>
    public async Task<DownloadLink> CreateDownloadLinkAsync(
        string owner, string fileId, TimeSpan lifetime, string principal, CancellationToken ct = default)
    {
        if (lifetime <= TimeSpan.Zero || lifetime > options.MaxLinkLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), lifetime, $"a link lives between 0 and {options.MaxLinkLifetime}");
        }

        var file = await GetAsync(owner, fileId, ct);
        var expiresOn = time.GetUtcNow() + lifetime;
        if (!options.UseUserDelegationSas)
        {
            var token = links!.Create(owner, fileId, principal, expiresOn);
            return new DownloadLink(new Uri($"{options.LinkPath}?token={token}", UriKind.Relative), expiresOn, token);
        }

        var service = container.GetParentBlobServiceClient();
        var key = await DelegationKeyAsync(service, expiresOn, ct);
        var sas = new BlobSasBuilder(BlobSasPermissions.Read, expiresOn)
        {
            BlobContainerName = container.Name,
            BlobName = file.BlobName,
            Resource = "b",
            StartsOn = time.GetUtcNow().AddMinutes(-5),
            Protocol = SasProtocol.Https,
            ContentType = file.ContentType,
            ContentDisposition = ContentDisposition(file.OriginalName),
            CorrelationId = principal,
        };
        var uri = new BlobUriBuilder(container.GetBlobClient(file.BlobName).Uri)
        {
            Sas = sas.ToSasQueryParameters(key, service.AccountName),
        }.ToUri();
        return new DownloadLink(uri, expiresOn, null);
    }

    /// <summary>
    /// Checks a standalone link token: <see cref="CaseFileError.LinkInvalid"/> if malformed, tampered with or (when
    /// <paramref name="expectedPrincipal"/> is given) issued to someone else; <see cref="CaseFileError.LinkExpired"/>
    /// once expired. Then open the file with <see cref="OpenReadAsync"/>(grant.Owner, grant.FileId).
    /// </summary>
    public DownloadGrant VerifyDownloadLink(string? token, string? expectedPrincipal = null) =>
        (links ?? throw new InvalidOperationException("standalone links are off (UseUserDelegationSas)"))
            .Verify(token, time.GetUtcNow(), expectedPrincipal);

    /// <summary>An RFC 6266 Content-Disposition with an ASCII fallback and the UTF-8 name.</summary>
    public static string ContentDisposition(string fileName)
    {
        var ascii = new string(fileName.Select(c => c is >= ' ' and < (char)127 and not ('"' or '\\' or ';') ? c : '_').ToArray());
        return $"attachment; filename=\"{ascii}\"; filename*=UTF-8''{Uri.EscapeDataString(fileName)}";
    }

    internal static string NewFileId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    internal static string BlobName(string owner, string fileId) => $"{owner}/{fileId}";

    private async Task<UserDelegationKey> DelegationKeyAsync(BlobServiceClient service, DateTimeOffset needUntil, CancellationToken ct)
    {
        var cached = Volatile.Read(ref delegationKey);
        if (cached is not null && cached.SignedExpiresOn >= needUntil)
        {
            return cached;
        }

        var now = time.GetUtcNow();
        var fresh = await service.GetUserDelegationKeyAsync(new BlobGetUserDelegationKeyOptions(now.AddDays(1)) { StartsOn = now.AddMinutes(-5) }, ct);
        Volatile.Write(ref delegationKey, fresh.Value);
        return fresh.Value;
    }

    private async Task<(StoredFile File, BlobProperties Properties)> GetWithETagAsync(string owner, string fileId, CancellationToken ct)
    {
        var blob = Blob(owner, fileId);
        try
        {
            var props = (await blob.GetPropertiesAsync(cancellationToken: ct)).Value;
            return (FromMetadata(blob.Name, props.ContentType, props.Metadata) ?? throw NotFound(), props);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw NotFound(e);
        }
    }

    private BlobClient Blob(string owner, string fileId)
    {
        ValidateOwner(owner);
        if (fileId is not { Length: 32 } || !fileId.All(char.IsAsciiHexDigitLower))
        {
            throw NotFound(); // ids come from URLs: a malformed one never reaches storage
        }

        return container.GetBlobClient(BlobName(owner, fileId));
    }

    private static void ValidateOwner(string owner)
    {
        if (owner is not { Length: > 0 and <= 100 } || !char.IsAsciiLetterOrDigit(owner[0])
            || !owner.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') || owner.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException("an owner is a case or ticket id: letters, digits, '-', '_', '.'", nameof(owner));
        }
    }

    private static void RefuseSealed(StoredFile file)
    {
        if (file.IsSealed)
        {
            throw new CaseFileException(CaseFileError.Immutable,
                $"this {file.Kind} is a sealed legal record (since {file.SealedAt:yyyy-MM-dd}); it cannot be replaced or deleted — add a new file instead");
        }
    }

    private static void CheckType(string? sniffed, CaseFileKind kind, KindPolicy policy, string? declared, string name)
    {
        var accepted = string.Join(", ", policy.AllowedTypes.Select(t => FileTypes.ExtensionOf(t) ?? t).Order(StringComparer.Ordinal));
        if (sniffed is null || !policy.AllowedTypes.Contains(sniffed))
        {
            var what = sniffed is null ? "of a type that is not recognised" : $"{sniffed}";
            throw new CaseFileException(CaseFileError.TypeNotAllowed,
                $"the content is {what}, which is not accepted for {kind}; accepted: {accepted} (text must be UTF-8, Word and Excel files .docx/.xlsx)");
        }

        if (declared is not null && declared != sniffed)
        {
            throw new CaseFileException(CaseFileError.TypeMismatch,
                $"the file was sent as {declared} but its content is {sniffed}; send the file as it is, without renaming it");
        }

        if (!FileTypes.ExtensionFits(name, sniffed))
        {
            throw new CaseFileException(CaseFileError.TypeMismatch,
                $"the name ends in {Path.GetExtension(name)} but the content is {sniffed}; rename the file to {FileTypes.ExtensionOf(sniffed)}");
        }
    }

    private static async Task<int> FillAsync(Stream source, byte[] buffer, int count, CancellationToken ct)
    {
        var filled = 0;
        while (filled < count)
        {
            var read = await source.ReadAsync(buffer.AsMemory(filled, count - filled), ct);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }

    /// <summary>Committing an empty list drops the staged blocks (they would otherwise linger for a week), then the
    /// empty blob is deleted. Best effort: a failure here must not hide the refusal that led to it.</summary>
    private static async Task DiscardStagedBlocksAsync(BlockBlobClient blob)
    {
        try
        {
            var empty = await blob.CommitBlockListAsync([], new CommitBlockListOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            }, CancellationToken.None);
            await blob.DeleteIfExistsAsync(conditions: new BlobRequestConditions { IfMatch = empty.Value.ETag }, cancellationToken: CancellationToken.None);
        }
        catch (RequestFailedException)
        {
            // Left-over uncommitted blocks are invisible and expire on their own.
        }
    }

    private static Dictionary<string, string> ToMetadata(StoredFile f) => new(StringComparer.OrdinalIgnoreCase)
    {
        [MetaKind] = f.Kind.ToString(),
        [MetaOwner] = f.Owner,
        [MetaSha256] = f.Sha256,
        [MetaSize] = f.SizeBytes.ToString(CultureInfo.InvariantCulture),
        [MetaName] = FileNames.ToMetadata(f.OriginalName),
        [MetaUploadedAt] = f.UploadedAt.ToString("O", CultureInfo.InvariantCulture),
    };

    private static StoredFile? FromMetadata(string blobName, string? contentType, IDictionary<string, string> md)
    {
        var m = new Dictionary<string, string>(md, StringComparer.OrdinalIgnoreCase);
        var slash = blobName.LastIndexOf('/');
        if (slash <= 0 || contentType is null
            || !m.TryGetValue(MetaKind, out var kind) || !Enum.TryParse<CaseFileKind>(kind, out var k)
            || !m.TryGetValue(MetaOwner, out var owner) || !m.TryGetValue(MetaSha256, out var sha)
            || !m.TryGetValue(MetaSize, out var size) || !long.TryParse(size, CultureInfo.InvariantCulture, out var bytes)
            || !m.TryGetValue(MetaName, out var name)
            || !m.TryGetValue(MetaUploadedAt, out var at) || !DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var uploadedAt))
        {
            return null;
        }

        DateTimeOffset? sealedAt = m.TryGetValue(MetaSealedAt, out var s)
            && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var sa) ? sa : null;
        return new StoredFile(blobName[(slash + 1)..], owner, k, bytes, sha, contentType, FileNames.FromMetadata(name), blobName, uploadedAt, sealedAt);
    }

    private static CaseFileException NotFound(Exception? inner = null) =>
        new(CaseFileError.NotFound, "no such file in this case", inner);

    private static string Describe(long bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MB" : $"{bytes} bytes";

    /// <summary>Passes bytes through, hashing them; at the end, a size or SHA-256 mismatch throws.</summary>
    private sealed class VerifyingStream(Stream inner, string sha256, long length) : Stream
    {
        private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long seen;
        private bool verified;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => seen; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer);
            return Seen(buffer[..n]);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken);
            return Seen(buffer.Span[..n]);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                hash.Dispose();
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Seen(ReadOnlySpan<byte> bytes)
        {
            if (bytes.Length > 0)
            {
                hash.AppendData(bytes);
                seen += bytes.Length;
                return bytes.Length;
            }

            if (!verified)
            {
                verified = true;
                var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
                if (seen != length || actual != sha256)
                {
                    throw new IOException($"stored file is corrupt: {seen} bytes with SHA-256 {actual}, recorded {length} bytes with {sha256}");
                }
            }

            return 0;
        }
    }
}

using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Supervision.Api.Platform;
using Supervision.Orchestrations;

namespace Supervision.Api.Cases;

/// <summary>Settings of <c>Supervision:Portal</c>: the online petition form (网上信访, decision P1).</summary>
public sealed class PortalOptions
{
    public const string Section = "Supervision:Portal";

    /// <summary>
    /// Leading zero bits of SHA-256(<c>challenge:solution</c>) a submission must show: 16 costs a phone's browser about a
    /// second (65 536 hashes on average) and a bot the same for every petition it sends.
    /// </summary>
    public int ProofOfWorkBits { get; set; } = 16;

    /// <summary>How long (real time) a challenge may be solved and used.</summary>
    public TimeSpan ChallengeLifetime { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>
    /// HMAC-SHA256 key (base64, at least 32 bytes) that signs challenges. Absent: one random key kept in the portal's
    /// blob container (<see cref="PortalChallenges.KeyBlob"/>), created by whichever instance comes first, so every
    /// instance of a scaled-out app verifies every other's challenges.
    /// </summary>
    public string? ChallengeKey { get; set; }

    /// <summary>Files a petitioner may attach online to one case (before the bureau routes it).</summary>
    public int MaxFilesPerCase { get; set; } = 10;
}

/// <summary>Why a challenge was refused; the page fetches a new one for any of them.</summary>
public enum ChallengeRefusal
{
    /// <summary>Not a challenge this service issued, or the solution does not meet its difficulty.</summary>
    Invalid,

    /// <summary>Older than <see cref="PortalOptions.ChallengeLifetime"/>.</summary>
    Expired,

    /// <summary>Already carried by an earlier submission: each challenge is single-use.</summary>
    Used,
}

/// <summary>
/// A small proof of work instead of a third-party CAPTCHA: the service hands out a signed, expiring challenge
/// (<c>base64url(nonce ‖ expiry ‖ bits).base64url(HMAC)</c>), the page finds a decimal <c>solution</c> such that
/// SHA-256 of <c>challenge + ":" + solution</c> (UTF-8) starts with <c>bits</c> zero bits, and the submission carries both.
/// Issuing writes nothing; a challenge is spent by creating the blob <c>spent/{nonce}</c> in the portal container only if
/// it does not exist (<c>If-None-Match: *</c>) at the moment a valid submission is about to be registered, so it works
/// once across every instance. Spent markers need no sweeper: the storage account's lifecycle rule
/// (infra-bicep/modules/storage.bicep) deletes them a day after creation, long after their challenges expired
/// (<see cref="PortalOptions.ChallengeLifetime"/>, at most a day), so a deleted marker can never let a challenge work twice.
/// </summary>
public sealed class PortalChallenges
{
    /// <summary>The signing key's blob in the portal container (never deleted: the lifecycle rule covers <see cref="SpentPrefix"/> only).</summary>
    public const string KeyBlob = "challenge-key";

    /// <summary>Where spent nonces are marked; the lifecycle rule's prefix.</summary>
    public const string SpentPrefix = "spent/";

    /// <summary>The longest a challenge may live: the lifecycle rule deletes spent markers one day after creation.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(1);

    private const int NonceBytes = 16;
    private const int PayloadBytes = NonceBytes + 8 + 1;
    private readonly PortalOptions options;
    private readonly BlobContainerClient container;
    private readonly TimeProvider real;
    private byte[]? key;

    public PortalChallenges(IOptions<PortalOptions> options, StorageSettings settings, OrchestrationStorage storage, Clocks clocks)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(clocks);
        this.options = options.Value;
        real = clocks.Real;
        if (this.options.ChallengeLifetime <= TimeSpan.Zero || this.options.ChallengeLifetime > MaxLifetime)
        {
            // A spent marker is deleted a day after it was written: a challenge must not outlive that.
            throw new InvalidOperationException($"{PortalOptions.Section}:ChallengeLifetime must be more than zero and at most {MaxLifetime}.");
        }

        container = settings.CreateBlobServiceClient().GetBlobContainerClient(ContainerName(storage.Options.Prefix));
        if (this.options.ChallengeKey is { Length: > 0 } configured)
        {
            key = Convert.FromBase64String(configured);
            if (key.Length < 32)
            {
                throw new InvalidOperationException($"{PortalOptions.Section}:ChallengeKey must be at least 32 bytes (base64).");
            }
        }
    }

    /// <summary>The portal's container: <c>portal</c>, after the storage prefix tests isolate themselves with.</summary>
    public static string ContainerName(string prefix) => (prefix + "portal").ToLowerInvariant();

    /// <summary>
    /// The signing key: configured, else the shared one in storage — created with <c>If-None-Match: *</c> by the first
    /// instance; a loser of that race reads the winner's. A failed read is not cached (storage may not be up yet).
    /// </summary>
    private async Task<byte[]> KeyAsync(CancellationToken ct)
    {
        if (key is { } known)
        {
            return known;
        }

        // No lock: concurrent first calls all create-if-absent and then read the same blob.
        await container.CreateIfNotExistsAsync(cancellationToken: ct);
        var blob = container.GetBlobClient(KeyBlob);
        try
        {
            await blob.UploadAsync(BinaryData.FromBytes(RandomNumberGenerator.GetBytes(32)), new BlobUploadOptions { Conditions = new() { IfNoneMatch = ETag.All } }, ct);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // Another instance made it first: use theirs.
        }

        return key = (await blob.DownloadContentAsync(ct)).Value.Content.ToArray();
    }

    public PortalOptions Options => options;

    /// <summary>A new challenge, its difficulty and when it expires.</summary>
    public async Task<(string Challenge, int Bits, DateTimeOffset ExpiresAt)> IssueAsync(CancellationToken ct)
    {
        var key = await KeyAsync(ct);
        var expires = real.GetUtcNow() + options.ChallengeLifetime;
        var payload = new byte[PayloadBytes];
        RandomNumberGenerator.Fill(payload.AsSpan(0, NonceBytes));
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(NonceBytes, 8), expires.ToUnixTimeMilliseconds());
        payload[^1] = (byte)Math.Clamp(options.ProofOfWorkBits, 0, 32);
        var token = Base64UrlTextEncoder.Encode(payload) + "." + Base64UrlTextEncoder.Encode(HMACSHA256.HashData(key, payload));
        return (token, payload[^1], DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(NonceBytes, 8))));
    }

    /// <summary>Checks signature, expiry and the work without writing anything; the nonce (hex) when valid.</summary>
    public async Task<(string? Nonce, ChallengeRefusal? Refusal)> VerifyAsync(string challenge, string solution, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        ArgumentNullException.ThrowIfNull(solution);
        var key = await KeyAsync(ct);
        var dot = challenge.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || challenge.Length > 200 || solution.Length is 0 or > 20 || !solution.All(char.IsAsciiDigit))
        {
            return (null, ChallengeRefusal.Invalid);
        }

        byte[] payload, mac;
        try
        {
            payload = Base64UrlTextEncoder.Decode(challenge[..dot]);
            mac = Base64UrlTextEncoder.Decode(challenge[(dot + 1)..]);
        }
        catch (FormatException)
        {
            return (null, ChallengeRefusal.Invalid);
        }

        if (payload.Length != PayloadBytes || !CryptographicOperations.FixedTimeEquals(mac, HMACSHA256.HashData(key, payload)))
        {
            return (null, ChallengeRefusal.Invalid);
        }

        var bits = payload[^1];
        if (bits < Math.Clamp(options.ProofOfWorkBits, 0, 32) || LeadingZeroBits(SHA256.HashData(Encoding.UTF8.GetBytes(challenge + ":" + solution))) < bits)
        {
            return (null, ChallengeRefusal.Invalid);
        }

        var expires = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(NonceBytes, 8)));
        return real.GetUtcNow() >= expires
            ? (null, ChallengeRefusal.Expired)
            : (Convert.ToHexStringLower(payload.AsSpan(0, NonceBytes)), null);
    }

    /// <summary>Spends a verified challenge; false when an earlier submission already did.</summary>
    public async Task<bool> SpendAsync(string nonce, CancellationToken ct)
    {
        await KeyAsync(ct); // the container exists from here on
        try
        {
            await container.GetBlobClient(SpentPrefix + nonce).UploadAsync(
                BinaryData.Empty, new BlobUploadOptions { Conditions = new() { IfNoneMatch = ETag.All } }, ct);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return false;
        }
    }

    /// <summary>Zero bits at the start of <paramref name="hash"/>.</summary>
    public static int LeadingZeroBits(ReadOnlySpan<byte> hash)
    {
        var bits = 0;
        foreach (var b in hash)
        {
            if (b == 0)
            {
                bits += 8;
                continue;
            }

            return bits + System.Numerics.BitOperations.LeadingZeroCount((uint)b) - 24;
        }

        return bits;
    }

    /// <summary>A solution for <paramref name="challenge"/> (what the page does in JavaScript; tests use it).</summary>
    public static string Solve(string challenge, int bits)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        for (long n = 0; ; n++)
        {
            var text = n.ToString(CultureInfo.InvariantCulture);
            if (LeadingZeroBits(SHA256.HashData(Encoding.UTF8.GetBytes(challenge + ":" + text))) >= bits)
            {
                return text;
            }
        }
    }
}

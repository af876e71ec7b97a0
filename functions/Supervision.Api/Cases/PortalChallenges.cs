using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
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
    /// HMAC-SHA256 key (base64, at least 32 bytes) that signs challenges. Absent: a random key per process, so a challenge
    /// only works on the instance that issued it (the page fetches a new one and retries once); set it when scaled out.
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
/// Issuing writes nothing; a challenge is spent by a conditional insert of its nonce into <c>{prefix}portalchallenges</c>
/// at the moment a valid submission is about to be registered, so it works once across every instance.
/// </summary>
public sealed class PortalChallenges
{
    private const int NonceBytes = 16;
    private const int PayloadBytes = NonceBytes + 8 + 1;
    private readonly byte[] key;
    private readonly PortalOptions options;
    private readonly OrchestrationStorage storage;
    private readonly TimeProvider real;

    public PortalChallenges(IOptions<PortalOptions> options, OrchestrationStorage storage, Clocks clocks)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clocks);
        this.options = options.Value;
        this.storage = storage;
        real = clocks.Real;
        key = this.options.ChallengeKey is { Length: > 0 } configured ? Convert.FromBase64String(configured) : RandomNumberGenerator.GetBytes(32);
        if (key.Length < 32)
        {
            throw new InvalidOperationException($"{PortalOptions.Section}:ChallengeKey must be at least 32 bytes (base64).");
        }
    }

    public PortalOptions Options => options;

    /// <summary>A new challenge, its difficulty and when it expires.</summary>
    public (string Challenge, int Bits, DateTimeOffset ExpiresAt) Issue()
    {
        var expires = real.GetUtcNow() + options.ChallengeLifetime;
        var payload = new byte[PayloadBytes];
        RandomNumberGenerator.Fill(payload.AsSpan(0, NonceBytes));
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(NonceBytes, 8), expires.ToUnixTimeMilliseconds());
        payload[^1] = (byte)Math.Clamp(options.ProofOfWorkBits, 0, 32);
        var token = Base64UrlTextEncoder.Encode(payload) + "." + Base64UrlTextEncoder.Encode(HMACSHA256.HashData(key, payload));
        return (token, payload[^1], DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(NonceBytes, 8))));
    }

    /// <summary>Checks signature, expiry and the work without writing anything; the nonce (hex) when valid.</summary>
    public (string? Nonce, ChallengeRefusal? Refusal) Verify(string challenge, string solution)
    {
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
        var table = await storage.TableAsync(storage.Options.Prefix + "portalchallenges");
        try
        {
            await table.AddEntityAsync(new TableEntity(nonce, string.Empty) { ["spentAt"] = real.GetUtcNow() }, ct);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
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

using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Supervision.Files;

/// <summary>
/// Standalone download links: <c>base64url(payload) "." base64url(HMAC-SHA256(key, payload))</c> where the payload is
/// <c>v1 \n owner \n fileId \n principal \n expiry (Unix seconds)</c>. The MAC is checked first, in constant time, so
/// nothing about a forged token is revealed; only then is the expiry looked at.
/// </summary>
internal sealed class DownloadLinks
{
    private const string Version = "v1";
    private readonly byte[] key;

    public DownloadLinks(byte[] key)
    {
        if (key.Length < 32)
        {
            throw new ArgumentException("the link signing key must be at least 32 bytes", nameof(key));
        }

        this.key = (byte[])key.Clone();
    }

    public string Create(string owner, string fileId, string principal, DateTimeOffset expiresOn)
    {
        if (string.IsNullOrEmpty(principal) || principal.Any(char.IsControl))
        {
            throw new ArgumentException("the principal must be a non-empty id without control characters", nameof(principal));
        }

        var payload = Encoding.UTF8.GetBytes(string.Join('\n', Version, owner, fileId, principal,
            expiresOn.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(HMACSHA256.HashData(key, payload));
    }

    public DownloadGrant Verify(string? token, DateTimeOffset now, string? expectedPrincipal)
    {
        var dot = token?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (token is null || dot <= 0 || token.Length > 4096)
        {
            throw Invalid();
        }

        byte[] payload, mac;
        try
        {
            payload = Base64Url.DecodeFromChars(token.AsSpan(0, dot));
            mac = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
        }
        catch (FormatException)
        {
            throw Invalid();
        }

        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(key, payload), mac))
        {
            throw Invalid();
        }

        var parts = Encoding.UTF8.GetString(payload).Split('\n');
        if (parts.Length != 5 || parts[0] != Version
            || !long.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            throw Invalid();
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (now >= expires)
        {
            throw new CaseFileException(CaseFileError.LinkExpired, "the download link has expired; ask for a new one");
        }

        if (expectedPrincipal is not null && !string.Equals(expectedPrincipal, parts[3], StringComparison.Ordinal))
        {
            throw new CaseFileException(CaseFileError.LinkInvalid, "the download link was issued to someone else");
        }

        return new DownloadGrant(parts[1], parts[2], parts[3], expires);
    }

    private static CaseFileException Invalid() =>
        new(CaseFileError.LinkInvalid, "the download link is not valid; ask for a new one");
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NodaTime;

namespace Supervision.Domain.Cases;

/// <summary>Deterministic hashes (no randomness): repeat fingerprints and query-code lookups.</summary>
public static class CaseHashes
{
    /// <summary>
    /// The repeat fingerprint (Arts. 19, 36): SHA-256, lower-case hex, of the petitioner key and the normalised matter
    /// key. The petitioner key is the id number when one is given (NFKC, no whitespace, upper-case <c>X</c>), else the
    /// name (NFKC, case-folded, no whitespace or punctuation) and the phone's digits (a leading 86 country code
    /// dropped). The matter key is NFKC-normalised (full-width → half-width), case-folded, with all punctuation and
    /// whitespace removed. Rows written before this normalisation carry <see cref="LegacyFingerprint"/>.
    /// </summary>
    public static string Fingerprint(Petitioner petitioner, string matterKey)
    {
        ArgumentNullException.ThrowIfNull(petitioner);
        return Hash($"fp2|{PetitionerKey(petitioner)}|{Normalise(matterKey)}");
    }

    /// <summary>
    /// The petitioner alone, as <see cref="Fingerprint"/> keys them (id number, else name + phone), hashed with its own
    /// prefix: what the repeat analysis counts petitions per petitioner by. Never shown; no name or number is stored.
    /// </summary>
    public static string PetitionerFingerprint(Petitioner petitioner)
    {
        ArgumentNullException.ThrowIfNull(petitioner);
        return Hash($"pf2|{PetitionerKey(petitioner)}");
    }

    /// <summary>The matter alone (normalised as in <see cref="Fingerprint"/>), hashed: the repeat analysis groups by it.</summary>
    public static string MatterFingerprint(string matterKey) => Hash($"mf2|{Normalise(matterKey)}");

    private static string PetitionerKey(Petitioner petitioner)
    {
        var id = NormaliseIdNumber(petitioner.IdNumber);
        return id.Length > 0 ? "id:" + id : $"np:{Normalise(petitioner.Name)}|{NormalisePhone(petitioner.Phone)}";
    }

    /// <summary>The fingerprint as rows written before normalisation (v1) carry it; look up both until they are rebuilt.</summary>
    public static string LegacyFingerprint(Petitioner petitioner, string matterKey)
    {
        ArgumentNullException.ThrowIfNull(petitioner);
        return Hash($"{(petitioner.IdNumber ?? petitioner.Name ?? string.Empty).Trim()}|{(matterKey ?? string.Empty).Trim()}");
    }

    /// <summary>
    /// An unsalted SHA-256 of a query code. Kept for callers that still use it; never store it (a 10-digit code is
    /// found from it by brute force in seconds). Cases keep <see cref="QueryCodes.Hash(string, byte[])"/> instead.
    /// </summary>
    public static string QueryCode(string queryCode) => Hash("query-code|" + queryCode);

    /// <summary>NFKC (full-width → half-width), case fold, and no punctuation, whitespace, control or format characters.</summary>
    public static string Normalise(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var folded = text.Normalize(NormalizationForm.FormKC).ToUpperInvariant().ToLowerInvariant();
        var sb = new StringBuilder(folded.Length);
        foreach (var ch in folded)
        {
            var cat = char.GetUnicodeCategory(ch);
            if (char.IsWhiteSpace(ch) || char.IsPunctuation(ch) || cat is UnicodeCategory.Control or UnicodeCategory.Format
                or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                continue;
            }

            sb.Append(ch);
        }

        return sb.ToString();
    }

    /// <summary>An id number as compared: NFKC, no whitespace or separators, upper case (<c>x</c> → <c>X</c>).</summary>
    public static string NormaliseIdNumber(string? idNumber)
    {
        if (string.IsNullOrWhiteSpace(idNumber))
        {
            return string.Empty;
        }

        var sb = new StringBuilder(18);
        foreach (var ch in idNumber.Normalize(NormalizationForm.FormKC))
        {
            if (!char.IsWhiteSpace(ch) && ch != '-' && char.GetUnicodeCategory(ch) != UnicodeCategory.Format)
            {
                sb.Append(char.ToUpperInvariant(ch));
            }
        }

        return sb.ToString();
    }

    /// <summary>The digits of a phone number (full-width digits included); a leading 86/0086 country code is dropped.</summary>
    public static string NormalisePhone(string? phone)
    {
        if (string.IsNullOrWhiteSpace(phone))
        {
            return string.Empty;
        }

        var digits = new string([.. phone.Normalize(NormalizationForm.FormKC).Where(char.IsAsciiDigit)]);
        if (digits.StartsWith("0086", StringComparison.Ordinal))
        {
            digits = digits[4..];
        }
        else if (digits.Length == 13 && digits.StartsWith("86", StringComparison.Ordinal))
        {
            digits = digits[2..];
        }

        return digits;
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

/// <summary>
/// The petitioner's query code (查询码) is a credential: nothing but a salted PBKDF2-SHA256 hash of it is kept. The HTTP
/// edge generates the code and a random 16-byte salt with a CSPRNG and hashes it there (<see cref="Hash(string, byte[])"/>),
/// so commands, envelopes, history rows and events carry only the hash. Stored format (it names its own salt and
/// iterations, so <see cref="Verify"/> needs nothing else): <c>pbkdf2-sha256${iterations}${salt base64}${hash base64}</c>.
/// Commands recorded before that carried the code (and a caller salt) in clear; <see cref="Hash(string, string, string?)"/>
/// still hashes them exactly as it did, so old histories replay to the same state.
/// </summary>
public static class QueryCodes
{
    /// <summary>PBKDF2 iterations for new hashes (the stored value names its own count, so it can be raised later).</summary>
    public const int Iterations = 100_000;

    private const string Scheme = "pbkdf2-sha256";

    /// <summary>
    /// Iterations used for new hashes. Internal and settable only so the test assembly can make thousands of decisions
    /// cheaply; stored hashes name their own count, so verification never depends on it.
    /// </summary>
    internal static int NewHashIterations { get; set; } = Iterations;
    private const int MaxIterations = 2_000_000;
    private const int HashBytes = 32;

    /// <summary>Bytes of the random salt the edge draws for each new code.</summary>
    public const int SaltBytes = 16;

    /// <summary>
    /// The stored hash of <paramref name="queryCode"/> with a random <paramref name="salt"/> (<see cref="SaltBytes"/> bytes
    /// from a CSPRNG, not derived from anything about the case). The edge calls this before the code enters any command.
    /// </summary>
    public static string Hash(string queryCode, byte[] salt)
    {
        ArgumentNullException.ThrowIfNull(queryCode);
        ArgumentNullException.ThrowIfNull(salt);
        if (salt.Length < SaltBytes)
        {
            throw new ArgumentException($"a query-code salt has at least {SaltBytes} random bytes", nameof(salt));
        }

        return Derive(queryCode, salt);
    }

    /// <summary>
    /// Legacy: the hash of a code recorded in clear in an old command or event, salted with
    /// SHA-256(case id | caller salt). Kept only so histories written before hashing at the edge replay identically.
    /// </summary>
    /// <param name="salt">The caller's salt from the old command; null for events written before salts.</param>
    public static string Hash(string queryCode, string caseId, string? salt)
    {
        ArgumentNullException.ThrowIfNull(queryCode);
        return Derive(queryCode, SHA256.HashData(Encoding.UTF8.GetBytes($"query-code-salt|{caseId}|{salt}")));
    }

    /// <summary>Whether <paramref name="stored"/> has the stored format (scheme, iterations in range, salt and hash in base64).</summary>
    public static bool IsWellFormed(string? stored) => Parse(stored) is not null;

    private static string Derive(string queryCode, byte[] saltBytes)
    {
        var iterations = NewHashIterations;
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(Normalise(queryCode)), saltBytes, iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Create(CultureInfo.InvariantCulture, $"{Scheme}${iterations}${Convert.ToBase64String(saltBytes)}${Convert.ToBase64String(hash)}");
    }

    private static (int Iterations, byte[] Salt, byte[] Expected)? Parse(string? stored)
    {
        if (stored is null || stored.Length > 512)
        {
            return null;
        }

        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations is < 1 or > MaxIterations)
        {
            return null;
        }

        try
        {
            var salt = Convert.FromBase64String(parts[2]);
            var expected = Convert.FromBase64String(parts[3]);
            return salt.Length == 0 || expected.Length == 0 ? null : (iterations, salt, expected);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="queryCode"/> matches a stored hash; constant-time compare, false for a malformed hash.</summary>
    public static bool Verify(string? stored, string? queryCode)
    {
        if (string.IsNullOrEmpty(queryCode) || Parse(stored) is not { } p)
        {
            return false;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(Normalise(queryCode)), p.Salt, p.Iterations, HashAlgorithmName.SHA256, p.Expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, p.Expected);
    }

    /// <summary>Codes are compared trimmed and NFKC-normalised (a full-width digit typed on a phone still matches).</summary>
    private static string Normalise(string code) => code.Trim().Normalize(NormalizationForm.FormKC);
}

/// <summary>
/// The online portal's submission key (decision P2): a random key the petitioner's browser makes once per petition
/// (16+ bytes from <c>crypto.getRandomValues</c>, base64url) and sends with it. The query code of a petition sent with a
/// key is derived from the key, so a retry of the same petition after a lost answer is told the same code again. The key
/// is therefore as strong a credential as the code: it is never logged or stored; only the code's salted hash is.
/// </summary>
public static class SubmissionKeys
{
    /// <summary>Shortest key: 22 base64url characters carry 128 bits.</summary>
    public const int MinLength = 22;

    /// <summary>Longest key accepted.</summary>
    public const int MaxLength = 64;

    /// <summary>Domain separation: the code is never the same hash as anything else made from the key.</summary>
    private const string CodePrefix = "supervision/portal/query-code/v1|";

    /// <summary>Whether <paramref name="key"/> is 22 to 64 characters of <c>[A-Za-z0-9_-]</c>.</summary>
    public static bool IsWellFormed(string? key) =>
        key is { Length: >= MinLength and <= MaxLength } && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>
    /// The 10-digit query code derived from the key: the first 8 bytes of SHA-256(prefix + key) as an unsigned
    /// big-endian integer, modulo 10^10, zero-padded. Deterministic; distinct keys give independent codes.
    /// </summary>
    public static string QueryCode(string key)
    {
        if (!IsWellFormed(key))
        {
            throw new ArgumentException("a submission key is 22 to 64 characters of [A-Za-z0-9_-]", nameof(key));
        }

        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(CodePrefix + key));
        var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(digest);
        return (value % 10_000_000_000UL).ToString("D10", CultureInfo.InvariantCulture);
    }
}

/// <summary>The resident identity number (公民身份号码, GB 11643-1999): 18 characters, ISO 7064 MOD 11-2 check character.</summary>
public static class IdNumbers
{
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

    /// <summary>Why the number is not a valid identity number, or null when it is. Compares the normalised form.</summary>
    /// <param name="today">When given, a birth date after it is refused.</param>
    public static string? Problem(string? idNumber, LocalDate? today = null)
    {
        var id = CaseHashes.NormaliseIdNumber(idNumber);
        if (id.Length != 18)
        {
            return "an identity number has 18 characters (GB 11643)";
        }

        for (var i = 0; i < 17; i++)
        {
            if (!char.IsAsciiDigit(id[i]))
            {
                return "the first 17 characters of an identity number are digits (GB 11643)";
            }
        }

        if (!char.IsAsciiDigit(id[17]) && id[17] != 'X')
        {
            return "the check character of an identity number is a digit or X (GB 11643)";
        }

        var year = int.Parse(id.AsSpan(6, 4), CultureInfo.InvariantCulture);
        var month = int.Parse(id.AsSpan(10, 2), CultureInfo.InvariantCulture);
        var day = int.Parse(id.AsSpan(12, 2), CultureInfo.InvariantCulture);
        if (year < 1900 || month is < 1 or > 12 || day < 1 || day > CalendarSystem.Iso.GetDaysInMonth(year, month)
            || (today is { } t && new LocalDate(year, month, day) > t))
        {
            return "the birth date in the identity number is not a valid date (GB 11643)";
        }

        return id[17] == CheckCharacter(id) ? null : "the check character of the identity number does not match (GB 11643, ISO 7064 MOD 11-2)";
    }

    public static bool IsValid(string? idNumber, LocalDate? today = null) => Problem(idNumber, today) is null;

    /// <summary>The ISO 7064 MOD 11-2 check character of the first 17 digits.</summary>
    public static char CheckCharacter(string first17)
    {
        ArgumentNullException.ThrowIfNull(first17);
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (first17[i] - '0') * Weights[i];
        }

        return "10X98765432"[sum % 11];
    }
}

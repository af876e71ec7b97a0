using System.Globalization;
using System.Text;

namespace Supervision.Files;

/// <summary>
/// The client's file name is kept only as a label (blob metadata, the download's suggested name); blob names never
/// come from it. Policy (decision F4):
/// <list type="bullet">
/// <item>Refused (<see cref="CaseFileError.BadName"/>): NUL anywhere, a <c>..</c> path segment (traversal), a name
/// that is empty, only dots or longer than <see cref="MaxLength"/> after sanitising.</item>
/// <item>Sanitised: a directory part (<c>C:\scans\a.pdf</c>, <c>scans/a.pdf</c>, as old browsers send) is dropped;
/// control and bidirectional-override characters (the "gpj.exe" trick) are removed; the reserved characters
/// <c>&lt;&gt;:"|?*</c> become <c>_</c>; leading/trailing spaces and trailing dots are trimmed; Windows device names
/// get a leading <c>_</c>; the result is Unicode NFC.</item>
/// </list>
/// </summary>
public static class FileNames
{
    public const int MaxLength = 200;

    private static readonly HashSet<string> DeviceNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    /// <summary>The name to keep, or <see cref="CaseFileException"/> with <see cref="CaseFileError.BadName"/>.</summary>
    public static string Sanitise(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw Bad("the file has no name");
        }

        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw Bad("the file name contains a NUL character");
        }

        var segments = name.Split('/', '\\');
        if (segments.Any(s => s.Trim() == ".."))
        {
            throw Bad("the file name contains a path ('..'); send the file's own name only");
        }

        var last = segments[^1];
        var sb = new StringBuilder(last.Length);
        foreach (var rune in last.Normalize(NormalizationForm.FormC).EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                continue; // C0/C1 controls, and Format (Cf) which holds the bidi overrides U+202A–202E, U+2066–2069.
            }

            sb.Append(rune.Value is '<' or '>' or ':' or '"' or '|' or '?' or '*' ? "_" : rune.ToString());
        }

        var clean = sb.ToString().Trim().TrimEnd('.', ' ');
        if (clean.Length == 0 || clean.All(c => c == '.'))
        {
            throw Bad("the file name is empty once unsafe characters are removed; rename the file");
        }

        if (clean.Length > MaxLength)
        {
            throw Bad($"the file name is longer than {MaxLength} characters; shorten it");
        }

        var stem = clean.Split('.')[0];
        return DeviceNames.Contains(stem) ? "_" + clean : clean;
    }

    /// <summary>Blob metadata is ASCII: the name is stored percent-encoded UTF-8 (readable for ASCII names).</summary>
    internal static string ToMetadata(string name) => Uri.EscapeDataString(name);

    internal static string FromMetadata(string value) => Uri.UnescapeDataString(value);

    private static CaseFileException Bad(string message) => new(CaseFileError.BadName, message);
}

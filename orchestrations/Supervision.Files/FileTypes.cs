using System.Buffers.Binary;
using System.Text;

namespace Supervision.Files;

/// <summary>
/// The content types the product knows, recognised from their bytes (magic numbers), never from the client's claim.
/// Zip-based formats (DOCX, XLSX, OFD) are told apart by the entry names in the zip's central directory, read from the
/// last 64 KiB of the stream (<see cref="ZipTail"/>), so no format needs the whole file in memory.
/// </summary>
public static class FileTypes
{
    public const string Pdf = "application/pdf";
    public const string Png = "image/png";
    public const string Jpeg = "image/jpeg";
    public const string Gif = "image/gif";
    public const string WebP = "image/webp";
    public const string Tiff = "image/tiff";
    public const string Docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    public const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>OFD (开放版式文档, GB/T 33190-2016), the Chinese e-document format: a zip with <c>OFD.xml</c> at its root.</summary>
    public const string Ofd = "application/ofd";

    /// <summary>UTF-8 text without NUL or other control characters except tab, CR, LF and form feed.</summary>
    public const string Text = "text/plain";

    /// <summary>A zip whose entries are not those of DOCX, XLSX or OFD; recognised only to be refused by name.</summary>
    public const string Zip = "application/zip";

    /// <summary>Recognised only so that a refusal can name what was sent.</summary>
    public const string Executable = "application/x-msdownload";

    internal const int SniffWindow = 8 * 1024;

    private static ReadOnlySpan<byte> PngMagic => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static ReadOnlySpan<byte> JpegMagic => [0xFF, 0xD8, 0xFF];

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private static readonly Dictionary<string, string[]> Extensions = new(StringComparer.Ordinal)
    {
        [Pdf] = [".pdf"],
        [Png] = [".png"],
        [Jpeg] = [".jpg", ".jpeg", ".jpe"],
        [Gif] = [".gif"],
        [WebP] = [".webp"],
        [Tiff] = [".tif", ".tiff"],
        [Docx] = [".docx"],
        [Xlsx] = [".xlsx"],
        [Ofd] = [".ofd"],
        [Text] = [".txt", ".text", ".log", ".csv"],
    };

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["image/jpg"] = Jpeg,
        ["image/pjpeg"] = Jpeg,
        ["application/x-pdf"] = Pdf,
        ["application/x-ofd"] = Ofd,
        ["text/csv"] = Text,
    };

    /// <summary>
    /// The type told by the first bytes, or null when nothing is recognised. Zip archives come back as <see cref="Zip"/>
    /// here and are refined by <see cref="ZipTail.Classify"/> once the end of the stream is seen.
    /// </summary>
    public static string? Sniff(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith("%PDF-"u8))
        {
            return Pdf;
        }

        if (head.StartsWith(PngMagic))
        {
            return Png;
        }

        if (head.StartsWith(JpegMagic))
        {
            return Jpeg;
        }

        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8))
        {
            return Gif;
        }

        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8))
        {
            return WebP;
        }

        if (head.StartsWith("II*\0"u8) || head.StartsWith("MM\0*"u8))
        {
            return Tiff;
        }

        if (head.StartsWith("PK\x03\x04"u8) || head.StartsWith("PK\x05\x06"u8))
        {
            return Zip;
        }

        if (head.StartsWith("MZ"u8) || head.StartsWith("\u007FELF"u8))
        {
            return Executable;
        }

        return LooksLikeText(head) ? Text : null;
    }

    /// <summary>The normalised media type (lowercase, no parameters, aliases resolved); null for "no claim"
    /// (absent, <c>application/octet-stream</c>), which browsers send for types they do not know.</summary>
    public static string? NormaliseDeclared(string? declared)
    {
        if (string.IsNullOrWhiteSpace(declared))
        {
            return null;
        }

        var semicolon = declared.IndexOf(';', StringComparison.Ordinal);
        var type = (semicolon >= 0 ? declared[..semicolon] : declared).Trim().ToLowerInvariant();
        if (type is "application/octet-stream" or "binary/octet-stream" or "application/unknown")
        {
            return null;
        }

        return Aliases.TryGetValue(type, out var alias) ? alias : type;
    }

    /// <summary>Whether a file name's extension fits the type. A name without an extension fits any type.</summary>
    public static bool ExtensionFits(string fileName, string contentType)
    {
        var ext = Path.GetExtension(fileName).ToLowerInvariant();
        return ext.Length == 0 || (Extensions.TryGetValue(contentType, out var list) && list.Contains(ext));
    }

    /// <summary>The usual extension of a type, for messages and download names.</summary>
    public static string? ExtensionOf(string contentType) => Extensions.TryGetValue(contentType, out var list) ? list[0] : null;

    private static bool LooksLikeText(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith(Utf8Bom))
        {
            head = head[3..];
        }

        var validator = new TextValidator();
        return validator.Append(head) && validator.Complete(allowTruncated: true);
    }

    /// <summary>Checks UTF-8 text chunk by chunk: valid UTF-8 and no control characters other than \t \n \r \f.</summary>
    internal sealed class TextValidator
    {
        private readonly Decoder decoder = new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
        private readonly char[] chars = new char[4096];

        public bool Append(ReadOnlySpan<byte> bytes)
        {
            try
            {
                while (!bytes.IsEmpty)
                {
                    decoder.Convert(bytes, chars, flush: false, out var used, out var produced, out _);
                    foreach (var c in chars.AsSpan(0, produced))
                    {
                        if (char.IsControl(c) && c is not ('\t' or '\n' or '\r' or '\f'))
                        {
                            return false;
                        }
                    }

                    bytes = bytes[used..];
                }

                return true;
            }
            catch (DecoderFallbackException)
            {
                return false;
            }
        }

        /// <summary>At the end of the content: a sequence cut in the middle is invalid, except in a sniffing window.</summary>
        public bool Complete(bool allowTruncated)
        {
            if (allowTruncated)
            {
                return true;
            }

            try
            {
                decoder.Convert(ReadOnlySpan<byte>.Empty, chars, flush: true, out _, out _, out _);
                return true;
            }
            catch (DecoderFallbackException)
            {
                return false;
            }
        }
    }
}

/// <summary>
/// The last bytes of a zip stream, kept in a fixed buffer while streaming, then parsed for the end-of-central-directory
/// record and the entry names. Zip64 and archives whose central directory does not fit in the tail are "unreadable".
/// </summary>
internal sealed class ZipTail
{
    internal const int Capacity = 64 * 1024 + 22;
    private readonly byte[] tail = new byte[Capacity];
    private int length;

    public void Append(ReadOnlySpan<byte> chunk)
    {
        if (chunk.Length >= Capacity)
        {
            chunk[^Capacity..].CopyTo(tail);
            length = Capacity;
            return;
        }

        var keep = Math.Min(length, Capacity - chunk.Length);
        Buffer.BlockCopy(tail, length - keep, tail, 0, keep);
        chunk.CopyTo(tail.AsSpan(keep));
        length = keep + chunk.Length;
    }

    /// <summary>DOCX, XLSX, OFD, or <see cref="FileTypes.Zip"/> for any other (or unreadable) archive.</summary>
    public string Classify(long totalLength)
    {
        var names = EntryNames(tail.AsSpan(0, length), totalLength);
        if (names is null)
        {
            return FileTypes.Zip;
        }

        if (names.Contains("[Content_Types].xml"))
        {
            if (names.Contains("word/document.xml"))
            {
                return FileTypes.Docx;
            }

            if (names.Contains("xl/workbook.xml"))
            {
                return FileTypes.Xlsx;
            }
        }

        return names.Contains("OFD.xml") ? FileTypes.Ofd : FileTypes.Zip;
    }

    internal static HashSet<string>? EntryNames(ReadOnlySpan<byte> tail, long totalLength)
    {
        // End of central directory: signature, then 18 bytes, then a comment of up to 64 KiB; search backwards.
        for (var eocd = tail.Length - 22; eocd >= 0; eocd--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail[eocd..]) != 0x06054b50)
            {
                continue;
            }

            var entries = BinaryPrimitives.ReadUInt16LittleEndian(tail[(eocd + 10)..]);
            var cdSize = BinaryPrimitives.ReadUInt32LittleEndian(tail[(eocd + 12)..]);
            var cdOffset = BinaryPrimitives.ReadUInt32LittleEndian(tail[(eocd + 16)..]);
            if (entries == 0xFFFF || cdSize == 0xFFFFFFFF || cdOffset == 0xFFFFFFFF)
            {
                return null; // Zip64: not produced for files within our limits by office suites.
            }

            var tailStart = totalLength - tail.Length;
            var start = cdOffset - tailStart;
            if (start < 0 || start + cdSize > eocd)
            {
                return null;
            }

            var cd = tail.Slice((int)start, (int)cdSize);
            var names = new HashSet<string>(StringComparer.Ordinal);
            var at = 0;
            for (var i = 0; i < entries; i++)
            {
                if (at + 46 > cd.Length || BinaryPrimitives.ReadUInt32LittleEndian(cd[at..]) != 0x02014b50)
                {
                    return null;
                }

                int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(cd[(at + 28)..]);
                int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(cd[(at + 30)..]);
                int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(cd[(at + 32)..]);
                if (at + 46 + nameLength > cd.Length)
                {
                    return null;
                }

                names.Add(Encoding.UTF8.GetString(cd.Slice(at + 46, nameLength)).TrimStart('/'));
                at += 46 + nameLength + extraLength + commentLength;
            }

            return names;
        }

        return null;
    }
}

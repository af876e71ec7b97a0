using System.Text;

namespace Supervision.Files.Tests;

public class FileTypesTests
{
    public static TheoryData<byte[], string?> Samples() => new()
    {
        { TestFiles.Pdf(), FileTypes.Pdf },
        { TestFiles.Png(), FileTypes.Png },
        { [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F'], FileTypes.Jpeg },
        { "GIF89a\x01\0\x01\0"u8.ToArray(), FileTypes.Gif },
        { "RIFF\x10\0\0\0WEBPVP8 "u8.ToArray(), FileTypes.WebP },
        { "II*\0\x08\0\0\0"u8.ToArray(), FileTypes.Tiff },
        { TestFiles.Docx(), FileTypes.Zip }, // refined at the end of the stream
        { TestFiles.Exe(), FileTypes.Executable },
        { [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0], FileTypes.Executable },
        { Encoding.UTF8.GetBytes("信访人张三反映：\r\n\t拖欠工资一事。"), FileTypes.Text },
        { [0xEF, 0xBB, 0xBF, .. "with BOM"u8], FileTypes.Text },
        { [0xD0, 0xC5, 0xB7, 0xC3], null }, // "信访" in GBK: not UTF-8, not accepted as text
        { [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], null }, // legacy .doc (OLE2)
        { "text with a NUL\0 inside"u8.ToArray(), null },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Types_are_told_by_their_first_bytes(byte[] head, string? expected) => Assert.Equal(expected, FileTypes.Sniff(head));

    [Theory]
    [InlineData(new[] { "[Content_Types].xml", "_rels/.rels", "word/document.xml" }, FileTypes.Docx)]
    [InlineData(new[] { "[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml" }, FileTypes.Xlsx)]
    [InlineData(new[] { "OFD.xml", "Doc_0/Document.xml" }, FileTypes.Ofd)]
    [InlineData(new[] { "readme.txt", "payload.exe" }, FileTypes.Zip)]
    [InlineData(new[] { "word/document.xml" }, FileTypes.Zip)] // no [Content_Types].xml: not OOXML
    public void Zip_formats_are_told_by_their_central_directory(string[] entries, string expected)
    {
        var zip = TestFiles.Zip(entries);
        var tail = new ZipTail();
        foreach (var chunk in zip.Chunk(1000))
        {
            tail.Append(chunk);
        }

        Assert.Equal(expected, tail.Classify(zip.Length));
    }

    [Fact]
    public void The_zip_tail_works_when_the_archive_is_larger_than_the_tail()
    {
        var padding = new byte[200_000];
        new Random(1).NextBytes(padding);
        using var ms = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(ms, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var name in new[] { "[Content_Types].xml", "word/media/image1.png", "word/document.xml" })
            {
                using var s = zip.CreateEntry(name, System.IO.Compression.CompressionLevel.NoCompression).Open();
                s.Write(padding);
            }
        }

        var bytes = ms.ToArray();
        Assert.True(bytes.Length > 3 * ZipTail.Capacity);
        var tail = new ZipTail();
        foreach (var chunk in bytes.Chunk(7777))
        {
            tail.Append(chunk);
        }

        Assert.Equal(FileTypes.Docx, tail.Classify(bytes.Length));
    }

    [Theory]
    [InlineData("application/pdf", FileTypes.Pdf)]
    [InlineData("Application/PDF; name=x", FileTypes.Pdf)]
    [InlineData("image/jpg", FileTypes.Jpeg)]
    [InlineData("application/octet-stream", null)]
    [InlineData(null, null)]
    [InlineData("text/plain; charset=utf-8", FileTypes.Text)]
    public void Declared_types_are_normalised(string? declared, string? expected) =>
        Assert.Equal(expected, FileTypes.NormaliseDeclared(declared));

    [Theory]
    [InlineData("a.pdf", FileTypes.Pdf, true)]
    [InlineData("a.PDF", FileTypes.Pdf, true)]
    [InlineData("scan", FileTypes.Jpeg, true)]
    [InlineData("a.pdf", FileTypes.Executable, false)]
    [InlineData("photo.jpg", FileTypes.Png, false)]
    public void Extensions_must_fit_the_sniffed_type(string name, string type, bool fits) =>
        Assert.Equal(fits, FileTypes.ExtensionFits(name, type));
}

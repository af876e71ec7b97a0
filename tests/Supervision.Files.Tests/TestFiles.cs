using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Time.Testing;
using Supervision.Testing;

namespace Supervision.Files.Tests;

/// <summary>Sample contents and a store over a fresh Azurite container.</summary>
internal static class TestFiles
{
    public static readonly byte[] Key = SHA256.HashData("test link key"u8);

    public static byte[] Pdf(int size = 10_000)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        "%PDF-1.7\n"u8.CopyTo(bytes);
        return bytes;
    }

    public static byte[] Png() => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R'];

    /// <summary>A Windows executable's first bytes ("MZ", then the DOS stub).</summary>
    public static byte[] Exe()
    {
        var bytes = new byte[4096];
        "MZ"u8.CopyTo(bytes);
        bytes[2] = 0x90;
        "This program cannot be run in DOS mode."u8.CopyTo(bytes.AsSpan(0x4E));
        return bytes;
    }

    public static byte[] Zip(params string[] entries)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                using var w = new StreamWriter(zip.CreateEntry(entry).Open(), Encoding.UTF8);
                w.Write("<x/>");
            }
        }

        return ms.ToArray();
    }

    public static byte[] Docx() => Zip("[Content_Types].xml", "_rels/.rels", "word/document.xml");

    public static byte[] Ofd() => Zip("OFD.xml", "Doc_0/Document.xml");

    public static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static async Task<(CaseFileStore Store, BlobContainerClient Container, FakeTimeProvider Time)> StoreAsync(
        CaseFileOptions? options = null, Func<string>? ids = null)
    {
        var service = await TestStorage.BlobsAsync();
        var container = service.GetBlobContainerClient(TestStorage.UniqueName("files"));
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));
        options ??= new CaseFileOptions { LinkSigningKey = Key };
        var store = ids is null ? new CaseFileStore(container, options, time) : new CaseFileStore(container, options, time, ids);
        await store.CreateContainerIfNotExistsAsync();
        return (store, container, time);
    }
}

/// <summary>A stream that can only be read forward, as a request body is.</summary>
internal sealed class ForwardOnlyStream(Stream inner) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>
/// <paramref name="length"/> deterministic pseudo-random bytes (after a PDF header), generated on the fly so the test
/// itself never holds the file; hashes what it hands out, for an independent check.
/// </summary>
internal sealed class GeneratedPdfStream(long length) : Stream
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private ulong state = 0x9E3779B97F4A7C15;
    private long position;

    public string Sha256 => Convert.ToHexStringLower(hash.GetCurrentHash());

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Min(buffer.Length, length - position);
        for (var i = 0; i < n; i++)
        {
            var at = position + i;
            if (at < 5)
            {
                buffer[i] = "%PDF-"u8[(int)at];
                continue;
            }

            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            buffer[i] = (byte)state;
        }

        position += n;
        hash.AppendData(buffer[..n]);
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer, offset, count));

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
        }

        base.Dispose(disposing);
    }
}

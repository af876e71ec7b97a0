using System.Text;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Supervision.Files.Tests;

/// <summary>The store against Azurite with the real Azure.Storage.Blobs client.</summary>
public class CaseFileStoreTests
{
    private const string Case = "XF-2026-000123";

    [Fact]
    public async Task Round_trip_keeps_the_bytes_and_records_an_independent_SHA256()
    {
        var (store, container, _) = await TestFiles.StoreAsync(new CaseFileOptions { LinkSigningKey = TestFiles.Key, BlockSizeBytes = 64 * 1024 });
        var bytes = TestFiles.Pdf(300_000); // several 64 KiB blocks, the last one short

        var file = await store.UploadAsync(Case, CaseFileKind.Evidence, "材料/证据一.pdf", new ForwardOnlyStream(new MemoryStream(bytes)), "application/pdf");

        Assert.Equal(TestFiles.Sha(bytes), file.Sha256);
        Assert.Equal(bytes.Length, file.SizeBytes);
        Assert.Equal(FileTypes.Pdf, file.ContentType);
        Assert.Equal("证据一.pdf", file.OriginalName);
        Assert.Equal($"{Case}/{file.FileId}", file.BlobName);
        Assert.Matches("^[0-9a-f]{32}$", file.FileId);

        var blocks = await container.GetBlockBlobClient(file.BlobName).GetBlockListAsync();
        Assert.Equal(5, blocks.Value.CommittedBlocks.Count());

        await using var download = await store.OpenReadAsync(Case, file.FileId);
        using var copy = new MemoryStream();
        await download.Content.CopyToAsync(copy);
        Assert.Equal(bytes, copy.ToArray());
        Assert.Equal(file, download.File);
        Assert.Equal(file, await store.GetAsync(Case, file.FileId));
    }

    [Fact]
    public async Task Listing_is_per_owner_and_a_file_is_not_reachable_through_another_owner()
    {
        var (store, _, _) = await TestFiles.StoreAsync();
        var a1 = await store.UploadAsync("case-a", CaseFileKind.Letter, "a1.pdf", new MemoryStream(TestFiles.Pdf()), null);
        var a2 = await store.UploadAsync("case-a", CaseFileKind.Evidence, "a2.png", new MemoryStream(TestFiles.Png()), "image/png");
        var b1 = await store.UploadAsync("case-b", CaseFileKind.Other, "b1.txt", new MemoryStream("note"u8.ToArray()), "text/plain");

        Assert.Equal(new[] { a1.FileId, a2.FileId }.Order(StringComparer.Ordinal), (await store.ListAsync("case-a")).Select(f => f.FileId).Order(StringComparer.Ordinal));
        Assert.Equal([b1], await store.ListAsync("case-b"));
        var e = await Assert.ThrowsAsync<CaseFileException>(() => store.OpenReadAsync("case-b", a1.FileId));
        Assert.Equal(CaseFileError.NotFound, e.Reason);
        e = await Assert.ThrowsAsync<CaseFileException>(() => store.GetAsync("case-a", "../case-b/" + b1.FileId));
        Assert.Equal(CaseFileError.NotFound, e.Reason);
    }

    [Fact]
    public async Task Oversize_is_refused_during_the_stream_and_leaves_no_blob_nor_staged_blocks()
    {
        var policy = FilePolicy.Default with
        {
            Kinds = new Dictionary<CaseFileKind, KindPolicy>(FilePolicy.Default.Kinds)
            {
                [CaseFileKind.Evidence] = FilePolicy.Default.Kinds[CaseFileKind.Evidence] with { MaxBytes = 200_000 },
            },
        };
        string? id = null;
        var (store, container, _) = await TestFiles.StoreAsync(
            new CaseFileOptions { LinkSigningKey = TestFiles.Key, BlockSizeBytes = 64 * 1024, Policy = policy },
            () => id = CaseFileStore.NewFileId());
        var source = new GeneratedPdfStream(10_000_000);

        var e = await Assert.ThrowsAsync<CaseFileException>(() =>
            store.UploadAsync(Case, CaseFileKind.Evidence, "big.pdf", source, "application/pdf"));

        Assert.Equal(CaseFileError.TooLarge, e.Reason);
        Assert.Contains("limit for Evidence", e.Message, StringComparison.Ordinal);
        Assert.Equal(413, e.Reason.HttpStatus());
        Assert.NotNull(id);
        var blob = container.GetBlockBlobClient($"{Case}/{id}");
        Assert.False(await blob.ExistsAsync());
        var listed = new List<string>();
        await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.Uncommitted, null, CancellationToken.None))
        {
            listed.Add(item.Name);
        }

        Assert.Empty(listed);
        Assert.Empty(await store.ListAsync(Case));
    }

    [Fact]
    public async Task The_size_limit_is_inclusive_to_the_byte()
    {
        var policy = FilePolicy.Default with
        {
            Kinds = new Dictionary<CaseFileKind, KindPolicy>(FilePolicy.Default.Kinds)
            {
                [CaseFileKind.Reply] = FilePolicy.Default.Kinds[CaseFileKind.Reply] with { MaxBytes = 131_072 },
            },
        };
        var (store, _, _) = await TestFiles.StoreAsync(new CaseFileOptions { LinkSigningKey = TestFiles.Key, BlockSizeBytes = 64 * 1024, Policy = policy });

        var atLimit = await store.UploadAsync(Case, CaseFileKind.Reply, "a.pdf", new MemoryStream(TestFiles.Pdf(131_072)), null);
        var e = await Assert.ThrowsAsync<CaseFileException>(() =>
            store.UploadAsync(Case, CaseFileKind.Reply, "b.pdf", new MemoryStream(TestFiles.Pdf(131_073)), null));

        Assert.Equal(131_072, atLimit.SizeBytes);
        Assert.Equal(CaseFileError.TooLarge, e.Reason);
        Assert.Equal([atLimit], await store.ListAsync(Case));
    }

    [Fact]
    public async Task GBK_text_is_refused_with_the_advice_to_save_as_UTF8()
    {
        var (store, _, _) = await TestFiles.StoreAsync();
        byte[] gbk = [0xD0, 0xC5, 0xB7, 0xC3, 0xCA, 0xC2, 0xCF, 0xEE]; // 信访事项
        var e = await Assert.ThrowsAsync<CaseFileException>(() =>
            store.UploadAsync(Case, CaseFileKind.Evidence, "信访事项.txt", new MemoryStream(gbk), "text/plain; charset=gbk"));
        Assert.Equal(CaseFileError.TypeNotAllowed, e.Reason);
        Assert.Contains("UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_file_is_refused()
    {
        var (store, _, _) = await TestFiles.StoreAsync();
        var e = await Assert.ThrowsAsync<CaseFileException>(() =>
            store.UploadAsync(Case, CaseFileKind.Evidence, "empty.pdf", new MemoryStream(), "application/pdf"));
        Assert.Equal(CaseFileError.Empty, e.Reason);
        Assert.Empty(await store.ListAsync(Case));
    }

    [Fact]
    public async Task An_executable_renamed_pdf_is_refused_by_its_content()
    {
        var (store, _, _) = await TestFiles.StoreAsync();
        var e = await Assert.ThrowsAsync<CaseFileException>(() =>
            store.UploadAsync(Case, CaseFileKind.Evidence, "证据.pdf", new MemoryStream(TestFiles.Exe()), "application/pdf"));
        Assert.Equal(CaseFileError.TypeNotAllowed, e.Reason);
        Assert.Contains(FileTypes.Executable, e.Message, StringComparison.Ordinal);
        Assert.Equal(415, e.Reason.HttpStatus());
        Assert.Empty(await store.ListAsync(Case));
    }

    [Theory]
    [InlineData("note.pdf", "application/pdf")] // declared PDF, content text
    [InlineData("note.pdf", null)] // extension PDF, content text
    [InlineData("note.txt", "image/png")]
    public async Task A_declared_type_or_extension_that_disagrees_with_the_content_is_refused(string name, string? declared)
    {
        var (store, _, _) = await TestFiles.StoreAsync();
        var e = await Assert.ThrowsAsync<CaseFileException>(() =>
            store.UploadAsync(Case, CaseFileKind.Evidence, name, new MemoryStream("plain words"u8.ToArray()), declared));
        Assert.Equal(CaseFileError.TypeMismatch, e.Reason);
    }

    [Fact]
    public async Task A_type_outside_the_kinds_policy_is_refused()
    {
        var (store, _, _) = await TestFiles.StoreAsync();
        var e = await Assert.ThrowsAsync<CaseFileException>(() =>
            store.UploadAsync(Case, CaseFileKind.WrittenOpinion, "photo.png", new MemoryStream(TestFiles.Png()), "image/png"));
        Assert.Equal(CaseFileError.TypeNotAllowed, e.Reason);
        Assert.Contains(".pdf", e.Message, StringComparison.Ordinal); // says what is accepted
    }

    [Fact]
    public async Task Zip_based_documents_are_classified_after_the_stream_and_plain_zips_refused_without_a_trace()
    {
        var (store, container, _) = await TestFiles.StoreAsync();
        var docx = await store.UploadAsync(Case, CaseFileKind.WrittenOpinion, "意见书.docx", new MemoryStream(TestFiles.Docx()), null);
        var ofd = await store.UploadAsync(Case, CaseFileKind.Reply, "复查意见.ofd", new MemoryStream(TestFiles.Ofd()), null);
        Assert.Equal(FileTypes.Docx, docx.ContentType);
        Assert.Equal(FileTypes.Ofd, ofd.ContentType);

        var e = await Assert.ThrowsAsync<CaseFileException>(() =>
            store.UploadAsync(Case, CaseFileKind.WrittenOpinion, "意见书.docx", new MemoryStream(TestFiles.Zip("a.exe")), null));
        Assert.Equal(CaseFileError.TypeNotAllowed, e.Reason);
        Assert.Equal(2, (await store.ListAsync(Case)).Count);
        var all = new List<string>();
        await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.Uncommitted, null, CancellationToken.None))
        {
            all.Add(item.Name);
        }

        Assert.Equal(2, all.Count);
    }

    [Fact]
    public async Task Text_that_turns_binary_after_the_sniffing_window_is_refused()
    {
        var (store, _, _) = await TestFiles.StoreAsync();
        var bytes = Encoding.UTF8.GetBytes(new string('字', 10_000)).Concat(new byte[] { 0xFF, 0xFE, 0 }).ToArray();
        var e = await Assert.ThrowsAsync<CaseFileException>(() =>
            store.UploadAsync(Case, CaseFileKind.Evidence, "a.txt", new MemoryStream(bytes), "text/plain"));
        Assert.Equal(CaseFileError.TypeNotAllowed, e.Reason);
    }

    [Theory]
    [InlineData("../../other-case/x.pdf")]
    [InlineData("x.pdf\0.exe")]
    [InlineData("\u0001\u0002\u0003")]
    public async Task Bad_names_are_refused_before_any_byte_is_stored(string name)
    {
        var (store, _, _) = await TestFiles.StoreAsync();
        var e = await Assert.ThrowsAsync<CaseFileException>(() =>
            store.UploadAsync(Case, CaseFileKind.Evidence, name, new MemoryStream(TestFiles.Pdf()), "application/pdf"));
        Assert.Equal(CaseFileError.BadName, e.Reason);
        Assert.Empty(await store.ListAsync(Case));
    }

    [Fact]
    public async Task Control_characters_and_path_parts_are_stripped_and_the_name_survives_storage()
    {
        var (store, _, _) = await TestFiles.StoreAsync();
        var file = await store.UploadAsync(Case, CaseFileKind.Evidence, "C:\\扫描\\证\r\n据\u202E.pdf", new MemoryStream(TestFiles.Pdf()), null);
        Assert.Equal("证据.pdf", file.OriginalName);
        Assert.Equal("证据.pdf", (await store.ListAsync(Case)).Single().OriginalName);
    }

    [Fact]
    public async Task A_sealed_opinion_cannot_be_replaced_or_deleted_and_its_bytes_stay()
    {
        var (store, container, time) = await TestFiles.StoreAsync();
        var bytes = TestFiles.Pdf(5000);
        var opinion = await store.UploadAsync(Case, CaseFileKind.WrittenOpinion, "意见书.pdf", new MemoryStream(bytes), "application/pdf");
        time.Advance(TimeSpan.FromHours(2));

        var sealedFile = await store.SealAsync(Case, opinion.FileId);
        Assert.Equal(time.GetUtcNow(), sealedFile.SealedAt);
        Assert.Equal(sealedFile, await store.SealAsync(Case, opinion.FileId)); // idempotent

        var replace = await Assert.ThrowsAsync<CaseFileException>(() =>
            store.ReplaceAsync(Case, opinion.FileId, "改.pdf", new MemoryStream(TestFiles.Pdf(6000)), "application/pdf"));
        Assert.Equal(CaseFileError.Immutable, replace.Reason);
        Assert.Equal(409, replace.Reason.HttpStatus());
        var delete = await Assert.ThrowsAsync<CaseFileException>(() => store.DeleteAsync(Case, opinion.FileId));
        Assert.Equal(CaseFileError.Immutable, delete.Reason);

        Assert.Equal([sealedFile], await store.ListAsync(Case));
        var content = await container.GetBlobClient(opinion.BlobName).DownloadContentAsync();
        Assert.Equal(bytes, content.Value.Content.ToArray());
    }

    [Fact]
    public async Task A_seal_that_lands_while_a_replacement_streams_in_wins_and_the_replacement_is_removed()
    {
        var (store, _, _) = await TestFiles.StoreAsync(new CaseFileOptions { LinkSigningKey = TestFiles.Key, BlockSizeBytes = 64 * 1024 });
        var draft = await store.UploadAsync(Case, CaseFileKind.Reply, "稿.pdf", new MemoryStream(TestFiles.Pdf(5000)), null);
        var sealing = new SealWhenRead(new MemoryStream(TestFiles.Pdf(300_000)), () => store.SealAsync(Case, draft.FileId));

        var e = await Assert.ThrowsAsync<CaseFileException>(() =>
            store.ReplaceAsync(Case, draft.FileId, "改.pdf", sealing, null));

        Assert.Equal(CaseFileError.Immutable, e.Reason);
        Assert.True(sealing.Sealed);
        var left = Assert.Single(await store.ListAsync(Case));
        Assert.Equal(draft.FileId, left.FileId);
        Assert.True(left.IsSealed);
    }

    [Fact]
    public async Task An_unsealed_draft_can_be_replaced_and_deleted()
    {
        var (store, _, _) = await TestFiles.StoreAsync();
        var draft = await store.UploadAsync(Case, CaseFileKind.WrittenOpinion, "稿.pdf", new MemoryStream(TestFiles.Pdf(5000)), null);
        var second = TestFiles.Pdf(6000);

        var replaced = await store.ReplaceAsync(Case, draft.FileId, "定稿.pdf", new MemoryStream(second), null);

        Assert.NotEqual(draft.FileId, replaced.FileId);
        Assert.Equal(CaseFileKind.WrittenOpinion, replaced.Kind);
        Assert.Equal(TestFiles.Sha(second), replaced.Sha256);
        Assert.Equal([replaced], await store.ListAsync(Case));
        await store.DeleteAsync(Case, replaced.FileId);
        Assert.Empty(await store.ListAsync(Case));
        var e = await Assert.ThrowsAsync<CaseFileException>(() => store.DeleteAsync(Case, replaced.FileId));
        Assert.Equal(CaseFileError.NotFound, e.Reason);
    }

    [Fact]
    public async Task Evidence_is_not_a_legal_record_and_cannot_be_sealed()
    {
        var (store, _, _) = await TestFiles.StoreAsync();
        var evidence = await store.UploadAsync(Case, CaseFileKind.Evidence, "e.pdf", new MemoryStream(TestFiles.Pdf()), null);
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.SealAsync(Case, evidence.FileId));
        Assert.False((await store.GetAsync(Case, evidence.FileId)).IsSealed);
    }

    [Fact]
    public async Task A_second_upload_never_overwrites_a_blob_even_when_the_id_collides()
    {
        const string fixedId = "0123456789abcdef0123456789abcdef";
        var (store, container, _) = await TestFiles.StoreAsync(ids: () => fixedId);
        var first = TestFiles.Pdf(4000);
        await store.UploadAsync(Case, CaseFileKind.Reply, "first.pdf", new MemoryStream(first), null);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            store.UploadAsync(Case, CaseFileKind.Reply, "second.pdf", new MemoryStream(TestFiles.Pdf(7000)), null));

        var stored = await store.GetAsync(Case, fixedId);
        Assert.Equal("first.pdf", stored.OriginalName);
        Assert.Equal(TestFiles.Sha(first), stored.Sha256);
        var content = await container.GetBlobClient(stored.BlobName).DownloadContentAsync();
        Assert.Equal(first, content.Value.Content.ToArray());
    }

    [Fact]
    public async Task A_blob_changed_behind_the_store_fails_its_download_at_the_end()
    {
        var (store, container, _) = await TestFiles.StoreAsync();
        var file = await store.UploadAsync(Case, CaseFileKind.Evidence, "e.pdf", new MemoryStream(TestFiles.Pdf(3000)), null);
        var blob = container.GetBlobClient(file.BlobName);
        var props = await blob.GetPropertiesAsync();
        var tampered = TestFiles.Pdf(3000);
        tampered[2000] ^= 0xFF;
        await blob.UploadAsync(new BinaryData(tampered), new BlobUploadOptions
        {
            Metadata = props.Value.Metadata,
            HttpHeaders = new BlobHttpHeaders { ContentType = props.Value.ContentType },
            Conditions = new BlobRequestConditions { IfMatch = props.Value.ETag },
        });

        await using var download = await store.OpenReadAsync(Case, file.FileId);
        await Assert.ThrowsAsync<IOException>(() => download.Content.CopyToAsync(Stream.Null));
    }

    [Fact]
    public async Task A_link_opens_its_file_until_it_expires()
    {
        var (store, _, time) = await TestFiles.StoreAsync();
        var bytes = TestFiles.Pdf(2000);
        var file = await store.UploadAsync(Case, CaseFileKind.Evidence, "e.pdf", new MemoryStream(bytes), null);
        var link = await store.CreateDownloadLinkAsync(Case, file.FileId, TimeSpan.FromMinutes(5), "person-17");
        Assert.StartsWith("/api/files/download?token=", link.Url.ToString(), StringComparison.Ordinal);
        Assert.Equal(time.GetUtcNow().AddMinutes(5), link.ExpiresOn);

        var grant = store.VerifyDownloadLink(link.Token, "person-17");
        Assert.Equal((Case, file.FileId, "person-17"), (grant.Owner, grant.FileId, grant.Principal));
        await using (var download = await store.OpenReadAsync(grant.Owner, grant.FileId))
        {
            using var copy = new MemoryStream();
            await download.Content.CopyToAsync(copy);
            Assert.Equal(bytes, copy.ToArray());
        }

        time.Advance(TimeSpan.FromMinutes(5));
        var e = Assert.Throws<CaseFileException>(() => store.VerifyDownloadLink(link.Token));
        Assert.Equal(CaseFileError.LinkExpired, e.Reason);
        Assert.Equal(403, e.Reason.HttpStatus());
    }

    [Fact]
    public async Task Links_are_refused_beyond_the_maximum_lifetime_and_for_missing_files()
    {
        var (store, _, _) = await TestFiles.StoreAsync();
        var file = await store.UploadAsync(Case, CaseFileKind.Evidence, "e.pdf", new MemoryStream(TestFiles.Pdf()), null);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.CreateDownloadLinkAsync(Case, file.FileId, TimeSpan.FromHours(2), "p"));
        var e = await Assert.ThrowsAsync<CaseFileException>(() =>
            store.CreateDownloadLinkAsync(Case, "ffffffffffffffffffffffffffffffff", TimeSpan.FromMinutes(1), "p"));
        Assert.Equal(CaseFileError.NotFound, e.Reason);
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_upload_leaves_nothing_behind()
    {
        var (store, container, _) = await TestFiles.StoreAsync(new CaseFileOptions { LinkSigningKey = TestFiles.Key, BlockSizeBytes = 64 * 1024 });
        var source = new FailingAfter(new GeneratedPdfStream(1_000_000), 300_000);

        await Assert.ThrowsAsync<IOException>(() => store.UploadAsync(Case, CaseFileKind.Evidence, "e.pdf", source, null));

        var all = new List<string>();
        await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.Uncommitted, null, CancellationToken.None))
        {
            all.Add(item.Name);
        }

        Assert.Empty(all);
    }

    /// <summary>Reads like a request body whose client goes away after <paramref name="limit"/> bytes.</summary>
    private sealed class FailingAfter(Stream inner, long limit) : Stream
    {
        private long read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (read >= limit)
            {
                throw new IOException("The client closed the connection.");
            }

            var n = inner.Read(buffer, offset, (int)Math.Min(count, limit - read));
            read += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Runs <paramref name="seal"/> once, after the first read, as if another request sealed the file meanwhile.</summary>
    private sealed class SealWhenRead(Stream inner, Func<Task> seal) : Stream
    {
        public bool Sealed { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken);
            if (!Sealed)
            {
                Sealed = true;
                await seal();
            }

            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

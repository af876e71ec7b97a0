using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Supervision.Api.Files;
using Supervision.Api.Tests.Cases;

namespace Supervision.Api.Tests.Files;

/// <summary>One host on Azurite for the file tests; link expiry runs on its own fake clock (the store's keyed clock).</summary>
public sealed class FilesApp : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);

    public FakeTimeProvider LinkClock { get; } = new(Supervision.Orchestrations.Clocks.Wall.GetUtcNow());

    public CaseApp App { get; private set; } = null!;

    public async Task InitializeAsync() =>
        App = await CaseApp.StartAsync(Start, services: s => s.AddKeyedSingleton<TimeProvider>(Supervision.Orchestrations.Clocks.RealKey, LinkClock));

    public async Task DisposeAsync() => await App.DisposeAsync();
}

/// <summary>
/// The case-file endpoints through the real host and Blob storage (Azurite): upload and download with the hash, each
/// refusal as problem+json, scope and the accusation guard, links, sealing by a legal step, the petitioner's download.
/// </summary>
public sealed class FileEndpointsTests(FilesApp fixture) : IClassFixture<FilesApp>
{
    private CaseApp App => fixture.App;

    [Fact]
    public async Task An_upload_round_trips_with_its_sha256_and_safe_download_headers()
    {
        var registrar = App.As("c-registrar");
        var (id, _) = await registrar.RegisterAsync(App.Now, matter: "files:round-trip");
        var bytes = Pdf(300_000);

        var stored = await UploadAsync(registrar, id, "Evidence", "材料 一.pdf", bytes, "application/pdf");

        Assert.Equal(Hex(bytes), (string)stored["sha256"]!);
        Assert.Equal(bytes.Length, (long)stored["size"]!);
        Assert.Equal("application/pdf", (string)stored["contentType"]!);
        Assert.Equal("材料 一.pdf", (string)stored["name"]!);
        var fileId = (string)stored["id"]!;

        var list = await registrar.GetAsync(new Uri($"/api/cases/{id}/files", UriKind.Relative)).OkAsync();
        Assert.Equal(fileId, (string)list.AsArray().Single()!["id"]!);

        using var download = await registrar.GetAsync(new Uri($"/api/cases/{id}/files/{fileId}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var body = await download.Content.ReadAsByteArrayAsync();
        Assert.Equal(Hex(bytes), Hex(body));
        Assert.Equal("application/pdf", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(bytes.Length, download.Content.Headers.ContentLength);
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("材料 一.pdf", download.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
    }

    [Fact]
    public async Task A_multipart_upload_streams_the_file_part()
    {
        var registrar = App.As("c-registrar");
        var (id, _) = await registrar.RegisterAsync(App.Now, matter: "files:multipart");
        var bytes = Pdf(50_000);
        using var form = new MultipartFormDataContent
        {
            { new StringContent("note"), "comment" },
        };
        var part = new ByteArrayContent(bytes);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        form.Add(part, "file", "letter.pdf");

        var stored = await registrar.PostAsync(new Uri($"/api/cases/{id}/files?kind=Letter", UriKind.Relative), form).OkAsync();

        Assert.Equal(Hex(bytes), (string)stored["sha256"]!);
        Assert.Equal("Letter", (string)stored["kind"]!);
        Assert.Equal("letter.pdf", (string)stored["name"]!);
    }

    [Theory]
    [InlineData("oversize", 413, "file-too-large")]
    [InlineData("empty", 400, "file-empty")]
    [InlineData("png-as-pdf", 415, "file-type-mismatch")]
    [InlineData("exe", 415, "file-type-not-allowed")]
    [InlineData("traversal", 400, "file-bad-name")]
    [InlineData("control", 400, "file-bad-name")]
    public async Task A_refused_upload_is_a_clear_problem_and_leaves_no_file(string what, int status, string type)
    {
        var registrar = App.As("c-registrar");
        var (id, _) = await registrar.RegisterAsync(App.Now, matter: "files:refused:" + what);
        var (kind, name, bytes, declared) = what switch
        {
            "oversize" => ("Other", "big.pdf", Pdf((10 * 1024 * 1024) + 1), "application/pdf"),
            "empty" => ("Evidence", "empty.pdf", Array.Empty<byte>(), "application/pdf"),
            "png-as-pdf" => ("Evidence", "scan.pdf", Png(), "application/pdf"),
            "exe" => ("Evidence", "tool.exe", Exe(), (string?)null),
            "traversal" => ("Evidence", "../../etc/passwd.pdf", Pdf(1000), "application/pdf"),
            _ => ("Evidence", "a\0b.pdf", Pdf(1000), "application/pdf"),
        };

        using var response = await PostFileAsync(registrar, id, kind, name, bytes, declared);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!;
        Assert.EndsWith("/" + type, (string)problem["type"]!, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["title"]));
        Assert.Empty((await registrar.GetAsync(new Uri($"/api/cases/{id}/files", UriKind.Relative)).OkAsync()).AsArray());
    }

    [Fact]
    public async Task Outsiders_and_the_accused_unit_get_404_for_the_files_of_an_accusation()
    {
        var registrar = App.As("ca-registrar");
        var (id, _) = await registrar.RegisterAsync(App.Now, matter: "files:accusation", category: "Accusation", unit: "ca-bureau", accusedUnit: "ca-land");
        var fileId = (string)(await UploadAsync(registrar, id, "Evidence", "证据.pdf", Pdf(2000), "application/pdf"))["id"]!;

        // The accused unit's people, and a unit of another county, see nothing: not the list, the file, a link, a delete.
        foreach (var outsider in new[] { "ca-land-officer", "ca-land-head", "cb-registrar" })
        {
            var client = App.As(outsider);
            foreach (var response in new[]
            {
                await client.GetAsync(new Uri($"/api/cases/{id}/files", UriKind.Relative)),
                await client.GetAsync(new Uri($"/api/cases/{id}/files/{fileId}", UriKind.Relative)),
                await client.PostAsync(new Uri($"/api/cases/{id}/files/{fileId}/link", UriKind.Relative), null),
                await client.DeleteAsync(new Uri($"/api/cases/{id}/files/{fileId}", UriKind.Relative)),
                await PostFileAsync(client, id, "Evidence", "x.pdf", Pdf(1000), "application/pdf"),
            })
            {
                Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{outsider} {response.RequestMessage!.Method} {response.RequestMessage.RequestUri}: {(int)response.StatusCode}");
            }
        }

        Assert.Single((await registrar.GetAsync(new Uri($"/api/cases/{id}/files", UriKind.Relative)).OkAsync()).AsArray());
    }

    [Fact]
    public async Task A_link_downloads_until_it_expires_and_a_tampered_link_is_refused()
    {
        var registrar = App.As("c-registrar");
        var (id, _) = await registrar.RegisterAsync(App.Now, matter: "files:link");
        var bytes = Pdf(4000);
        var fileId = (string)(await UploadAsync(registrar, id, "Evidence", "a.pdf", bytes, "application/pdf"))["id"]!;

        var link = await registrar.PostAsync(new Uri($"/api/cases/{id}/files/{fileId}/link", UriKind.Relative), null).OkAsync();
        var url = new Uri((string)link["url"]!, UriKind.Relative);

        // The token is the authorization: it works without a sign-in, and is refused for someone else signed in.
        using (var ok = await App.Anonymous().GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal(Hex(bytes), Hex(await ok.Content.ReadAsByteArrayAsync()));
        }

        await AssertProblemAsync(await App.As("c-housing-officer").GetAsync(url), 403, "file-link-invalid");
        var at = url.OriginalString.IndexOf("token=", StringComparison.Ordinal) + 6;
        var tampered = new Uri(url.OriginalString[..at] + (url.OriginalString[at] == 'A' ? 'B' : 'A') + url.OriginalString[(at + 1)..], UriKind.Relative);
        await AssertProblemAsync(await App.Anonymous().GetAsync(tampered), 403, "file-link-invalid");

        fixture.LinkClock.Advance(TimeSpan.FromMinutes(6)); // links live 5 minutes
        await AssertProblemAsync(await App.Anonymous().GetAsync(url), 403, "file-link-expired");
    }

    [Fact]
    public async Task A_cited_opinion_is_sealed_by_the_reply_cannot_be_deleted_and_the_petitioner_downloads_it()
    {
        var registrar = App.As("c-registrar");
        var officer = App.As("c-housing-officer");
        var (id, code) = await registrar.RegisterAsync(App.Now, matter: "files:opinion");
        await registrar.Command(id, "route", new { kind = "Forward", agencyId = "c-housing" }).OkAsync();
        await officer.Command(id, "accept", new { }).OkAsync();
        var evidence = (string)(await UploadAsync(officer, id, "Evidence", "e.pdf", Pdf(1000), "application/pdf"))["id"]!;
        var opinionBytes = Pdf(20_000);
        var opinion = (string)(await UploadAsync(officer, id, "WrittenOpinion", "书面处理意见书.pdf", opinionBytes, "application/pdf"))["id"]!;

        // Citing a file of the wrong kind, or one that is not on this case, is refused before anything is recorded.
        await AssertProblemAsync(await officer.Command(id, "reply", new { outcome = "Support", opinionFile = evidence }), 400, null);
        await AssertProblemAsync(await officer.Command(id, "reply", new { outcome = "Support", opinionFile = new string('a', 32) }), 400, null);
        await AssertProblemAsync(await App.Anonymous().SendAsync(Petitioner(id, opinion, code)), 404, null); // not served yet

        // A digest a client makes up is not what is recorded: the event carries the file store's SHA-256 and size.
        var replied = await officer.Command(id, "reply", new { outcome = "Support", opinionFile = opinion, digest = new { sha256 = new string('0', 64), bytes = 1 } }).OkAsync();
        Assert.Equal("Replied", (string)replied["status"]!);
        var reply = replied["timeline"]!.AsArray().Single(e => (string?)e!["type"] == "ReplyIssued")!;
        Assert.Equal(Hex(opinionBytes), (string)reply["data"]!["digest"]!["sha256"]!);
        Assert.Equal(opinionBytes.Length, (long)reply["data"]!["digest"]!["bytes"]!);

        var file = (await officer.GetAsync(new Uri($"/api/cases/{id}/files", UriKind.Relative)).OkAsync()).AsArray().Single(f => (string)f!["id"]! == opinion)!;
        Assert.True((bool)file["sealed"]!);
        await AssertProblemAsync(await officer.DeleteAsync(new Uri($"/api/cases/{id}/files/{opinion}", UriKind.Relative)), 409, "file-immutable");
        await AssertProblemAsync(await registrar.DeleteAsync(new Uri($"/api/cases/{id}/files/{opinion}", UriKind.Relative)), 409, "file-immutable");

        // The petitioner, with the query code, downloads the served opinion, and nothing else of the case.
        using (var mine = await App.Anonymous().SendAsync(Petitioner(id, opinion, code)))
        {
            Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
            Assert.Equal(Hex(opinionBytes), Hex(await mine.Content.ReadAsByteArrayAsync()));
        }

        await AssertProblemAsync(await App.Anonymous().SendAsync(Petitioner(id, evidence, code)), 404, null);
        await AssertProblemAsync(await App.Anonymous().SendAsync(Petitioner(id, opinion, "0000000000")), 404, null);

        // A draft (unsealed) file can still be deleted.
        using var deleted = await officer.DeleteAsync(new Uri($"/api/cases/{id}/files/{evidence}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    private static HttpRequestMessage Petitioner(string id, string fileId, string code)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/petitioner/cases/{id}/files/{fileId}");
        request.Headers.Add("X-Query-Code", code);
        return request;
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, int status, string? type)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(status == (int)response.StatusCode, $"expected {status}, got {(int)response.StatusCode}: {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            if (type is not null)
            {
                Assert.EndsWith("/" + type, (string)JsonNode.Parse(body)!["type"]!, StringComparison.Ordinal);
            }
        }
    }

    private static async Task<JsonNode> UploadAsync(HttpClient client, string id, string kind, string name, byte[] bytes, string? type)
    {
        var response = await PostFileAsync(client, id, kind, name, bytes, type);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {body}");
        Assert.EndsWith($"/api/cases/{id}/files/{(string)JsonNode.Parse(body)!["id"]!}", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        return JsonNode.Parse(body)!;
    }

    /// <summary>A raw-body upload, the name in <c>Content-Disposition: attachment; filename*=UTF-8''…</c>.</summary>
    private static Task<HttpResponseMessage> PostFileAsync(HttpClient client, string id, string kind, string name, byte[] bytes, string? type)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(type ?? "application/octet-stream");
        content.Headers.TryAddWithoutValidation("Content-Disposition", $"attachment; filename*=UTF-8''{Uri.EscapeDataString(name)}");
        return client.PostAsync(new Uri($"/api/cases/{id}/files?kind={kind}", UriKind.Relative), content);
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static byte[] Pdf(int size)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        if (size >= 9)
        {
            "%PDF-1.7\n"u8.CopyTo(bytes);
        }

        return bytes;
    }

    private static byte[] Png() => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R'];

    private static byte[] Exe()
    {
        var bytes = new byte[4096];
        "MZ"u8.CopyTo(bytes);
        bytes[2] = 0x90;
        "This program cannot be run in DOS mode."u8.CopyTo(bytes.AsSpan(0x4E));
        return bytes;
    }
}

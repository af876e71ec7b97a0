using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Web;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Time.Testing;

namespace Supervision.Files.Tests;

/// <summary>
/// The Azure-only paths (version-level WORM at sealing, user-delegation SAS links), which Azurite does not support
/// (PLATFORM.md §4.3): run through the real SDK pipeline against a canned HTTP handler that records what would be sent.
/// </summary>
public class AzureOnlyRequestTests
{
    private const string Owner = "XF-2026-000123";
    private const string FileId = "00112233445566778899aabbccddeeff";
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Sealing_with_version_level_WORM_sets_an_unlocked_policy_for_the_retention_after_marking_the_seal()
    {
        var handler = new CannedBlobService();
        var container = new BlobContainerClient(
            new Uri("https://acct.blob.core.windows.net/case-files"),
            new StorageSharedKeyCredential("acct", Convert.ToBase64String(new byte[64])),
            handler.Options());
        var time = new FakeTimeProvider(Now);
        var store = new CaseFileStore(container, new CaseFileOptions
        {
            LinkSigningKey = TestFiles.Key,
            UseVersionLevelWorm = true,
            WormRetention = TimeSpan.FromDays(3650),
        }, time);

        var sealedFile = await store.SealAsync(Owner, FileId);

        Assert.Equal(Now, sealedFile.SealedAt);
        var requests = handler.Requests.ToArray();
        Assert.Equal(["HEAD", "PUT comp=metadata", "PUT comp=immutabilityPolicies"], requests.Select(r => r.Describe()));
        var metadata = requests[1];
        Assert.Equal("\"0x1\"", metadata.Headers["If-Match"]);
        Assert.Equal(Now.ToString("O", CultureInfo.InvariantCulture), metadata.Headers["x-ms-meta-sealedat"]);
        Assert.Equal("WrittenOpinion", metadata.Headers["x-ms-meta-kind"]); // the index survives the metadata rewrite
        var worm = requests[2];
        Assert.Equal($"/case-files/{Owner}/{FileId}", worm.Path);
        Assert.Equal("Unlocked", worm.Headers["x-ms-immutability-policy-mode"], ignoreCase: true);
        Assert.Equal(Now.AddDays(3650), DateTimeOffset.Parse(worm.Headers["x-ms-immutability-policy-until-date"], CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Without_the_WORM_option_sealing_sends_no_immutability_request()
    {
        var handler = new CannedBlobService();
        var container = new BlobContainerClient(
            new Uri("https://acct.blob.core.windows.net/case-files"),
            new StorageSharedKeyCredential("acct", Convert.ToBase64String(new byte[64])),
            handler.Options());
        var store = new CaseFileStore(container, new CaseFileOptions { LinkSigningKey = TestFiles.Key }, new FakeTimeProvider(Now));

        await store.SealAsync(Owner, FileId);

        Assert.DoesNotContain(handler.Requests, r => r.Describe().Contains("immutability", StringComparison.Ordinal));
    }

    [Fact]
    public async Task User_delegation_links_are_read_only_blob_SAS_bound_to_the_file_expiry_and_principal()
    {
        var handler = new CannedBlobService();
        var service = new BlobServiceClient(new Uri("https://acct.blob.core.windows.net"), new FakeToken(), handler.Options());
        var store = new CaseFileStore(service.GetBlobContainerClient("case-files"),
            new CaseFileOptions { UseUserDelegationSas = true }, new FakeTimeProvider(Now));

        var link = await store.CreateDownloadLinkAsync(Owner, FileId, TimeSpan.FromMinutes(10), "person-17");
        var again = await store.CreateDownloadLinkAsync(Owner, FileId, TimeSpan.FromMinutes(10), "person-18");

        Assert.Null(link.Token);
        Assert.Equal(Now.AddMinutes(10), link.ExpiresOn);
        Assert.Equal($"https://acct.blob.core.windows.net/case-files/{Owner}/{FileId}", link.Url.GetLeftPart(UriPartial.Path));
        var q = HttpUtility.ParseQueryString(link.Url.Query);
        Assert.Equal("r", q["sp"]);
        Assert.Equal("b", q["sr"]);
        Assert.Equal("https", q["spr"]);
        Assert.Equal("the-oid", q["skoid"]);
        Assert.Equal("the-tid", q["sktid"]);
        Assert.Equal("person-17", q["scid"]);
        Assert.Equal(Now.AddMinutes(10), DateTimeOffset.Parse(q["se"]!, CultureInfo.InvariantCulture));
        Assert.Equal(FileTypes.Pdf, q["rsct"]);
        Assert.Contains("filename*=UTF-8''%E6%84%8F%E8%A7%81%E4%B9%A6.pdf", q["rscd"], StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(q["sig"]));
        Assert.Equal("person-18", HttpUtility.ParseQueryString(again.Url.Query)["scid"]);
        Assert.Single(handler.Requests, r => r.Describe() == "POST comp=userdelegationkey"); // the key is cached
        Assert.Throws<InvalidOperationException>(() => store.VerifyDownloadLink("x.y"));
    }

    private sealed class FakeToken : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new("fake-token", Now.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }

    private sealed record Recorded(string Method, string Path, string Query, Dictionary<string, string> Headers)
    {
        public string Describe()
        {
            var comp = HttpUtility.ParseQueryString(Query)["comp"];
            return comp is null ? Method : $"{Method} comp={comp}";
        }
    }

    /// <summary>Answers like Blob storage for one sealable opinion, and records every request.</summary>
    private sealed class CannedBlobService : HttpMessageHandler
    {
        public ConcurrentQueue<Recorded> Requests { get; } = new();

        public BlobClientOptions Options()
        {
            var options = new BlobClientOptions { Transport = new HttpClientTransport(new HttpClient(this)) };
            options.Retry.MaxRetries = 0;
            return options;
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
                .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
            var recorded = new Recorded(request.Method.Method, request.RequestUri!.AbsolutePath, request.RequestUri.Query, headers);
            Requests.Enqueue(recorded);
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([]) };
            response.Headers.Add("x-ms-request-id", Guid.NewGuid().ToString());
            response.Headers.Add("x-ms-version", "2026-02-06");
            switch (recorded.Describe())
            {
                case "HEAD":
                    response.Headers.ETag = new System.Net.Http.Headers.EntityTagHeaderValue("\"0x1\"");
                    response.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(FileTypes.Pdf);
                    response.Content.Headers.LastModified = Now;
                    response.Headers.Add("x-ms-blob-type", "BlockBlob");
                    response.Headers.Add("x-ms-meta-kind", "WrittenOpinion");
                    response.Headers.Add("x-ms-meta-owner", Owner);
                    response.Headers.Add("x-ms-meta-sha256", new string('a', 64));
                    response.Headers.Add("x-ms-meta-size", "10");
                    response.Headers.Add("x-ms-meta-name", Uri.EscapeDataString("意见书.pdf"));
                    response.Headers.Add("x-ms-meta-uploadedat", Now.AddDays(-1).ToString("O", CultureInfo.InvariantCulture));
                    break;
                case "PUT comp=metadata":
                    response.Headers.ETag = new System.Net.Http.Headers.EntityTagHeaderValue("\"0x2\"");
                    response.Content.Headers.LastModified = Now;
                    break;
                case "PUT comp=immutabilityPolicies":
                    response.Headers.Add("x-ms-immutability-policy-until-date", headers["x-ms-immutability-policy-until-date"]);
                    response.Headers.Add("x-ms-immutability-policy-mode", headers["x-ms-immutability-policy-mode"]);
                    break;
                case "POST comp=userdelegationkey":
                    response.Content = new StringContent(
                        "<?xml version=\"1.0\" encoding=\"utf-8\"?><UserDelegationKey><SignedOid>the-oid</SignedOid><SignedTid>the-tid</SignedTid>" +
                        "<SignedStart>2026-11-29T07:55:00Z</SignedStart><SignedExpiry>2026-11-30T08:00:00Z</SignedExpiry><SignedService>b</SignedService>" +
                        "<SignedVersion>2026-02-06</SignedVersion><Value>" + Convert.ToBase64String(new byte[32]) + "</Value></UserDelegationKey>",
                        Encoding.UTF8, "application/xml");
                    break;
                default:
                    response.StatusCode = HttpStatusCode.NotImplemented;
                    break;
            }

            return Task.FromResult(response);
        }
    }
}

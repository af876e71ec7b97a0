using System.Buffers.Text;
using System.Text;

namespace Supervision.Files.Tests;

public class DownloadLinkTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);
    private readonly DownloadLinks links = new(TestFiles.Key);

    [Fact]
    public void A_valid_link_grants_its_file_owner_and_principal()
    {
        var token = links.Create("XF-1", "abc", "person-1", Now.AddMinutes(10));
        Assert.Equal(new DownloadGrant("XF-1", "abc", "person-1", Now.AddMinutes(10)), links.Verify(token, Now, "person-1"));
    }

    [Fact]
    public void An_expired_link_is_refused_from_its_expiry_second_on()
    {
        var token = links.Create("XF-1", "abc", "p", Now.AddMinutes(10));
        Assert.NotNull(links.Verify(token, Now.AddMinutes(10).AddTicks(-1), null));
        Assert.Equal(CaseFileError.LinkExpired, Assert.Throws<CaseFileException>(() => links.Verify(token, Now.AddMinutes(10), null)).Reason);
    }

    [Fact]
    public void A_link_whose_payload_was_changed_is_refused()
    {
        var token = links.Create("XF-1", "abc", "p", Now.AddMinutes(10));
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.AsSpan(0, dot)));

        foreach (var forged in new[]
                 {
                     payload.Replace("abc", "abd", StringComparison.Ordinal), // another file
                     payload.Replace("XF-1", "XF-2", StringComparison.Ordinal), // another case
                     payload[..payload.LastIndexOf('\n')] + "\n" + Now.AddDays(30).ToUnixTimeSeconds(), // a later expiry
                 })
        {
            var tampered = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(forged)) + token[dot..];
            Assert.Equal(CaseFileError.LinkInvalid, Assert.Throws<CaseFileException>(() => links.Verify(tampered, Now, null)).Reason);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("nodot")]
    [InlineData("!!!.???")]
    [InlineData(".")]
    public void Malformed_links_are_refused(string? token) =>
        Assert.Equal(CaseFileError.LinkInvalid, Assert.Throws<CaseFileException>(() => links.Verify(token, Now, null)).Reason);

    [Fact]
    public void A_link_with_a_flipped_signature_bit_or_from_another_key_is_refused()
    {
        var token = links.Create("XF-1", "abc", "p", Now.AddMinutes(10));
        var chars = token.ToCharArray();
        chars[^2] = chars[^2] == 'A' ? 'B' : 'A';
        Assert.Equal(CaseFileError.LinkInvalid, Assert.Throws<CaseFileException>(() => links.Verify(new string(chars), Now, null)).Reason);

        var other = new DownloadLinks(new byte[32]).Create("XF-1", "abc", "p", Now.AddMinutes(10));
        Assert.Equal(CaseFileError.LinkInvalid, Assert.Throws<CaseFileException>(() => links.Verify(other, Now, null)).Reason);
    }

    [Fact]
    public void A_link_issued_to_someone_else_is_refused_when_the_caller_is_known()
    {
        var token = links.Create("XF-1", "abc", "alice", Now.AddMinutes(10));
        Assert.Equal(CaseFileError.LinkInvalid, Assert.Throws<CaseFileException>(() => links.Verify(token, Now, "bob")).Reason);
    }

    [Fact]
    public void Short_keys_are_refused() => Assert.Throws<ArgumentException>(() => new DownloadLinks(new byte[16]));
}

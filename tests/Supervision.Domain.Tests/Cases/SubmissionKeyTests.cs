using Supervision.Domain.Cases;

namespace Supervision.Domain.Tests.Cases;

/// <summary>The portal's submission key (decision P2): its form, and the query code derived from it.</summary>
public sealed class SubmissionKeyTests
{
    private const string Key = "q3Zx9kLm2Pw8Rt5Yv1Nb7A";

    [Fact]
    public void The_code_is_ten_digits_and_the_same_for_the_same_key()
    {
        var code = SubmissionKeys.QueryCode(Key);
        Assert.Matches("^[0-9]{10}$", code);
        Assert.Equal(code, SubmissionKeys.QueryCode(Key));
    }

    [Fact]
    public void Different_keys_give_different_codes()
    {
        var codes = Enumerable.Range(0, 2000).Select(i => SubmissionKeys.QueryCode(Key[..^4] + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(codes.Count, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.All(codes, c => Assert.Matches("^[0-9]{10}$", c));

        // Leading zeros are kept: some of 2,000 codes start with 0 (about 200 expected).
        Assert.Contains(codes, c => c[0] == '0');
    }

    [Fact]
    public void The_code_is_not_the_hash_the_command_id_is_made_of()
    {
        // The code comes from a domain-separated hash: the plain SHA-256 of the key (what the command id carries) gives another number.
        var plain = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Key));
        var fromPlain = (System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(plain) % 10_000_000_000UL).ToString("D10", System.Globalization.CultureInfo.InvariantCulture);
        Assert.NotEqual(fromPlain, SubmissionKeys.QueryCode(Key));
    }

    [Theory]
    [InlineData("q3Zx9kLm2Pw8Rt5Yv1Nb7A", true)]
    [InlineData("abcdefghijklmnopqrstu-_", true)]
    [InlineData("abcdefghijklmnopqrstu", false)]
    [InlineData("abcdefghijklmnopqrstu+v", false)]
    [InlineData("abcdefghijklmnopqrstu v", false)]
    [InlineData("abcdefghijklmnopqrstu=", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void A_key_is_22_to_64_base64url_characters(string? key, bool wellFormed)
    {
        Assert.Equal(wellFormed, SubmissionKeys.IsWellFormed(key));
        Assert.True(SubmissionKeys.IsWellFormed(new string('a', 64)));
        Assert.False(SubmissionKeys.IsWellFormed(new string('a', 65)));
        Assert.False(SubmissionKeys.IsWellFormed("ｑ3Zx9kLm2Pw8Rt5Yv1Nb7A")); // a full-width letter is not ASCII
    }

    [Fact]
    public void A_malformed_key_derives_nothing() =>
        Assert.Throws<ArgumentException>(() => SubmissionKeys.QueryCode("short"));
}

namespace Supervision.Files.Tests;

public class FileNamesTests
{
    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("..\\..\\windows\\win.ini")]
    [InlineData("scans/../../x.pdf")]
    [InlineData("..")]
    [InlineData("a.pdf\0.exe")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\u0001\u0002")]
    [InlineData("...")]
    [InlineData("\u202E")]
    public void Traversal_NUL_and_names_empty_after_sanitising_are_refused(string name)
    {
        var e = Assert.Throws<CaseFileException>(() => FileNames.Sanitise(name));
        Assert.Equal(CaseFileError.BadName, e.Reason);
    }

    [Theory]
    [InlineData("C:\\Users\\张三\\扫描件.pdf", "扫描件.pdf")] // old browsers send the full path: the directory is dropped
    [InlineData("scans/letter.pdf", "letter.pdf")]
    [InlineData("re\r\nport\u0007.pdf", "report.pdf")] // control characters removed (no header injection via the name)
    [InlineData("invoice\u202Efdp.exe", "invoicefdp.exe")] // right-to-left override removed: the name reads as it is
    [InlineData("a<b>c:d\"e|f?g*.pdf", "a_b_c_d_e_f_g_.pdf")]
    [InlineData("  意见书.pdf. . ", "意见书.pdf")]
    [InlineData("CON.txt", "_CON.txt")]
    [InlineData("..hidden.pdf", "..hidden.pdf")] // dots inside a segment are not traversal
    public void Path_parts_control_and_reserved_characters_are_sanitised(string name, string expected) =>
        Assert.Equal(expected, FileNames.Sanitise(name));

    [Fact]
    public void Names_are_NFC_normalised()
    {
        var decomposed = "Cafe\u0301.pdf";
        Assert.Equal("Caf\u00E9.pdf", FileNames.Sanitise(decomposed));
    }

    [Fact]
    public void Over_long_names_are_refused()
    {
        var e = Assert.Throws<CaseFileException>(() => FileNames.Sanitise(new string('长', 201) + ".pdf"));
        Assert.Equal(CaseFileError.BadName, e.Reason);
    }

    [Fact]
    public void Metadata_form_is_ASCII_and_round_trips_Chinese()
    {
        var name = "关于张三信访事项的书面处理意见 (2026) 第1号.pdf";
        var stored = FileNames.ToMetadata(name);
        Assert.True(stored.All(c => c is > ' ' and < (char)127), stored);
        Assert.Equal(name, FileNames.FromMetadata(stored));
    }
}

using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NodaTime.Text;
using Supervision.Cli;
using Supervision.Domain.Calendar;
using Supervision.Testing;

namespace Supervision.Cli.Tests;

/// <summary>The CLI's entry point run in-process: exit codes, stdout and stderr.</summary>
public sealed partial class CalendarCliTests : IDisposable
{
    private readonly DirectoryInfo temp = Directory.CreateTempSubdirectory("supervision-cli-");

    public void Dispose() => temp.Delete(recursive: true);

    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CalendarCli.RunAsync(args, output, error, defaultStorage: null);
        return (code, output.ToString(), error.ToString());
    }

    private string File(string name, string content)
    {
        var path = Path.Combine(temp.FullName, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    private static string Notice2027(string version = "2027.1") => new JsonObject
    {
        ["year"] = 2027,
        ["version"] = version,
        ["source"] = "国务院办公厅关于2027年部分节假日安排的通知（测试数据）",
        ["restBlocks"] = new JsonArray(new JsonObject { ["name"] = "国庆节", ["from"] = "2027-10-01", ["to"] = "2027-10-07" }),
        ["makeUpWorkdays"] = new JsonArray("2027-09-26", "2027-10-09"),
    }.ToJsonString();

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}")]
    private static partial Regex IsoDate();

    [Theory]
    [InlineData("2025-09-10", "60", "natural", "2025-11-10")]
    [InlineData("2025-09-20", "15", "natural", "2025-10-09")]
    [InlineData("2026-08-03", "60", "natural", "2026-10-08")]
    [InlineData("2025-09-26", "5", "working", "2025-10-10")]
    public async Task Deadline_prints_the_due_date_first_then_the_explanation(string from, string days, string unit, string due)
    {
        var (code, output, error) = await RunAsync("deadline", "--from", from, "--days", days, "--unit", unit, "--article", "《信访工作条例》第三十四条");

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(due, IsoDate().Match(lines[0]).Value);
        var expected = LegalCalendar.Default.Compute(new DeadlineRequest(
            LocalDatePattern.Iso.Parse(from).Value, int.Parse(days, System.Globalization.CultureInfo.InvariantCulture), unit == "natural" ? DayUnit.Natural : DayUnit.Working, Article: "《信访工作条例》第三十四条"));
        Assert.Equal(expected.Explanation.Lines, lines.Skip(1).Select(l => l.TrimEnd('\r')));
    }

    [Fact]
    public async Task A_provisional_deadline_says_so_on_the_first_line()
    {
        var (code, output, _) = await RunAsync("deadline", "--from", "2026-12-20", "--days", "30", "--unit", "natural");

        Assert.Equal(0, code);
        Assert.Contains("provisional", output.Split('\n')[0], StringComparison.Ordinal);
        Assert.Contains("2027", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unit must be 'natural'", "deadline", "--from", "2025-09-20", "--days", "15", "--unit", "weeks")]
    [InlineData("zero or more", "deadline", "--from", "2025-09-20", "--days", "-3", "--unit", "natural")]
    [InlineData("YYYY-MM-DD", "deadline", "--from", "20/09/2025", "--days", "15", "--unit", "natural")]
    [InlineData("2000–2099", "deadline", "--from", "1999-09-20", "--days", "15", "--unit", "natural")]
    [InlineData("between 2000 and 2099", "calendar", "show", "3000")]
    public async Task Bad_input_is_an_error_on_stderr_and_exit_code_2(string message, params string[] args)
    {
        var (code, output, error) = await RunAsync(args);

        Assert.Equal(CalendarCli.InvalidInput, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_option_is_a_usage_error_with_a_non_zero_exit_code()
    {
        var (code, _, error) = await RunAsync("deadline", "--from", "2025-09-20", "--days", "15");

        Assert.NotEqual(0, code);
        Assert.Contains("--unit", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calendar_show_prints_the_notice_blocks_and_make_up_days()
    {
        var (code, output, _) = await RunAsync("calendar", "show", "2025");
        var notice = LegalCalendar.Default.Notices[2025];

        Assert.Equal(0, code);
        Assert.Contains(notice.Source, output, StringComparison.Ordinal);
        Assert.Contains($"version: {notice.Version} (embedded)", output, StringComparison.Ordinal);
        Assert.Contains("2025-10-01..2025-10-08", output, StringComparison.Ordinal);
        Assert.All(notice.MakeUpWorkdays, d => Assert.Contains(LocalDatePattern.Iso.Format(d), output, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Calendar_show_says_a_year_without_a_notice_is_provisional()
    {
        var (code, output, _) = await RunAsync("calendar", "show", "2027");

        Assert.Equal(0, code);
        Assert.Contains("provisional: no notice loaded", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calendar_validate_accepts_a_good_file_and_refuses_a_bad_one()
    {
        var good = await RunAsync("calendar", "validate", File("2027.json", Notice2027()));
        Assert.Equal(0, good.Code);
        Assert.Contains("valid: 2027 version 2027.1, 7 rest days in 1 blocks, 2 make-up working days", good.Out, StringComparison.Ordinal);

        var bad = await RunAsync("calendar", "validate", File("bad.json", Notice2027().Replace("2027-09-26", "2027-09-27", StringComparison.Ordinal)));
        Assert.Equal(CalendarCli.InvalidInput, bad.Code);
        Assert.Contains("make-up working day 2027-09-27 is a Monday", bad.Err, StringComparison.Ordinal);

        var missing = await RunAsync("calendar", "validate", Path.Combine(temp.FullName, "nope.json"));
        Assert.Equal(CalendarCli.InvalidInput, missing.Code);
        Assert.Contains("does not exist", missing.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calendar_load_stores_the_notice_where_show_and_deadline_then_read_it()
    {
        var storage = await TestStorage.GetConnectionStringAsync();
        var container = TestStorage.UniqueName("clical");
        var file = File("2027.json", Notice2027());

        var load = await RunAsync("calendar", "load", file, "--storage", storage, "--container", container);
        Assert.Equal(0, load.Code);
        Assert.Contains("stored: 2027 version 2027.1", load.Out, StringComparison.Ordinal);

        var show = await RunAsync("calendar", "show", "2027", "--storage", storage, "--container", container);
        Assert.Contains("version: 2027.1 (stored by an administrator)", show.Out, StringComparison.Ordinal);

        var deadline = await RunAsync("deadline", "--from", "2027-09-27", "--days", "5", "--unit", "natural", "--storage", storage, "--container", container);
        Assert.StartsWith("2027-10-08", deadline.Out, StringComparison.Ordinal);

        var again = await RunAsync("calendar", "load", file, "--storage", storage, "--container", container);
        Assert.Equal(0, again.Code);
        Assert.Contains("unchanged", again.Out, StringComparison.Ordinal);

        var conflicting = await RunAsync("calendar", "load", File("changed.json", Notice2027().Replace("2027-10-09", "2027-10-10", StringComparison.Ordinal)), "--storage", storage, "--container", container);
        Assert.Equal(CalendarCli.Conflict, conflicting.Code);
        Assert.Contains("new version", conflicting.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calendar_load_without_storage_is_an_error()
    {
        var (code, _, error) = await RunAsync("calendar", "load", File("2027.json", Notice2027()));

        Assert.Equal(CalendarCli.InvalidInput, code);
        Assert.Contains("--storage", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calendar_load_refuses_an_invalid_file_before_touching_storage()
    {
        var storage = await TestStorage.GetConnectionStringAsync();
        var container = TestStorage.UniqueName("clical");

        var (code, _, error) = await RunAsync("calendar", "load", File("bad.json", "{\"year\": 2027}"), "--storage", storage, "--container", container);

        Assert.Equal(CalendarCli.InvalidInput, code);
        Assert.Contains("version is required", error, StringComparison.Ordinal);
        Assert.False((await (await TestStorage.BlobsAsync()).GetBlobContainerClient(container).ExistsAsync()).Value);
    }
}

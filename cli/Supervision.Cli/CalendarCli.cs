using System.CommandLine;
using Azure;
using Supervision.Calendar.Storage;
using Supervision.Domain.Calendar;

namespace Supervision.Cli;

/// <summary>
/// The operator CLI (docs/calendar.md):
/// <code>
/// supervision deadline --from 2025-09-20 --days 15 --unit natural [--rule …] [--article …] [--storage …]
/// supervision calendar show 2025 [--storage …]
/// supervision calendar validate notice.json
/// supervision calendar load notice.json --storage "&lt;connection string or https blob service URI&gt;" [--container calendar]
/// </code>
/// <c>deadline</c> prints the due date as the first YYYY-MM-DD on its first line, then the explanation. Exit codes: 0 done,
/// 1 command-line syntax, 2 invalid input or notice, 3 conflict, 4 storage unavailable.
/// </summary>
public static class CalendarCli
{
    public const int Ok = 0;
    public const int InvalidInput = 2;
    public const int Conflict = 3;
    public const int StorageFailed = 4;

    /// <summary>Runs the CLI in-process.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="output">Where results go (stdout).</param>
    /// <param name="error">Where errors go (stderr).</param>
    /// <param name="defaultStorage">The storage used when <c>--storage</c> is absent (the <c>AzureWebJobsStorage</c> variable).</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, string? defaultStorage = null)
    {
        var storage = new Option<string?>("--storage")
        {
            Description = "Storage connection string, or https blob service URI (identity-based); default: env AzureWebJobsStorage.",
            Recursive = true,
        };
        var container = new Option<string>("--container")
        {
            Description = "Blob container holding the notices.",
            DefaultValueFactory = _ => CalendarStore.DefaultContainerName,
            Recursive = true,
        };

        var from = new Option<string>("--from") { Description = "Trigger date YYYY-MM-DD (not counted).", Required = true };
        var days = new Option<string>("--days") { Description = "Length of the period, N ≥ 0.", Required = true };
        var unit = new Option<string>("--unit") { Description = "natural (N日) or working (N个工作日).", Required = true };
        var rule = new Option<string?>("--rule") { Description = "Which clock, e.g. 登记转送." };
        var article = new Option<string?>("--article") { Description = "Legal basis, e.g. 《信访工作条例》第二十二条." };
        var deadline = new Command("deadline", "Compute a legal deadline and explain it.") { from, days, unit, rule, article };

        var year = new Argument<string>("YEAR") { Description = "The year, e.g. 2026." };
        var show = new Command("show", "Show a year: notice, rest blocks, make-up working days; or that it is provisional.") { year };
        var file = new Argument<FileInfo>("FILE") { Description = "A notice JSON file (see orchestrations/Supervision.Domain/Calendar/Data)." };
        var validate = new Command("validate", "Validate a notice file without storing it.") { file };
        var load = new Command("load", "Validate a notice file and store it where the service reads it.") { file };
        var calendar = new Command("calendar", "Holiday calendar data.") { show, validate, load };

        var root = new RootCommand("Supervision operator CLI: legal deadlines and the holiday calendar.") { storage, container, deadline, calendar };

#pragma warning disable RS0030 // the CLI is its own composition root and does not reference the service's Clocks; no cache is kept (refresh 0)
        CalendarStore Store(ParseResult r) => new(
            CalendarBlobs.CreateContainer(r.GetValue(storage) ?? defaultStorage, null, null, r.GetValue(container)!),
            TimeProvider.System,
            TimeSpan.Zero);
#pragma warning restore RS0030

        deadline.SetAction((r, ct) => Guarded(error, async () =>
        {
            var request = CalendarQuery.Deadline(r.GetValue(from), r.GetValue(days), r.GetValue(unit), r.GetValue(rule), r.GetValue(article));
            var store = Store(r);
            var snapshot = await store.GetAsync(ct);
            var result = CalendarQuery.Compute(snapshot.Calendar, request);
            var provisional = result.Provisional ? " provisional" : string.Empty;
            await output.WriteLineAsync($"{CalendarQuery.Iso(result.DueDate)} 24:00 Asia/Shanghai{provisional}");
            foreach (var line in result.Explanation.Lines)
            {
                await output.WriteLineAsync(line);
            }

            await WarnAsync(error, snapshot);
            return Ok;
        }));

        show.SetAction((r, ct) => Guarded(error, async () =>
        {
            var y = CalendarQuery.Year(r.GetValue(year));
            var store = Store(r);
            var snapshot = await store.GetAsync(ct);
            foreach (var line in CalendarYear.Describe(snapshot, y).Lines())
            {
                await output.WriteLineAsync(line);
            }

            await WarnAsync(error, snapshot);
            return Ok;
        }));

        validate.SetAction((r, ct) => Guarded(error, async () =>
        {
            var notice = CalendarStore.Validate(await ReadAsync(r.GetValue(file)!, ct), LegalCalendar.Default);
            await output.WriteLineAsync(
                $"valid: {notice.Year} version {notice.Version}, {notice.RestDays().Count()} rest days in {notice.RestBlocks.Count} blocks, " +
                $"{notice.MakeUpWorkdays.Count} make-up working days ({notice.Source})");
            return Ok;
        }));

        load.SetAction((r, ct) => Guarded(error, async () =>
        {
            var store = Store(r);
            if (!store.IsConfigured)
            {
                throw new CalendarInputException("calendar load needs storage: pass --storage <connection string> or set AzureWebJobsStorage.");
            }

            var notice = HolidayNotice.Parse(await ReadAsync(r.GetValue(file)!, ct));
            var result = await store.SaveAsync(notice, ct);
            var what = result.Unchanged ? "unchanged (already in effect)" : result.Created ? "stored" : "replaced";
            var replaced = result.Replaced is { } p && !result.Unchanged ? $", replacing version {p.Version}" : string.Empty;
            await output.WriteLineAsync(
                $"{what}: {notice.Year} version {notice.Version} in {store.ContainerName}/{CalendarStore.NoticeBlobName(notice.Year)}{replaced}");
            return Ok;
        }));

        return await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
    }

    private static async Task<string> ReadAsync(FileInfo file, CancellationToken ct) =>
        file.Exists
            ? await File.ReadAllTextAsync(file.FullName, ct)
            : throw new CalendarInputException($"{file.FullName} does not exist.");

    private static async Task WarnAsync(TextWriter error, CalendarSnapshot snapshot)
    {
        if (snapshot.StorageProblem is { } problem)
        {
            await error.WriteLineAsync($"warning: {problem}");
        }
    }

    private static async Task<int> Guarded(TextWriter error, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is CalendarInputException or CalendarDataException)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            return InvalidInput;
        }
        catch (CalendarConflictException e)
        {
            await error.WriteLineAsync($"conflict: {e.Message}");
            return Conflict;
        }
        catch (Exception e) when (e is RequestFailedException or InvalidOperationException)
        {
            await error.WriteLineAsync($"storage: {e.Message.Split('\n')[0]}");
            return StorageFailed;
        }
    }
}

using System.Text;
using Azure;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Supervision.Domain.Calendar;

namespace Supervision.Calendar.Storage;

/// <summary>Where the notice of a year in the effective calendar comes from.</summary>
public enum NoticeOrigin
{
    /// <summary>Shipped with the code (<c>Calendar/Data/{year}.json</c> in the domain project).</summary>
    Embedded,

    /// <summary>Loaded by an administrator into Blob storage (<c>notices/{year}.json</c>); overrides the embedded one.</summary>
    Stored,
}

/// <summary>
/// The effective legal calendar at one moment: embedded notices overridden by stored ones.
/// </summary>
/// <param name="Calendar">The calendar to compute with.</param>
/// <param name="Origins">Where each year's notice comes from.</param>
/// <param name="StorageProblem">Why stored notices could not be (fully) read, if so; the calendar then falls back to the
/// last good state or the embedded notices.</param>
public sealed record CalendarSnapshot(LegalCalendar Calendar, IReadOnlyDictionary<int, NoticeOrigin> Origins, string? StorageProblem)
{
    /// <summary>The embedded notices only (no storage configured).</summary>
    public static CalendarSnapshot Embedded { get; } = new(
        LegalCalendar.Default, LegalCalendar.Default.Notices.Keys.ToDictionary(y => y, _ => NoticeOrigin.Embedded), null);
}

/// <summary>What <see cref="CalendarStore.SaveAsync"/> did.</summary>
/// <param name="Notice">The notice as stored (normalized by <see cref="HolidayNotice.ToJson"/>).</param>
/// <param name="Created">No notice for the year was stored before (the embedded one, if any, is now overridden).</param>
/// <param name="Unchanged">The same version with the same data was already in effect; nothing was written.</param>
/// <param name="Replaced">The notice in effect before for that year (embedded or stored), if any.</param>
public sealed record SaveResult(HolidayNotice Notice, bool Created, bool Unchanged, HolidayNotice? Replaced);

/// <summary>
/// A notice that clashes with what is already in effect: the same version with different data (bump the version), or a
/// concurrent write by another administrator (re-read and retry). Maps to HTTP 409.
/// </summary>
public sealed class CalendarConflictException : Exception
{
    public CalendarConflictException(string message)
        : base(message)
    {
    }

    public CalendarConflictException()
    {
    }

    public CalendarConflictException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>
/// Administrator-loaded holiday notices in one Blob container: <c>notices/{year}.json</c> is the notice in effect for
/// that year (blob metadata <c>version</c>), and <c>history/{year}/{version}.json</c> keeps every version ever stored.
/// <list type="bullet">
/// <item>Reads are lazy and cached for <c>refreshAfter</c>: nothing touches storage until the first
/// <see cref="GetAsync"/>, so app start-up never waits on it. A refresh lists the blobs and downloads only those whose
/// ETag changed, so a notice loaded by another instance (or the CLI) is picked up within <c>refreshAfter</c>.</item>
/// <item>When storage fails, the last good calendar (or the embedded one) keeps serving and
/// <see cref="CalendarSnapshot.StorageProblem"/> says why; every deadline's explanation names the versions used.</item>
/// <item>A stored blob that no longer validates is ignored (the embedded notice for that year stays in effect) and
/// reported, never half-applied.</item>
/// </list>
/// Thread-safe; one instance per process.
/// </summary>
public sealed class CalendarStore
{
    public const string DefaultContainerName = "calendar";
    private const string NoticePrefix = "notices/";

    private readonly BlobContainerClient? container;
    private readonly TimeProvider time;
    private readonly TimeSpan refreshAfter;
    private readonly ILogger logger;
    private readonly RefreshingCache<Cache>? cache;

    /// <param name="container">The container, or null when no storage is configured (embedded notices only; saving fails).</param>
    /// <param name="time">The clock for the cache.</param>
    /// <param name="refreshAfter">How long a loaded calendar is served before storage is asked again.</param>
    /// <param name="logger">Where storage problems are logged (once per refresh).</param>
    public CalendarStore(BlobContainerClient? container, TimeProvider time, TimeSpan refreshAfter, ILogger? logger = null)
    {
        this.container = container;
        this.time = time;
        this.refreshAfter = refreshAfter;
        this.logger = logger ?? NullLogger.Instance;
        cache = container is null ? null : new RefreshingCache<Cache>((previous, ct) => LoadAsync(container, previous, ct), time, refreshAfter);
    }

    /// <summary>True when a container is configured, i.e. notices can be saved.</summary>
    public bool IsConfigured => container is not null;

    /// <summary>The container name, for messages.</summary>
    public string? ContainerName => container?.Name;

    /// <summary>
    /// The effective calendar. Once loaded it is served from memory; when older than the refresh interval it is still
    /// served while a background refresh reads storage (<see cref="RefreshingCache{T}"/>).
    /// </summary>
    public async Task<CalendarSnapshot> GetAsync(CancellationToken cancellationToken = default) =>
        cache is null ? CalendarSnapshot.Embedded : (await cache.GetAsync(cancellationToken)).Snapshot;

    /// <summary>The effective calendar as storage holds it now (waits for a fresh read).</summary>
    public async Task<CalendarSnapshot> RefreshAsync(CancellationToken cancellationToken = default) =>
        cache is null ? CalendarSnapshot.Embedded : (await cache.ReloadAsync(cancellationToken)).Snapshot;

    /// <summary>Validates a notice document without storing it: <see cref="HolidayNotice.Parse"/>, then building a calendar with it.</summary>
    /// <exception cref="CalendarDataException">Invalid; the message says what to fix.</exception>
    public static HolidayNotice Validate(string json, LegalCalendar against)
    {
        var notice = HolidayNotice.Parse(json);
        _ = against.With(notice);
        return notice;
    }

    /// <summary>
    /// Validates <paramref name="notice"/> against the effective calendar and stores it as the year's notice. Nothing is
    /// written when it is invalid, or when the same version with the same data is already in effect.
    /// </summary>
    /// <exception cref="CalendarDataException">The notice clashes with a neighbouring year's notice.</exception>
    /// <exception cref="CalendarConflictException">Same version, different data; or another writer got there first.</exception>
    /// <exception cref="InvalidOperationException">No storage is configured.</exception>
    /// <exception cref="RequestFailedException">Storage failed.</exception>
    public async Task<SaveResult> SaveAsync(HolidayNotice notice, CancellationToken cancellationToken = default)
    {
        if (container is null)
        {
            throw new InvalidOperationException(
                "No calendar storage is configured: set AzureWebJobsStorage (a connection string) or AzureWebJobsStorage__blobServiceUri.");
        }

        // Always compare with what storage holds now, not with a cached view.
        var snapshot = await RefreshAsync(cancellationToken);
        if (snapshot.StorageProblem is { } problem && problem.StartsWith(StorageUnavailable, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(problem);
        }

        _ = snapshot.Calendar.With(notice);
        var json = notice.ToJson();
        snapshot.Calendar.Notices.TryGetValue(notice.Year, out var previous);
        if (previous is not null && previous.Version == notice.Version)
        {
            if (previous.ToJson() == json)
            {
                return new SaveResult(notice, Created: false, Unchanged: true, previous);
            }

            throw new CalendarConflictException(
                $"Version {notice.Version} of {notice.Year} is already in effect with different data; give the corrected notice a new version.");
        }

        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var blob = container.GetBlobClient(NoticeBlobName(notice.Year));
        ETag? etag = null;
        try
        {
            etag = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.ETag;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Not stored yet: create it.
        }

        var data = BinaryData.FromString(json);
        await container.GetBlobClient($"history/{notice.Year}/{Uri.EscapeDataString(notice.Version)}.json")
            .UploadAsync(data, overwrite: true, cancellationToken);
        try
        {
            await blob.UploadAsync(
                data,
                new BlobUploadOptions
                {
                    // 412/409 here means another writer changed the year between our read and this write.
                    Conditions = etag is { } e ? new BlobRequestConditions { IfMatch = e } : new BlobRequestConditions { IfNoneMatch = ETag.All },
                    Metadata = new Dictionary<string, string> { ["version"] = Uri.EscapeDataString(notice.Version) },
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/json; charset=utf-8" },
                },
                cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            throw new CalendarConflictException(
                $"The {notice.Year} notice was changed by someone else while saving; read it again (GET /api/calendar/{notice.Year}) and retry.", e);
        }

        cache!.Invalidate();
        logger.LogInformation("Stored holiday notice {Year} version {Version} ({Source})", notice.Year, notice.Version, notice.Source);
        return new SaveResult(notice, Created: etag is null, Unchanged: false, previous);
    }


    /// <summary>The blob holding the notice in effect for <paramref name="year"/>.</summary>
    public static string NoticeBlobName(int year) => $"{NoticePrefix}{year}.json";

    private const string StorageUnavailable = "Calendar storage unavailable";

    private async Task<Cache> LoadAsync(BlobContainerClient source, Cache? previous, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var stored = new Dictionary<int, (ETag ETag, HolidayNotice Notice)>();
        var problems = new List<string>();
        try
        {
            await foreach (var item in source.GetBlobsAsync(BlobTraits.None, BlobStates.None, NoticePrefix, cancellationToken))
            {
                var name = item.Name[NoticePrefix.Length..];
                if (!name.EndsWith(".json", StringComparison.Ordinal) || !int.TryParse(name[..^5], out var year))
                {
                    continue;
                }

                var etag = item.Properties.ETag ?? default;
                if (previous?.Stored.TryGetValue(year, out var known) == true && known.ETag == etag)
                {
                    stored[year] = known;
                    continue;
                }

                var content = await source.GetBlobClient(item.Name).DownloadContentAsync(cancellationToken);
                try
                {
                    var notice = HolidayNotice.Parse(Encoding.UTF8.GetString(content.Value.Content.ToMemory().Span));
                    if (notice.Year != year)
                    {
                        throw new CalendarDataException($"it is the notice for {notice.Year}.");
                    }

                    // The listing's ETag, not the download's: services format them differently (quoted or not), and a change
                    // between list and download only costs one more download on the next refresh.
                    stored[year] = (etag, notice);
                }
                catch (CalendarDataException e)
                {
                    problems.Add($"{item.Name} ignored: {e.Message}");
                }
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // No container yet: nothing has been loaded by an administrator.
        }
        catch (Exception e) when (e is RequestFailedException or AggregateException or AuthenticationFailedException)
        {
            var problem = $"{StorageUnavailable} ({e.Message.Split('\n')[0]}); serving {(previous is null ? "the embedded notices" : "the last loaded calendar")}.";
            logger.LogWarning(e, "Calendar storage unavailable; serving the last good calendar");
            var fallback = previous?.Snapshot ?? CalendarSnapshot.Embedded;
            return new Cache(now, previous?.Stored ?? [], fallback with { StorageProblem = problem });
        }

        var notices = LegalCalendar.Default.Notices.ToDictionary(kv => kv.Key, kv => kv.Value);
        var origins = notices.Keys.ToDictionary(y => y, _ => NoticeOrigin.Embedded);
        foreach (var (year, entry) in stored)
        {
            notices[year] = entry.Notice;
            origins[year] = NoticeOrigin.Stored;
        }

        LegalCalendar calendar;
        try
        {
            calendar = new LegalCalendar(notices.Values);
        }
        catch (CalendarDataException e)
        {
            problems.Add($"stored notices clash with each other ({e.Message}); serving the embedded notices");
            calendar = LegalCalendar.Default;
            origins = CalendarSnapshot.Embedded.Origins.ToDictionary(kv => kv.Key, kv => kv.Value);
        }

        var message = problems.Count == 0 ? null : string.Join(" ", problems);
        if (message is not null)
        {
            logger.LogWarning("Calendar notices in storage: {Problem}", message);
        }

        return new Cache(now, stored, new CalendarSnapshot(calendar, origins, message));
    }

    private sealed record Cache(DateTimeOffset LoadedAt, Dictionary<int, (ETag ETag, HolidayNotice Notice)> Stored, CalendarSnapshot Snapshot);
}

using Supervision.Api.Org;
using Supervision.Calendar.Storage;
using Supervision.Domain.Calendar;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Policy;

namespace Supervision.Api.Cases;

/// <summary>Where the host gets the legal calendar in force (embedded notices, overridden by administrator-loaded ones).</summary>
public interface ICalendarSource
{
    /// <summary>The calendar, read synchronously (the edge; only the first read waits for storage).</summary>
    LegalCalendar Current { get; }

    /// <summary>The calendar, awaited: what the engine's activities use.</summary>
    Task<LegalCalendar> GetAsync(CancellationToken ct) => Task.FromResult(Current);
}

/// <summary>
/// The calendar from <see cref="CalendarStore"/> (embedded notices overridden by stored ones) for synchronous callers
/// such as deciders: once loaded the store answers from memory (refreshing in the background), so only the very first
/// read waits, on a load that runs on the thread pool.
/// </summary>
public sealed class StoredCalendarSource(CalendarStore store) : ICalendarSource
{
    public LegalCalendar Current => store.GetAsync().GetAwaiter().GetResult().Calendar;

    public async Task<LegalCalendar> GetAsync(CancellationToken ct) => (await store.GetAsync(ct)).Calendar;
}

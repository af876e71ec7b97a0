namespace Supervision.Api.Platform;

/// <summary>
/// Settings of <c>Supervision:Api</c>: request size caps, rate limits and the query-code throttle. Defaults suit a bureau;
/// tests set small limits. Limits apply per host process (a scaled-out app multiplies the rate limits by its instances).
/// </summary>
public sealed class ApiLimits
{
    public const string Section = "Supervision:Api";

    /// <summary>Largest JSON command or registration body (bytes); larger → 413.</summary>
    public long MaxCommandBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Largest org directory document (bytes); larger → 413.</summary>
    public long MaxOrgBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Largest request body Kestrel accepts at all (uploads have their own limits in the files API).</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>
    /// Petitioner requests per client (IPv4 address or IPv6 /64) per <see cref="Window"/>, right codes included: a bound on
    /// load from one client. There is no per-case request limit: it would refuse the owner while others hammer the case
    /// (wrong codes are throttled per client and case by <see cref="Cases.QueryCodeThrottle"/> instead).
    /// </summary>
    public int PetitionerPerClient { get; set; } = 60;

    /// <summary>
    /// Online petitions (<c>POST /api/portal/petitions</c>) one client (IPv4 address or IPv6 /64) may submit per
    /// <see cref="PortalSubmissionWindow"/>, refused ones included; then 429 with Retry-After. A family or an office
    /// behind one address shares it; a petition can always be sent by letter or brought to the bureau.
    /// </summary>
    public int PortalSubmissionsPerClient { get; set; } = 10;

    /// <summary>The window of <see cref="PortalSubmissionsPerClient"/> (real time).</summary>
    public TimeSpan PortalSubmissionWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Staff requests per signed-in person per <see cref="Window"/>.</summary>
    public int StaffPerUser { get; set; } = 1200;

    /// <summary>
    /// Requests one client (the signed-in person, else the client address) may have in progress under <c>/api</c> at
    /// once; one more is 429 at once (no queue). A flood from one client is shed before it ties up the process.
    /// </summary>
    public int PerClientConcurrency { get; set; } = 16;

    /// <summary>Requests the process serves under <c>/api</c> at once, from all clients; one more is 429 at once (no queue).</summary>
    public int MaxConcurrentRequests { get; set; } = 128;

    /// <summary>The rate-limit window.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Wrong query codes one client (IPv4 address or IPv6 /64) may send per <see cref="QueryCodeWindow"/>, over all cases; then 429.</summary>
    public int QueryCodeFailuresPerClient { get; set; } = 20;

    /// <summary>Wrong query codes for one case per <see cref="QueryCodeWindow"/>, from anyone, after which the case is busy.</summary>
    public int QueryCodeFailuresPerCase { get; set; } = 10;

    /// <summary>On a busy case, a client that itself sent this many wrong codes for it is refused on it (429); others are still checked.</summary>
    public int QueryCodeFailuresPerClientOnBusyCase { get; set; } = 3;

    /// <summary>The fixed window wrong query codes are counted in (real time).</summary>
    public TimeSpan QueryCodeWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Most counters the query-code throttle holds in memory (clients, cases, client-and-case pairs).</summary>
    public int QueryCodeTrackedKeys { get; set; } = 10_000;
}

namespace Supervision.Api.Platform;

/// <summary>
/// Settings of <c>Supervision:Api</c>: request size caps, rate limits and the query-code lock. Defaults suit a bureau;
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

    /// <summary>Petitioner requests per client address per <see cref="Window"/>.</summary>
    public int PetitionerPerClient { get; set; } = 60;

    /// <summary>Petitioner requests per case per <see cref="Window"/> (whatever the address).</summary>
    public int PetitionerPerCase { get; set; } = 30;

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

    /// <summary>Wrong query codes for one case before its code is locked until a registrar re-issues it.</summary>
    public int QueryCodeFailures { get; set; } = 5;
}

using Supervision.Orchestrations;

namespace Supervision.Api.Platform;

/// <summary>
/// The clock for caches of reference data (org directory, calendar): real time when the process's legal clock is
/// accelerated, so a cache meant to last 15 real seconds does not expire at every request at demo speed; the given
/// clock otherwise (a fake clock in tests drives the refresh it is testing).
/// </summary>
public static class CacheClock
{
    public static TimeProvider Of(TimeProvider clock) => clock is MappedTimeProvider ? TimeProvider.System : clock;
}

using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Supervision.Api.Platform;
using Supervision.Orchestrations;

namespace Supervision.Api.Cases;

/// <summary>
/// Throttles whoever guesses query codes, never the code's owner (docs/api.md "Query codes", decision H11). Wrong codes
/// are counted in fixed windows of <see cref="ApiLimits.QueryCodeWindow"/> (real time, <see cref="Clocks.Real"/>):
/// <list type="bullet">
/// <item>per client (an IPv4 address, or the /64 prefix of an IPv6 address): at
/// <see cref="ApiLimits.QueryCodeFailuresPerClient"/> the client is refused on every case until its window ends;</item>
/// <item>per case: at <see cref="ApiLimits.QueryCodeFailuresPerCase"/> the case is busy, and a client that has itself
/// sent <see cref="ApiLimits.QueryCodeFailuresPerClientOnBusyCase"/> wrong codes for it is refused on that case.</item>
/// </list>
/// A client that is not itself over a limit is always checked, so the owner's right code is answered however many wrong
/// ones others sent; a right code is not counted. A refusal is decided before the code is checked (a refused guess tests
/// nothing). Each attempt is counted as it is let through and refunded when the code was right, so parallel guesses
/// cannot pass the limit together. A re-issued code clears its case's count. Per process and in memory, at most
/// <see cref="ApiLimits.QueryCodeTrackedKeys"/> counters: when full, expired ones go first, then the oldest (case
/// counters last).
/// </summary>
public sealed class QueryCodeThrottle(IOptions<ApiLimits> options, Clocks clocks)
{
    private readonly object gate = new();
    private readonly Dictionary<string, Counter> counters = new(StringComparer.Ordinal);

    /// <summary>Counters held now (for tests of the memory bound).</summary>
    public int Tracked
    {
        get
        {
            lock (gate)
            {
                return counters.Count;
            }
        }
    }

    /// <summary>The client key of a request: an IPv4 address, or the /64 prefix of an IPv6 address (one subscriber's network).</summary>
    public static string ClientOf(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return ClientOf(http.Connection.RemoteIpAddress);
    }

    public static string ClientOf(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes).ToString() + "/64";
    }

    /// <summary>
    /// Lets one code check through and counts it as a failure until <see cref="Succeeded"/> refunds it; or, when the client
    /// is over a limit, how long until it may try again (nothing counted). <paramref name="caseId"/> is null for a case
    /// that does not exist (counted on the client only, so guesses at random ids create no case counters).
    /// </summary>
    public TimeSpan? TryAttempt(string client, string? caseId)
    {
        var l = options.Value;
        var now = clocks.Real.GetUtcNow();
        lock (gate)
        {
            var byClient = Current(ClientKey(client), now);
            if (byClient is { } c && c.Count >= l.QueryCodeFailuresPerClient)
            {
                return c.End(l.QueryCodeWindow) - now;
            }

            if (caseId is not null)
            {
                var byCase = Current(CaseKey(caseId), now);
                var pair = Current(PairKey(caseId, client), now);
                if (byCase is { } k && k.Count >= l.QueryCodeFailuresPerCase && pair is { } p && p.Count >= l.QueryCodeFailuresPerClientOnBusyCase)
                {
                    var end = k.End(l.QueryCodeWindow) < p.End(l.QueryCodeWindow) ? k.End(l.QueryCodeWindow) : p.End(l.QueryCodeWindow);
                    return end - now;
                }

                Count(CaseKey(caseId), now, +1);
                Count(PairKey(caseId, client), now, +1);
            }

            Count(ClientKey(client), now, +1);
            return null;
        }
    }

    /// <summary>The code let through by <see cref="TryAttempt"/> was right: it is not a failure, and the client's own count on the case is cleared.</summary>
    public void Succeeded(string client, string caseId)
    {
        var now = clocks.Real.GetUtcNow();
        lock (gate)
        {
            Count(ClientKey(client), now, -1);
            Count(CaseKey(caseId), now, -1);
            counters.Remove(PairKey(caseId, client));
        }
    }

    /// <summary>A registrar re-issued the case's code: the case is no longer busy (clients' own limits stay).</summary>
    public void Reissued(string caseId)
    {
        lock (gate)
        {
            counters.Remove(CaseKey(caseId));
        }
    }

    private static string ClientKey(string client) => "c\n" + client;

    private static string CaseKey(string caseId) => "k\n" + caseId;

    private static string PairKey(string caseId, string client) => "p\n" + caseId + "\n" + client;

    /// <summary>The counter of <paramref name="key"/> in its current window, or null (none, or its window is over).</summary>
    private Counter? Current(string key, DateTimeOffset now)
    {
        if (!counters.TryGetValue(key, out var c))
        {
            return null;
        }

        if (now >= c.End(options.Value.QueryCodeWindow) || now < c.Start)
        {
            counters.Remove(key);
            return null;
        }

        return c;
    }

    private void Count(string key, DateTimeOffset now, int by)
    {
        if (Current(key, now) is { } c)
        {
            var next = c.Count + by;
            if (next <= 0)
            {
                counters.Remove(key);
            }
            else
            {
                counters[key] = c with { Count = next };
            }

            return;
        }

        if (by <= 0)
        {
            return;
        }

        MakeRoom(now);
        counters[key] = new Counter(now, by);
    }

    /// <summary>Keeps at most <see cref="ApiLimits.QueryCodeTrackedKeys"/> counters: expired first, then the oldest, case counters last.</summary>
    private void MakeRoom(DateTimeOffset now)
    {
        var cap = Math.Max(1, options.Value.QueryCodeTrackedKeys);
        if (counters.Count < cap)
        {
            return;
        }

        var window = options.Value.QueryCodeWindow;
        foreach (var key in counters.Where(kv => now >= kv.Value.End(window) || now < kv.Value.Start).Select(kv => kv.Key).ToList())
        {
            counters.Remove(key);
        }

        if (counters.Count < cap)
        {
            return;
        }

        // Still full: drop a tenth (at least one), oldest first, keeping case counters as long as anything else remains.
        var drop = Math.Max(1, counters.Count - cap + 1 + (cap / 10));
        foreach (var key in counters
                     .OrderBy(kv => kv.Key.StartsWith("k\n", StringComparison.Ordinal) ? 1 : 0)
                     .ThenBy(kv => kv.Value.Start)
                     .Take(drop)
                     .Select(kv => kv.Key)
                     .ToList())
        {
            counters.Remove(key);
        }
    }

    private readonly record struct Counter(DateTimeOffset Start, int Count)
    {
        public DateTimeOffset End(TimeSpan window) => Start + window;
    }
}

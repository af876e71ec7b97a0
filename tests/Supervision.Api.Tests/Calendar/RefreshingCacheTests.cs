using Microsoft.Extensions.Time.Testing;
using Supervision.Calendar.Storage;

namespace Supervision.Api.Tests.Calendar;

/// <summary>
/// The reference-data cache (calendar, org directory). Loads are driven by hand (each load waits for the test to
/// complete it), so these check ordering, not timing.
/// </summary>
public sealed class RefreshingCacheTests
{
    private sealed class Loads
    {
        public List<TaskCompletionSource<string>> Started { get; } = [];

        public Task<string> LoadAsync(string? previous, CancellationToken ct)
        {
            var load = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            ct.Register(() => load.TrySetCanceled(ct));
            lock (Started)
            {
                Started.Add(load);
            }

            return load.Task;
        }

        public async Task<TaskCompletionSource<string>> NthAsync(int n)
        {
            return await Cases.CaseApp.EventuallyAsync(() =>
            {
                lock (Started)
                {
                    return Task.FromResult(Started.Count > n ? Started[n] : null);
                }
            }, $"load {n + 1} to start");
        }
    }

    /// <summary>A cache whose first load ("v1") has completed, on a fake clock, fresh for 15 s.</summary>
    private static async Task<(FakeTimeProvider Time, Loads Loads, RefreshingCache<string> Cache)> LoadedAsync()
    {
        var time = new FakeTimeProvider();
        var loads = new Loads();
        var cache = new RefreshingCache<string>(loads.LoadAsync, time, TimeSpan.FromSeconds(15));
        var first = cache.GetAsync();
        (await loads.NthAsync(0)).SetResult("v1");
        Assert.Equal("v1", await first);
        return (time, loads, cache);
    }

    [Fact]
    public async Task A_stale_value_is_served_at_once_while_one_refresh_runs_and_a_hung_refresh_blocks_nobody()
    {
        var time = new FakeTimeProvider();
        var loads = new Loads();
        var cache = new RefreshingCache<string>(loads.LoadAsync, time, TimeSpan.FromSeconds(15));

        var first = cache.GetAsync();
        Assert.False(first.IsCompleted); // nothing loaded yet: the first reader waits
        (await loads.NthAsync(0)).SetResult("v1");
        Assert.Equal("v1", await first);

        time.Advance(TimeSpan.FromSeconds(16));
        for (var i = 0; i < 5; i++)
        {
            var read = cache.GetAsync();
            Assert.True(read.IsCompletedSuccessfully); // stale, but answered without waiting for storage
            Assert.Equal("v1", await read);
        }

        var refresh = await loads.NthAsync(1);
        Assert.Single(loads.Started, l => !l.Task.IsCompleted); // one refresh in flight, however many readers
        refresh.SetResult("v2");
        await Cases.CaseApp.EventuallyAsync(() => Task.FromResult(cache.Cached == "v2" ? cache.Cached : null), "the refreshed value");
    }

    [Fact]
    public async Task A_failed_refresh_keeps_the_last_value_and_the_next_read_tries_again()
    {
        var (time, loads, cache) = await LoadedAsync();

        time.Advance(TimeSpan.FromSeconds(16));
        Assert.Equal("v1", await cache.GetAsync());
        (await loads.NthAsync(1)).SetException(new InvalidOperationException("storage down"));

        // Reads keep answering with the last value; once the failed load has finished, the next read starts another.
        var retry = await Cases.CaseApp.EventuallyAsync(async () =>
        {
            Assert.Equal("v1", await cache.GetAsync());
            lock (loads.Started)
            {
                return loads.Started.Count > 2 ? loads.Started[2] : null;
            }
        }, "a second refresh after the failed one");
        retry.SetResult("v2");
        await Cases.CaseApp.EventuallyAsync(() => Task.FromResult(cache.Cached == "v2" ? cache.Cached : null), "the retried value");
    }

    [Fact]
    public async Task A_value_written_while_an_older_read_is_in_flight_is_not_overwritten_by_that_read()
    {
        var (time, loads, cache) = await LoadedAsync();

        time.Advance(TimeSpan.FromSeconds(16));
        _ = await cache.GetAsync(); // starts a refresh that read storage before the write below
        var before = await loads.NthAsync(1);
        cache.Set("written");
        before.SetResult("read-before-write");

        // A reload queues behind the refresh in flight, so once the reload's own read starts that refresh is done.
        var reload = cache.ReloadAsync();
        var after = await loads.NthAsync(2);
        Assert.Equal("written", cache.Cached);
        after.SetResult("v3");
        Assert.Equal("v3", await reload);
    }

    [Fact]
    public async Task A_reload_waits_for_a_read_that_starts_after_it_was_asked_for()
    {
        var (_, loads, cache) = await LoadedAsync();

        var reload = cache.ReloadAsync();
        Assert.False(reload.IsCompleted);
        (await loads.NthAsync(1)).SetResult("v2");
        Assert.Equal("v2", await reload);
        Assert.Equal("v2", await cache.GetAsync());
    }
}

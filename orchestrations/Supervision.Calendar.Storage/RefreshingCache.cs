namespace Supervision.Calendar.Storage;

/// <summary>
/// Reference data (the legal calendar, the org directory) held in memory and re-read from storage in the background.
/// <list type="bullet">
/// <item>A fresh value is served as is; a stale one is still served at once while one refresh runs (stale-while-revalidate),
/// so a slow or failing storage call never holds up a request or a decision once anything has been loaded.</item>
/// <item>At most one load runs at a time (single flight). It runs on the thread pool (<see cref="Task.Run(Func{Task})"/>),
/// never on the caller's scheduler: deciders read this from orchestrator code, and a load whose continuation belonged to
/// an orchestration episode could otherwise be left unfinished. It has its own timeout and ignores callers' tokens, so
/// one aborted request cannot fail the load others wait on.</item>
/// <item>No lock is held across I/O: a load that hangs times out, and the next caller starts another.</item>
/// </list>
/// </summary>
/// <typeparam name="T">The loaded value (immutable).</typeparam>
public sealed class RefreshingCache<T>
    where T : class
{
    private readonly Func<T?, CancellationToken, Task<T>> load;
    private readonly TimeProvider time;
    private readonly TimeSpan refreshAfter;
    private readonly TimeSpan loadTimeout;
    private readonly object sync = new();
    private volatile Entry? current;
    private Task<T>? inflight;
    private long generation;

    /// <param name="load">Reads the value; gets the previous value (for incremental loads) and a token that fires at the timeout.</param>
    /// <param name="time">The clock the age of a value is measured on.</param>
    /// <param name="refreshAfter">How long a value is fresh.</param>
    /// <param name="loadTimeout">How long one load may take before it is abandoned (default 30 s).</param>
    public RefreshingCache(Func<T?, CancellationToken, Task<T>> load, TimeProvider time, TimeSpan refreshAfter, TimeSpan? loadTimeout = null)
    {
        this.load = load;
        this.time = time;
        this.refreshAfter = refreshAfter;
        this.loadTimeout = loadTimeout ?? TimeSpan.FromSeconds(30);
    }

    /// <summary>The value loaded last, whatever its age; null before the first load.</summary>
    public T? Cached => current?.Value;

    /// <summary>The value: the cached one when fresh; when stale, the cached one while a refresh starts; else waits for the first load.</summary>
    public Task<T> GetAsync(CancellationToken cancellationToken = default)
    {
        var entry = current;
        if (entry is not null)
        {
            if (time.GetUtcNow() - entry.LoadedAt >= refreshAfter)
            {
                _ = Start(); // observed inside Start; the caller gets the stale value now
            }

            return Task.FromResult(entry.Value);
        }

        return Start().WaitAsync(cancellationToken);
    }

    /// <summary>
    /// The value as storage holds it now: waits for a load that starts after this call (after any load in flight, whose
    /// read may predate a write the caller needs to see).
    /// </summary>
    public Task<T> ReloadAsync(CancellationToken cancellationToken = default) => Start(fresh: true).WaitAsync(cancellationToken);

    /// <summary>Replaces the value with one the caller just wrote (it is what storage holds now).</summary>
    public void Set(T value)
    {
        lock (sync)
        {
            generation++;
            current = new Entry(value, time.GetUtcNow());
        }
    }

    /// <summary>Forgets the value: the next read loads again (and waits for it).</summary>
    public void Invalidate()
    {
        lock (sync)
        {
            generation++;
            current = null;
        }
    }

    private Task<T> Start(bool fresh = false)
    {
        lock (sync)
        {
            if (inflight is { IsCompleted: false } running && !fresh)
            {
                return running;
            }

            var after = inflight is { IsCompleted: false } previous ? previous : Task.CompletedTask;
            var started = generation;
            var task = Task.Run(async () =>
            {
                // A forced reload queues behind the load in flight (never two reads at once), whatever that one's outcome.
                await after.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
                using var timeout = new CancellationTokenSource(loadTimeout);
                var value = await load(current?.Value, timeout.Token).ConfigureAwait(false);
                lock (sync)
                {
                    // A value written (Set) or invalidated since this load began is newer than what this load read.
                    if (generation == started)
                    {
                        current = new Entry(value, time.GetUtcNow());
                    }
                }

                return value;
            });
            inflight = task;
            _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return task;
        }
    }

    private sealed record Entry(T Value, DateTimeOffset LoadedAt);
}

using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.DurableTask.Converters;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.Options;
using Supervision.Api.Platform;
using Supervision.Orchestrations;

namespace Supervision.Standalone;

/// <summary>
/// Settings of the standalone Durable Task host (section <c>Supervision:DurableTask</c>). The defaults suit a laptop;
/// <c>scripts/run.sh</c> shortens polling for the one-day-per-second demo clock (docs/decisions.md, E6).
/// </summary>
public sealed class DurableTaskOptions
{
    /// <summary>Task hub name: tables, queues and blob containers of the backend start with it.</summary>
    public string HubName { get; set; } = "supervision";

    /// <summary>Control-queue partitions: the unit of scale-out (hosts share them through leases). 1–16.</summary>
    public int PartitionCount { get; set; } = 4;

    /// <summary>Longest back-off of queue polling when idle: bounds how late a timer or command is picked up after a lull.</summary>
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromSeconds(5);

    public int ControlQueueBatchSize { get; set; } = 32;

    public int MaxConcurrentOrchestrations { get; set; } = 32;

    public int MaxConcurrentActivities { get; set; } = 32;

    /// <summary>Keeps an orchestration in memory between episodes, saving a history read per turn.</summary>
    public bool ExtendedSessions { get; set; } = true;

    /// <summary>
    /// Longest single durable timer; longer ones are split by the SDK. Must stay under the queue's 7-day visibility limit.
    /// Changing it changes the timers running orchestrations create, so it is fixed per deployment.
    /// </summary>
    public TimeSpan MaximumTimerInterval { get; set; } = TimeSpan.FromDays(3);

    /// <summary>
    /// This worker's name in partition leases. DTFx defaults to the machine name, which several hosts on one machine
    /// share (they would each take the others' leases for their own); the default here adds the process id.
    /// </summary>
    public string? WorkerId { get; set; }

    /// <summary>Partition leases in a table (DTFx's table partition manager) instead of blob leases.</summary>
    public bool UseTablePartitionManagement { get; set; }

    /// <summary>How long a partition lease lasts: after a crash, another host takes the partition over after at most this.</summary>
    public TimeSpan LeaseInterval { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan LeaseRenewInterval { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan LeaseAcquireInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a dequeued control-queue message stays invisible: a message a crashed host had dequeued is processed again
    /// after this. DTFx's default is 5 minutes.
    /// </summary>
    public TimeSpan ControlQueueVisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The same for activity messages (renewed while an activity runs).</summary>
    public TimeSpan WorkItemQueueVisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Run the worker in this process (off: a client-only process that serves the API).</summary>
    public bool Worker { get; set; } = true;
}

public static class DurableTaskHosting
{
    /// <summary>The Azure Storage backend, the DTFx worker running the portable orchestrators, and the client adapter.</summary>
    public static WebApplicationBuilder AddDurableTaskOnAzureStorage(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        if (!StorageSettings.From(builder.Configuration).IsConfigured)
        {
            // No storage configured (e.g. a bare test host): the API still starts and answers; commands get a clear 503.
            services.AddSingleton<IDurableEngine, UnconfiguredEngine>();
            return builder;
        }

        services.AddOptions<DurableTaskOptions>().Bind(builder.Configuration.GetSection("Supervision:DurableTask"))
            .Validate(o => o.PartitionCount is >= 1 and <= 16, "Supervision:DurableTask:PartitionCount must be 1–16.")
            .Validate(o => o.MaximumTimerInterval > TimeSpan.Zero && o.MaximumTimerInterval < TimeSpan.FromDays(7), "MaximumTimerInterval must be under 7 days.");
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<DurableTaskOptions>>().Value;
            var storage = sp.GetRequiredService<StorageSettings>();
            var provider = storage.ConnectionString is { } cs
                ? new StorageAccountClientProvider(cs)
                : new StorageAccountClientProvider(storage.BlobServiceUri!, storage.QueueServiceUri!, storage.TableServiceUri!, storage.Credential!);
            return new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
            {
                TaskHubName = o.HubName,
                StorageAccountClientProvider = provider,
                PartitionCount = o.PartitionCount,
                MaxQueuePollingInterval = o.MaxQueuePollingInterval,
                ControlQueueBatchSize = o.ControlQueueBatchSize,
                MaxConcurrentTaskOrchestrationWorkItems = o.MaxConcurrentOrchestrations,
                MaxConcurrentTaskActivityWorkItems = o.MaxConcurrentActivities,
                ExtendedSessionsEnabled = o.ExtendedSessions,
                WorkerId = o.WorkerId ?? $"{Environment.MachineName}-{Environment.ProcessId}",
                UseTablePartitionManagement = o.UseTablePartitionManagement,
                LeaseInterval = o.LeaseInterval,
                LeaseRenewInterval = o.LeaseRenewInterval,
                LeaseAcquireInterval = o.LeaseAcquireInterval,
                ControlQueueVisibilityTimeout = o.ControlQueueVisibilityTimeout,
                WorkItemQueueVisibilityTimeout = o.WorkItemQueueVisibilityTimeout,
                LoggerFactory = sp.GetRequiredService<ILoggerFactory>(),
            });
        });
        services.AddSingleton<TaskHub>();
        services.AddSingleton<IDurableEngine, TaskHubEngine>();
        services.AddHostedService<TaskHubWorkerService>();
        return builder;
    }
}

/// <summary>Creates the task hub once (lazily, retried on failure) for the client and the worker.</summary>
public sealed class TaskHub(AzureStorageOrchestrationService service)
{
    private Lazy<Task> created = new(service.CreateIfNotExistsAsync);

    public AzureStorageOrchestrationService Service => service;

    public async Task EnsureAsync()
    {
        var lazy = created;
        try
        {
            await lazy.Value;
        }
        catch
        {
            Interlocked.CompareExchange(ref created, new Lazy<Task>(service.CreateIfNotExistsAsync), lazy);
            throw;
        }
    }
}

/// <summary>
/// DTFx Core's <see cref="TaskHubWorker"/> running the portable-SDK orchestrators and activities through the public
/// <see cref="DurableTaskShimFactory"/> (PLATFORM.md §1.2, docs/decisions.md E1). Started in the background so a slow
/// storage start never blocks the web server; several processes on one account share the partitions through leases.
/// </summary>
public sealed class TaskHubWorkerService(
    TaskHub hub, OrchestrationCatalog catalog, IOptions<DurableTaskOptions> options, ILoggerFactory loggers, ILogger<TaskHubWorkerService> logger)
    : BackgroundService
{
    private TaskHubWorker? worker;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Worker)
        {
            return;
        }

        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await hub.EnsureAsync();
                break;
            }
            catch (Exception e) when (e is Azure.RequestFailedException or HttpRequestException or InvalidOperationException && attempt < 60)
            {
                logger.LogWarning("Task hub not reachable yet (attempt {Attempt}): {Error}", attempt, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), stoppingToken);
            }
        }

        var shims = new DurableTaskShimFactory(
            new DurableTaskWorkerOptions { MaximumTimerInterval = options.Value.MaximumTimerInterval, DataConverter = JsonDataConverter.Default }, loggers);
        worker = new TaskHubWorker(hub.Service, loggers);
        foreach (var name in catalog.OrchestratorNames)
        {
            worker.AddTaskOrchestrations(new Creator<TaskOrchestration>(name, () => shims.CreateOrchestration(name, catalog.CreateOrchestrator(name))));
        }

        foreach (var (name, activity) in catalog.CreateActivities())
        {
            worker.AddTaskActivities(new Creator<TaskActivity>(name, () => shims.CreateActivity(name, activity)));
        }

        await worker.StartAsync();
        logger.LogInformation("Durable Task worker started: {Orchestrators}", string.Join(", ", catalog.OrchestratorNames));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (worker is not null)
        {
            // Graceful: in-flight work items finish or are abandoned for another host; a kill -9 is recovered by leases.
            await worker.StopAsync(isForced: false);
        }
    }

    /// <summary>DTFx looks creators up by name and version; the portable orchestrators are unversioned.</summary>
    private sealed class Creator<T> : ObjectCreator<T>
    {
        private readonly Func<T> create;

        public Creator(string name, Func<T> create)
        {
            Name = name;
            Version = string.Empty;
            this.create = create;
        }

        public override T Create() => create();
    }
}

/// <summary>The engine when no storage is configured: every call fails with a message saying what to set.</summary>
internal sealed class UnconfiguredEngine : IDurableEngine
{
    private static InvalidOperationException Missing() =>
        new("Storage is not configured: set AzureWebJobsStorage (a connection string) or AzureWebJobsStorage__tableServiceUri/__queueServiceUri/__blobServiceUri.");

    public Task<bool> StartAsync(string instanceId, OrchestrationInput input, CancellationToken ct = default) => throw Missing();

    public Task RaiseAsync(string instanceId, CommandEnvelope command, CancellationToken ct = default) => throw Missing();

    public Task<InstanceStatus?> GetStatusAsync(string instanceId, CancellationToken ct = default) => throw Missing();

    public Task<IReadOnlyList<InstanceStatus>> ListAsync(IReadOnlyCollection<string> runtimeStatuses, int max, CancellationToken ct = default) => throw Missing();

    public Task<IReadOnlyList<HistoryEntry>> GetHistoryAsync(string instanceId, CancellationToken ct = default) => throw Missing();

    public Task TerminateAsync(string instanceId, string reason, CancellationToken ct = default) => throw Missing();

    public Task RestartAsync(string instanceId, CancellationToken ct = default) => throw Missing();

    public Task<bool> PurgeAsync(string instanceId, CancellationToken ct = default) => throw Missing();
}

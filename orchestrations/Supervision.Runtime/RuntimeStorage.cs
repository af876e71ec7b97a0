using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace Supervision.Runtime;

/// <summary>
/// The runtime's storage clients, each with the request-counting policy, and lazy creation of tables and the
/// queue (never at start-up: the Functions host gives the handler 30 s, PLATFORM.md §1.1).
/// </summary>
public sealed class RuntimeStorage
{
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> tables = new(StringComparer.Ordinal);
    private Lazy<Task<QueueClient>> workQueue;
    private readonly TableServiceClient tableService;

    public RuntimeStorage(IOptions<RuntimeOptions> options, RuntimeMetrics metrics, TokenCredential? credential = null)
    {
        Options = options.Value;
        var tableOptions = new TableClientOptions();
        tableOptions.AddPolicy(new StorageRequestCounter(metrics, "table"), HttpPipelinePosition.PerRetry);
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        queueOptions.AddPolicy(new StorageRequestCounter(metrics, "queue"), HttpPipelinePosition.PerRetry);

        if (!string.IsNullOrEmpty(Options.ConnectionString))
        {
            tableService = new TableServiceClient(Options.ConnectionString, tableOptions);
            QueueService = new QueueServiceClient(Options.ConnectionString, queueOptions);
        }
        else if (Options.TableEndpoint is not null && Options.QueueEndpoint is not null && credential is not null)
        {
            tableService = new TableServiceClient(Options.TableEndpoint, credential, tableOptions);
            QueueService = new QueueServiceClient(Options.QueueEndpoint, credential, queueOptions);
        }
        else
        {
            throw new InvalidOperationException(
                "Supervision runtime storage is not configured: set ConnectionString, or TableEndpoint + QueueEndpoint with a TokenCredential registered.");
        }

        workQueue = NewQueue();
    }

    public RuntimeOptions Options { get; }

    public QueueServiceClient QueueService { get; }

    public Task<TableClient> InstancesAsync() => TableAsync(Options.InstancesTable);

    public Task<TableClient> WakeUpsAsync() => TableAsync(Options.WakeUpsTable);

    public Task<TableClient> DeadLettersAsync() => TableAsync(Options.DeadLettersTable);

    public Task<TableClient> MailboxAsync() => TableAsync(Options.MailboxTable);

    public Task<TableClient> ReadModelAsync(string model) => TableAsync(Options.ReadModelTable(model));

    /// <summary>The work queue (Base64 message encoding, as the Functions queue trigger expects).</summary>
    public async Task<QueueClient> WorkQueueAsync()
    {
        var lazy = workQueue;
        try
        {
            return await lazy.Value;
        }
        catch
        {
            // A failed creation (storage not up yet) must not be cached for the life of the process.
            Interlocked.CompareExchange(ref workQueue, NewQueue(), lazy);
            throw;
        }
    }

    public async Task<TableClient> TableAsync(string name)
    {
        var lazy = tables.GetOrAdd(name, n => new Lazy<Task<TableClient>>(async () =>
        {
            var t = tableService.GetTableClient(n);
            await t.CreateIfNotExistsAsync();
            return t;
        }));
        try
        {
            return await lazy.Value;
        }
        catch
        {
            tables.TryRemove(KeyValuePair.Create(name, lazy));
            throw;
        }
    }

    private Lazy<Task<QueueClient>> NewQueue() => new(async () =>
    {
        var q = QueueService.GetQueueClient(Options.WorkQueueName);
        await q.CreateIfNotExistsAsync();
        return q;
    });
}

using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace Supervision.Orchestrations;

/// <summary>
/// The orchestrations' table clients, each counting its requests (<see cref="StorageRequestCounter"/>), with tables
/// created lazily on first use (never at start-up: Flex Consumption gives an app 30 s to start).
/// </summary>
public sealed class OrchestrationStorage
{
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> tables = new(StringComparer.Ordinal);
    private readonly TableServiceClient tableService;

    public OrchestrationStorage(IOptions<StorageOptions> options, StorageMetrics metrics, TokenCredential? credential = null)
    {
        Options = options.Value;
        var tableOptions = new TableClientOptions();
        tableOptions.AddPolicy(new StorageRequestCounter(metrics, "table"), HttpPipelinePosition.PerRetry);
        tableOptions.Retry.MaxRetries = 3;
        tableOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(20);
        if (!string.IsNullOrEmpty(Options.ConnectionString))
        {
            tableService = new TableServiceClient(Options.ConnectionString, tableOptions);
        }
        else if (Options.TableEndpoint is not null && credential is not null)
        {
            tableService = new TableServiceClient(Options.TableEndpoint, credential, tableOptions);
        }
        else
        {
            throw new InvalidOperationException(
                "Supervision storage is not configured: set a connection string, or a table endpoint with a TokenCredential registered.");
        }
    }

    public StorageOptions Options { get; }

    public Task<TableClient> InstancesAsync() => TableAsync(Options.InstancesTable);

    public Task<TableClient> MailboxAsync() => TableAsync(Options.MailboxTable);

    public Task<TableClient> EffectFailuresAsync() => TableAsync(Options.EffectFailuresTable);

    public Task<TableClient> EffectLogAsync() => TableAsync(Options.EffectLogTable);

    public Task<TableClient> ReadModelAsync(string model) => TableAsync(Options.ReadModelTable(model));

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
            // A failed creation (storage not up yet) must not be cached for the life of the process.
            tables.TryRemove(KeyValuePair.Create(name, lazy));
            throw;
        }
    }
}

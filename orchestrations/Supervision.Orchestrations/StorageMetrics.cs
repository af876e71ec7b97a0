using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Supervision.Orchestrations;

/// <summary>
/// Metrics on the meter <c>Supervision.Orchestrations</c>: requests of our own storage clients by service and operation
/// (counted by <see cref="StorageRequestCounter"/>), decisions by outcome, and timer lateness (real time between a
/// timer's mapped due instant and its decision). The Durable Task backend's own requests are counted by the bench
/// through its storage clients. Totals are also kept in-process (<see cref="Totals"/>) for the bench.
/// </summary>
public sealed class StorageMetrics : IDisposable
{
    public const string MeterName = "Supervision.Orchestrations";

    private readonly Meter meter;
    private readonly Counter<long> requests;
    private readonly Counter<long> decisions;
    private readonly Counter<long> conflicts;
    private readonly Histogram<double> lateness;
    private readonly ConcurrentDictionary<string, long> totals = new(StringComparer.Ordinal);

    public StorageMetrics(IMeterFactory? meterFactory = null)
    {
        meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        requests = meter.CreateCounter<long>("supervision.storage.requests", "{request}", "Storage requests by service and operation.");
        decisions = meter.CreateCounter<long>("supervision.decisions", "{decision}", "Commands decided, by outcome.");
        conflicts = meter.CreateCounter<long>("supervision.decisions.conflicts", "{conflict}", "ETag conflicts (412) while recording.");
        lateness = meter.CreateHistogram<double>("supervision.timer.lateness", "ms", "Clock time between a timer's due instant and its decision.");
    }

    /// <summary>Running totals since start (keys: <c>storage.{service}.{operation}</c>, <c>decision.{outcome}</c>, <c>conflict</c>).</summary>
    public IReadOnlyDictionary<string, long> Totals => totals;

    public long StorageRequestTotal => totals.Where(kv => kv.Key.StartsWith("storage.", StringComparison.Ordinal)).Sum(kv => kv.Value);

    public void Request(string service, string operation)
    {
        requests.Add(1, new KeyValuePair<string, object?>("service", service), new KeyValuePair<string, object?>("operation", operation));
        totals.AddOrUpdate($"storage.{service}.{operation}", 1, (_, v) => v + 1);
    }

    public void Decision(string outcome)
    {
        decisions.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        totals.AddOrUpdate("decision." + outcome, 1, (_, v) => v + 1);
    }

    public void Conflict()
    {
        conflicts.Add(1);
        totals.AddOrUpdate("conflict", 1, (_, v) => v + 1);
    }

    public void Lateness(TimeSpan late) => lateness.Record(late.TotalMilliseconds);

    public void Dispose() => meter.Dispose();
}

/// <summary>Counts every storage request that leaves an SDK client (retries included), classified by operation; <c>service</c> is <c>table</c> or <c>queue</c>, the client it is attached to.</summary>
public sealed class StorageRequestCounter(StorageMetrics metrics, string service) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message) =>
        metrics.Request(service, Classify(service, message.Request.Method.Method, message.Request.Uri.Path));

    /// <summary>Maps a request to an operation name; public for tests.</summary>
    public static string Classify(string service, string method, string path)
    {
        if (service == "queue")
        {
            return method switch
            {
                "POST" => "send",
                "GET" when path.EndsWith("/messages", StringComparison.Ordinal) => "receive",
                "DELETE" when path.Contains("/messages/", StringComparison.Ordinal) => "delete",
                "PUT" when path.Contains("/messages/", StringComparison.Ordinal) => "update",
                "PUT" => "create-queue",
                _ => "other",
            };
        }

        var isEntity = path.EndsWith(')') && !path.EndsWith("()", StringComparison.Ordinal);
        return method switch
        {
            "POST" when path.EndsWith("$batch", StringComparison.Ordinal) => "batch",
            "POST" when path.EndsWith("Tables", StringComparison.Ordinal) => "create-table",
            "POST" => "insert",
            "GET" when isEntity => "get",
            "GET" => "query",
            "PUT" or "MERGE" or "PATCH" => "upsert",
            "DELETE" => "delete",
            _ => "other",
        };
    }
}

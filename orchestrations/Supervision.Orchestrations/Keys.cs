using System.Globalization;
using System.Text;
using Azure.Data.Tables;

namespace Supervision.Orchestrations;

/// <summary>Key encodings shared by the tables (docs/engine.md "Activities").</summary>
public static class Keys
{
    public const string SnapshotRow = "s";
    public const string EventPrefix = "e|";

    /// <summary>
    /// Makes any id safe inside PartitionKey/RowKey and inside an OData string literal: the characters Table storage
    /// forbids (<c>/ \ # ?</c>, control characters), our separator <c>|</c>, the escape <c>%</c> and the quote <c>'</c>
    /// become <c>%XX</c>. Reversible and order-preserving enough for ids.
    /// </summary>
    public static string Escape(string value)
    {
        StringBuilder? sb = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var bad = c is '/' or '\\' or '#' or '?' or '|' or '%' or '\'' || char.IsControl(c);
            if (bad)
            {
                sb ??= new StringBuilder(value, 0, i, value.Length + 8);
                sb.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                sb?.Append(c);
            }
        }

        return sb?.ToString() ?? value;
    }

    public static string Unescape(string value) => value.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(value) : value;

    /// <summary>Partition of one instance: <c>{type}|{instanceId}</c>.</summary>
    public static string InstancePartition(string type, string instanceId) => Escape(type) + "|" + Escape(instanceId);

    public static string EventRow(long sequence) => EventPrefix + sequence.ToString("D19", CultureInfo.InvariantCulture);

    /// <summary>The exclusive upper bound of a prefix range (<c>|</c> + 1 = <c>}</c>).</summary>
    public static string PrefixEnd(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);

    public static string Ticks(long ticks) => ticks.ToString("D19", CultureInfo.InvariantCulture);

    /// <summary>OData filter for one partition's rows whose RowKey starts with <paramref name="prefix"/>.</summary>
    public static string PrefixFilter(string partitionKey, string prefix) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {prefix} and RowKey lt {PrefixEnd(prefix)}");
}

/// <summary>
/// Our own check that an entity-group transaction is valid for Azure: one partition, at most 100 actions, each row
/// at most once. Azurite accepts cross-partition batches (PLATFORM.md §4.3), so this guard is what keeps tests honest.
/// </summary>
public static class TransactionGuard
{
    public const int MaxActions = 100;

    public static void Validate(IReadOnlyCollection<TableTransactionAction> actions)
    {
        if (actions.Count == 0)
        {
            throw new InvalidOperationException("An entity-group transaction needs at least one action.");
        }

        if (actions.Count > MaxActions)
        {
            throw new InvalidOperationException(
                $"An entity-group transaction holds at most {MaxActions} actions; this one has {actions.Count}.");
        }

        string? partition = null;
        var rows = new HashSet<string>(StringComparer.Ordinal);
        foreach (var action in actions)
        {
            partition ??= action.Entity.PartitionKey;
            if (!string.Equals(partition, action.Entity.PartitionKey, StringComparison.Ordinal))
            {
                throw new InvalidOperationException("An entity-group transaction must stay in one partition.");
            }

            if (!rows.Add(action.Entity.RowKey))
            {
                throw new InvalidOperationException("An entity-group transaction may touch each row only once.");
            }
        }
    }
}

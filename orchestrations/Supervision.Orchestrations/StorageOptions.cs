using System.ComponentModel.DataAnnotations;

namespace Supervision.Orchestrations;

/// <summary>
/// Where the orchestrations' own tables live (configuration section <c>Supervision:Storage</c>): the audit trail and
/// decision records, read models, the local mailbox and the failed-effects list. The Durable Task backend keeps its own
/// task hub tables and queues beside them.
/// </summary>
public sealed class StorageOptions
{
    /// <summary>
    /// Storage connection string (Azurite or a key-based account). When empty, <see cref="TableEndpoint"/> is used with
    /// the <see cref="Azure.Core.TokenCredential"/> registered in DI (a managed identity in Azure).
    /// </summary>
    public string? ConnectionString { get; set; }

    public Uri? TableEndpoint { get; set; }

    /// <summary>Prefix of every table name (lowercase letters and digits, may be empty); tests isolate themselves with it.</summary>
    [RegularExpression("^[a-z][a-z0-9]{0,30}$|^$")]
    public string Prefix { get; set; } = string.Empty;

    /// <summary>Record every effect dispatch attempt (tests and benchmarks count duplicates before de-duplication).</summary>
    public bool LogEffectAttempts { get; set; }

    public string InstancesTable => Prefix + "records";

    public string MailboxTable => Prefix + "mailbox";

    public string EffectFailuresTable => Prefix + "effectfailures";

    public string EffectLogTable => Prefix + "effectlog";

    /// <summary>Table of a read model: the prefix, <c>rm</c>, and the model name's letters and digits.</summary>
    public string ReadModelTable(string model) =>
        Prefix + "rm" + new string(model.Where(char.IsAsciiLetterOrDigit).ToArray()).ToLowerInvariant();
}

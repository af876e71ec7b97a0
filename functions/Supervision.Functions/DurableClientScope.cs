using Microsoft.DurableTask.Client;

namespace Supervision.Functions;

/// <summary>
/// The Durable Task client of the current invocation. The Functions extension hands a client to each function through
/// its <c>[DurableClient]</c> binding (it is built from binding data the host sends with the invocation: the host's
/// gRPC endpoint, task hub and connection), and registers none in DI; so each trigger that needs one enters a scope
/// here, and <see cref="FunctionsDurableEngine"/> reads it for the calls made during that invocation
/// (docs/decisions.md, E7).
/// </summary>
public static class DurableClientScope
{
    private static readonly AsyncLocal<DurableTaskClient?> CurrentClient = new();

    /// <summary>The client of the invocation running on this async flow.</summary>
    public static DurableTaskClient Current => CurrentClient.Value ?? throw new InvalidOperationException(
        "No Durable Task client in this invocation: the function must take a [DurableClient] DurableTaskClient and call DurableClientScope.Enter.");

    /// <summary>Makes <paramref name="client"/> current until the returned scope is disposed.</summary>
    public static IDisposable Enter(DurableTaskClient client)
    {
        var previous = CurrentClient.Value;
        CurrentClient.Value = client;
        return new Exit(previous);
    }

    private sealed class Exit(DurableTaskClient? previous) : IDisposable
    {
        public void Dispose() => CurrentClient.Value = previous;
    }
}

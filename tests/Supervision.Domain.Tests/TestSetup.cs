using System.Runtime.CompilerServices;
using Supervision.Domain.Cases;

namespace Supervision.Domain.Tests;

internal static class TestSetup
{
    /// <summary>
    /// Query-code hashing at production cost (100,000 PBKDF2 iterations) would spend minutes across the thousands of
    /// registrations the matrix and property tests decide; hashes name their own count, so a cheaper one is equivalent here.
    /// </summary>
#pragma warning disable CA2255 // a test assembly, not a library: one process-wide setting before any test runs
    [ModuleInitializer]
    internal static void CheapQueryCodeHashes() => QueryCodes.NewHashIterations = 1_000;
#pragma warning restore CA2255
}

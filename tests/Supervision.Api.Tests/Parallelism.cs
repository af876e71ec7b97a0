using System.Reflection;
using Xunit;
using Xunit.Abstractions;

// Each test class starts its own host on its own storage prefix and task hub, so classes run side by side safely. Most
// of their time is spent waiting on the accelerated legal clock and the engine's queue polling, not on the CPU: four at
// once on the 2-core box keeps both cores busy without starving the clocks (suite time, issue 17.10).
[assembly: CollectionBehavior(MaxParallelThreads = 4)]

// Longest first: the classes are started in this order, so the long ones do not begin last and run on alone.
[assembly: TestCollectionOrderer("Supervision.Api.Tests.LongestFirst", "Supervision.Api.Tests")]

namespace Supervision.Api.Tests;

/// <summary>
/// Marks a test class that takes long for its number of tests (the endpoint fuzz: one test of thousands of requests;
/// a single scenario of half a minute or more), so <see cref="LongestFirst"/> starts it before everything else.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RunsLongAttribute : Attribute;

/// <summary>
/// Orders test collections (one per class here) for the parallel runner: classes marked <see cref="RunsLongAttribute"/>
/// first, then by their number of tests, most first; ties by name so every run schedules alike. A run of parallel
/// collections ends when its last collection ends, so starting the long ones first shortens the run without dropping a
/// test (longest-processing-time scheduling).
/// </summary>
public sealed class LongestFirst : ITestCollectionOrderer
{
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .Select(c => (Collection: c, Type: ClassOf(c)))
            .OrderByDescending(c => c.Type?.GetCustomAttribute<RunsLongAttribute>() is not null)
            .ThenByDescending(c => c.Type is null ? 0 : TestCount(c.Type))
            .ThenBy(c => c.Collection.DisplayName, StringComparer.Ordinal)
            .Select(c => c.Collection);

    // The default collection of a class is named "Test collection for {full class name}".
    private static Type? ClassOf(ITestCollection collection)
    {
        const string prefix = "Test collection for ";
        var name = collection.DisplayName.StartsWith(prefix, StringComparison.Ordinal) ? collection.DisplayName[prefix.Length..] : collection.DisplayName;
        return typeof(LongestFirst).Assembly.GetType(name);
    }

    private static int TestCount(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance).Count(m => m.GetCustomAttribute<FactAttribute>() is not null);
}

using System.Reflection;
using System.Text.Json;

namespace Supervision.Functions.Tests;

/// <summary>The Functions app's build output (built before this project, as a project reference) and what the SDK generated in it.</summary>
public static class FunctionsOutput
{
    public static string Directory { get; } =
        typeof(FunctionsOutput).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "FunctionsOutput").Value!;

    public static string PathOf(string file)
    {
        var path = Path.Combine(Directory, file);
        Assert.True(File.Exists(path), $"{path} is missing: build functions/Supervision.Functions in the same configuration first.");
        return path;
    }

    public static JsonElement Json(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(PathOf(file)));
        return doc.RootElement.Clone();
    }

    /// <summary>The functions the worker indexes, as the host reads them from <c>functions.metadata</c>.</summary>
    public static IReadOnlyList<FunctionEntry> Functions { get; } = [.. Json("functions.metadata").EnumerateArray().Select(f => new FunctionEntry(
        f.GetProperty("name").GetString()!,
        [.. f.GetProperty("bindings").EnumerateArray().Select(b => new Binding(
            b.GetProperty("type").GetString()!,
            b.TryGetProperty("direction", out var d) ? d.GetString() : null,
            b.TryGetProperty("route", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null,
            b.TryGetProperty("methods", out var m) && m.ValueKind == JsonValueKind.Array
                ? [.. m.EnumerateArray().Select(x => x.GetString()!.ToUpperInvariant())]
                : null))]))];
}

public sealed record FunctionEntry(string Name, IReadOnlyList<Binding> Bindings)
{
    public Binding? Trigger => Bindings.FirstOrDefault(b => b.Type.EndsWith("Trigger", StringComparison.Ordinal));

    public bool Has(string type) => Bindings.Any(b => b.Type == type);
}

/// <summary>One binding of a function; <c>Methods</c> are upper case, null for an HTTP trigger that accepts any method.</summary>
public sealed record Binding(string Type, string? Direction, string? Route, IReadOnlyList<string>? Methods);

using System.Text.Json;
using Supervision.Testing;

namespace Supervision.Infra.Tests;

/// <summary>
/// <c>bicep build --stdout infra-bicep/main.bicep</c>, compiled once per test run, with helpers that walk the nested
/// module deployments (languageVersion 2.0 stores resources as an object keyed by symbolic name).
/// </summary>
public sealed class CompiledTemplate
{
    private static readonly Lazy<Task<CompiledTemplate>> Instance = new(BuildAsync);

    private CompiledTemplate(BicepRun run, JsonElement root)
    {
        Run = run;
        Root = root;
    }

    public static string InfraDir { get; } = Path.Combine(TestStorage.RepoRoot(), "infra-bicep");

    public BicepRun Run { get; }

    public JsonElement Root { get; }

    public string Text => Run.Stdout;

    public static Task<CompiledTemplate> GetAsync() => Instance.Value;

    private static async Task<CompiledTemplate> BuildAsync()
    {
        var run = await BicepCli.RunAsync("build", Path.Combine(InfraDir, "main.bicep"), "--stdout");
        Assert.True(run.ExitCode == 0, run.ToString());
        return new CompiledTemplate(run, JsonDocument.Parse(run.Stdout).RootElement.Clone());
    }

    /// <summary>Every template: the main one and each module's, depth first.</summary>
    public IEnumerable<(string Module, JsonElement Template)> Templates()
    {
        var stack = new Stack<(string, JsonElement)>();
        stack.Push(("main", Root));
        while (stack.Count > 0)
        {
            var (name, template) = stack.Pop();
            yield return (name, template);
            foreach (var r in Resources(template))
            {
                if (r.GetProperty("type").GetString() == "Microsoft.Resources/deployments")
                {
                    stack.Push((r.GetProperty("name").GetString()!, r.GetProperty("properties").GetProperty("template")));
                }
            }
        }
    }

    public JsonElement Module(string name) => Templates().Single(t => t.Module == name).Template;

    public static IEnumerable<JsonElement> Resources(JsonElement template)
    {
        var resources = template.GetProperty("resources");
        return resources.ValueKind == JsonValueKind.Object
            ? resources.EnumerateObject().Select(p => p.Value)
            : resources.EnumerateArray();
    }

    /// <summary>All resources of one type across every module (skipping <c>existing</c> references).</summary>
    public IReadOnlyList<JsonElement> ResourcesOfType(string type) =>
        Templates().SelectMany(t => Resources(t.Template))
            .Where(r => r.GetProperty("type").GetString() == type && !(r.TryGetProperty("existing", out var e) && e.GetBoolean()))
            .ToArray();
}

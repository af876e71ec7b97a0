using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Supervision.Testing;

namespace Supervision.Functions.Tests;

/// <summary>
/// Every endpoint the standalone host maps is an HTTP function with the same route and methods, and no function exists
/// without an endpoint behind it (except the UI's static files): the API is defined once and both hosts expose all of it.
/// </summary>
public sealed class RouteParityTests
{
    /// <summary>Any method (an endpoint without method metadata, an HTTP trigger without <c>methods</c>).</summary>
    private const string AnyMethod = "*";

    /// <summary>Functions with no endpoint in the standalone host as the test starts it, and why.</summary>
    private static readonly Dictionary<string, string> FunctionOnly = new()
    {
        ["app/{*path}"] = "the UI's static files: middleware in the pipeline, not an endpoint",
        ["api/demo/users"] = "mapped only with Supervision:Demo; the pipeline answers 404 otherwise",
        ["api/demo/people"] = "mapped only with Supervision:Demo; the pipeline answers 404 otherwise",
    };

    [Fact]
    public void Every_standalone_endpoint_is_an_http_function_with_the_same_route_and_methods()
    {
        var standalone = StandaloneRoutes();
        var functions = FunctionRoutes();

        Assert.Contains("api/cases", standalone.Keys); // the enumeration found the API, not just the health checks
        var missing = standalone.Where(e => !functions.TryGetValue(e.Key, out var m) || !m.SetEquals(e.Value))
            .Select(e => $"{e.Key} [{string.Join(",", e.Value.Order())}] (functions: {(functions.TryGetValue(e.Key, out var m) ? string.Join(",", m.Order()) : "none")})");
        Assert.Empty(missing);
    }

    [Fact]
    public void Every_http_function_runs_a_standalone_endpoint_or_is_a_known_extra()
    {
        var standalone = StandaloneRoutes();
        var extras = FunctionRoutes().Keys.Where(r => !standalone.ContainsKey(r)).Order(StringComparer.Ordinal);

        Assert.Equal(FunctionOnly.Keys.Order(StringComparer.Ordinal), extras);
    }

    [Fact]
    public void Each_route_has_exactly_one_function()
    {
        var routes = FunctionsOutput.Functions.Where(f => f.Trigger?.Type == "httpTrigger").GroupBy(f => Normalize(f.Trigger!.Route!));

        Assert.All(routes, g => Assert.Single(g));
    }

    /// <summary>
    /// The Functions host does not rank routes as ASP.NET Core does: among templates that match one path it takes the
    /// first function by name (Azure/azure-functions-host#9876). Each function only opens the door to the shared
    /// pipeline, which routes again with ASP.NET Core's precedence, so the right endpoint answers either way; still, a
    /// literal route (<c>api/calendar/deadline</c>) must win over a parameter (<c>api/calendar/{year}</c>) at the host
    /// too, so the methods and the function named in logs are the right ones. Names are chosen to sort that way.
    /// </summary>
    [Fact]
    public void Where_two_routes_match_one_path_the_more_literal_route_has_the_name_that_sorts_first()
    {
        var http = FunctionsOutput.Functions.Where(f => f.Trigger?.Type == "httpTrigger" && !f.Trigger.Route!.Contains('*', StringComparison.Ordinal))
            .Select(f => (f.Name, Segments: f.Trigger!.Route!.Split('/'))).ToList();
        static bool IsParameter(string segment) => segment.StartsWith('{');

        var checkedPairs = 0;
        foreach (var a in http)
        {
            foreach (var b in http)
            {
                var overlap = a.Name != b.Name && a.Segments.Length == b.Segments.Length
                    && a.Segments.Zip(b.Segments).All(p => p.First == p.Second || IsParameter(p.First) || IsParameter(p.Second));
                var aMoreLiteral = a.Segments.Zip(b.Segments).Any(p => !IsParameter(p.First) && IsParameter(p.Second))
                    && !a.Segments.Zip(b.Segments).Any(p => IsParameter(p.First) && !IsParameter(p.Second));
                if (overlap && aMoreLiteral)
                {
                    checkedPairs++;
                    Assert.True(string.Compare(a.Name, b.Name, StringComparison.OrdinalIgnoreCase) < 0, $"{a.Name} ({string.Join('/', a.Segments)}) must sort before {b.Name}");
                }
            }
        }

        Assert.True(checkedPairs > 0); // api/calendar/deadline vs api/calendar/{year} at least
    }

    /// <summary>The functions' routes; the root's template (an optional empty parameter) is the empty route.</summary>
    private static Dictionary<string, HashSet<string>> FunctionRoutes() =>
        FunctionsOutput.Functions.Where(f => f.Trigger?.Type == "httpTrigger").ToDictionary(
            f => Normalize(f.Trigger!.Route!),
            f => f.Trigger!.Methods is { } m ? m.ToHashSet() : [AnyMethod]);

    private static Dictionary<string, HashSet<string>> StandaloneRoutes()
    {
        var dead = TestStorage.FreePort();
        using var factory = new WebApplicationFactory<global::Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("AzureWebJobsStorage", TestStorage.AzuriteConnectionString(dead, dead, dead));
            b.UseSetting("Supervision:DurableTask:Worker", "false");
        });
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        return endpoints
            .GroupBy(e => Normalize(e.RoutePattern.RawText!))
            .ToDictionary(
                g => g.Key,
                g => g.SelectMany(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? [AnyMethod])
                    .Select(m => m.ToUpperInvariant()).ToHashSet());
    }

    private static string Normalize(string route) => route == "{root:maxlength(0)?}" ? string.Empty : route.Trim('/');
}

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Supervision.Testing;

namespace Supervision.Functions.Tests;

/// <summary>
/// Every endpoint the standalone host maps is reached through an HTTP function — the <c>api/{*path}</c> catch-all for
/// the API, literal routes for the site — with its methods, and no function exists without an endpoint behind it
/// (except the static files of the UI, the portal and the vendored library): the API is defined once and both hosts expose all of it.
/// </summary>
public sealed class RouteParityTests
{
    /// <summary>Any method (an endpoint without method metadata, an HTTP trigger without <c>methods</c>).</summary>
    private const string AnyMethod = "*";

    /// <summary>Functions with no endpoint in the standalone host as the test starts it, and why.</summary>
    private static readonly Dictionary<string, string> FunctionOnly = new()
    {
        ["app/{*path}"] = "the UI's static files: middleware in the pipeline, not an endpoint",
        ["portal/{*path}"] = "the petitioner portal's static files: middleware in the pipeline, not an endpoint",
        ["vendor/{*path}"] = "the UI's vendored files (ECharts): middleware in the pipeline, not an endpoint",
    };

    [Fact]
    public void Every_standalone_endpoint_is_reached_by_an_http_function_with_its_methods()
    {
        var standalone = StandaloneRoutes();
        var functions = FunctionRoutes();

        Assert.Contains("api/cases", standalone.Keys); // the enumeration found the API, not just the health checks
        Assert.Contains("api/tickets/{id}/respond", standalone.Keys);
        var missing = standalone.Where(e => Covering(functions, e.Key) is not { } m || !(m.Contains(AnyMethod) || m.IsSupersetOf(e.Value)))
            .Select(e => $"{e.Key} [{string.Join(",", e.Value.Order())}]");
        Assert.Empty(missing);
    }

    [Fact]
    public void Every_http_function_reaches_a_standalone_endpoint_or_is_a_known_extra()
    {
        var standalone = StandaloneRoutes();
        var idle = FunctionRoutes().Keys.Where(f => !standalone.Keys.Any(r => Covers(f, r))).Order(StringComparer.Ordinal);

        Assert.Equal(FunctionOnly.Keys.Order(StringComparer.Ordinal), idle);
    }

    [Fact]
    public void The_api_is_one_catch_all_function_and_no_route_is_served_by_two()
    {
        var http = FunctionsOutput.Functions.Where(f => f.Trigger?.Type == "httpTrigger").Select(f => Normalize(f.Trigger!.Route!)).ToList();

        Assert.Equal(["api/{*path}"], http.Where(r => r.StartsWith("api/", StringComparison.Ordinal)));
        foreach (var route in StandaloneRoutes().Keys)
        {
            Assert.Single(http, f => Covers(f, route));
        }
    }

    /// <summary>The methods of the one function whose route serves <paramref name="route"/>, if any.</summary>
    private static HashSet<string>? Covering(Dictionary<string, HashSet<string>> functions, string route) =>
        functions.Where(f => Covers(f.Key, route)).Select(f => f.Value).FirstOrDefault();

    /// <summary>A literal function route serves the same template; <c>prefix/{*path}</c> serves everything under the prefix.</summary>
    private static bool Covers(string function, string route) =>
        function == route
        || (function.EndsWith("/{*path}", StringComparison.Ordinal)
            && (route + "/").StartsWith(function[..^"{*path}".Length], StringComparison.Ordinal));

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

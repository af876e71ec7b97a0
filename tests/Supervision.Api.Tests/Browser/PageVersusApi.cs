using System.Text.Json;
using Microsoft.Playwright;

namespace Supervision.Api.Tests.Browser;

/// <summary>One table row as the page shows it: its key (<c>data-id</c>, <c>data-alert</c> …) and its cells' text.</summary>
public sealed record PageRow(string Key, string Light, IReadOnlyList<string> Cells);

/// <summary>Reading what a page shows, to compare it with what the API says.</summary>
public static class PageVersusApi
{
    /// <summary>The body rows of the table in <paramref name="container"/> ("暂无" rows excluded).</summary>
    public static async Task<IReadOnlyList<PageRow>> RowsAsync(ILocator container)
    {
        var rows = await container.EvaluateAsync<JsonElement>(
            """
            c => [...c.querySelectorAll("tbody tr")].filter(r => !r.querySelector("td.empty")).map(r => ({
              key: r.dataset.id ?? r.dataset.alert ?? r.dataset.ticket ?? r.dataset.joint ?? "",
              light: r.dataset.light ?? (r.querySelector(".light")?.className.replace("light", "").trim() ?? ""),
              cells: [...r.cells].map(x => x.innerText.trim()),
            }))
            """);
        return [.. rows.EnumerateArray().Select(r => new PageRow(
            r.GetProperty("key").GetString()!, r.GetProperty("light").GetString()!, [.. r.GetProperty("cells").EnumerateArray().Select(c => c.GetString()!)]))];
    }

    /// <summary>
    /// Polls until the page and the API agree (both can move: the clock runs and the page refreshes on its own), and
    /// fails with both sides when they never do.
    /// </summary>
    public static async Task<T> AgreeAsync<T>(Func<Task<(T Page, T Api)>> read, string what, TimeSpan? timeout = null)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        while (true)
        {
            var (page, api) = await read();
            if (Same(page, api))
            {
                return api;
            }

            Assert.True(started.Elapsed < limit, $"{what}: the page shows {Show(page)}, the API says {Show(api)}");
            await Task.Delay(200);
        }
    }

    private static bool Same<T>(T a, T b) => a is System.Collections.IEnumerable x and not string && b is System.Collections.IEnumerable y
        ? x.Cast<object?>().SequenceEqual(y.Cast<object?>())
        : EqualityComparer<T>.Default.Equals(a, b);

    private static string Show<T>(T value) => value is System.Collections.IEnumerable e and not string
        ? "[" + string.Join(", ", e.Cast<object?>()) + "]"
        : value?.ToString() ?? "null";
}

namespace Supervision.Domain.Tests;

/// <summary>
/// A transitions matrix written by hand from ../shared/docs/DOMAIN.md and docs/case.md / docs/supervision.md: the oracle
/// the matrix tests judge the deciders by, instead of the production table judging itself. One line per command:
/// <c>command | x . x …</c>, one column per status in the header's order; <c>x</c> = the law lets the command act in
/// that status. A change to a production table fails the matrix test until this copy is changed on purpose.
/// </summary>
public sealed class HandMatrix<TStatus>
    where TStatus : struct, Enum
{
    private readonly Dictionary<string, HashSet<TStatus>> allowed = new(StringComparer.Ordinal);

    public HandMatrix(string grid)
    {
        var lines = grid.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var header = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<TStatus>).ToArray();
        Assert.Equal(Enum.GetValues<TStatus>().Order(), header.Order()); // every status has a column, once
        foreach (var line in lines.Skip(1))
        {
            var parts = line.Split('|', StringSplitOptions.TrimEntries);
            var cells = parts[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(cells.Length == header.Length, $"{parts[0]}: {cells.Length} cells for {header.Length} statuses");
            Assert.All(cells, c => Assert.True(c is "x" or ".", $"{parts[0]}: cell '{c}'"));
            allowed.Add(parts[0], [.. header.Where((_, i) => cells[i] == "x")]);
        }
    }

    public IEnumerable<string> Commands => allowed.Keys;

    public bool Allows(string command, TStatus status) =>
        allowed.TryGetValue(command, out var from) ? from.Contains(status) : throw new KeyNotFoundException($"'{command}' is not in the hand-written matrix");

    /// <summary>Every cell where the production table says otherwise, as "command in Status: table allows|refuses".</summary>
    public IReadOnlyList<string> Differences(IEnumerable<(string Command, IReadOnlySet<TStatus> From)> table)
    {
        var rows = table.ToList();
        var diff = new List<string>();
        foreach (var name in rows.Select(r => r.Command).Union(allowed.Keys).Order(StringComparer.Ordinal))
        {
            var row = rows.FirstOrDefault(r => r.Command == name);
            if (row.Command is null || !allowed.ContainsKey(name))
            {
                diff.Add($"{name}: {(row.Command is null ? "missing from the production table" : "missing from the hand-written matrix")}");
                continue;
            }

            foreach (var status in Enum.GetValues<TStatus>().Where(s => row.From.Contains(s) != Allows(name, s)))
            {
                diff.Add($"{name} in {status}: the table {(row.From.Contains(status) ? "allows" : "refuses")} it");
            }
        }

        return diff;
    }
}

using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json.Serialization;

namespace Supervision.Domain.Tickets;

/// <summary>
/// The one table of allowed moves of a ticket. A command outside its row is refused with a Transition rejection (409).
/// Timer firings are not in the table: they are current (acted on) or stale (ignored).
/// </summary>
public static class TicketTransitions
{
    /// <param name="To">The resulting status, or null when the status does not change.</param>
    public sealed record Row(string Command, IReadOnlySet<TicketStatus> From, string? To, string Meaning);

    private static readonly TicketStatus[] Live = [TicketStatus.Open, TicketStatus.Acknowledged, TicketStatus.Responded];

    private static readonly FrozenDictionary<Type, string> Names = typeof(TicketCommand)
        .GetCustomAttributes<JsonDerivedTypeAttribute>()
        .ToFrozenDictionary(a => a.DerivedType, a => (string)a.TypeDiscriminator!);

    public static IReadOnlyList<Row> Rows { get; } =
    [
        R("raise", "Open", "督办", TicketStatus.New),
        R("acknowledge", "Acknowledged", "签收", TicketStatus.Open),
        R("respond", "Responded", "反馈", TicketStatus.Open, TicketStatus.Acknowledged),
        R("accept-response", "Closed", "审核通过", TicketStatus.Responded),
        R("reject-response", "Open", "退回", TicketStatus.Responded),
        R("conference-decision", null, "联席会议决定", Live),
        R("recommend-accountability", null, "问责建议", [.. Live, TicketStatus.Closed]),
        R("accountability-reply", null, "问责书面答复", [.. Live, TicketStatus.Closed]),
        R("close", "Closed", "结案关闭", Live),
    ];

    private static readonly FrozenDictionary<string, Row> ByName = Rows.ToFrozenDictionary(r => r.Command);

    public static string NameOf(Type commandType) => Names.TryGetValue(commandType, out var n) ? n : commandType.Name;

    public static Row? For(string command) => ByName.GetValueOrDefault(command);

    public static bool Allows(string command, TicketStatus from) => For(command)?.From.Contains(from) ?? false;

    public static IEnumerable<string> AllowedIn(TicketStatus status) => Rows.Where(r => r.From.Contains(status)).Select(r => r.Command);

    public static string Why(string command, TicketStatus from)
    {
        var row = For(command);
        if (row is null)
        {
            return $"'{command}' is not a ticket command";
        }

        return from switch
        {
            TicketStatus.New => $"{row.Meaning}: the ticket has not been raised",
            TicketStatus.Closed => $"{row.Meaning}: the ticket is closed",
            _ => $"{row.Meaning} is allowed only when the ticket is {string.Join(", ", row.From.Order())}, not {from}",
        };
    }

    private static Row R(string command, string? to, string meaning, params TicketStatus[] from) => new(command, from.ToFrozenSet(), to, meaning);
}

using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json.Serialization;

namespace Supervision.Domain.Cases;

/// <summary>
/// The one table of allowed moves (STYLE.md, from durabletask): for each command, the statuses it may be issued in and
/// where it leads. A command outside its row is refused with <c>Rejection.Transition</c> (409) naming from and to.
/// Timer firings are not in the table: in any status they are either current (acted on) or stale (ignored).
/// </summary>
public static class CaseTransitions
{
    /// <summary>One row.</summary>
    /// <param name="To">The resulting status, or null when the status does not change.</param>
    public sealed record Row(string Command, IReadOnlySet<CaseStatus> From, string? To, string Meaning);

    public static readonly IReadOnlySet<CaseStatus> Open = new HashSet<CaseStatus>
    {
        CaseStatus.Registered, CaseStatus.ReceivedByAgency, CaseStatus.Routed, CaseStatus.ObjectionPending, CaseStatus.Accepted,
        CaseStatus.Replied, CaseStatus.UnderReview, CaseStatus.Reviewed, CaseStatus.UnderReExamination,
    }.ToFrozenSet();

    private static readonly FrozenDictionary<Type, string> Names = typeof(CaseCommand)
        .GetCustomAttributes<JsonDerivedTypeAttribute>()
        .ToFrozenDictionary(a => a.DerivedType, a => (string)a.TypeDiscriminator!);

    public static IReadOnlyList<Row> Rows { get; } =
    [
        R("register", "Registered | ReceivedByAgency", "登记", CaseStatus.New),
        R("classify", null, "分类", CaseStatus.Registered, CaseStatus.ReceivedByAgency),
        R("route", "Routed", "转送/交办", CaseStatus.Registered),
        R("refer-out", "ReferredOut", "诉访分离/移送纪检监察", CaseStatus.Registered, CaseStatus.ReceivedByAgency, CaseStatus.Routed),
        R("object", "ObjectionPending", "异议", CaseStatus.Routed),
        R("decide-objection", "Registered | Routed", "核实异议", CaseStatus.ObjectionPending),
        R("accept", "Accepted", "受理", CaseStatus.ReceivedByAgency, CaseStatus.Routed),
        R("approve-extension", null, "延期", CaseStatus.Accepted),
        R("reply", "Replied", "答复", CaseStatus.Accepted),
        R("completion-report", null, "办结报告", CaseStatus.Replied, CaseStatus.UnderReview, CaseStatus.Reviewed, CaseStatus.UnderReExamination, CaseStatus.Final, CaseStatus.Closed),
        R("rate", null, "评价", CaseStatus.Replied, CaseStatus.Reviewed, CaseStatus.Final, CaseStatus.Closed),
        R("request-review", "UnderReview", "申请复查", CaseStatus.Replied),
        R("review-opinion", "Reviewed", "复查意见", CaseStatus.UnderReview),
        R("request-reexamination", "UnderReExamination", "申请复核", CaseStatus.Reviewed),
        R("start-hearing", null, "听证开始", CaseStatus.UnderReExamination),
        R("end-hearing", null, "听证结束", CaseStatus.UnderReExamination),
        R("reexamination-opinion", "Final", "复核意见", CaseStatus.UnderReExamination),
        R("report-major", null, "重大紧急事项报告", [.. Open]),
        R("record-repeat", null, "重复信访", [.. Open, CaseStatus.Final]),
        R("migrate-policy", null, "迁移规则版本", [.. Open]),
        R("reissue-query-code", null, "重新发放查询码", [.. Open, CaseStatus.Final, CaseStatus.Closed, CaseStatus.ReferredOut]),
        R("conference-extension", null, "联席会议延期", CaseStatus.Accepted),
        R("reassign", "Routed", "联席会议改交", CaseStatus.Routed, CaseStatus.ObjectionPending, CaseStatus.Accepted),
        R("mark-supervision", null, "挂牌督办/通报", [.. Open]),
        R("joint-assignment", "Routed", "联合交办", CaseStatus.Registered, CaseStatus.Routed),
        R("record-ticket", null, "督办单登记", [.. Open, CaseStatus.Final, CaseStatus.Closed, CaseStatus.ReferredOut]),
        R("take-ownership", null, "领导包案", [.. Open]),
        R("assign-owner", null, "联席会议决定领导包案", [.. Open]),
    ];

    private static readonly FrozenDictionary<string, Row> ByName = Rows.ToFrozenDictionary(r => r.Command);

    /// <summary>The stable discriminator of a command type.</summary>
    public static string NameOf(Type commandType) => Names.TryGetValue(commandType, out var n) ? n : commandType.Name;

    public static Row? For(string command) => ByName.GetValueOrDefault(command);

    public static bool Allows(string command, CaseStatus from) => For(command)?.From.Contains(from) ?? false;

    /// <summary>Commands the table allows in a status (what a UI may offer, before role checks).</summary>
    public static IEnumerable<string> AllowedIn(CaseStatus status) => Rows.Where(r => r.From.Contains(status)).Select(r => r.Command);

    /// <summary>A reason a person can act on, for a refused move.</summary>
    public static string Why(string command, CaseStatus from)
    {
        var row = For(command);
        if (row is null)
        {
            return $"'{command}' is not a case command";
        }

        var allowed = string.Join(", ", row.From.Order());
        return from switch
        {
            CaseStatus.New => $"{row.Meaning}: the case is not registered yet",
            CaseStatus.Final => $"{row.Meaning}: the case is final after re-examination (Art. 36)",
            CaseStatus.ReferredOut => $"{row.Meaning}: the item left the petition track",
            _ => $"{row.Meaning} is allowed only when the case is {allowed}, not {from}",
        };
    }

    private static Row R(string command, string? to, string meaning, params CaseStatus[] from) =>
        new(command, from.ToFrozenSet(), to, meaning);
}

using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;

namespace Supervision.Domain.JointAssignments;

/// <summary>The state of one joint assignment (联合交办, Art. 24). Immutable; the instance snapshot (<see cref="JointJson.Options"/>).</summary>
public sealed record JointState
{
    public static JointState Initial { get; } = new();

    public JointStatus Status { get; init; } = JointStatus.New;

    public string? AssignmentId { get; init; }

    public string? CaseId { get; init; }

    public string? BureauId { get; init; }

    public string? ConferenceOfficeId { get; init; }

    public JointArrangement? Arrangement { get; init; }

    public Category? Category { get; init; }

    public string? AccusedUnitId { get; init; }

    public string? AccusedPersonId { get; init; }

    public string? ProposedBy { get; init; }

    public ImmutableSortedDictionary<string, JointAnswer> Answers { get; init; } = ImmutableSortedDictionary.Create<string, JointAnswer>(StringComparer.Ordinal);

    /// <summary>Who settles the dispute now.</summary>
    public string? ResolverUnitId { get; init; }

    public ResolverKind? Resolver { get; init; }

    /// <summary>The wait in progress (answers, dispute, approval); one generation counter across them.</summary>
    public LegalClock? Window { get; init; }

    public string? ResolutionNote { get; init; }

    public bool Amended { get; init; }

    public string? DecisionNote { get; init; }

    public string? RejectionReason { get; init; }
}

/// <summary>The one table of allowed moves of a joint assignment (409 outside it).</summary>
public static class JointTransitions
{
    public sealed record Row(string Command, IReadOnlySet<JointStatus> From, string? To, string Meaning);

    private static readonly FrozenDictionary<Type, string> Names = typeof(JointCommand)
        .GetCustomAttributes<JsonDerivedTypeAttribute>()
        .ToFrozenDictionary(a => a.DerivedType, a => (string)a.TypeDiscriminator!);

    public static IReadOnlyList<Row> Rows { get; } =
    [
        R("propose", "Consulting", "提出联合交办", JointStatus.New),
        R("consent", null, "同意", JointStatus.Consulting),
        R("dispute", "Disputed", "提出争议", JointStatus.Consulting),
        R("resolve-dispute", "AwaitingApproval | Approved", "裁定争议", JointStatus.Disputed),
        R("approve", "Approved", "批准", JointStatus.AwaitingApproval),
        R("amend", "Approved", "调整后批准", JointStatus.AwaitingApproval),
        R("reject", "Rejected", "不予批准", JointStatus.AwaitingApproval),
    ];

    private static readonly FrozenDictionary<string, Row> ByName = Rows.ToFrozenDictionary(r => r.Command);

    public static string NameOf(Type commandType) => Names.TryGetValue(commandType, out var n) ? n : commandType.Name;

    public static Row? For(string command) => ByName.GetValueOrDefault(command);

    public static bool Allows(string command, JointStatus from) => For(command)?.From.Contains(from) ?? false;

    public static string Why(string command, JointStatus from) => For(command) is not { } row
        ? $"'{command}' is not a joint-assignment command"
        : $"{row.Meaning} is allowed only when the joint assignment is {string.Join(", ", row.From.Order())}, not {from}";

    private static Row R(string command, string? to, string meaning, params JointStatus[] from) => new(command, from.ToFrozenSet(), to, meaning);
}

/// <summary>The JSON contract of joint-assignment commands, events and state (same rules as <c>CaseJson</c>).</summary>
public static class JointJson
{
    public static JsonSerializerOptions Options { get; } = DomainJson.Create();

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"null {typeof(T).Name}");
}

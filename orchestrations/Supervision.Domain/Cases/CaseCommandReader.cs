using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;
using Supervision.Domain.Orchestration;

namespace Supervision.Domain.Cases;

/// <summary>The outcome of reading a command body: the command, or every problem with its field path.</summary>
public sealed record CommandRead(CaseCommand? Command, IReadOnlyList<FieldError> Errors)
{
    public bool IsValid => Command is not null && Errors.Count == 0;
}

/// <summary>
/// Reads a command from a request body for the HTTP edge: shape first (valid JSON, no duplicate properties, depth ≤
/// <see cref="CaseJson.MaxDepth"/>, a known <c>$type</c>, every required field present and not null, enums by name only,
/// numbers and strings where they belong), then <see cref="CaseJson.Commands"/>, then <see cref="CommandValidator"/>.
/// Every problem names its JSON field (<c>petitioner.name</c>, <c>channel</c>); nothing but a
/// <see cref="CommandRead"/> comes out, whatever the input. Pure.
/// </summary>
public static class CaseCommandReader
{
    private static readonly FrozenDictionary<string, Type> Types = typeof(CaseCommand)
        .GetCustomAttributes<JsonDerivedTypeAttribute>()
        .ToFrozenDictionary(a => (string)a.TypeDiscriminator!, a => a.DerivedType, StringComparer.Ordinal);

    /// <summary>Command types the edge must never accept from a client (made by the runtime).</summary>
    private static readonly FrozenSet<Type> Internal = new[] { typeof(ClockTimerElapsed) }.ToFrozenSet();

    /// <param name="json">The body, with <c>$type</c> and the fields the edge adds (actor, caseId, queryCode) already set.</param>
    /// <param name="now">When given, future receipt and service dates are refused.</param>
    public static CommandRead Read(string? json, Instant? now = null)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return Fail("$", "the body is empty; send a JSON object");
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = CaseJson.MaxDepth, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            return Fail(Field(e.Path), "not valid JSON: " + e.Message);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Fail("$", "the body must be a JSON object");
            }

            if (!root.TryGetProperty("$type", out var typeName) || typeName.ValueKind != JsonValueKind.String)
            {
                return Fail("$type", "$type is required (the command name, e.g. \"register\")");
            }

            if (!Types.TryGetValue(typeName.GetString()!, out var type) || Internal.Contains(type))
            {
                return Fail("$type", $"unknown command '{typeName.GetString()}'");
            }

            var errors = new List<FieldError>();
            try
            {
                CommandShape.Check(root, type, errors, t => t.Namespace == typeof(CaseCommand).Namespace);
            }
            catch (InvalidOperationException e)
            {
                // A string that is not valid text (a lone surrogate). The HTTP edge refuses it earlier, naming the field.
                return Fail("$", "the body holds text that is not valid Unicode: " + e.Message);
            }
            if (errors.Count > 0)
            {
                return new CommandRead(null, errors);
            }

            CaseCommand? command;
            try
            {
                command = root.Deserialize<CaseCommand>(CaseJson.Commands);
            }
            catch (JsonException e)
            {
                return Fail(Field(e.Path), e.Message);
            }
            catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException or FormatException or OverflowException)
            {
                // Belt and braces: the shape check should have caught it; the caller still gets a 400, not a 500.
                return Fail("$", e.Message);
            }

            if (command is null)
            {
                return Fail("$", "the body must be a JSON object");
            }

            var problems = CommandValidator.Validate(command, now);
            return problems.Count > 0 ? new CommandRead(null, problems) : new CommandRead(command, []);
        }
    }

    /// <summary><c>$.petitioner.name</c> → <c>petitioner.name</c>; the root stays <c>$</c>.</summary>
    private static string Field(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "$" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    private static CommandRead Fail(string field, string message) => new(null, [new FieldError(field, message)]);
}

using System.Reflection;
using System.Text.Json;
using NodaTime;

namespace Supervision.Domain.Orchestration;

/// <summary>
/// The shape check every command body passes before it is deserialized, whichever decider it is for: each constructor
/// parameter of the command present unless it has a default, not null unless nullable, enums by name only, and strings,
/// integers, booleans and objects where they belong. Every problem names its JSON field (<c>arrangement.leadAgencyId</c>).
/// Pure; throws <see cref="InvalidOperationException"/> only for text that is not valid Unicode (the edge refuses it earlier).
/// </summary>
public static class CommandShape
{
    /// <param name="nested">Which classes of a field are commands' own parts, checked field by field in turn.</param>
    public static void Check(JsonElement obj, Type type, List<FieldError> errors, Func<Type, bool> nested) =>
        Check(obj, type, string.Empty, errors, new NullabilityInfoContext(), nested); // the context is not thread-safe: one per read

    /// <summary>Required, nullability, enum-by-name and JSON kind of each constructor parameter of <paramref name="type"/>.</summary>
    private static void Check(JsonElement obj, Type type, string prefix, List<FieldError> errors, NullabilityInfoContext nullability, Func<Type, bool> nested)
    {
        var ctor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        foreach (var p in ctor.GetParameters())
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(p.Name!);
            var path = prefix + name;
            if (!TryGet(obj, name, out var value))
            {
                if (!p.HasDefaultValue)
                {
                    errors.Add(new FieldError(path, $"{path} is required"));
                }

                continue;
            }

            var underlying = Nullable.GetUnderlyingType(p.ParameterType);
            var nullable = underlying is not null
                || (!p.ParameterType.IsValueType && nullability.Create(p).WriteState == NullabilityState.Nullable);
            var t = underlying ?? p.ParameterType;
            if (value.ValueKind == JsonValueKind.Null)
            {
                if (!nullable)
                {
                    errors.Add(new FieldError(path, $"{path} must not be null"));
                }

                continue;
            }

            if (t.IsEnum)
            {
                var names = Enum.GetNames(t);
                if (value.ValueKind != JsonValueKind.String
                    || !names.Contains(value.GetString(), StringComparer.OrdinalIgnoreCase))
                {
                    errors.Add(new FieldError(path, $"{path} must be one of {string.Join(", ", names)} (by name)"));
                }
            }
            else if (t == typeof(string) || t == typeof(Instant) || t == typeof(LocalDate))
            {
                if (value.ValueKind != JsonValueKind.String)
                {
                    errors.Add(new FieldError(path, $"{path} must be a string"));
                }
            }
            else if (t == typeof(int))
            {
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out _))
                {
                    errors.Add(new FieldError(path, $"{path} must be an integer"));
                }
            }
            else if (t == typeof(bool))
            {
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    errors.Add(new FieldError(path, $"{path} must be true or false"));
                }
            }
            else if (t.IsClass && nested(t))
            {
                if (value.ValueKind != JsonValueKind.Object)
                {
                    errors.Add(new FieldError(path, $"{path} must be an object"));
                }
                else
                {
                    Check(value, t, path + ".", errors, nullability, nested);
                }
            }
        }
    }

    /// <summary>Property lookup as the serializer does it (web defaults: case-insensitive).</summary>
    private static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        foreach (var p in obj.EnumerateObject())
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = p.Value;
                return true;
            }
        }

        value = default;
        return false;
    }
}

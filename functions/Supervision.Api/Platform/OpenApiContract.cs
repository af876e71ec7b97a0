using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using NodaTime;
using Supervision.Domain.Cases;

namespace Supervision.Api.Platform;

/// <summary>
/// Makes the OpenAPI document say what the API accepts: NodaTime values are strings (<see cref="Instant"/>
/// <c>date-time</c>, <see cref="LocalDate"/> <c>date</c> as <c>yyyy-MM-dd</c>, <see cref="Duration"/> a duration
/// string), and command request schemas leave out what the server assigns (actor, case id, query code and salt).
/// </summary>
public static class OpenApiContract
{
    public static void Configure(OpenApiOptions options) => options.AddSchemaTransformer((schema, context, _) =>
    {
        var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
        if (type == typeof(Instant) || type == typeof(LocalDate) || type == typeof(Duration))
        {
            var nullable = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) is not null;
            schema.Type = nullable ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
            schema.Format = type == typeof(Instant) ? "date-time" : type == typeof(LocalDate) ? "date" : "duration";
            schema.Pattern = type == typeof(LocalDate) ? "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" : null;
            schema.Properties?.Clear();
            schema.Required?.Clear();
            schema.Description ??= type == typeof(LocalDate) ? "A calendar date, yyyy-MM-dd." : type == typeof(Instant) ? "An instant, ISO-8601 with an offset (e.g. 2025-09-10T09:00:00+08:00)." : null;
        }
        else if (typeof(CaseCommand).IsAssignableFrom(type))
        {
            foreach (var name in Cases.CaseEndpoints.ServerFields)
            {
                var key = schema.Properties?.Keys.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
                if (key is not null)
                {
                    schema.Properties!.Remove(key);
                    schema.Required?.Remove(key);
                }
            }
        }

        return Task.CompletedTask;
    });
}

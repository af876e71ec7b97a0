using Supervision.Api.Auth;
using Supervision.Api.Platform;
using Supervision.Domain.Org;

namespace Supervision.Api.Org;

/// <summary>The org directory: read by every signed-in person, edited by administrators.</summary>
public static class OrgEndpoints
{
    public static IEndpointRouteBuilder MapOrgEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/org").RequireAuthorization(SupervisionClaims.PersonPolicy).WithTags("org");
        read.MapGet("/", async (OrgService org, CancellationToken ct) => Results.Content((await org.GetAsync(ct)).ToJson(), "application/json"));
        read.MapGet("/units/{id}", async (string id, OrgService org, CancellationToken ct) =>
        {
            var o = await org.GetAsync(ct);
            return o.Unit(id) is { } u
                ? Results.Json(new { unit = u, parent = o.Parent(id), children = o.Children(id), commonConference = o.ConferenceOfficeOf(id) })
                : Problems.NotFound($"No unit '{id}'.");
        });

        var write = app.MapGroup("/api/org").RequireAuthorization(SupervisionClaims.AdminPolicy).WithTags("org");
        write.MapPut("/", async (HttpRequest request, OrgService org, CancellationToken ct) =>
            await EditAsync(async () => await org.ReplaceAsync(await new StreamReader(request.Body).ReadToEndAsync(ct), ct)));
        write.MapPut("/units/{id}", async (string id, OrgUnit unit, OrgService org, CancellationToken ct) =>
            unit.Id != id ? Problems.Conflict($"The body's id '{unit.Id}' differs from the route's '{id}'.") : await EditAsync(() => org.UpdateAsync(o => o.WithUnit(unit), ct)));
        write.MapDelete("/units/{id}", async (string id, OrgService org, CancellationToken ct) => await EditAsync(() => org.UpdateAsync(o => o.WithoutUnit(id), ct)));
        write.MapPut("/people/{id}", async (string id, Person person, OrgService org, CancellationToken ct) =>
            person.Id != id ? Problems.Conflict($"The body's id '{person.Id}' differs from the route's '{id}'.") : await EditAsync(() => org.UpdateAsync(o => o.WithPerson(person), ct)));
        write.MapDelete("/people/{id}", async (string id, OrgService org, CancellationToken ct) => await EditAsync(() => org.UpdateAsync(o => o.WithoutPerson(id), ct)));
        return app;
    }

    private static async Task<IResult> EditAsync(Func<Task<OrgDirectory>> edit)
    {
        try
        {
            var result = await edit();
            return Results.Content(result.ToJson(), "application/json");
        }
        catch (DataValidationException e)
        {
            return Results.Problem(
                statusCode: StatusCodes.Status400BadRequest, title: "The org directory would be invalid", detail: e.Message,
                extensions: new Dictionary<string, object?> { ["errors"] = e.Errors });
        }
    }
}

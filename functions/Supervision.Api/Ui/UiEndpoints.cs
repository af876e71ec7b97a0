using Azure.Data.Tables;
using Supervision.Api.Cases;
using Supervision.Domain.Cases;
using Supervision.Domain.Org;

namespace Supervision.Api.Ui;

/// <summary>
/// What the standalone sign-in page needs and the case API does not give: the demo people with their roles as data
/// (unit, unit type, role) and a suggested default — someone whose unit holds open cases, never an identity that sees
/// nothing. Demo mode only, like <c>/api/demo/users</c>; reveals only the directory, which the demo makes public anyway.
/// </summary>
public static class UiEndpoints
{
    private static readonly Role[] Preference = [Role.Registrar, Role.HandlingOfficer, Role.AgencyHead, Role.Supervisor, Role.Leader, Role.ConferenceStaff];

    public static IEndpointRouteBuilder MapUiEndpoints(this IEndpointRouteBuilder app, bool demo)
    {
        if (!demo)
        {
            return app;
        }

        app.MapGet("/api/demo/people", async (CaseServices s, CancellationToken ct) =>
        {
            var org = await s.Org.GetAsync(ct);
            var people = org.People.Select(p => new
            {
                p.Id,
                p.Name,
                roles = p.Roles.Select(r => new
                {
                    role = RoleNames.Of(r.Role),
                    unit = r.Unit,
                    unitName = org.Unit(r.Unit)?.Name,
                    unitType = org.Unit(r.Unit)?.Type.ToString(),
                }),
            });
            return Results.Json(new { defaultId = await DefaultAsync(s, org, ct), people });
        }).AllowAnonymous().WithTags("demo").WithName("demoPeople")
        .WithSummary("Demo mode: the people to sign in as, by unit and role, and a default who has work.");
        return app;
    }

    /// <summary>The person with the most-preferred role in the unit that holds the most open cases; else the first registrar.</summary>
    private static async Task<string?> DefaultAsync(CaseServices s, OrgDirectory org, CancellationToken ct)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        try
        {
            var table = await s.Storage.ReadModelAsync(CaseRow.Model);
            await foreach (var e in table.QueryAsync<TableEntity>("open eq true", select: [CaseRow.ResponsibleUnitId, CaseRow.Category], cancellationToken: ct))
            {
                // Accusations are seen by few; a default should see what it counts.
                if (e.GetString(CaseRow.Category) != nameof(Category.Accusation) && e.GetString(CaseRow.ResponsibleUnitId) is { } unit)
                {
                    counts[unit] = counts.GetValueOrDefault(unit) + 1;
                }
            }
        }
        catch (Azure.RequestFailedException)
        {
            // Storage not ready yet: fall back to a registrar, who can always register a petition.
        }

        foreach (var unit in counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Key))
        {
            foreach (var role in Preference)
            {
                if (org.People.FirstOrDefault(p => p.Roles.Any(r => r.Unit == unit && r.Role == role)) is { } person)
                {
                    return person.Id;
                }
            }
        }

        return org.People.FirstOrDefault(p => p.Roles.Any(r => r.Role == Role.Registrar && org.Unit(r.Unit)?.Type == UnitType.PetitionBureau))?.Id;
    }
}

using System.Security.Cryptography;
using System.Text;
using Supervision.Domain.Org;

namespace Supervision.Domain.Cases;

/// <summary>
/// Accusations never reach the accused (Arts. 30, 46). For a 检举控告 item, the excluded units are the accused unit and
/// every unit where the accused person holds a role; the excluded people are the accused person and everyone holding a
/// role in an excluded unit. The decider refuses to route, refer, notify or hand anything to them, and every query
/// filters with <see cref="CaseVisibility"/>.
/// </summary>
public static class AccusationGuard
{
    public static IReadOnlySet<string> ExcludedUnits(OrgDirectory org, Category? category, string? accusedUnitId, string? accusedPersonId)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (category != Category.Accusation)
        {
            return set;
        }

        if (accusedUnitId is not null)
        {
            set.Add(accusedUnitId);
        }

        if (accusedPersonId is not null)
        {
            set.UnionWith(org.UnitsOf(accusedPersonId));
        }

        return set;
    }

    public static IReadOnlySet<string> ExcludedUnits(OrgDirectory org, CaseState state) =>
        ExcludedUnits(org, state.Category, state.AccusedUnitId, state.AccusedPersonId);

    public static bool ExcludesUnit(OrgDirectory org, CaseState state, string unitId) => ExcludedUnits(org, state).Contains(unitId);

    public static bool ExcludesPerson(OrgDirectory org, CaseState state, string personId) =>
        ExcludesPerson(org, state.Category, state.AccusedUnitId, state.AccusedPersonId, personId);

    public static bool ExcludesPerson(OrgDirectory org, Category? category, string? accusedUnitId, string? accusedPersonId, string personId)
    {
        if (category != Category.Accusation)
        {
            return false;
        }

        var units = ExcludedUnits(org, category, accusedUnitId, accusedPersonId);
        return personId == accusedPersonId || org.UnitsOf(personId).Any(units.Contains);
    }
}

/// <summary>Who may see a case. Every query (lists, detail, files, links) must filter with these.</summary>
public static class CaseVisibility
{
    /// <summary>
    /// A person sees a case when they hold a role in a unit that has held it, or are a supervisor, leader or
    /// conference-office staff whose level's government is an ancestor of (or is) such a unit — and never when the
    /// accusation guard excludes them.
    /// </summary>
    public static bool CanSee(OrgDirectory org, Person person, CaseState state)
    {
        if (state.Status == CaseStatus.New || AccusationGuard.ExcludesPerson(org, state, person.Id))
        {
            return false;
        }

        return CanSeeUnits(org, person, state.InvolvedUnits);
    }

    /// <summary>The same rule on a read-model row (see <see cref="CaseRow"/>), for list queries.</summary>
    public static bool CanSeeRow(OrgDirectory org, Person person, IReadOnlyDictionary<string, object?> row)
    {
        var excluded = Split(row.GetValueOrDefault(CaseRow.ExcludedUnits) as string);
        if (row.GetValueOrDefault(CaseRow.AccusedPersonId) as string == person.Id || org.UnitsOf(person.Id).Any(excluded.Contains))
        {
            return false;
        }

        return CanSeeUnits(org, person, Split(row.GetValueOrDefault(CaseRow.InvolvedUnits) as string));
    }

    /// <summary>
    /// The petitioner sees their own case with its query code (查询码): the code is checked against the salted hash the
    /// case keeps (<see cref="QueryCodes.Verify"/>, constant-time compare). A snapshot written before hashing still holds
    /// the clear code in <see cref="CaseState.QueryCode"/>; it is compared in constant time too.
    /// </summary>
    public static bool CanPetitionerSee(CaseState state, string? queryCode)
    {
        if (string.IsNullOrEmpty(queryCode))
        {
            return false;
        }

        if (state.QueryCodeHash is not null)
        {
            return QueryCodes.Verify(state.QueryCodeHash, queryCode);
        }

        return state.QueryCode is not null && CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(state.QueryCode), Encoding.UTF8.GetBytes(queryCode));
    }

    /// <summary>
    /// The hash the case's code is checked against: the stored one, or for a snapshot written before hashing the hash its
    /// next event will store (<see cref="CaseDecider.Evolve"/>). What <see cref="Actors.PetitionerFor"/> is made from.
    /// </summary>
    public static string? StoredQueryCodeHash(CaseState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.QueryCodeHash ?? (state.QueryCode is { } legacy ? QueryCodes.Hash(legacy, state.CaseId ?? string.Empty, null) : null);
    }

    private static bool CanSeeUnits(OrgDirectory org, Person person, IReadOnlyCollection<string> involved)
    {
        foreach (var grant in person.Roles)
        {
            if (involved.Contains(grant.Unit))
            {
                return true;
            }

            if (grant.Role is Role.Supervisor or Role.Leader or Role.ConferenceStaff
                && org.GovernmentOf(grant.Unit) is { } government
                && involved.Any(u => org.IsAncestorOrSelf(government.Id, u)))
            {
                return true;
            }
        }

        return false;
    }

    private static HashSet<string> Split(string? list) =>
        new((list ?? string.Empty).Split(CaseRow.ListSeparator, StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
}

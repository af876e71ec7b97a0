using System.Text.Json.Serialization;

namespace Supervision.Domain.Org;

/// <summary>Administrative level of a unit, from national to township (国家 → 省 → 市 → 县 → 乡镇).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Level>))]
public enum Level
{
    National,
    Province,
    City,
    County,
    Township,
}

/// <summary>What kind of body a unit is (DOMAIN.md §1).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<UnitType>))]
public enum UnitType
{
    /// <summary>Party committee (党委).</summary>
    PartyCommittee,

    /// <summary>People's government (人民政府); the trunk of the tree.</summary>
    Government,

    /// <summary>Petition bureau (信访部门): registers, routes, supervises.</summary>
    PetitionBureau,

    /// <summary>Competent agency (有权处理的机关、单位): accepts and handles.</summary>
    CompetentAgency,

    /// <summary>Discipline inspection and supervision (纪检监察机关).</summary>
    DisciplineInspection,

    /// <summary>Courts, procuratorates, police, justice (政法部门): receive items leaving the petition track.</summary>
    LegalOrgan,

    /// <summary>Joint-conference office of a level (信访工作联席会议办公室).</summary>
    ConferenceOffice,
}

/// <summary>A role a person holds at one unit.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Role>))]
public enum Role
{
    /// <summary>Registers and routes items (登记人员).</summary>
    Registrar,

    /// <summary>Handles items (承办人).</summary>
    HandlingOfficer,

    /// <summary>Head of an agency (负责人); approves extensions.</summary>
    AgencyHead,

    /// <summary>Supervisor of a petition bureau (督查).</summary>
    Supervisor,

    /// <summary>Staff of a joint-conference office.</summary>
    ConferenceStaff,

    /// <summary>Leader in charge (领导).</summary>
    Leader,
}

/// <summary>A node of the org tree.</summary>
/// <param name="Parent">
/// The body one level above (the unit that supervises this one). Governments form the trunk of the tree; every other
/// unit of a level hangs under its level's government, so the parent of a county agency is the county government and
/// the parent of a county government is the city government — the bodies Art. 35/36 send reviews to.
/// </param>
/// <param name="Region">Administrative region code; policies can be set per region.</param>
public sealed record OrgUnit(string Id, string Name, UnitType Type, Level Level, string? Parent, string Region);

/// <summary>One role held at one unit.</summary>
public sealed record RoleGrant(Role Role, string Unit);

/// <summary>A person with roles scoped to units. Only fictional demo people ship with the code.</summary>
/// <param name="Id">In Azure the Entra object id, which Teams activity notifications use as the recipient.</param>
/// <param name="Email">Where e-mail alerts go; none means Teams only. Optional so older documents still load.</param>
public sealed record Person(string Id, string Name, IReadOnlyList<RoleGrant> Roles, string? Email = null);

/// <summary>The file format of an org directory (seed file, API payload).</summary>
public sealed record OrgSeed(IReadOnlyList<OrgUnit> Units, IReadOnlyList<Person> People);

/// <summary>Role names as alert audiences and read-model values carry them (kebab case, stable).</summary>
public static class RoleNames
{
    public static string Of(Role role) => role switch
    {
        Role.Registrar => "registrar",
        Role.HandlingOfficer => "handling-officer",
        Role.AgencyHead => "agency-head",
        Role.Supervisor => "supervisor",
        Role.ConferenceStaff => "conference-staff",
        Role.Leader => "leader",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "unknown role"),
    };
}

/// <summary>A data file (org seed, policy document) failed validation; <see cref="Errors"/> lists every problem found.</summary>
public sealed class DataValidationException : Exception
{
    public DataValidationException()
    {
        Errors = [];
    }

    public DataValidationException(string message)
        : base(message)
    {
        Errors = [message];
    }

    public DataValidationException(string message, Exception inner)
        : base(message, inner)
    {
        Errors = [message];
    }

    public DataValidationException(string what, IReadOnlyList<string> errors)
        : base($"{what} is invalid: " + string.Join("; ", errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<string> Errors { get; }
}

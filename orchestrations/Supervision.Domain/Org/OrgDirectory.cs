using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Supervision.Domain.Org;

/// <summary>
/// The org tree and the people in it: pure, immutable data. Every edit returns a new, re-validated directory.
/// "The body one level above" is the parent in the tree (see <see cref="OrgUnit.Parent"/>).
/// </summary>
public sealed class OrgDirectory
{
    /// <summary>Size caps of a directory document (a province has a few thousand units).</summary>
    public const int MaxUnits = 5_000;

    public const int MaxPeople = 50_000;

    public const int MaxNameLength = 100;

    public const int MaxIdLength = 100;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        AllowDuplicateProperties = false,
        MaxDepth = 16,
    };

    private readonly Dictionary<string, OrgUnit> units;
    private readonly Dictionary<string, Person> people;
    private readonly Dictionary<string, List<OrgUnit>> children;

    private OrgDirectory(IReadOnlyList<OrgUnit> unitList, IReadOnlyList<Person> peopleList)
    {
        units = unitList.ToDictionary(u => u.Id, StringComparer.Ordinal);
        people = peopleList.ToDictionary(p => p.Id, StringComparer.Ordinal);
        children = unitList.Where(u => u.Parent is not null)
            .GroupBy(u => u.Parent!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        Units = unitList;
        People = peopleList;
    }

    public IReadOnlyList<OrgUnit> Units { get; }

    public IReadOnlyList<Person> People { get; }

    /// <summary>
    /// A directory with no units, for a host that starts before its directory is loaded. The only directory not
    /// validated: <see cref="Parse"/>, <see cref="From"/> and edits refuse an empty one.
    /// </summary>
    public static OrgDirectory Empty { get; } = new([], []);

    /// <summary>The fictional demo org embedded in the assembly: a province, a city, two counties, townships.</summary>
    public static OrgDirectory Demo { get; } = Parse(ReadResource("Supervision.Domain.Org.Data.demo-org.json"));

    /// <summary>Parses and validates a seed document (<see cref="OrgSeed"/> shape).</summary>
    /// <exception cref="DataValidationException">Lists every problem: duplicate ids, unknown parents, cycles, bad roles.</exception>
    public static OrgDirectory Parse(string json)
    {
        OrgSeed? seed;
        try
        {
            seed = JsonSerializer.Deserialize<OrgSeed>(json, Json);
        }
        catch (JsonException e)
        {
            throw new DataValidationException("org directory", [$"not valid JSON: {e.Message}"]);
        }

        if (seed is null)
        {
            throw new DataValidationException("org directory", ["the document is empty"]);
        }

        return From(seed);
    }

    /// <summary>Validates and builds a directory from in-memory data.</summary>
    /// <exception cref="DataValidationException">See <see cref="Parse"/>.</exception>
    public static OrgDirectory From(OrgSeed seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        var errors = new List<string>();
        if (seed.Units is null)
        {
            errors.Add("units is required (an array of units)");
        }

        if (seed.People is null)
        {
            errors.Add("people is required (an array of people)");
        }

        errors.AddRange(Validate(seed.Units ?? [], seed.People ?? []));
        if (errors.Count > 0)
        {
            throw new DataValidationException("org directory", errors);
        }

        return new OrgDirectory(seed.Units!, seed.People!);
    }

    /// <summary>
    /// The ids among <paramref name="referencedUnitIds"/> this directory does not have (distinct, ordinal order). The
    /// HTTP layer passes the units open cases reference (responsible, handling, bureau, registering) before it swaps a
    /// replacement directory in; a non-empty answer means the replacement drops a unit still in use.
    /// </summary>
    public IReadOnlyList<string> MissingUnits(IEnumerable<string?> referencedUnitIds)
    {
        ArgumentNullException.ThrowIfNull(referencedUnitIds);
        return [.. referencedUnitIds.Where(id => !string.IsNullOrEmpty(id) && !units.ContainsKey(id)).Select(id => id!)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>This directory, or a <see cref="DataValidationException"/> naming every referenced unit it lacks.</summary>
    public OrgDirectory RequireUnits(IEnumerable<string?> referencedUnitIds)
    {
        var missing = MissingUnits(referencedUnitIds);
        return missing.Count == 0
            ? this
            : throw new DataValidationException("org directory", [.. missing.Select(id => $"unit '{id}' is still referenced by open cases and cannot be removed")]);
    }

    /// <summary>The seed document this directory round-trips to.</summary>
    public string ToJson() => JsonSerializer.Serialize(new OrgSeed(Units, People), Json);

    public OrgSeed ToSeed() => new(Units, People);

    /// <summary>Adds or replaces a unit (by id).</summary>
    public OrgDirectory WithUnit(OrgUnit unit) =>
        From(new OrgSeed([.. Units.Where(u => u.Id != unit.Id), unit], People));

    /// <summary>Removes a unit; refused (validation) while children or role grants still point at it.</summary>
    public OrgDirectory WithoutUnit(string unitId) =>
        From(new OrgSeed([.. Units.Where(u => u.Id != unitId)], People));

    /// <summary>Adds or replaces a person (by id).</summary>
    public OrgDirectory WithPerson(Person person) =>
        From(new OrgSeed(Units, [.. People.Where(p => p.Id != person.Id), person]));

    public OrgDirectory WithoutPerson(string personId) =>
        From(new OrgSeed(Units, [.. People.Where(p => p.Id != personId)]));

    public OrgUnit? Unit(string? id) => id is not null && units.TryGetValue(id, out var u) ? u : null;

    public Person? PersonById(string? id) => id is not null && people.TryGetValue(id, out var p) ? p : null;

    public OrgUnit? Parent(string unitId) => Unit(Unit(unitId)?.Parent);

    /// <summary>The body one level above (Arts. 35, 36): the unit's parent, or null at the root.</summary>
    public OrgUnit? BodyOneLevelAbove(string unitId) => Parent(unitId);

    public IReadOnlyList<OrgUnit> Children(string unitId) => children.TryGetValue(unitId, out var c) ? c : [];

    /// <summary>Proper ancestors, nearest first.</summary>
    public IEnumerable<OrgUnit> Ancestors(string unitId)
    {
        for (var u = Parent(unitId); u is not null; u = Parent(u.Id))
        {
            yield return u;
        }
    }

    public bool IsAncestorOrSelf(string ancestorId, string unitId) =>
        unitId == ancestorId || Ancestors(unitId).Any(a => a.Id == ancestorId);

    /// <summary>
    /// The common superior of two units (Art. 24): their nearest common ancestor that is not one of them, or null
    /// when they have none (then their common joint conference coordinates).
    /// </summary>
    public OrgUnit? CommonSuperior(string a, string b)
    {
        if (Unit(a) is null || Unit(b) is null || a == b)
        {
            return null;
        }

        return Ancestors(a).FirstOrDefault(x => x.Id != b && IsAncestorOrSelf(x.Id, b));
    }

    /// <summary>The government of the unit's level: the unit itself if it is one, else its nearest government ancestor.</summary>
    public OrgUnit? GovernmentOf(string unitId)
    {
        var u = Unit(unitId);
        return u?.Type == UnitType.Government ? u : Ancestors(unitId).FirstOrDefault(x => x.Type == UnitType.Government);
    }

    /// <summary>The governments above a unit, its own level's first: the government of each level up to the root.</summary>
    public IEnumerable<OrgUnit> Governments(string unitId)
    {
        for (var g = GovernmentOf(unitId); g is not null; g = g.Parent is null ? null : GovernmentOf(g.Parent))
        {
            yield return g;
        }
    }

    /// <summary>A unit of <paramref name="type"/> at the unit's level (a child of its government), searching upwards when a level has none.</summary>
    public OrgUnit? OfLevel(string unitId, UnitType type) =>
        Governments(unitId).Select(g => Children(g.Id).FirstOrDefault(c => c.Type == type)).FirstOrDefault(hit => hit is not null);

    /// <summary>The joint-conference office of the unit's level (or the nearest level above that has one).</summary>
    public OrgUnit? ConferenceOfficeOf(string unitId) => OfLevel(unitId, UnitType.ConferenceOffice);

    /// <summary>The petition bureau of the unit's level (or the nearest level above that has one).</summary>
    public OrgUnit? PetitionBureauOf(string unitId) => OfLevel(unitId, UnitType.PetitionBureau);

    public IEnumerable<Person> PeopleInRole(Role role, string unitId) =>
        People.Where(p => p.Roles.Any(r => r.Role == role && r.Unit == unitId));

    public bool HasRole(string personId, Role role, string unitId) =>
        PersonById(personId)?.Roles.Any(r => r.Role == role && r.Unit == unitId) == true;

    /// <summary>Units where the person holds any role.</summary>
    public IEnumerable<string> UnitsOf(string personId) =>
        PersonById(personId)?.Roles.Select(r => r.Unit).Distinct(StringComparer.Ordinal) ?? [];

    private static List<string> Validate(IReadOnlyList<OrgUnit?> rawUnits, IReadOnlyList<Person?> rawPeople)
    {
        var errors = new List<string>();
        if (rawUnits.Count > MaxUnits)
        {
            errors.Add($"too many units: {rawUnits.Count} (at most {MaxUnits})");
        }

        if (rawPeople.Count > MaxPeople)
        {
            errors.Add($"too many people: {rawPeople.Count} (at most {MaxPeople})");
        }

        if (errors.Count > 0)
        {
            return errors; // do not walk an oversized document
        }

        if (rawUnits.Count == 0)
        {
            errors.Add("the directory has no units");
        }

        if (rawUnits.Any(u => u is null))
        {
            errors.Add("units contains null entries");
        }

        if (rawPeople.Any(p => p is null))
        {
            errors.Add("people contains null entries");
        }

        var unitList = rawUnits.Where(u => u is not null).Select(u => u!).ToList();
        var peopleList = rawPeople.Where(p => p is not null).Select(p => p!).ToList();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var u in unitList)
        {
            if (u.Id is { Length: > MaxIdLength })
            {
                errors.Add($"unit id '{u.Id[..20]}…' is longer than {MaxIdLength} characters");
            }

            if (u.Name is { Length: > MaxNameLength })
            {
                errors.Add($"unit '{u.Id}' has a name longer than {MaxNameLength} characters");
            }

            if (string.IsNullOrWhiteSpace(u.Region))
            {
                errors.Add($"unit '{u.Id}' has no region");
            }

            if (string.IsNullOrWhiteSpace(u.Id))
            {
                errors.Add($"a unit ({u.Name}) has no id");
            }
            else if (!ids.Add(u.Id))
            {
                errors.Add($"duplicate unit id '{u.Id}'");
            }

            if (string.IsNullOrWhiteSpace(u.Name))
            {
                errors.Add($"unit '{u.Id}' has no name");
            }

            if (!Enum.IsDefined(u.Type) || !Enum.IsDefined(u.Level))
            {
                errors.Add($"unit '{u.Id}' has an unknown type or level");
            }
        }

        var byId = unitList.Where(u => !string.IsNullOrWhiteSpace(u.Id)).GroupBy(u => u.Id, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var u in byId.Values)
        {
            if (u.Parent is null)
            {
                continue;
            }

            if (!byId.TryGetValue(u.Parent, out var parent))
            {
                errors.Add($"unit '{u.Id}' names unknown parent '{u.Parent}'");
                continue;
            }

            if (parent.Level > u.Level)
            {
                errors.Add($"unit '{u.Id}' ({u.Level}) sits under '{parent.Id}' of a lower level ({parent.Level})");
            }

            // Walk up; a walk longer than the number of units means we are going round a cycle.
            var seen = new HashSet<string>(StringComparer.Ordinal) { u.Id };
            for (var p = u.Parent; p is not null && byId.TryGetValue(p, out var pu); p = pu.Parent)
            {
                if (!seen.Add(p))
                {
                    errors.Add($"unit '{u.Id}' is part of a cycle through '{p}'");
                    break;
                }
            }
        }

        if (byId.Count > 0 && !byId.Values.Any(u => u.Parent is null))
        {
            errors.Add("the tree has no root (a unit without parent)");
        }

        var personIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in peopleList)
        {
            if (string.IsNullOrWhiteSpace(p.Id))
            {
                errors.Add($"a person ({p.Name}) has no id");
                continue;
            }
            else if (!personIds.Add(p.Id))
            {
                errors.Add($"duplicate person id '{p.Id}'");
            }

            if (p.Id.Length > MaxIdLength)
            {
                errors.Add($"person id '{p.Id[..20]}…' is longer than {MaxIdLength} characters");
            }

            if (string.IsNullOrWhiteSpace(p.Name))
            {
                errors.Add($"person '{p.Id}' has no name");
            }
            else if (p.Name.Length > MaxNameLength)
            {
                errors.Add($"person '{p.Id}' has a name longer than {MaxNameLength} characters");
            }

            if (p.Id.StartsWith(Cases.Actors.PetitionerPrefix, StringComparison.Ordinal) || p.Id == Cases.Actors.System
                || p.Id == Cases.Actors.PetitionerRecorded)
            {
                errors.Add($"person id '{p.Id}' is reserved");
            }

            if (p.Roles is null)
            {
                errors.Add($"person '{p.Id}' has no roles array");
                continue;
            }

            foreach (var r in p.Roles)
            {
                if (r is null)
                {
                    errors.Add($"person '{p.Id}' has a null role entry");
                    continue;
                }

                if (!Enum.IsDefined(r.Role))
                {
                    errors.Add($"person '{p.Id}' holds an unknown role");
                    continue;
                }

                if (!byId.TryGetValue(r.Unit ?? string.Empty, out var unit))
                {
                    errors.Add($"person '{p.Id}' holds {r.Role} at unknown unit '{r.Unit}'");
                    continue;
                }

                var ok = r.Role switch
                {
                    Role.Registrar => unit.Type is UnitType.PetitionBureau or UnitType.CompetentAgency,
                    Role.Supervisor => unit.Type is UnitType.PetitionBureau,
                    Role.ConferenceStaff => unit.Type is UnitType.ConferenceOffice,
                    Role.Leader => unit.Type is UnitType.Government or UnitType.PartyCommittee,
                    _ => unit.Type is not (UnitType.ConferenceOffice or UnitType.PartyCommittee),
                };
                if (!ok)
                {
                    errors.Add($"person '{p.Id}' cannot be {r.Role} at '{unit.Id}' ({unit.Type})");
                }
            }
        }

        return errors;
    }

    private static string ReadResource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource {name} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

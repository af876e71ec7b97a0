using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using static Supervision.Domain.Tests.Cases.CaseSpec;

namespace Supervision.Domain.Tests.Cases;

/// <summary>
/// The <c>petitions</c> rows the case writes for the repeat analysis (重复信访, Arts. 19, 36): one per petition, keyed by
/// month and answerable unit, the same on every retry, rewritten when the accusation guard's data changes, and free of
/// petitioner data. Given(events) / When(command) / Then(rows).
/// </summary>
public sealed class PetitionRowTests
{
    private static readonly Petitioner Who = ((RegisterCase)Registered[0].Command).Petitioner;

    private static RecordRepeatPetition Repeat(string at) => new(Registrar, At(at), Channel.Visit, Bureau);

    private static List<UpsertReadModel> Rows(Then then) =>
        [.. then.Effects().OfType<UpsertReadModel>().Where(u => u.Model == PetitionRow.Model)];

    [Fact]
    public void Registration_writes_one_row_under_the_registering_unit_and_month_with_fingerprints_only()
    {
        var then = Given().When(Register("2025-09-10"), "2025-09-10");

        var row = Assert.Single(Rows(then));
        Assert.Equal(("2025-09|" + Bureau, CaseId + "|0000"), (row.PartitionKey, row.RowKey));
        Assert.Equal(PetitionRow.Registration, row.Values[PetitionRow.Kind]);
        Assert.Equal(false, row.Values[PetitionRow.Repeat]);
        Assert.Equal(Bureau, row.Values[PetitionRow.UnitId]);
        Assert.Equal("2025-09-10", row.Values[PetitionRow.ReceivedOn]);
        Assert.Equal(CaseHashes.PetitionerFingerprint(Who), row.Values[PetitionRow.Petitioner]);
        Assert.Equal(CaseHashes.MatterFingerprint("house:ca1-001"), row.Values[PetitionRow.Matter]);
        Assert.Equal(CaseHashes.MatterFingerprint("HOUSE ca1 001"), row.Values[PetitionRow.Matter]); // normalised like the fingerprint

        // The case row is still the last read-model effect (the petitions row comes before it).
        Assert.Equal(CaseRow.Model, then.Effects().OfType<UpsertReadModel>().Last().Model);

        var text = string.Join('|', row.Values.Values);
        Assert.DoesNotContain(Who.Name, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Who.IdNumber!, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Who.Phone!, text, StringComparison.Ordinal);
        Assert.DoesNotContain("house:ca1-001", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_on_an_open_case_is_a_row_of_its_month_under_the_agency_handling_the_matter()
    {
        var then = Given([.. Run(Accepted)]).When(Repeat("2025-10-08"), "2025-10-08");
        then.Events_are(typeof(DuplicatePetitionNoted));

        var row = Assert.Single(Rows(then));
        Assert.Equal(("2025-10|" + Agency, CaseId + "|0001"), (row.PartitionKey, row.RowKey));
        Assert.Equal(PetitionRow.Duplicate, row.Values[PetitionRow.Kind]);
        Assert.Equal(true, row.Values[PetitionRow.Repeat]);
        Assert.Equal(Bureau, row.Values[PetitionRow.ReceivedBy]);
        Assert.Equal(Agency, row.Values[PetitionRow.UnitId]);
        Assert.Equal(CaseHashes.PetitionerFingerprint(Who), row.Values[PetitionRow.Petitioner]);
        Assert.Equal(Agency, then.After.Repeats.Single().HeldBy);
    }

    [Fact]
    public void A_repeat_of_a_final_case_is_counted_against_the_agency_that_handled_it()
    {
        var then = Given([.. Run(Final)]).When(Repeat("2025-12-10"), "2025-12-10");
        then.Events_are(typeof(RepeatPetitionRefused));

        var row = Assert.Single(Rows(then));
        Assert.Equal(("2025-12|" + Agency, CaseId + "|0001"), (row.PartitionKey, row.RowKey));
        Assert.Equal(PetitionRow.RepeatKind, row.Values[PetitionRow.Kind]);
    }

    [Fact]
    public void A_second_repeat_gets_the_next_index_and_a_retried_effect_writes_the_same_row()
    {
        var events = Run([.. Registered, (Repeat("2025-09-12"), "2025-09-12")]);
        var then = Given([.. events]).When(Repeat("2025-09-15"), "2025-09-15");

        var first = Assert.Single(Rows(then));
        var again = Assert.Single(Rows(then));
        Assert.Equal(CaseId + "|0002", first.RowKey);
        Assert.Equal((first.PartitionKey, first.RowKey, first.Version), (again.PartitionKey, again.RowKey, again.Version));
        Assert.Equal(first.Values, again.Values);

        // The redelivered command itself yields nothing (already recorded), so nothing is counted twice.
        Given([.. events, .. then.Events]).When(Repeat("2025-09-15"), "2025-09-15").Nothing();
    }

    [Fact]
    public void Steps_that_change_no_petition_write_no_petitions_row()
    {
        Assert.Empty(Rows(Given([.. Run(Routed)]).When(new AcceptCase(Officer), "2025-09-12")));
        Assert.Empty(Rows(Given([.. Run(Registered)]).When(Routed[^1].Command, "2025-09-11")));
    }

    [Fact]
    public void Classifying_as_an_accusation_rewrites_every_row_with_the_accused_so_the_guard_applies()
    {
        var events = Run((Register("2025-09-10", category: null), "2025-09-10"), (Repeat("2025-09-12"), "2025-09-12"));
        var then = Given([.. events]).When(new ClassifyCase(Registrar, Category.Accusation, "ca-land"), "2025-09-13");

        var rows = Rows(then);
        Assert.Equal([CaseId + "|0000", CaseId + "|0001"], rows.Select(r => r.RowKey));
        Assert.All(rows, r => Assert.Equal("Accusation", r.Values[PetitionRow.Category]));
        Assert.All(rows, r => Assert.Equal("ca-land", r.Values[PetitionRow.AccusedUnitId]));
        Assert.Single(rows.Select(r => r.Version).Distinct());
    }

    [Fact]
    public void Rows_from_the_state_are_the_rows_the_effects_wrote_so_a_rebuild_changes_nothing()
    {
        var state = Decider.Initial;
        var written = new Dictionary<(string, string), IReadOnlyDictionary<string, object?>>();
        long sequence = 0;
        (CaseCommand Command, string At)[] steps = [.. Accepted, (Repeat("2025-09-20"), "2025-09-20"), (Repeat("2025-10-03"), "2025-10-03")];
        foreach (var (command, at) in steps)
        {
            foreach (var e in Decider.Decide(state, command, Ctx(At(at))).Events)
            {
                var next = Decider.Evolve(state, e);
                foreach (var u in Decider.Effects(state, e, next, new EffectContext(CaseId, ++sequence, At(at))).OfType<UpsertReadModel>().Where(u => u.Model == PetitionRow.Model))
                {
                    written[(u.PartitionKey, u.RowKey)] = u.Values;
                }

                state = next;
            }
        }

        var rebuilt = PetitionRow.Of(state);
        Assert.Equal(3, rebuilt.Count);
        Assert.Equal(written.Keys.Order(), rebuilt.Select(r => (r.PartitionKey, r.RowKey)).Order());
        Assert.All(rebuilt, r => Assert.Equal(written[(r.PartitionKey, r.RowKey)], r.Values));
        Assert.Equal(["2025-09|" + Bureau, "2025-09|" + Agency, "2025-10|" + Agency], rebuilt.Select(r => r.PartitionKey));

        // A snapshot folded before repeats knew their unit (HeldBy null) still lands them under the unit holding the case.
        var old = state with { Repeats = [.. state.Repeats.Select(r => r with { HeldBy = null })] };
        Assert.Equal(rebuilt.Select(r => r.PartitionKey), PetitionRow.Of(old).Select(r => r.PartitionKey));
    }

    [Fact]
    public void A_case_registered_before_the_matter_fingerprint_groups_by_its_petitioner_and_matter_fingerprint()
    {
        var state = Fold(Run(Registered)) with { MatterFingerprint = null };
        var row = Assert.Single(PetitionRow.Of(state));
        Assert.Equal("pm:" + state.Fingerprint, row.Values[PetitionRow.Matter]);
    }
}

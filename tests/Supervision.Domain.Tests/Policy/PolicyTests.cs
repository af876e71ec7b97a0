using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;
using Supervision.Domain.Policy;

namespace Supervision.Domain.Tests.Policy;

public sealed class PolicyTests
{
    private static readonly PolicyDocument V1 = PolicyCatalog.Default.Get(new("petition", "*", 1));

    [Fact]
    public void The_default_policy_is_DOMAIN_section_9()
    {
        Assert.Equal(60, V1.Clock(PolicyRules.HandlingComplaint).Days);
        Assert.Equal(30, V1.MaxExtensionDays);
        Assert.Equal(LegalBasis.Policy, V1.Clock(PolicyRules.HandlingAccusation).Basis);
        Assert.Equal(LegalBasis.Local, V1.Clock(PolicyRules.HandlingSimplified).Basis);
        Assert.Equal((0.5, 5, 1), (V1.Routine.ReminderAtFraction, V1.Routine.WarningWorkingDaysLeft, V1.Routine.CriticalWorkingDaysLeft));
        Assert.Equal(AlertUrgency.Urgent, V1.Routine.Overdue);
        Assert.Equal(AlertUrgency.Routine, V1.Routine.Reminder);
        Assert.Equal(AlertUrgency.Urgent, V1.Urgent.Reminder);
    }

    [Fact]
    public void Round_trips_through_json()
    {
        Assert.Equal(V1.ToJson(), PolicyDocument.Parse(V1.ToJson()).ToJson());
    }

    private static DataValidationException Invalid(PolicyDocument doc) => Assert.Throws<DataValidationException>(doc.Validate);

    private static PolicyDocument WithClock(string name, Func<ClockRule, ClockRule> change) =>
        V1 with { Clocks = [.. V1.Clocks.Select(c => c.Name == name ? change(c) : c)] };

    [Fact]
    public void A_statutory_obligation_may_be_tightened_but_not_loosened()
    {
        WithClock(PolicyRules.Routing, c => c with { Days = 10 }).Validate();
        Assert.Contains(Invalid(WithClock(PolicyRules.Routing, c => c with { Days = 20 })).Errors, e => e.Contains("statutory 15", StringComparison.Ordinal));
    }

    [Fact]
    public void A_petitioner_window_must_equal_the_law()
    {
        Assert.Contains(Invalid(WithClock(PolicyRules.ReviewWindow, c => c with { Days = 20 })).Errors, e => e.Contains("exactly 30", StringComparison.Ordinal));
    }

    [Fact]
    public void Validation_reports_every_problem()
    {
        var bad = V1 with
        {
            CaseType = "",
            Version = 0,
            MaxExtensionDays = 45,
            Clocks = [.. V1.Clocks.Where(c => c.Name != PolicyRules.Review), new ClockRule("nonsense", 3, Supervision.Domain.Calendar.DayUnit.Natural, ClockKind.Obligation, LegalBasis.Policy, "x", "")],
            Routine = V1.Routine with { WarningWorkingDaysLeft = 1, ReminderAtFraction = 1.5 },
        };
        var errors = Invalid(bad).Errors;

        Assert.Contains(errors, e => e.Contains("caseType", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("version", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("maxExtensionDays", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'review' is missing", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unknown clock 'nonsense'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("warningWorkingDaysLeft", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("reminderAtFraction", StringComparison.Ordinal));
    }

    [Fact]
    public void A_clock_without_statutory_limit_cannot_claim_the_law()
    {
        Invalid(WithClock(PolicyRules.HandlingSuggestion, c => c with { Basis = LegalBasis.Law }));
    }

    [Fact]
    public void Bad_json_is_a_validation_error()
    {
        Assert.Throws<DataValidationException>(() => PolicyDocument.Parse("[]"));
        Assert.Throws<DataValidationException>(() => PolicyDocument.Parse("{ \"caseType\": \"petition\" }"));
    }

    [Fact]
    public void Versions_are_immutable_and_resolution_prefers_the_region_then_the_latest()
    {
        Assert.Throws<DataValidationException>(() => PolicyCatalog.Default.With(V1));

        var regional = V1 with { Region = "990101", Version = 1, Title = "东城县" };
        var catalog = PolicyCatalog.Default.With(V1 with { Version = 2 }).With(regional);

        Assert.Equal(2, catalog.Latest("petition", "*")!.Version);
        Assert.Equal("990101", catalog.Resolve("petition", ["990101", "990100"])!.Region);
        Assert.Equal("*", catalog.Resolve("petition", ["990102", "990100"])!.Region);
        Assert.Null(catalog.Resolve("other-type", ["990101"]));
    }
}

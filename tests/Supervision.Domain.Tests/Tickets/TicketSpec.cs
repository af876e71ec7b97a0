using NodaTime;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Tickets;
using static Supervision.Domain.Tests.Cases.CaseSpec;

namespace Supervision.Domain.Tests.Tickets;

/// <summary>Tickets over the demo org (东城县: agency ca-housing, bureau ca-bureau, conference office ca-conf, government ca-gov).</summary>
public static class TicketSpec
{
    public const string TicketId = "DB-XF-2025-000001-handling-1";
    public const string Supervisor = "ca-supervisor";
    public const string ConfStaff = "ca-conf-staff";
    public const string Conference = "ca-conf";
    public const string Government = "ca-gov";

    public static TicketDecider Ticket { get; } = TicketDecider.Demo;

    public static Flow<TicketState, TicketCommand, TicketEvent> New(params TicketEvent[] given) => new(Ticket, TicketId, given);

    public static RaiseTicket Raise(
        SupervisionGround ground = SupervisionGround.Overdue, SupervisionForm form = SupervisionForm.Written, string agency = Agency, string actor = Actors.System,
        Category? category = Category.Complaint, string? accusedUnit = null, string? accusedPerson = null) =>
        new(actor, TicketId, CaseId, agency, ground, form, "办理期限已届满", Bureau, category, accusedUnit, accusedPerson, ClockNames.Handling);

    /// <summary>A ticket raised at 2025-09-10 10:00 (Wed); its written-form response is due 2025-09-17 (5 working days).</summary>
    public static Flow<TicketState, TicketCommand, TicketEvent> Raised(SupervisionForm form = SupervisionForm.Written)
    {
        var f = New();
        f.Ok(Raise(form: form), At("2025-09-10"));
        return f;
    }

    public const string FileRef = "blob-7f3a@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    public static Flow<TicketState, TicketCommand, TicketEvent> Responded()
    {
        var f = Raised();
        f.Ok(new RespondToTicket(Officer, "已约见信访人并作出处理", [FileRef]), At("2025-09-12"));
        return f;
    }

    /// <summary>Escalated by unanswered deadlines until the conference office holds it.</summary>
    public static Flow<TicketState, TicketCommand, TicketEvent> Referred()
    {
        var f = Raised();
        while (f.State.Form < SupervisionForm.ConferenceReferral)
        {
            f.Fire("response:due");
        }

        return f;
    }

    public static Instant Day(string local) => At(local);

    public static HashSet<(string Role, string Unit)> Audience(Alert alert) => [.. alert.To.Select(a => (a.Role, a.UnitId))];
}

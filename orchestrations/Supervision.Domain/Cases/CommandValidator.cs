using NodaTime;
using Supervision.Domain.Calendar;
using Supervision.Domain.Orchestration;

namespace Supervision.Domain.Cases;

/// <summary>
/// Field-level validation of case commands, one rule set per command type, each problem naming its JSON field path
/// (camelCase, dotted: <c>petitioner.idNumber</c>) so the edge can return a 400 a client can act on. Pure: the caller
/// passes <c>now</c> when future dates must be refused. The decider runs it too (after the table and the actor), so a
/// command that bypasses the edge is held to the same rules; rules that need the case state or the org stay in the
/// decider.
/// </summary>
public static class CommandValidator
{
    public const int MaxSummary = 2000;
    public const int MaxName = 100;
    public const int MaxReason = 1000;
    public const int MaxFileRef = 300;
    public const int MaxMatterKey = 200;
    public const int MaxId = 100;
    public const int MaxPhone = 30;
    public const int MaxAddress = 300;
    public const int MaxGroupSize = 10_000;
    public const int MinQueryCode = 6;
    public const int MaxQueryCode = 64;
    public const int MaxSalt = 200;

    /// <summary>Every problem of <paramref name="command"/>; empty when valid.</summary>
    /// <param name="now">When given, instants and dates after it (receipt, service, hearings) are refused as "in the future".</param>
    public static IReadOnlyList<FieldError> Validate(CaseCommand command, Instant? now = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        var v = new Checks(now);
        switch (command)
        {
            case RegisterCase c:
                v.Required("caseId", c.CaseId, MaxId);
                v.QueryCode(c.QueryCodeHash, c.QueryCode, c.QueryCodeSalt);
                v.Enum("channel", c.Channel);
                v.Received("receivedAt", c.ReceivedAt);
                v.Required("unitId", c.UnitId, MaxId);
                v.Petitioner(c.Petitioner);
                v.Required("summary", c.Summary, MaxSummary);
                v.Required("matterKey", c.MatterKey, MaxMatterKey);
                if (!string.IsNullOrWhiteSpace(c.MatterKey) && CaseHashes.Normalise(c.MatterKey).Length == 0)
                {
                    v.Add("matterKey", "matterKey has no letters or digits once punctuation and spaces are removed");
                }

                if (c.GroupSize is < 1 or > MaxGroupSize)
                {
                    v.Add("groupSize", $"groupSize is 1 to {MaxGroupSize}");
                }

                if (c.Representatives < 0 || c.Representatives > Math.Max(c.GroupSize, 0))
                {
                    v.Add("representatives", "representatives is between 0 and groupSize");
                }
                else if (c.Channel == Channel.Visit && c.GroupSize > 1 && c.Representatives is < 1 or > 5)
                {
                    v.Add("representatives", "a group visit elects 1 to 5 representatives (Art. 18)");
                }

                v.Enum("category", c.Category);
                v.Optional("accusedUnitId", c.AccusedUnitId, MaxId);
                v.Optional("accusedPersonId", c.AccusedPersonId, MaxId);
                v.Optional("majorReason", c.MajorReason, MaxReason, blankAllowed: false);
                v.Required("caseType", c.CaseType, MaxId);
                break;
            case ClassifyCase c:
                v.Enum("category", c.Category);
                v.Optional("accusedUnitId", c.AccusedUnitId, MaxId);
                v.Optional("accusedPersonId", c.AccusedPersonId, MaxId);
                break;
            case RouteCase c:
                v.Enum("kind", c.Kind);
                v.Required("agencyId", c.AgencyId, MaxId);
                v.Date("assignedDueDate", c.AssignedDueDate, future: true);
                break;
            case ReferOut c:
                v.Enum("channel", c.Channel);
                v.Required("reason", c.Reason, MaxReason);
                v.Optional("targetUnitId", c.TargetUnitId, MaxId);
                if (c.Channel == ReferralChannel.DisciplineInspection && string.IsNullOrWhiteSpace(c.TargetUnitId))
                {
                    v.Add("targetUnitId", "a referral to discipline inspection names the receiving body (targetUnitId)");
                }

                break;
            case RaiseObjection c:
                v.Required("reason", c.Reason, MaxReason);
                break;
            case DecideObjection c:
                v.Required("reason", c.Reason, MaxReason);
                break;
            case AcceptCase c:
                v.Enum("mode", c.Mode);
                break;
            case ApproveExtension c:
                if (c.Days is < 1 or > 30)
                {
                    v.Add("days", "an extension is 1 to 30 days (Art. 34)");
                }

                v.Required("reason", c.Reason, MaxReason);
                v.Date("petitionerToldOn", c.PetitionerToldOn, future: false, required: true);
                break;
            case IssueReply c:
                v.Opinion(c.Outcome, c.OpinionFile, c.ServedOn);
                break;
            case IssueReviewOpinion c:
                v.Opinion(c.Outcome, c.OpinionFile, c.ServedOn);
                break;
            case IssueReExaminationOpinion c:
                v.Opinion(c.Outcome, c.OpinionFile, c.ServedOn);
                break;
            case SubmitCompletionReport c:
                v.Required("reportFile", c.ReportFile, MaxFileRef);
                break;
            case RateHandling c:
                v.Enum("rating", c.Rating);
                v.Optional("comment", c.Comment, MaxReason);
                break;
            case RequestReview c:
                v.Date("receivedOn", c.ReceivedOn, future: false);
                break;
            case RequestReExamination c:
                v.Date("receivedOn", c.ReceivedOn, future: false);
                break;
            case StartHearing c:
                v.Date("on", c.On, future: false, required: true);
                break;
            case EndHearing c:
                v.Date("on", c.On, future: false, required: true);
                break;
            case ReportMajor c:
                v.Required("reason", c.Reason, MaxReason);
                break;
            case RecordRepeatPetition c:
                v.Received("receivedAt", c.ReceivedAt);
                v.Enum("channel", c.Channel);
                v.Required("unitId", c.UnitId, MaxId);
                break;
            case MigratePolicy c:
                if (c.Version < 1)
                {
                    v.Add("version", "version is 1 or more");
                }

                break;
            case ReissueQueryCode c:
                v.QueryCode(c.QueryCodeHash, c.QueryCode, c.QueryCodeSalt);
                break;
            case TakeOwnership c:
                v.Required("reason", c.Reason, MaxReason);
                v.Optional("receptionId", c.ReceptionId, MaxId, blankAllowed: false);
                break;
            case AssignOwnership c:
                v.Required("ticketId", c.TicketId, MaxId);
                v.Required("leaderId", c.LeaderId, MaxId);
                v.Required("reason", c.Reason, MaxReason);
                break;
        }

        return v.Errors;
    }

    private sealed class Checks(Instant? now)
    {
        private readonly LocalDate? today = now is { } n && LegalCalendar.InRange(n) ? LegalCalendar.LocalDateOf(n) : null;

        public List<FieldError> Errors { get; } = [];

        public void Add(string field, string message) => Errors.Add(new FieldError(field, message));

        public void Required(string field, string? value, int max)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                Add(field, $"{field} is required");
            }
            else if (value.Length > max)
            {
                Add(field, $"{field} is at most {max} characters");
            }
        }

        public void Optional(string field, string? value, int max, bool blankAllowed = true)
        {
            if (value is null)
            {
                return;
            }

            if (!blankAllowed && string.IsNullOrWhiteSpace(value))
            {
                Add(field, $"{field} is blank; leave it out instead");
            }
            else if (value.Length > max)
            {
                Add(field, $"{field} is at most {max} characters");
            }
        }

        public void Enum<T>(string field, T value)
            where T : struct, System.Enum
        {
            if (!System.Enum.IsDefined(value))
            {
                Add(field, $"{field} must be one of {string.Join(", ", System.Enum.GetNames<T>())}");
            }
        }

        public void Enum<T>(string field, T? value)
            where T : struct, System.Enum
        {
            if (value is { } v)
            {
                Enum(field, v);
            }
        }

        /// <summary>The code's hash as the edge sends it, or (legacy commands only) the code in clear with its salt.</summary>
        public void QueryCode(string? hash, string? code, string? salt)
        {
            if (hash is not null || code is null)
            {
                if (!QueryCodes.IsWellFormed(hash))
                {
                    Add("queryCodeHash", hash is null
                        ? "queryCodeHash is required (the server hashes the query code it issues)"
                        : "queryCodeHash is not a pbkdf2-sha256$iterations$salt$hash value");
                }

                return;
            }

            const string field = "queryCode";
            if (string.IsNullOrWhiteSpace(code))
            {
                Add(field, $"{field} is required");
            }
            else if (code.Trim().Length is < MinQueryCode or > MaxQueryCode)
            {
                Add(field, $"{field} is {MinQueryCode} to {MaxQueryCode} characters");
            }

            Optional("queryCodeSalt", salt, MaxSalt, blankAllowed: false);
        }

        /// <summary>A receipt instant: given, not after now, within the legal calendar; each with its own message.</summary>
        public void Received(string field, Instant value)
        {
            if (value == default)
            {
                Add(field, $"{field} is required");
            }
            else if (now is { } n && value > n)
            {
                Add(field, $"{field} is in the future");
            }
            else if (!LegalCalendar.InRange(value))
            {
                Add(field, $"{field} is outside the legal calendar ({LegalCalendar.MinYear}–{LegalCalendar.MaxYear})");
            }
        }

        public void Date(string field, LocalDate? value, bool future, bool required = false)
        {
            if (value is not { } d || d == default)
            {
                if (required)
                {
                    Add(field, $"{field} is required");
                }

                return;
            }

            if (!LegalCalendar.InRange(d))
            {
                Add(field, $"{field} is outside the legal calendar ({LegalCalendar.MinYear}–{LegalCalendar.MaxYear})");
            }
            else if (!future && today is { } t && d > t)
            {
                Add(field, $"{field} is in the future");
            }
        }

        public void Opinion(Outcome outcome, string? file, LocalDate? servedOn)
        {
            Enum("outcome", outcome);
            Required("opinionFile", file, MaxFileRef);
            Date("servedOn", servedOn, future: true);
        }

        public void Petitioner(Petitioner? p)
        {
            if (p is null)
            {
                Add("petitioner", "petitioner is required");
                return;
            }

            Required("petitioner.name", p.Name, MaxName);
            if (!string.IsNullOrWhiteSpace(p.IdNumber) && IdNumbers.Problem(p.IdNumber, today) is { } bad)
            {
                Add("petitioner.idNumber", bad);
            }
            else if (p.IdNumber is not null && string.IsNullOrWhiteSpace(p.IdNumber))
            {
                Add("petitioner.idNumber", "petitioner.idNumber is blank; leave it out instead");
            }

            Optional("petitioner.phone", p.Phone, MaxPhone);
            if (!string.IsNullOrWhiteSpace(p.Phone) && CaseHashes.NormalisePhone(p.Phone).Length is < 5 or > 20)
            {
                Add("petitioner.phone", "petitioner.phone has 5 to 20 digits");
            }

            Optional("petitioner.address", p.Address, MaxAddress);
        }
    }
}

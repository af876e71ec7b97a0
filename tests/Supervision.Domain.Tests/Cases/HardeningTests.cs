using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using NodaTime;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;
using static Supervision.Domain.Tests.Cases.CaseSpec;

namespace Supervision.Domain.Tests.Cases;

/// <summary>The API-hardening items H1–H9 (docs/decisions.md), one group of tests per item.</summary>
public sealed class HardeningTests
{
    // ── H1 query code privacy ──

    [Fact]
    public void H1_registration_stores_only_a_salted_hash_of_the_query_code()
    {
        var events = Run(Registered);
        var registered = Assert.IsType<CaseRegistered>(events[0]);
        Assert.Null(registered.QueryCode);
        Assert.StartsWith("pbkdf2-sha256$", registered.QueryCodeHash, StringComparison.Ordinal);
        Assert.DoesNotContain(QueryCode, JsonSerializer.Serialize<List<CaseEvent>>(events, CaseJson.Options), StringComparison.Ordinal);

        var state = Fold(events);
        Assert.Null(state.QueryCode);
        Assert.DoesNotContain(QueryCode, CaseJson.Serialize(state), StringComparison.Ordinal);
        Assert.True(CaseVisibility.CanPetitionerSee(state, QueryCode));
        Assert.False(CaseVisibility.CanPetitionerSee(state, "Q-7F3K-92"));
        Assert.False(CaseVisibility.CanPetitionerSee(state, string.Empty));
        Assert.False(CaseVisibility.CanPetitionerSee(state, null));

        // Deterministic (replays identically), salted per case and by the caller's salt.
        Assert.Equal(QueryCodes.Hash(QueryCode, CaseId, "s1"), QueryCodes.Hash(QueryCode, CaseId, "s1"));
        Assert.NotEqual(QueryCodes.Hash(QueryCode, CaseId, "s1"), QueryCodes.Hash(QueryCode, CaseId, "s2"));
        Assert.NotEqual(QueryCodes.Hash(QueryCode, CaseId, "s1"), QueryCodes.Hash(QueryCode, "XF-OTHER", "s1"));
        Assert.False(QueryCodes.Verify("pbkdf2-sha256$99999999$AA==$AA==", QueryCode)); // a malformed stored value never matches
        Assert.False(QueryCodes.Verify("garbage", QueryCode));

        // The command carries the hash only: nothing the orchestration history keeps holds the code.
        Assert.DoesNotContain(QueryCode, CaseJson.Serialize<CaseCommand>(Register("2025-09-10")), StringComparison.Ordinal);
        Assert.Equal(QueryCodeHash, registered.QueryCodeHash);
        Assert.DoesNotContain(QueryCode, PetitionerActor, StringComparison.Ordinal);

        // A new hash has a random salt of its own (not derived from the case), and verifies by itself.
        var a = QueryCodes.Hash(QueryCode, System.Security.Cryptography.RandomNumberGenerator.GetBytes(QueryCodes.SaltBytes));
        var b = QueryCodes.Hash(QueryCode, System.Security.Cryptography.RandomNumberGenerator.GetBytes(QueryCodes.SaltBytes));
        Assert.NotEqual(a, b);
        Assert.True(QueryCodes.Verify(a, QueryCode) && QueryCodes.Verify(b, QueryCode));
        Assert.True(QueryCodes.IsWellFormed(a));
        Assert.False(QueryCodes.IsWellFormed(QueryCode));
        Assert.Throws<ArgumentException>(() => QueryCodes.Hash(QueryCode, new byte[8]));
    }

    [Fact]
    public void H1_legacy_commands_with_a_clear_code_still_decide_the_same_hash_and_petitioner_actor()
    {
        // Histories recorded before hashing at the edge carry queryCode (+ salt) and name the petitioner by the code.
        var json = $$"""{"$type":"register","actor":"{{Registrar}}","caseId":"{{CaseId}}","queryCode":"{{QueryCode}}","queryCodeSalt":"s1","channel":"Letter","receivedAt":"2025-09-10T01:00:00Z","unitId":"{{Bureau}}","petitioner":{"name":"张三"},"summary":"s","matterKey":"m"}""";
        var legacy = Assert.IsType<RegisterCase>(CaseJson.Deserialize<CaseCommand>(json));
        Assert.Null(legacy.QueryCodeHash);
        var then = Given().When(legacy, "2025-09-10");
        var registered = Assert.IsType<CaseRegistered>(then.Events[0]);
        Assert.Equal(QueryCodes.Hash(QueryCode, CaseId, "s1"), registered.QueryCodeHash);
        Assert.True(CaseVisibility.CanPetitionerSee(then.After, QueryCode));

        // A replied case registered the old way: the petitioner named by the code (old histories) or by its hash is let in.
        List<CaseEvent> events = [.. Run(Replied)];
        events[0] = ((CaseRegistered)events[0]) with { QueryCodeHash = registered.QueryCodeHash };
        var replied = Given([.. events]);
        replied.When(new RequestReview(Actors.Petitioner(QueryCode)), "2025-10-21").Accepted();
        replied.When(new RequestReview(Actors.PetitionerFor(registered.QueryCodeHash!)), "2025-10-21").Accepted();
        replied.When(new RequestReview(Actors.PetitionerFor(QueryCodeHash)), "2025-10-21").Rejected(RejectionKind.Forbidden);
        replied.When(new RequestReview(Actors.Petitioner("Q-7F3K-92")), "2025-10-21").Rejected(RejectionKind.Forbidden);
    }

    [Fact]
    public void H1_the_row_keeps_the_salted_hash_not_a_guessable_one()
    {
        var then = Given().When(Register("2025-09-10"), "2025-09-10");
        var row = then.Effects().OfType<UpsertReadModel>().Last().Values;
        Assert.Equal(then.After.QueryCodeHash, row[CaseRow.QueryCodeHash]);
        Assert.NotEqual(CaseHashes.QueryCode(QueryCode), row[CaseRow.QueryCodeHash]);
    }

    [Fact]
    public void H1_old_events_with_a_clear_query_code_still_load_and_evolve_into_a_hash()
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Cases", "Golden", "registered.json"));
        var old = Assert.IsType<CaseRegistered>(CaseJson.Deserialize<CaseEvent>(text));
        Assert.Equal(QueryCode, old.QueryCode);

        var state = Fold([old]);
        Assert.Null(state.QueryCode);
        Assert.Equal(QueryCodes.Hash(QueryCode, CaseId, null), state.QueryCodeHash);
        Assert.True(CaseVisibility.CanPetitionerSee(state, QueryCode));
        Assert.DoesNotContain(QueryCode, CaseJson.Serialize(state), StringComparison.Ordinal);
    }

    [Fact]
    public void H1_a_snapshot_written_before_hashing_still_lets_the_petitioner_in_and_is_hashed_by_the_next_event()
    {
        var legacy = Fold(Run(Registered)) with { QueryCodeHash = null, QueryCode = QueryCode };
        Assert.True(CaseVisibility.CanPetitionerSee(legacy, QueryCode));
        Assert.False(CaseVisibility.CanPetitionerSee(legacy, "nope-nope"));

        var next = Decider.Evolve(legacy, new MajorItemReported("紧急", Registrar));
        Assert.Null(next.QueryCode);
        Assert.True(CaseVisibility.CanPetitionerSee(next, QueryCode));
    }

    [Fact]
    public void H1_reissuing_the_query_code_retires_the_old_one()
    {
        var given = Given([.. Run(Replied)]);
        var fresh = QueryCodes.Hash("Q-NEW-0001", System.Security.Cryptography.RandomNumberGenerator.GetBytes(QueryCodes.SaltBytes));
        var then = given.When(new ReissueQueryCode(Registrar, fresh), "2025-10-21");
        var e = Assert.IsType<QueryCodeReissued>(Assert.Single(then.Events));
        Assert.Equal(Registrar, e.By);
        Assert.Equal(fresh, e.QueryCodeHash);
        Assert.DoesNotContain("Q-NEW-0001", CaseJson.Serialize<CaseEvent>(e), StringComparison.Ordinal);
        Assert.False(CaseVisibility.CanPetitionerSee(then.After, QueryCode));
        Assert.True(CaseVisibility.CanPetitionerSee(then.After, "Q-NEW-0001"));

        var after = Given([.. Run(Replied), e]);
        after.When(new RequestReview(PetitionerActor), "2025-10-21").Rejected(RejectionKind.Forbidden); // checked against the old hash
        after.When(new RequestReview(Actors.PetitionerFor(fresh)), "2025-10-21").Accepted();
        after.When(new ReissueQueryCode(Registrar, fresh), "2025-10-22").Nothing(); // redelivery

        // A legacy command with the code in clear (old histories) still decides as before.
        var legacy = given.When(new ReissueQueryCode(Registrar, null, "Q-NEW-0001", "salt-2"), "2025-10-21");
        Assert.Equal(QueryCodes.Hash("Q-NEW-0001", CaseId, "salt-2"), Assert.IsType<QueryCodeReissued>(Assert.Single(legacy.Events)).QueryCodeHash);

        // Who may: a registrar of the case's bureau or of the registering unit; nobody else, never the petitioner.
        given.When(new ReissueQueryCode(Officer, fresh), "2025-10-21").Rejected(RejectionKind.Forbidden);
        given.When(new ReissueQueryCode("cb-registrar", fresh), "2025-10-21").Rejected(RejectionKind.Forbidden);
        given.When(new ReissueQueryCode(PetitionerActor, fresh), "2025-10-21").Rejected(RejectionKind.Forbidden);
        given.When(new ReissueQueryCode(Registrar, "123"), "2025-10-21").Rejected(RejectionKind.Validation);
        given.When(new ReissueQueryCode(Registrar, null), "2025-10-21").Rejected(RejectionKind.Validation);
        Given().When(new ReissueQueryCode(Registrar, fresh), "2025-10-21").Rejected(RejectionKind.InvalidTransition);
    }

    [Fact]
    public void H1_no_event_or_effect_records_the_petitioner_actor_with_its_code()
    {
        var then = Given([.. Run(Replied)]).When(new RequestReview(PetitionerActor), "2025-10-25");
        Assert.Equal(Actors.PetitionerRecorded, Assert.Single(then.Events.OfType<ReviewRequested>()).By);
        var all = JsonSerializer.Serialize<List<CaseEvent>>([.. Run(Final), .. then.Events], CaseJson.Options)
            + JsonSerializer.Serialize(then.Effects().Select(e => (object)e).ToList(), CaseJson.Options);
        Assert.DoesNotContain(QueryCode, all, StringComparison.Ordinal);
        Assert.Equal(Actors.PetitionerRecorded, then.After.DoneBy["request-review"]);
    }

    // ── H2 fingerprint normalisation ──

    private static string FullWidth(string s) => string.Concat(s.Select(c => c is > ' ' and <= '~' ? (char)(c - '!' + '！') : c == ' ' ? '\u3000' : c));

    [Fact]
    public void H2_fingerprint_variants_of_the_same_petitioner_and_matter_collide()
    {
        var genMatter = Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789房屋质量"], 1, 20];
        var genNoise = Gen.Int[0, 5];
        Gen.Select(genMatter, genNoise, Gen.Bool, Gen.Bool).Sample((matter, noise, upper, wide) =>
        {
            var id = IdNumber;
            var variant = string.Join(noise % 2 == 0 ? " " : "，", matter.Chunk(Math.Max(1, noise)).Select(c => new string(c)));
            variant = upper ? variant.ToUpperInvariant() : variant;
            variant = (wide ? FullWidth(variant) : variant) + (noise > 3 ? "。" : "\t");
            Assert.Equal(
                CaseHashes.Fingerprint(new Petitioner("张三", id), matter),
                CaseHashes.Fingerprint(new Petitioner(" 张三 ", wide ? FullWidth(id) : " " + id + " "), variant));
        }, iter: 300);

        // An id number ending in x or X is the same person; without an id number, name + phone digits.
        Assert.Equal(
            CaseHashes.Fingerprint(new Petitioner("李四", "11010519491231002X"), "m"),
            CaseHashes.Fingerprint(new Petitioner("李四", "11010519491231002x"), "m"));
        Assert.Equal(
            CaseHashes.Fingerprint(new Petitioner("Li Si", null, "+86 138-0000-0000"), "house:1"),
            CaseHashes.Fingerprint(new Petitioner("LISI", null, "１３８００００００００"), "ＨＯＵＳＥ：１"));
    }

    [Fact]
    public void H2_different_petitioners_or_matters_do_not_collide()
    {
        Gen.Select(Gen.Int[0, 99_999_999], Gen.Int[0, 99_999_999]).Sample((a, b) =>
        {
            var pa = new Petitioner("王五", null, "138" + a.ToString("D8", System.Globalization.CultureInfo.InvariantCulture));
            var pb = new Petitioner("王五", null, "138" + b.ToString("D8", System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(a == b, CaseHashes.Fingerprint(pa, "m") == CaseHashes.Fingerprint(pb, "m"));
        }, iter: 300);
        Assert.NotEqual(CaseHashes.Fingerprint(new Petitioner("张三", IdNumber), "m"), CaseHashes.Fingerprint(new Petitioner("张三", "11010519491231002X"), "m"));
        Assert.NotEqual(CaseHashes.Fingerprint(new Petitioner("张三"), "m"), CaseHashes.Fingerprint(new Petitioner("张四"), "m"));
        Assert.NotEqual(CaseHashes.Fingerprint(new Petitioner("张三"), "house:1"), CaseHashes.Fingerprint(new Petitioner("张三"), "house:2"));
    }

    // ── H3 identity number ──

    [Theory]
    [InlineData("11010519491231002X", true)]
    [InlineData("11010519491231002x", true)]
    [InlineData(IdNumber, true)]
    [InlineData("110105194912310021", false)] // wrong check character
    [InlineData("11010519491231002", false)]  // 17 characters
    [InlineData("110105194902310025", false)] // 31 February
    [InlineData("11010518991231002X", false)] // born before 1900
    [InlineData("1101051949123100AX", false)]
    public void H3_id_numbers_follow_gb_11643(string id, bool valid)
    {
        Assert.Equal(valid, IdNumbers.IsValid(id));
        var register = Register("2025-09-10") with { Petitioner = new Petitioner("张三", id) };
        var d = Given().When(register, "2025-09-10").Decision;
        Assert.Equal(valid, !d.IsRejected);
        if (!valid)
        {
            Assert.Equal(RejectionKind.Validation, d.Rejection!.Kind);
            Assert.Contains(d.Rejection.Fields!, f => f.Field == "petitioner.idNumber");
        }
    }

    // ── H4 command validation with field names ──

    private static JsonObject Body() => JsonNode.Parse(CaseJson.Serialize<CaseCommand>(Register("2025-09-10")))!.AsObject();

    private static string With(Action<JsonObject> change)
    {
        var body = Body();
        change(body);
        return body.ToJsonString();
    }

    public static TheoryData<string, string> Malformed() => new()
    {
        { With(b => b.Remove("petitioner")), "petitioner" },
        { With(b => b["petitioner"] = null), "petitioner" },
        { With(b => b["petitioner"] = new JsonObject()), "petitioner.name" },
        { With(b => b["petitioner"] = "张三"), "petitioner" },
        { With(b => b["petitioner"]!["name"] = null), "petitioner.name" },
        { With(b => b["petitioner"]!["name"] = new string('名', 101)), "petitioner.name" },
        { With(b => b["petitioner"]!["idNumber"] = "123"), "petitioner.idNumber" },
        { With(b => b["matterKey"] = null), "matterKey" },
        { With(b => b["matterKey"] = new string('m', 201)), "matterKey" },
        { With(b => b["matterKey"] = "、。 ,"), "matterKey" },
        { With(b => b.Remove("summary")), "summary" },
        { With(b => b["summary"] = "  "), "summary" },
        { With(b => b["summary"] = new string('述', 2001)), "summary" },
        { With(b => b["channel"] = 5), "channel" },
        { With(b => b["channel"] = 1), "channel" },
        { With(b => b["channel"] = "Fax"), "channel" },
        { With(b => b.Remove("channel")), "channel" },
        { With(b => b.Remove("receivedAt")), "receivedAt" },
        { With(b => b["receivedAt"] = "9999-12-31T00:00:00Z"), "receivedAt" },
        { With(b => b["receivedAt"] = "1970-01-01T00:00:00Z"), "receivedAt" },
        { With(b => b["receivedAt"] = "yesterday"), "receivedAt" },
        { With(b => b["groupSize"] = 0), "groupSize" },
        { With(b => b["groupSize"] = "3"), "groupSize" },
        { With(b => (b["channel"], b["groupSize"], b["representatives"]) = ("Visit", 20, 6)), "representatives" },
        { With(b => b["representatives"] = -1), "representatives" },
        { With(b => b["category"] = 2), "category" },
        { With(b => b["queryCodeHash"] = null), "queryCodeHash" },
        { With(b => b["queryCodeHash"] = "Q-7F3K-91"), "queryCodeHash" },
        { With(b => b.Remove("queryCodeHash")), "queryCodeHash" },
        { With(b => b.Remove("unitId")), "unitId" },
        { With(b => b["$type"] = "timer"), "$type" },
        { With(b => b.Remove("$type")), "$type" },
        { "{\"$type\":\"refer-out\",\"actor\":\"a\",\"channel\":\"Litigation\",\"reason\":\"" + new string('r', 1001) + "\"}", "reason" },
        { """{"$type":"refer-out","actor":"a","channel":"DisciplineInspection","reason":"移送"}""", "targetUnitId" },
        { "{\"$type\":\"reply\",\"actor\":\"a\",\"outcome\":\"Support\",\"opinionFile\":\"" + new string('f', 301) + "\"}", "opinionFile" },
        { """{"$type":"reply","actor":"a","outcome":0,"opinionFile":"o.pdf"}""", "outcome" },
        { """{"$type":"approve-extension","actor":"a","days":31,"reason":"复杂","petitionerToldOn":"2025-09-10"}""", "days" },
        { """{"$type":"approve-extension","actor":"a","days":10,"reason":"复杂"}""", "petitionerToldOn" },
        { """{"$type":"start-hearing","actor":"a","on":"1999-01-01"}""", "on" },
        { """{"$type":"rate","actor":"a","rating":"Happy"}""", "rating" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void H4_every_malformed_command_is_a_validation_error_naming_the_field(string json, string field)
    {
        var read = CaseCommandReader.Read(json, At("2025-09-10 12:00"));
        Assert.Null(read.Command);
        Assert.Contains(read.Errors, e => e.Field == field);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("{")]
    [InlineData("""{"$type":"register","summary":"a","summary":"b"}""")]
    [InlineData("""{"$type":"nonsense"}""")]
    [InlineData("""{"$type":"rate","actor":"a","rating":"\ud800"}""")]
    [InlineData("""{"$type":"classify","actor":"a","category":"Complaint","accusedUnitId":"\udc00"}""")]
    [InlineData("""{"$type":"approve-extension","actor":"a","days":"\ud800","reason":"复杂","petitionerToldOn":"2025-09-10"}""")]
    public void H4_bad_json_is_an_error_never_an_exception(string json)
    {
        var read = CaseCommandReader.Read(json);
        Assert.Null(read.Command);
        Assert.NotEmpty(read.Errors);
    }

    [Fact]
    public void H4_deep_nesting_and_duplicates_are_refused_by_the_serializer_too()
    {
        var deep = "{\"$type\":\"register\",\"petitioner\":" + string.Concat(Enumerable.Repeat("{\"a\":", 40)) + "1" + new string('}', 41);
        Assert.NotEmpty(CaseCommandReader.Read(deep).Errors);
        Assert.Throws<JsonException>(() => CaseJson.Deserialize<CaseCommand>(deep));
        Assert.Throws<JsonException>(() => CaseJson.Deserialize<CaseCommand>(With(b => b["channel"] = 1)));
        Assert.Throws<JsonException>(() => CaseJson.Deserialize<CaseCommand>("""{"$type":"rate","actor":"a","rating":"Satisfied","rating":"Dissatisfied"}"""));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<CaseCommand>(With(b => b.Remove("channel")), CaseJson.Commands));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<CaseCommand>(With(b => b["petitioner"] = null), CaseJson.Commands));
    }

    [Fact]
    public void H4_a_valid_body_reads_to_the_command()
    {
        var read = CaseCommandReader.Read(Body().ToJsonString(), At("2025-09-10 12:00"));
        Assert.True(read.IsValid, string.Join("; ", read.Errors));
        Assert.Equal(Register("2025-09-10"), read.Command);
        Assert.Empty(CommandValidator.Validate(Register("2025-09-10"), At("2025-09-10 12:00")));
    }

    [Fact]
    public void H4_the_decider_applies_the_validator_with_field_names()
    {
        var r = Given().When(Register("2025-09-10") with { Summary = new string('述', 2001) }, "2025-09-10").Rejected(RejectionKind.Validation);
        Assert.Equal("summary", Assert.Single(r.Fields!).Field);
    }

    // ── H5 receivedAt ──

    [Fact]
    public void H5_received_slightly_in_the_future_has_its_own_message()
    {
        var now = At("2025-09-10 10:00");
        var r = Given().When(Register("2025-09-10") with { ReceivedAt = now + Duration.FromMinutes(1) }, now).Rejected(RejectionKind.Validation);
        Assert.Contains("receivedAt is in the future", r.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("calendar", r.Reason, StringComparison.Ordinal);

        var old = Given().When(Register("2025-09-10") with { ReceivedAt = At("1999-12-31") }, now).Rejected(RejectionKind.Validation);
        Assert.Contains("outside the legal calendar", old.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("future", old.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void H5_year_9999_and_a_missing_receipt_are_validation_errors_not_exceptions()
    {
        var far = Instant.FromUtc(9999, 12, 31, 23, 0);
        Given().When(Register("2025-09-10") with { ReceivedAt = far }, At("2025-09-10")).Rejected(RejectionKind.Validation);
        Assert.Contains(CommandValidator.Validate(Register("2025-09-10") with { ReceivedAt = far }), e => e.Field == "receivedAt");
        Assert.False(Supervision.Domain.Calendar.LegalCalendar.InRange(far));

        var missing = Given().When(Register("2025-09-10") with { ReceivedAt = default }, "2025-09-10").Rejected(RejectionKind.Validation);
        Assert.Contains("receivedAt is required", missing.Reason, StringComparison.Ordinal);
        var repeat = Given([.. Run(Registered)]).When(new RecordRepeatPetition("ca-registrar", far, Channel.Phone, Bureau), "2025-09-11");
        repeat.Rejected(RejectionKind.Validation);
    }

    // ── H6 decider fixes ──

    [Fact]
    public void H6_a_second_extension_with_different_data_is_a_conflict()
    {
        var events = Run([.. Accepted, (new ApproveExtension(Head, 10, "需要鉴定", D("2025-10-01")), "2025-10-01")]);
        var given = Given([.. events]);
        var r = given.When(new ApproveExtension(Head, 20, "另需鉴定", D("2025-10-02")), "2025-10-02").Rejected(RejectionKind.InvalidTransition);
        Assert.Equal("already extended (Art. 34 allows one extension)", r.Reason);
        given.When(new ApproveExtension(Head, 10, "需要鉴定", D("2025-10-01")), "2025-10-02").Nothing(); // redelivery
    }

    [Fact]
    public void H6_a_satisfied_command_from_someone_not_allowed_is_forbidden_not_a_silent_success()
    {
        var given = Given([.. Run(Accepted)]);
        given.When(new AcceptCase("ca-land-officer"), "2025-09-13").Rejected(RejectionKind.Forbidden);
        given.When(new AcceptCase(Registrar), "2025-09-13").Rejected(RejectionKind.Forbidden);
        given.When(new AcceptCase("nobody"), "2025-09-13").Rejected(RejectionKind.Forbidden);
        given.When(new AcceptCase(Officer), "2025-09-13").Nothing();  // the same actor: redelivery
        given.When(new AcceptCase(Head), "2025-09-13").Nothing();     // another authorized actor: already done

        // Redelivery by the same actor stays a no-op even after responsibility moved (the router is no longer in scope).
        Given([.. Run(Routed)]).When(new RouteCase(Registrar, RoutingKind.Assign, Agency, D("2025-11-30")), "2025-09-12").Nothing();
        Given([.. Run(Routed)]).When(new RouteCase("cb-registrar", RoutingKind.Assign, Agency, D("2025-11-30")), "2025-09-12").Rejected(RejectionKind.Forbidden);

        // A petitioner redelivery needs the right code.
        var review = Given([.. Run(UnderReview)]);
        review.When(new RequestReview(PetitionerActor), "2025-10-26").Nothing();
        review.When(new RequestReview(Actors.Petitioner("Q-WRONG-00")), "2025-10-26").Rejected(RejectionKind.Forbidden);
    }

    [Fact]
    public void H6_only_the_system_fires_timers()
    {
        var given = Given([.. Run(Accepted)]);
        var clock = given.State.Clock(ClockNames.Handling)!;
        given.When(new ClockTimerElapsed(Head, ClockNames.Handling, ClockLevel.Overdue, clock.Generation), "2025-11-20").Rejected(RejectionKind.Forbidden);
        given.When(new ClockTimerElapsed(Actors.System, ClockNames.Handling, ClockLevel.Overdue, clock.Generation), "2025-11-20").Accepted();
    }

    // ── H7 alerts rendered at delivery ──

    private static Alert WarningAlert()
    {
        var given = Given([.. Run(Accepted)]);
        var clock = given.State.Clock(ClockNames.Handling)!;
        var then = given.When(new ClockTimerElapsed(Actors.System, ClockNames.Handling, ClockLevel.Warning, clock.Generation), clock.WarningAt!.Value);
        return Assert.Single(then.Effects().OfType<RaiseAlert>()).Alert;
    }

    [Fact]
    public void H7_alerts_carry_structured_deadline_data()
    {
        var alert = WarningAlert();
        Assert.Equal(CaseId, alert.CaseId);
        var d = alert.Deadline!;
        Assert.Equal((ClockNames.Handling, AlertLevel.Warning, D("2025-11-11")), (d.Clock, d.Level, d.DueDate));
        Assert.Contains("第三十四条", d.Article, StringComparison.Ordinal);
        Assert.Contains("将于 2025-11-11 届满", alert.Body, StringComparison.Ordinal); // kept for compatibility
    }

    [Fact]
    public void H7_alert_text_is_tense_correct_at_delivery()
    {
        var alert = WarningAlert();
        var onTime = AlertText.Render(alert, At("2025-11-04 09:00"));
        Assert.Contains("将于 2025-11-11 届满", onTime.Body, StringComparison.Ordinal);
        Assert.Contains("还剩 7 日", onTime.Body, StringComparison.Ordinal);
        Assert.Contains("/cases/" + CaseId, onTime.Body, StringComparison.Ordinal);
        Assert.StartsWith("【预警】", onTime.Subject, StringComparison.Ordinal);

        var late = AlertText.Render(alert, At("2025-11-14 09:00")); // delivered after an outage
        Assert.Contains("已于 2025-11-11 届满，已超期 3 日", late.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("将于", late.Body, StringComparison.Ordinal);
        Assert.StartsWith("【超期】", late.Subject, StringComparison.Ordinal);

        var lastDay = AlertText.Render(alert, At("2025-11-11 23:00"));
        Assert.Contains("今日为最后一日", lastDay.Body, StringComparison.Ordinal);

        var en = AlertText.Render(alert, At("2025-11-14 09:00"), AlertText.English);
        Assert.Contains("fell due on 2025-11-11 and is overdue by 3 days", en.Body, StringComparison.Ordinal);
        Assert.Contains("falls due on 2025-11-11", AlertText.Render(alert, At("2025-11-05"), "en-US").Body, StringComparison.Ordinal);
    }

    // ── H8 referral to discipline inspection ──

    [Fact]
    public void H8_a_referral_to_discipline_inspection_alerts_the_receiving_body_only()
    {
        var then = Given([.. Run(Registered)]).When(new ReferOut(Registrar, ReferralChannel.DisciplineInspection, "涉嫌违纪", "ca-cdi"), "2025-09-11");
        var alert = Assert.Single(then.Effects().OfType<RaiseAlert>()).Alert;
        Assert.Equal("case.referred", alert.Kind);
        Assert.All(alert.To, a => Assert.Equal("ca-cdi", a.UnitId));
        Assert.Contains(new AlertAudience("handling-officer", "ca-cdi"), alert.To);
        Assert.Contains(OrgDemo.PeopleInRole(Role.HandlingOfficer, "ca-cdi"), p => p.Id == "ca-cdi-officer");

        // Other referrals alert nobody; an accusation against the receiving body itself is refused before any alert.
        Assert.Empty(Given([.. Run(Registered)]).When(new ReferOut(Registrar, ReferralChannel.Litigation, "已起诉"), "2025-09-11").Effects().OfType<RaiseAlert>());
        var accused = Given([.. Run((Register("2025-09-10", Category.Accusation) with { AccusedUnitId = "ca-cdi" }, "2025-09-10"))]);
        accused.When(new ReferOut(Registrar, ReferralChannel.DisciplineInspection, "移送", "ca-cdi"), "2025-09-11").Rejected(RejectionKind.Forbidden);
    }

    // ── H9 clock views ──

    [Fact]
    public void H9_a_lapsed_window_is_not_shown_as_overdue()
    {
        var routed = Fold(Run(Routed));
        var window = routed.Clock(ClockNames.Objection)!;
        var lapsed = Decider.Evolve(routed, new ClockLapsed(window.Name, window.Generation, window.DueInstant));
        var view = ClockViews.Of(LegalDays, lapsed.Clock(ClockNames.Objection)!, window.DueInstant + Duration.FromDays(3));
        Assert.Equal(ClockDisplay.Lapsed, view.Display);
        Assert.Null(view.Light);
        Assert.Equal(ClockLevel.None, view.Level);
        Assert.Equal(Duration.Zero, view.Remaining);
        Assert.Equal(0, view.WorkingDaysLeft);

        var open = ClockViews.Of(LegalDays, window, At("2025-09-12"));
        Assert.Equal(ClockDisplay.WindowOpen, open.Display);
        Assert.Null(open.Light);
        Assert.True(open.Remaining > Duration.Zero);
    }

    [Fact]
    public void H9_a_stopped_clock_shows_no_time_left()
    {
        var routing = Fold(Run(Routed)).Clock(ClockNames.Routing)!;
        var view = ClockViews.Of(LegalDays, routing, At("2025-09-20"));
        Assert.Equal((ClockStatus.Stopped, ClockDisplay.Stopped), (view.Status, view.Display));
        Assert.Equal(Duration.Zero, view.Remaining);
        Assert.Equal(0, view.WorkingDaysLeft);
        Assert.Equal(Light.Green, view.Light);

        var overdue = ClockViews.Of(LegalDays, Fold(Run(Accepted)).Clock(ClockNames.Handling)!, At("2025-11-20"));
        Assert.Equal((ClockDisplay.Overdue, Light.Red), (overdue.Display, overdue.Light));
        Assert.True(overdue.Remaining < Duration.Zero);
    }

    [Fact]
    public void H9_the_list_row_carries_the_provisional_flag()
    {
        var state = Fold(Run(Accepted));
        Assert.Equal(false, CaseRow.Values(OrgDemo, state, At("2025-09-12"))[CaseRow.Provisional]);
        var provisional = state with { Clocks = state.Clocks.SetItem(ClockNames.Handling, state.Clock(ClockNames.Handling)! with { Provisional = true }) };
        Assert.Equal(true, CaseRow.Values(OrgDemo, provisional, At("2025-09-12"))[CaseRow.Provisional]);
    }
}

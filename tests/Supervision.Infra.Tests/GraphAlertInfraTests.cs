using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using Supervision.Testing;

namespace Supervision.Infra.Tests;

/// <summary>
/// Microsoft Graph alerts in the infrastructure (docs/deploy.md "Microsoft Graph alerts"): the graph* parameters of
/// main.bicep become the Supervision__Graph__* settings GraphAlertOptions binds, incomplete settings fail the deployment,
/// and scripts/register-teams-app.sh grants both Graph roles and writes a Teams app the sink's notifications fit.
/// The functions in modules/graph.bicep are evaluated for real: a .bicepparam file imports them and build-params
/// evaluates the call offline.
/// </summary>
public sealed partial class GraphAlertInfraTests
{
    private const string ClientId = "11111111-2222-3333-4444-555555555555";
    private const string PrincipalId = "99999999-8888-7777-6666-555555555555";

    private static readonly string SinkSource = File.ReadAllText(Path.Combine(
        TestStorage.RepoRoot(), "functions", "Supervision.Api", "Alerts", "GraphAlertSink.cs"));

    private static string Infra(params string[] path) => Path.Combine([CompiledTemplate.InfraDir, .. path]);

    [Fact]
    public async Task Graph_is_off_by_default_and_the_other_defaults_are_the_apps()
    {
        var template = await CompiledTemplate.GetAsync();
        var parameters = template.Root.GetProperty("parameters");
        JsonElement Default(string name) => parameters.GetProperty(name).GetProperty("defaultValue");

        Assert.False(Default("graphEnabled").GetBoolean());
        Assert.Equal("", Default("graphSenderUserId").GetString());
        Assert.Equal("", Default("graphPublicAppUrl").GetString());
        Assert.Equal(AppDefault("Mail"), Default("graphMail").GetBoolean() ? "true" : "false");
        Assert.Equal(AppDefault("Teams"), Default("graphTeams").GetBoolean() ? "true" : "false");
        Assert.Equal(AppDefault("BaseUrl"), Default("graphBaseUrl").GetString());
        Assert.Equal(AppDefault("DeliveriesTable"), Default("graphDeliveriesTable").GetString());

        // The example parameters file keeps it off unless the environment turns it on.
        var run = await BicepCli.RunAsync("build-params", Infra("main.bicepparam"), "--stdout");
        Assert.True(run.ExitCode == 0, run.ToString());
        var values = ParameterValues(run);
        Assert.False(values["graphEnabled"].GetBoolean());
        Assert.Equal("", values["graphSenderUserId"].GetString());
    }

    [Fact]
    public async Task The_parameters_file_takes_the_graph_settings_from_the_azd_environment()
    {
        var env = new Dictionary<string, string>
        {
            ["SUPERVISION_GRAPH_ENABLED"] = "true",
            ["SUPERVISION_GRAPH_SENDER"] = "alerts@contoso.example",
            ["SUPERVISION_GRAPH_TEAMS"] = "false",
            ["SUPERVISION_GRAPH_PUBLIC_APP_URL"] = "https://supervision.contoso.example",
        };

        var run = await BicepCli.RunAsync(env, "build-params", Infra("main.bicepparam"), "--stdout");

        Assert.True(run.ExitCode == 0, run.ToString());
        var values = ParameterValues(run);
        Assert.True(values["graphEnabled"].GetBoolean());
        Assert.Equal("alerts@contoso.example", values["graphSenderUserId"].GetString());
        Assert.False(values["graphTeams"].GetBoolean());
        Assert.True(values["graphMail"].GetBoolean());
        Assert.Equal("https://supervision.contoso.example", values["graphPublicAppUrl"].GetString());
    }

    [Fact]
    public async Task The_graph_app_settings_carry_the_parameter_values_under_every_name_the_app_binds()
    {
        var settings = await EvaluateAsync<Dictionary<string, string>[]>(
            "graphAppSettings(" + Options(enabled: true, sender: "alerts@contoso.example", mail: true, teams: false,
                baseUrl: "https://microsoftgraph.chinacloudapi.cn/v1.0", publicAppUrl: "", table: "graphmarks") +
            ", 'https://func-dev-abc.azurewebsites.net')");
        var byName = settings.ToDictionary(s => s["name"], s => s["value"]);

        Assert.Equal("true", byName["Supervision__Graph__Enabled"]);
        Assert.Equal("alerts@contoso.example", byName["Supervision__Graph__SenderUserId"]);
        Assert.Equal("true", byName["Supervision__Graph__Mail"]);
        Assert.Equal("false", byName["Supervision__Graph__Teams"]);
        Assert.Equal("https://microsoftgraph.chinacloudapi.cn/v1.0", byName["Supervision__Graph__BaseUrl"]);
        Assert.Equal("https://func-dev-abc.azurewebsites.net", byName["Supervision__Graph__PublicAppUrl"]); // empty → the app's host
        Assert.Equal("graphmarks", byName["Supervision__Graph__DeliveriesTable"]);

        // Exactly the settable properties of GraphAlertOptions, nothing misspelt, nothing missing.
        var bound = OptionProperties().Select(p => "Supervision__Graph__" + p).Order(StringComparer.Ordinal);
        Assert.Equal(bound, byName.Keys.Order(StringComparer.Ordinal));

        var custom = await EvaluateAsync<Dictionary<string, string>[]>(
            "graphAppSettings(" + Options(publicAppUrl: "https://supervision.contoso.example") + ", 'https://func-dev-abc.azurewebsites.net')");
        Assert.Contains(custom, s => s["name"] == "Supervision__Graph__PublicAppUrl" && s["value"] == "https://supervision.contoso.example");
        Assert.Contains(custom, s => s["name"] == "Supervision__Graph__Enabled" && s["value"] == "false");
    }

    [Theory]
    [InlineData(true, "", true, "", "https://graph.microsoft.com/v1.0", "SenderUserId")] // enabled, mail, no sender: refused
    [InlineData(true, "  ", true, "", "https://graph.microsoft.com/v1.0", "SenderUserId")]
    [InlineData(true, "alerts@contoso.example", true, "cases", "https://graph.microsoft.com/v1.0", "PublicAppUrl")]
    [InlineData(true, "alerts@contoso.example", true, "", "graph.microsoft.com", "BaseUrl")]
    [InlineData(true, "", false, "", "https://graph.microsoft.com/v1.0", null)] // Teams only needs no sender
    [InlineData(true, "alerts@contoso.example", true, "https://supervision.contoso.example", "https://graph.microsoft.com/v1.0", null)]
    [InlineData(false, "", true, "not a url", "neither", null)] // disabled: nothing is checked, as in the app
    public async Task Graph_problems_are_the_ones_the_app_would_refuse_to_start_with(
        bool enabled, string sender, bool mail, string publicAppUrl, string baseUrl, string? problem)
    {
        var problems = await EvaluateAsync<string[]>(
            "graphProblems(" + Options(enabled, sender, mail, teams: true, baseUrl, publicAppUrl, "alertdeliveries") + ")");

        if (problem is null)
        {
            Assert.Empty(problems);
        }
        else
        {
            Assert.Contains($"Supervision:Graph:{problem}", Assert.Single(problems), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Main_fails_the_deployment_on_those_problems_and_hands_only_checked_settings_to_the_app()
    {
        var template = await CompiledTemplate.GetAsync();
        var variables = template.Root.GetProperty("variables");

        var graph = variables.GetProperty("graph");
        foreach (var (property, parameter) in new[]
        {
            ("enabled", "graphEnabled"), ("senderUserId", "graphSenderUserId"), ("mail", "graphMail"), ("teams", "graphTeams"),
            ("baseUrl", "graphBaseUrl"), ("publicAppUrl", "graphPublicAppUrl"), ("deliveriesTable", "graphDeliveriesTable"),
        })
        {
            Assert.Equal($"[parameters('{parameter}')]", graph.GetProperty(property).GetString());
        }

        Assert.Equal("[__bicep.graphProblems(variables('graph'))]", variables.GetProperty("graphProblemList").GetString());
        var check = variables.GetProperty("graphChecked").GetString()!;
        Assert.StartsWith("[if(empty(variables('graphProblemList')), variables('graph'), fail(", check, StringComparison.Ordinal);
        Assert.Contains("join(variables('graphProblemList')", check, StringComparison.Ordinal);

        var module = Assert.Single(CompiledTemplate.Resources(template.Root), r => r.GetProperty("name").GetString() == "functionapp");
        Assert.Equal("[variables('graphChecked')]", module.GetProperty("properties").GetProperty("parameters").GetProperty("graph").GetProperty("value").GetString());
    }

    [Fact]
    public async Task All_app_settings_are_one_appsettings_config_with_the_graph_settings_defaulting_links_to_the_apps_host()
    {
        var template = await CompiledTemplate.GetAsync();
        var site = Assert.Single(template.ResourcesOfType("Microsoft.Web/sites"));
        var config = Assert.Single(template.ResourcesOfType("Microsoft.Web/sites/config"));

        // One owner of the settings: siteConfig.appSettings and the config resource would overwrite each other.
        Assert.False(site.GetProperty("properties").GetProperty("siteConfig").TryGetProperty("appSettings", out _));
        Assert.EndsWith("'appsettings')]", config.GetProperty("name").GetString(), StringComparison.Ordinal);
        var properties = config.GetProperty("properties").GetString()!;
        foreach (var part in new[] { "hostStorageSettings", "monitoringSettings", "variables('appSettings')", "parameters('extraAppSettings')" })
        {
            Assert.Contains(part, properties, StringComparison.Ordinal);
        }

        Assert.Contains("__bicep.graphAppSettings(parameters('graph'), format('https://{0}', reference('app').defaultHostName))", properties, StringComparison.Ordinal);
        Assert.True(properties.IndexOf("parameters('extraAppSettings')", StringComparison.Ordinal) > properties.IndexOf("graphAppSettings", StringComparison.Ordinal), "extra settings come last and win");
    }

    [Fact]
    public async Task The_script_dry_run_grants_both_graph_roles_to_the_identity_and_writes_the_teams_app()
    {
        var output = Directory.CreateTempSubdirectory("supervision-teams-");
        try
        {
            var run = await ScriptAsync(
                "--dry-run", "--principal-id", PrincipalId, "--client-id", ClientId,
                "--public-app-url", "https://func-dev-abc.azurewebsites.net/", "--out", output.FullName);

            Assert.True(run.ExitCode == 0, run.ToString());
            var posts = run.Stdout.Split('\n').Where(l => l.StartsWith("+ az rest --method post", StringComparison.Ordinal)).ToArray();
            Assert.Equal(2, posts.Length);
            foreach (var role in new[] { "Mail.Send", "TeamsActivity.Send" })
            {
                var post = Assert.Single(posts, p => p.Contains($"\"appRoleId\":\"<{role}-role-id>\"", StringComparison.Ordinal));
                Assert.Contains("https://graph.microsoft.com/v1.0/servicePrincipals/<graph-sp-id>/appRoleAssignedTo", post, StringComparison.Ordinal);
                Assert.Contains($"\"principalId\":\"{PrincipalId}\"", post, StringComparison.Ordinal);
                Assert.Contains("\"resourceId\":\"<graph-sp-id>\"", post, StringComparison.Ordinal);
            }

            // The role ids are resolved from the Graph service principal, not hard-coded.
            Assert.Contains("az ad sp show --id 00000003-0000-0000-c000-000000000000 --query id -o tsv", run.Stdout + run.Stderr, StringComparison.Ordinal);
            Assert.Contains("appRoles[?value=='\\''TeamsActivity.Send'\\''", run.Stdout + run.Stderr, StringComparison.Ordinal);
            Assert.Contains("New-ApplicationAccessPolicy -AppId " + ClientId, run.Stdout, StringComparison.Ordinal);

            var manifestPath = Path.Combine(output.FullName, "manifest.json");
            Assert.Contains("Teams app manifest: " + manifestPath, run.Stdout, StringComparison.Ordinal);
            var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(manifestPath)).RootElement;
            AssertTeamsManifest(manifest);

            using var zip = ZipFile.OpenRead(Path.Combine(output.FullName, "supervision-teams-app.zip"));
            Assert.Equal(["color.png", "manifest.json", "outline.png"], zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_script_with_skip_mail_send_grants_only_teams_and_adds_the_optional_federated_credential()
    {
        var output = Directory.CreateTempSubdirectory("supervision-teams-");
        try
        {
            var run = await ScriptAsync(
                "--dry-run", "-g", "rg-supervision-dev", "--identity-name", "id-dev-abc", "--skip-mail-send",
                "--public-app-url", "https://func-dev-abc.azurewebsites.net", "--out", output.FullName,
                "--federated-identity", "id-deploy", "--federated-subject", "repo:contoso/supervision:environment:prod");

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("az identity show -g rg-supervision-dev -n id-dev-abc --query principalId -o tsv", run.Stderr, StringComparison.Ordinal);
            var post = Assert.Single(run.Stdout.Split('\n'), l => l.StartsWith("+ az rest --method post", StringComparison.Ordinal));
            Assert.Contains("<TeamsActivity.Send-role-id>", post, StringComparison.Ordinal);
            Assert.Contains(
                "+ az identity federated-credential create --name github --identity-name id-deploy --resource-group rg-supervision-dev " +
                "--issuer https://token.actions.githubusercontent.com --subject repo:contoso/supervision:environment:prod --audiences api://AzureADTokenExchange",
                run.Stdout,
                StringComparison.Ordinal);
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("--dry-run", "--public-app-url", "https://x.example")] // no identity at all
    [InlineData("--dry-run", "--principal-id", PrincipalId, "--client-id", ClientId, "--public-app-url", "http://x.example")] // Teams needs https
    [InlineData("--dry-run", "--bogus")]
    public async Task The_script_refuses_what_it_cannot_do(params string[] args)
    {
        var run = await ScriptAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("register-teams-app: ", run.Stderr.Split('\n').Last(l => l.Length > 0), StringComparison.Ordinal);
        Assert.DoesNotContain("appRoleAssignedTo", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void The_teams_manifest_template_is_valid_json_for_the_sinks_notifications()
    {
        var template = File.ReadAllText(Path.Combine(TestStorage.RepoRoot(), "infra-teams", "manifest.template.json"));
        var filled = template.Replace("{{APP_VERSION}}", "1.0.0", StringComparison.Ordinal)
            .Replace("{{TEAMS_APP_ID}}", ClientId, StringComparison.Ordinal)
            .Replace("{{APP_CLIENT_ID}}", ClientId, StringComparison.Ordinal)
            .Replace("{{PUBLIC_APP_URL}}", "https://func-dev-abc.azurewebsites.net", StringComparison.Ordinal)
            .Replace("{{PUBLIC_APP_HOST}}", "func-dev-abc.azurewebsites.net", StringComparison.Ordinal);

        Assert.DoesNotContain("{{", filled, StringComparison.Ordinal);
        AssertTeamsManifest(JsonDocument.Parse(filled).RootElement);
        foreach (var icon in new[] { "color.png", "outline.png" })
        {
            Assert.True(File.Exists(Path.Combine(TestStorage.RepoRoot(), "infra-teams", icon)), icon);
        }
    }

    /// <summary>
    /// Teams only delivers a notification from an app whose webApplicationInfo.id is the caller's client id (the
    /// managed identity's), and every activity type the sink sends must be declared, except the reserved systemDefault.
    /// </summary>
    private static void AssertTeamsManifest(JsonElement manifest)
    {
        Assert.Equal(ClientId, manifest.GetProperty("webApplicationInfo").GetProperty("id").GetString());
        Assert.Equal(ClientId, manifest.GetProperty("id").GetString());
        Assert.Equal("1.17", manifest.GetProperty("manifestVersion").GetString());
        Assert.Equal("func-dev-abc.azurewebsites.net", Assert.Single(manifest.GetProperty("validDomains").EnumerateArray()).GetString());
        Assert.Equal("https://func-dev-abc.azurewebsites.net/app/", Assert.Single(manifest.GetProperty("staticTabs").EnumerateArray()).GetProperty("contentUrl").GetString());

        var declared = manifest.TryGetProperty("activities", out var activities)
            ? activities.GetProperty("activityTypes").EnumerateArray().Select(a => a.GetProperty("type").GetString()).ToHashSet(StringComparer.Ordinal)
            : [];
        var sent = ActivityTypeRegex().Matches(SinkSource).Select(m => m.Groups[1].Value).ToArray();
        Assert.NotEmpty(sent);
        foreach (var type in sent)
        {
            if (type == "systemDefault")
            {
                Assert.DoesNotContain(type, declared); // reserved: declaring it is an error
                Assert.Contains("Name = \"systemDefaultText\"", SinkSource, StringComparison.Ordinal);
            }
            else
            {
                Assert.Contains(type, declared);
            }
        }
    }

    private static Task<BicepRun> ScriptAsync(params string[] args) =>
        BicepCli.RunProcessAsync(
            "/bin/bash",
            new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" }, // no az, whatever the machine has
            [Path.Combine(TestStorage.RepoRoot(), "scripts", "register-teams-app.sh"), .. args]);

    private static string Options(
        bool enabled = false, string sender = "", bool mail = true, bool teams = true,
        string baseUrl = "https://graph.microsoft.com/v1.0", string publicAppUrl = "", string table = "alertdeliveries") =>
        $"{{ enabled: {(enabled ? "true" : "false")}, senderUserId: '{sender}', mail: {(mail ? "true" : "false")}, " +
        $"teams: {(teams ? "true" : "false")}, baseUrl: '{baseUrl}', publicAppUrl: '{publicAppUrl}', deliveriesTable: '{table}' }}";

    /// <summary>Evaluates an expression over modules/graph.bicep's exports with <c>bicep build-params</c>.</summary>
    private static async Task<T> EvaluateAsync<T>(string expression)
    {
        var dir = Directory.CreateTempSubdirectory("supervision-graph-");
        try
        {
            Directory.CreateDirectory(Path.Combine(dir.FullName, "modules"));
            File.Copy(Infra("bicepconfig.json"), Path.Combine(dir.FullName, "bicepconfig.json"));
            File.Copy(Infra("modules", "graph.bicep"), Path.Combine(dir.FullName, "modules", "graph.bicep"));
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "probe.bicep"), "param value object[]\noutput value object[] = value\n");
            var probe = Path.Combine(dir.FullName, "probe.bicepparam");
            var wrapped = typeof(T) == typeof(string[]) ? $"[{{ problems: {expression} }}]" : expression;
            await File.WriteAllTextAsync(probe, $"using 'probe.bicep'\nimport {{ graphAppSettings, graphProblems }} from 'modules/graph.bicep'\nparam value = {wrapped}\n");

            var run = await BicepCli.RunAsync("build-params", probe, "--stdout");

            Assert.True(run.ExitCode == 0, run.ToString());
            var value = ParameterValues(run)["value"];
            var json = typeof(T) == typeof(string[]) ? value[0].GetProperty("problems").GetRawText() : value.GetRawText();
            return JsonSerializer.Deserialize<T>(json)!;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static Dictionary<string, JsonElement> ParameterValues(BicepRun run)
    {
        var parametersJson = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("parametersJson").GetString()!;
        return JsonDocument.Parse(parametersJson).RootElement.GetProperty("parameters").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetProperty("value").Clone());
    }

    /// <summary>The settable properties of GraphAlertOptions, read from its source.</summary>
    private static IEnumerable<string> OptionProperties()
    {
        var options = SinkSource[SinkSource.IndexOf("class GraphAlertOptions", StringComparison.Ordinal)..SinkSource.IndexOf("class GraphAlertRetryException", StringComparison.Ordinal)];
        return OptionPropertyRegex().Matches(options).Select(m => m.Groups[1].Value);
    }

    /// <summary>The default of one GraphAlertOptions property as the app has it ("true", "false" or the string).</summary>
    private static string AppDefault(string property)
    {
        var match = Regex.Match(SinkSource, $@"public (?:bool|string\??) {property} {{ get; set; }} = (?:""([^""]*)""|(true|false));");
        Assert.True(match.Success, property);
        return match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value;
    }

    [GeneratedRegex(@"ActivityType = ""([^""]+)""")]
    private static partial Regex ActivityTypeRegex();

    [GeneratedRegex(@"public (?:bool|string\??) (\w+) \{ get; set; \}")]
    private static partial Regex OptionPropertyRegex();
}

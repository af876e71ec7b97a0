using System.Text.Json;
using Supervision.Testing;

namespace Supervision.Infra.Tests;

/// <summary>infra-bicep/ compiles and lints clean offline, and the compiled ARM JSON has the properties the app relies on.</summary>
public sealed class BicepTests
{
    private const string BlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string QueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string TableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    private static string Infra(params string[] path) => Path.Combine([CompiledTemplate.InfraDir, .. path]);

    [Fact]
    public async Task Main_lints_without_errors_including_every_module_it_references()
    {
        var run = await BicepCli.RunAsync("lint", Infra("main.bicep"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain(": Error ", run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_module_file_is_used_by_main_so_linting_main_covers_it()
    {
        var main = File.ReadAllText(Infra("main.bicep"));
        foreach (var module in Directory.GetFiles(Infra("modules"), "*.bicep"))
        {
            Assert.Contains($"'modules/{Path.GetFileName(module)}'", main, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Main_builds_to_arm_json_without_error_diagnostics()
    {
        var template = await CompiledTemplate.GetAsync();

        Assert.DoesNotContain(": Error ", template.Run.Stderr, StringComparison.Ordinal);
        Assert.Equal("https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", template.Root.GetProperty("$schema").GetString());
    }

    [Fact]
    public async Task The_parameters_file_builds()
    {
        var run = await BicepCli.RunAsync("build-params", Infra("main.bicepparam"), "--stdout");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("environmentName", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_lint_configuration_turns_an_unused_parameter_into_an_error()
    {
        // Proves bicepconfig.json is picked up and raises rules to error: a copy beside a deliberately bad file must fail.
        var dir = Directory.CreateTempSubdirectory("supervision-bicep-");
        try
        {
            File.Copy(Infra("bicepconfig.json"), Path.Combine(dir.FullName, "bicepconfig.json"));
            var bad = Path.Combine(dir.FullName, "bad.bicep");
            await File.WriteAllTextAsync(bad, "param unused string\n");

            var run = await BicepCli.RunAsync("lint", bad);

            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains("no-unused-params", run.Stdout + run.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void No_registry_modules_are_referenced_since_they_cannot_be_restored_offline()
    {
        foreach (var file in Directory.GetFiles(CompiledTemplate.InfraDir, "*.bicep*", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotContain("'br/", text, StringComparison.Ordinal);
            Assert.DoesNotContain("'br:", text, StringComparison.Ordinal);
            Assert.DoesNotContain("'ts:", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_function_app_is_flex_consumption_on_dotnet_isolated_10()
    {
        var template = await CompiledTemplate.GetAsync();

        var plan = Assert.Single(template.ResourcesOfType("Microsoft.Web/serverfarms"));
        Assert.Equal("FC1", plan.GetProperty("sku").GetProperty("name").GetString());
        Assert.Equal("FlexConsumption", plan.GetProperty("sku").GetProperty("tier").GetString());
        Assert.True(plan.GetProperty("properties").GetProperty("reserved").GetBoolean());

        var site = Assert.Single(template.ResourcesOfType("Microsoft.Web/sites"));
        Assert.Equal("functionapp,linux", site.GetProperty("kind").GetString());
        var config = site.GetProperty("properties").GetProperty("functionAppConfig");
        Assert.Equal("dotnet-isolated", config.GetProperty("runtime").GetProperty("name").GetString());
        Assert.Equal("10.0", config.GetProperty("runtime").GetProperty("version").GetString());
        Assert.Equal("UserAssignedIdentity", config.GetProperty("deployment").GetProperty("storage").GetProperty("authentication").GetProperty("type").GetString());
        Assert.Equal("UserAssigned", site.GetProperty("identity").GetProperty("type").GetString());
        Assert.True(site.GetProperty("properties").GetProperty("httpsOnly").GetBoolean());
    }

    [Theory]
    [InlineData("FUNCTIONS_WORKER_RUNTIME")]
    [InlineData("FUNCTIONS_EXTENSION_VERSION")]
    [InlineData("WEBSITE_RUN_FROM_PACKAGE")]
    [InlineData("WEBSITE_CONTENTAZUREFILECONNECTIONSTRING")]
    [InlineData("linuxFxVersion")]
    [InlineData("AccountKey")]
    public async Task Settings_deprecated_on_flex_or_holding_keys_are_absent(string name)
    {
        var template = await CompiledTemplate.GetAsync();

        Assert.DoesNotContain(name, template.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_storage_is_identity_based_with_explicit_service_uris()
    {
        var template = await CompiledTemplate.GetAsync();
        var variables = template.Module("functionapp").GetProperty("variables");
        var host = variables.GetProperty("hostStorageSettings").EnumerateArray()
            .ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("value").GetString()!);

        Assert.Equal("managedidentity", host["AzureWebJobsStorage__credential"]);
        Assert.Contains("identityClientId", host["AzureWebJobsStorage__clientId"], StringComparison.Ordinal);
        Assert.Contains("blobEndpoint", host["AzureWebJobsStorage__blobServiceUri"], StringComparison.Ordinal);
        Assert.Contains("queueEndpoint", host["AzureWebJobsStorage__queueServiceUri"], StringComparison.Ordinal);
        Assert.Contains("tableEndpoint", host["AzureWebJobsStorage__tableServiceUri"], StringComparison.Ordinal);
        Assert.DoesNotContain("AzureWebJobsStorage\"", template.Text, StringComparison.Ordinal); // no connection-string form
        var monitoring = variables.GetProperty("monitoringSettings").GetRawText();
        Assert.Contains("APPLICATIONINSIGHTS_AUTHENTICATION_STRING", monitoring, StringComparison.Ordinal);
        Assert.Contains("Authorization=AAD", monitoring, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Storage_is_entra_only_private_tls12_with_account_level_worm_support()
    {
        var template = await CompiledTemplate.GetAsync();
        var account = Assert.Single(template.ResourcesOfType("Microsoft.Storage/storageAccounts")).GetProperty("properties");

        Assert.False(account.GetProperty("allowSharedKeyAccess").GetBoolean());
        Assert.False(account.GetProperty("allowBlobPublicAccess").GetBoolean());
        Assert.Equal("TLS1_2", account.GetProperty("minimumTlsVersion").GetString());
        Assert.True(account.GetProperty("supportsHttpsTrafficOnly").GetBoolean());
        Assert.True(account.GetProperty("immutableStorageWithVersioning").GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task Case_files_container_has_version_level_immutability_with_versioning_on()
    {
        var template = await CompiledTemplate.GetAsync();
        var storage = template.Module("storage");
        Assert.Equal("case-files", storage.GetProperty("parameters").GetProperty("caseFilesContainerName").GetProperty("defaultValue").GetString());

        var containers = template.ResourcesOfType("Microsoft.Storage/storageAccounts/blobServices/containers");
        var caseFiles = Assert.Single(containers, c => c.GetProperty("name").GetString()!.Contains("caseFilesContainerName", StringComparison.Ordinal));
        Assert.True(caseFiles.GetProperty("properties").GetProperty("immutableStorageWithVersioning").GetProperty("enabled").GetBoolean());
        Assert.Equal("None", caseFiles.GetProperty("properties").GetProperty("publicAccess").GetString());
        Assert.Contains(containers, c => c.GetProperty("name").GetString()!.Contains("deploymentContainerName", StringComparison.Ordinal));

        var blobService = Assert.Single(template.ResourcesOfType("Microsoft.Storage/storageAccounts/blobServices"));
        Assert.True(blobService.GetProperty("properties").GetProperty("isVersioningEnabled").GetBoolean());
    }

    [Fact]
    public async Task Spent_portal_challenges_are_deleted_by_a_lifecycle_rule_a_day_after_creation_and_the_key_is_kept()
    {
        var template = await CompiledTemplate.GetAsync();
        var storage = template.Module("storage");
        Assert.Equal("portal", storage.GetProperty("parameters").GetProperty("portalContainerName").GetProperty("defaultValue").GetString());
        var containers = template.ResourcesOfType("Microsoft.Storage/storageAccounts/blobServices/containers");
        Assert.Contains(containers, c => c.GetProperty("name").GetString()!.Contains("portalContainerName", StringComparison.Ordinal));

        var policy = Assert.Single(template.ResourcesOfType("Microsoft.Storage/storageAccounts/managementPolicies"));
        var rule = Assert.Single(policy.GetProperty("properties").GetProperty("policy").GetProperty("rules").EnumerateArray());
        var definition = rule.GetProperty("definition");

        // Only the spent markers: the signing key beside them (portal/challenge-key) must survive.
        var prefix = Assert.Single(definition.GetProperty("filters").GetProperty("prefixMatch").EnumerateArray()).GetString()!;
        Assert.Contains("spent/", prefix, StringComparison.Ordinal);
        Assert.Contains("portalContainerName", prefix, StringComparison.Ordinal);
        var actions = definition.GetProperty("actions");
        Assert.Equal(1, actions.GetProperty("baseBlob").GetProperty("delete").GetProperty("daysAfterCreationGreaterThan").GetInt32());
        Assert.Equal(1, actions.GetProperty("version").GetProperty("delete").GetProperty("daysAfterCreationGreaterThan").GetInt32());
    }

    [Fact]
    public async Task No_queues_are_declared_since_the_durable_extension_creates_its_task_hub()
    {
        var template = await CompiledTemplate.GetAsync();

        Assert.Empty(template.ResourcesOfType("Microsoft.Storage/storageAccounts/queueServices/queues"));
        Assert.DoesNotContain("work-items", template.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("workQueueName", template.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_app_settings_are_the_identity_based_storage_connection_monitoring_and_the_identity_only()
    {
        var template = await CompiledTemplate.GetAsync();
        var variables = template.Module("functionapp").GetProperty("variables");
        var app = variables.GetProperty("appSettings").EnumerateArray()
            .ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("value").GetString()!);

        Assert.Contains("identityClientId", app["AZURE_CLIENT_ID"], StringComparison.Ordinal);
        Assert.Equal("true", app["AzureWebJobsDisableHomepage"]); // GET / is the app's, not the host's page
        Assert.DoesNotContain("\"Storage__", template.Text, StringComparison.Ordinal); // the custom handler's own clients are gone
        Assert.DoesNotContain("Supervision__Triggers", template.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_identity_gets_the_three_storage_data_roles_and_metrics_publisher()
    {
        var template = await CompiledTemplate.GetAsync();
        var rbac = template.Module("rbac");
        var roles = rbac.GetProperty("variables").GetProperty("roles").EnumerateObject().Select(p => p.Value.GetString()).ToArray();
        var storageRoles = rbac.GetProperty("variables").GetProperty("storageRoles").GetRawText();

        Assert.Contains(BlobDataOwner, roles);
        Assert.Contains(QueueDataContributor, roles);
        Assert.Contains(TableDataContributor, roles);
        Assert.Contains(MonitoringMetricsPublisher, roles);
        foreach (var name in new[] { "storageBlobDataOwner", "storageQueueDataContributor", "storageTableDataContributor" })
        {
            Assert.Contains(name, storageRoles, StringComparison.Ordinal);
        }

        var assignments = template.ResourcesOfType("Microsoft.Authorization/roleAssignments");
        Assert.Contains(assignments, a => a.GetProperty("properties").GetProperty("principalType").GetString() == "ServicePrincipal" && a.GetProperty("scope").GetString()!.Contains("Microsoft.Storage/storageAccounts", StringComparison.Ordinal));
        Assert.Contains(assignments, a => a.GetProperty("scope").GetString()!.Contains("Microsoft.Insights/components", StringComparison.Ordinal));
    }

    [Fact]
    public async Task App_insights_accepts_only_entra_authenticated_telemetry()
    {
        var template = await CompiledTemplate.GetAsync();
        var ai = Assert.Single(template.ResourcesOfType("Microsoft.Insights/components"));

        Assert.True(ai.GetProperty("properties").GetProperty("DisableLocalAuth").GetBoolean());
        Assert.Single(template.ResourcesOfType("Microsoft.OperationalInsights/workspaces"));
        Assert.Single(template.ResourcesOfType("Microsoft.ManagedIdentity/userAssignedIdentities"));
    }

    [Fact]
    public async Task Outputs_hold_no_secrets()
    {
        var template = await CompiledTemplate.GetAsync();

        foreach (var output in template.Root.GetProperty("outputs").EnumerateObject())
        {
            Assert.DoesNotMatch("(?i)key|secret|password|connectionstring", output.Name);
            Assert.NotEqual("securestring", output.Value.GetProperty("type").GetString(), StringComparer.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Azd_finds_the_bicep_folder_and_the_service()
    {
        var azure = await File.ReadAllTextAsync(Path.Combine(TestStorage.RepoRoot(), "azure.yaml"));
        var template = await CompiledTemplate.GetAsync();
        var site = Assert.Single(template.ResourcesOfType("Microsoft.Web/sites"));

        Assert.Matches(@"(?m)^\s+path:\s*infra-bicep\s*$", azure);
        Assert.Matches(@"(?m)^\s{2}functions:\s*$", azure);
        Assert.Contains("serviceName", site.GetProperty("tags").GetString(), StringComparison.Ordinal);
        Assert.Equal("functions", template.Module("functionapp").GetProperty("parameters").GetProperty("serviceName").GetProperty("defaultValue").GetString());
    }
}

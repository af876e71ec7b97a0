using Azure.Identity;
using Microsoft.Extensions.Configuration;

namespace Supervision.Functions.Tests;

public sealed class TelemetryTests
{
    [Theory]
    [InlineData("ClientId=00000000-0000-0000-0000-000000000001;Authorization=AAD")]
    [InlineData("Authorization=aad; ClientId=00000000-0000-0000-0000-000000000001")]
    [InlineData("Authorization=AAD")]
    public void Entra_ingestion_gets_a_managed_identity_credential(string setting)
    {
        Assert.IsType<ManagedIdentityCredential>(Telemetry.CredentialFor(setting));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ClientId=00000000-0000-0000-0000-000000000001")]
    public void Without_aad_no_credential_is_used(string? setting)
    {
        Assert.Null(Telemetry.CredentialFor(setting));
    }

    [Fact]
    public void Without_a_connection_string_nothing_is_registered()
    {
        var services = new ServiceCollection();

        services.AddWorkerTelemetry(new ConfigurationBuilder().Build());

        Assert.Empty(services);
    }
}

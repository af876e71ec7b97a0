namespace Supervision.Domain.Tests; public sealed class Placeholder { [Fact] public void Domain_assembly_loads() => Assert.NotNull(typeof(Supervision.Domain.Orchestration.Rejection).Assembly); }

using CalSync.Engine.Sync;
using CalSync.Engine.Tests.Support;
using CalSync.Testing.Scenarios;

namespace CalSync.Engine.Tests.Scenarios;

/// <summary>Scenarios 1-7 (start options) on two in-memory calendars.</summary>
public sealed class StartOptionScenarios : Testing.Scenarios.StartOptionScenarios
{
    protected override ISyncRig NewRig(SyncDefinition? definition = null) => new InMemoryRig(definition);
}

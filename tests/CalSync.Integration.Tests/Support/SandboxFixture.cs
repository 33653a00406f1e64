using CalSync.Sandbox;
using Xunit;

namespace CalSync.Integration.Tests.Support;

/// <summary>One sandbox (both stand-ins) per test class; every <see cref="SandboxHarness"/> resets it before use.</summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    public SandboxHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await SandboxHost.StartAsync(new SandboxOptions());

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

using System.Text.Json.Nodes;
using CalSync.Reliability.Tests.Support;
using CalSync.Sandbox;

namespace CalSync.Reliability.Tests.Concurrency;

/// <summary>
/// docs/scenarios.md 32 across processes: two Start-CalSync of the same sync at once (two child processes released
/// together); one waits (default -LockTimeout) or fails clearly (-LockTimeout 0, CalSync.Store.Locked naming the
/// holder); no duplicates either way. A lock left by a SIGKILLed run is no obstacle for the next.
/// </summary>
public sealed class ConcurrencyTests : IClassFixture<SandboxFixture>
{
    private readonly SandboxFixture _rig;
    private readonly ITestOutputHelper _output;

    public ConcurrencyTests(SandboxFixture rig, ITestOutputHelper output)
    {
        _rig = rig;
        _output = output;
    }

    /// <summary>
    /// Waits until <paramref name="child"/> holds the sync's lock, read from the owner note (which the holder writes and
    /// removes): reading it takes no lock, so the wait cannot itself make a -LockTimeout 0 run fail.
    /// </summary>
    private static void WaitUntilHolding(StoreHome home, ChildProcess child)
    {
        var owner = home.File("locks", "work.owner");
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (File.Exists(owner) && JsonNode.Parse(File.ReadAllText(owner))?["processId"]?.GetValue<int>() == child.Id) return;
            }
            catch (Exception e) when (e is IOException or System.Text.Json.JsonException) { } // being replaced: read again
            Thread.Sleep(10);
        }
        Assert.Fail($"process {child.Id} never took the lock: {child.Transcript}");
    }

    private IReadOnlyList<string> Prepare(StoreHome home, int meetings)
    {
        _rig.Reset();
        _rig.ConnectBoth();
        _rig.Run("New-CalSync -Name Work | Out-Null").Ok();
        return Meetings.SeedMerge(_rig.Host, meetings);
    }

    [Theory]
    [InlineData("-LockTimeout 0")]   // the second fails at once with CalSync.Store.Locked
    [InlineData("")]                 // the second waits (30 s default) and then finds nothing to do
    public void Two_processes_start_the_same_sync_one_waits_or_fails_clearly_and_nothing_is_duplicated(string lockOption)
    {
        using var home = new StoreHome();
        var titles = Prepare(home, 20);
        // Slow Bitrix24 down so the first run is still going when the second starts.
        _rig.Host.Bitrix24.Faults.Latency = TimeSpan.FromMilliseconds(700);
        var script = "Connect-OutlookCalendar -Endpoint $graph -AccessToken $token | Out-Null\nStart-CalSync -Name Work -InitialMerge TwoWay " + lockOption;
        using var warm1 = new StoreHome();
        using var warm2 = new StoreHome();
        Environment.SetEnvironmentVariable("CALSYNC_HOME", home.Root);
        using var a = ChildProcess.StartWarm(_rig.Host, warm1.Root, script);
        using var b = ChildProcess.StartWarm(_rig.Host, warm2.Root, script);
        Assert.True(a.WaitReady(TimeSpan.FromMinutes(2)) && b.WaitReady(TimeSpan.FromMinutes(2)), a.Transcript + "\n" + b.Transcript);
        _rig.Host.Graph.Journal.Clear();
        _rig.Host.Bitrix24.Journal.Clear();
        a.Go(home.Root);
        WaitUntilHolding(home, a);
        b.Go(home.Root);
        Assert.True(a.WaitForExit(TimeSpan.FromMinutes(3)) && b.WaitForExit(TimeSpan.FromMinutes(3)), a.Transcript + "\n" + b.Transcript);
        _rig.Host.Bitrix24.Faults.Latency = TimeSpan.Zero;
        _output.WriteLine("A: " + a.Transcript + "\nB: " + b.Transcript);

        var runs = new[] { a, b }.SelectMany(c => c.Lines).Where(l => l.StartsWith("OUT ", StringComparison.Ordinal)).ToList();
        var locked = new[] { a, b }.SelectMany(c => c.Lines).Where(l => l.StartsWith("ERR CalSync.Store.Locked", StringComparison.Ordinal)).ToList();
        if (lockOption.Length > 0)
        {
            // The refused run is an attempt too: its record (Failed) is the second one's output, and in the history.
            Assert.Single(runs, r => !r.StartsWith("OUT Failed", StringComparison.Ordinal));
            Assert.Single(b.Lines, l => l.StartsWith("OUT Failed", StringComparison.Ordinal));
            var message = Assert.Single(locked);
            // Who holds it: the first child, released first and holding the lock (its owner note named it) when the second started.
            Assert.Contains($"Sync 'Work' is being run by process {a.Id} on ", message);
            Assert.Contains(b.Lines, l => l.StartsWith("ERR CalSync.Store.Locked", StringComparison.Ordinal)); // the second is the one refused
            Assert.Contains("work.lock", message);
        }
        else
        {
            Assert.Empty(locked);
            Assert.Equal(2, runs.Count);
            Assert.Single(runs, r => r.StartsWith("OUT NoChanges", StringComparison.Ordinal)); // the one that waited found the work done
        }
        Assert.Empty(Invariants.Check(_rig.Host, home.Root, titles));
        var quiet = _rig.Run("Start-CalSync -Name Work").Ok();
        Assert.Equal("NoChanges", quiet.First.Outcome.ToString());
    }

    [Fact]
    public void A_lock_left_by_a_SIGKILLed_run_is_recovered_by_the_next_run_without_waiting()
    {
        using var home = new StoreHome();
        var titles = Prepare(home, 10);
        using var warm = new StoreHome();
        Environment.SetEnvironmentVariable("CALSYNC_HOME", home.Root);
        using var child = ChildProcess.StartWarm(_rig.Host, warm.Root,
            "Connect-OutlookCalendar -Endpoint $graph -AccessToken $token | Out-Null\nStart-CalSync -Name Work -InitialMerge TwoWay");
        Assert.True(child.WaitReady(TimeSpan.FromMinutes(2)), child.Transcript);
        JsonNode? ownerWhileHeld = null;
        var ownerPath = home.File("locks", "work.owner");
        void OnWrite(RecordedRequest _)
        {
            if (ownerWhileHeld is not null) return;
            ownerWhileHeld = JsonNode.Parse(File.ReadAllText(ownerPath));
            child.Kill();
        }
        _rig.Host.Bitrix24.Journal.WriteHandled += OnWrite;
        _rig.Host.Graph.Journal.WriteHandled += OnWrite;
        try
        {
            child.Go(home.Root);
            Assert.True(child.WaitForExit(TimeSpan.FromMinutes(2)), child.Transcript);
        }
        finally
        {
            _rig.Host.Bitrix24.Journal.WriteHandled -= OnWrite;
            _rig.Host.Graph.Journal.WriteHandled -= OnWrite;
        }
        Assert.NotNull(ownerWhileHeld);
        Assert.Equal(child.Id, (int)ownerWhileHeld!["processId"]!);
        // The killed run's lock file and owner note are still there (no cleanup ran)...
        Assert.True(File.Exists(home.File("locks", "work.lock")));
        Assert.True(File.Exists(ownerPath));
        Assert.Equal(child.Id, (int)JsonNode.Parse(File.ReadAllText(ownerPath))!["processId"]!);

        // ...and the next run takes the lock at once (the OS released the dead process's lock) and finishes the merge.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var r = _rig.Run("Start-CalSync -Name Work -InitialMerge TwoWay -LockTimeout 0").Ok();
        Assert.Contains(r.First.Outcome.ToString(), new[] { "Succeeded", "NoChanges" });
        Assert.Empty(Invariants.Check(_rig.Host, home.Root, titles));
        Assert.False(File.Exists(ownerPath)); // released normally this time
        _output.WriteLine($"Recovered run after the kill: {r.First} in {clock.Elapsed.TotalSeconds:F1} s.");
    }
}

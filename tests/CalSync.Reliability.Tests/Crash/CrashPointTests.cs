using System.Diagnostics;
using System.Globalization;
using CalSync.Reliability.Tests.Support;
using CalSync.Sandbox;

namespace CalSync.Reliability.Tests.Crash;

/// <summary>
/// Crash points (docs/architecture.md, "The run's path", step 6, docs/scenarios.md 8): Start-CalSync runs a two-way initial merge in a child
/// process that is SIGKILLed right after the k-th write request reached the sandbox (RequestJournal.WriteHandled,
/// inner batch writes counted one by one), for every k; then a plain Start-CalSync runs to completion (the help: "an
/// unfinished merge is continued"). After every k: each meeting exists exactly once on each side, the links are
/// one-to-one, nothing is lost, and one more run writes nothing. CI: 20 meetings. Full sweep (200 meetings):
/// CALSYNC_CRASH_FULL=1, which reruns every other k with -InitialMerge TwoWay as well (CALSYNC_CRASH_MEETINGS=n for
/// another size).
/// </summary>
public sealed class CrashPointTests : IClassFixture<SandboxFixture>
{
    private const string Command = "Start-CalSync -Name Work -InitialMerge TwoWay";
    private const string PlainRun = "Start-CalSync -Name Work";
    private static bool Full => Environment.GetEnvironmentVariable("CALSYNC_CRASH_FULL") == "1";
    private readonly SandboxFixture _rig;
    private readonly ITestOutputHelper _output;

    public CrashPointTests(SandboxFixture rig, ITestOutputHelper output)
    {
        _rig = rig;
        _output = output;
    }

    public static int MeetingCount =>
        int.TryParse(Environment.GetEnvironmentVariable("CALSYNC_CRASH_MEETINGS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n
        : Full ? 200 : 20;

    /// <summary>How many children warm up ahead of the one that runs (CALSYNC_CRASH_AHEAD, default 2).</summary>
    private static int Ahead =>
        int.TryParse(Environment.GetEnvironmentVariable("CALSYNC_CRASH_AHEAD"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 2;

    [Fact]
    public void A_SIGKILL_after_every_write_of_a_two_way_merge_never_duplicates_or_loses_a_meeting()
    {
        var meetings = MeetingCount;
        var total = Stopwatch.StartNew();

        // The uninterrupted merge: how many writes it takes (the k to sweep).
        int writes;
        using (var home = Prepare(meetings, out var titles))
        {
            var clock = Stopwatch.StartNew();
            var r = _rig.Run(Command).Ok();
            writes = (int)Seed.Writes(_rig.Host);
            Assert.Empty(Invariants.Check(_rig.Host, home.Root, titles));
            _output.WriteLine($"{meetings} meetings: the merge makes {writes} write(s) ({r.First}), {clock.Elapsed.TotalSeconds:F1} s in-process.");
            Assert.True(writes >= meetings * 4 / 5, $"expected at least {meetings * 4 / 5} writes, got {writes}");
        }

        var failures = new List<string>();
        var recovered = 0;
        var childSeconds = new List<double>();
        var phases = new double[4];
        const string script = "Connect-OutlookCalendar -Endpoint $graph -AccessToken $token | Out-Null\n" + Command;
        // Children warm up ahead (each in a store of its own), so a crash point costs its run, not a process start.
        var warmStores = new List<string>();
        var ahead = new Queue<ChildProcess>();
        void StartAhead()
        {
            var warmStore = Directory.CreateTempSubdirectory("calsync-warm-").FullName;
            warmStores.Add(warmStore);
            ahead.Enqueue(ChildProcess.StartWarm(_rig.Host, warmStore, script));
        }
        for (var i = 0; i < Math.Min(Ahead, writes); i++) StartAhead();
        try
        {
        for (var k = 1; k <= writes; k++)
        {
            var phase = Stopwatch.StartNew();
            using var home = Prepare(meetings, out var titles);
            phases[0] += phase.Elapsed.TotalSeconds; phase.Restart();
            var next = ahead.Dequeue();
            if (!next.WaitReady(TimeSpan.FromMinutes(2)))
            {
                var transcript = next.Transcript;
                next.Dispose();
                Assert.Fail("the child did not start: " + transcript);
            }
            var seen = 0;
            var killedAt = 0L;
            ChildProcess? child = null;
            var gate = new object();
            void OnWrite(RecordedRequest _)
            {
                lock (gate)
                {
                    if (++seen != k) return;
                    killedAt = Seed.Writes(_rig.Host);
                    child?.Kill();
                }
            }
            _rig.Host.Graph.Journal.WriteHandled += OnWrite;
            _rig.Host.Bitrix24.Journal.WriteHandled += OnWrite;
            var clock = Stopwatch.StartNew();
            try
            {
                lock (gate) child = next;
                child.Go(home.Root);
                Assert.True(child.WaitForExit(TimeSpan.FromMinutes(3)), "the child did not end: " + child.Transcript);
            }
            finally
            {
                _rig.Host.Graph.Journal.WriteHandled -= OnWrite;
                _rig.Host.Bitrix24.Journal.WriteHandled -= OnWrite;
            }
            childSeconds.Add(clock.Elapsed.TotalSeconds);
            phases[1] += phase.Elapsed.TotalSeconds; phase.Restart();
            // The next crash point's child starts (and warms up) while this one is checked.
            if (k + ahead.Count < writes) StartAhead();
            using (child)
            {
                if (seen < k) failures.Add($"k={k}: the child made only {seen} write(s) and exited {child.ExitCode}: {child.Transcript}");
                else if (child.Lines.Any(l => l.StartsWith("OUT ", StringComparison.Ordinal)))
                    failures.Add($"k={k}: the child finished its run before the kill: {child.Transcript}");
            }

            var again = _rig.Run(Full && k % 2 == 0 ? Command : PlainRun);
            if (again.Terminating is not null || again.Errors.Count > 0)
            {
                failures.Add($"k={k}: the run after the crash failed: {again.TerminatingId} {again.Terminating?.Message} {string.Join("; ", again.Errors)}");
                continue;
            }
            recovered += (int)again.First.Recovered;
            phases[2] += phase.Elapsed.TotalSeconds; phase.Restart();
            var problems = Invariants.Check(_rig.Host, home.Root, titles);
            problems.AddRange(Invariants.Leftovers(home.Root).Select(f => "leftover " + f));
            var before = Seed.Writes(_rig.Host);
            var quiet = _rig.Run(PlainRun);
            if (quiet.Errors.Count > 0 || quiet.Terminating is not null || quiet.First.Outcome.ToString() != "NoChanges" || Seed.Writes(_rig.Host) != before)
                problems.Add($"the next run was not quiet: {(quiet.Output.Count > 0 ? quiet.First.Outcome : quiet.TerminatingId)}, {Seed.Writes(_rig.Host) - before} write(s)");
            phases[3] += phase.Elapsed.TotalSeconds;
            if (problems.Count > 0) failures.Add($"k={k} (killed with {killedAt} write(s) applied): " + string.Join("; ", problems));
        }
        }
        finally
        {
            foreach (var child in ahead) child.Dispose();
            foreach (var warmStore in warmStores)
                try { Directory.Delete(warmStore, recursive: true); } catch (IOException) { }
        }

        _output.WriteLine($"{writes} crash points swept in {total.Elapsed.TotalSeconds:F0} s (from GO to the kill: median {Median(childSeconds):F1} s); {recovered} copies recovered from the journal instead of created again.");
        _output.WriteLine(FormattableString.Invariant($"Time by phase: set-up {phases[0]:F0} s, child (wait for warm-up, run, kill) {phases[1]:F0} s, run to completion {phases[2]:F0} s, checks and quiet run {phases[3]:F0} s."));
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static double Median(List<double> xs) => xs.Count == 0 ? 0 : xs.OrderBy(x => x).ElementAt(xs.Count / 2);

    /// <summary>Empty sandbox, fresh store, both sides connected, the sync defined, the meetings seeded.</summary>
    private StoreHome Prepare(int meetings, out IReadOnlyList<string> titles)
    {
        _rig.Reset();
        var home = new StoreHome();
        _rig.ConnectBoth();
        _rig.Run("New-CalSync -Name Work | Out-Null").Ok();
        titles = Meetings.SeedMerge(_rig.Host, meetings);
        _rig.Host.Graph.Journal.Clear();
        _rig.Host.Bitrix24.Journal.Clear();
        return home;
    }
}

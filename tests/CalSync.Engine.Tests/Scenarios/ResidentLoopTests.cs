using CalSync.Engine.Sync;
using CalSync.Testing;
using Xunit;

namespace CalSync.Engine.Tests.Scenarios;

/// <summary>The resident loop on a clock whose waits pass at once: hours of cycles in milliseconds.</summary>
public class ResidentLoopTests
{
    private static SyncDefinition Sync(string name, int minutes) => new() { Name = name, Interval = TimeSpan.FromMinutes(minutes) };

    private sealed class Rig
    {
        public readonly AdvancingClock Clock = new();
        public readonly List<(string Name, DateTimeOffset At)> Runs = new();
        public readonly List<string> Log = new();
        public List<SyncDefinition> Definitions = new();
        public Func<SyncDefinition, CycleResult> Result = _ => CycleResult.Succeeded;
        public TimeSpan RunTakes = TimeSpan.Zero;
        public readonly CancellationTokenSource Stop = new();
        public DateTimeOffset Start;

        public ResidentLoop Loop() => new(() => Definitions, d =>
        {
            Runs.Add((d.Name, Clock.GetUtcNow()));
            Clock.Advance(RunTakes);
            return Task.FromResult(Result(d));
        }, Log.Add, Clock);

        /// <summary>Runs the loop until <paramref name="runs"/> runs happened.</summary>
        public async Task<ResidentLoop> RunUntilAsync(int runs, Action<Rig>? after = null)
        {
            Start = Clock.GetUtcNow();
            ResidentLoop? loop = null;
            var inner = Result;
            Result = d =>
            {
                var r = inner(d);
                if (Runs.Count >= runs) Stop.Cancel();
                return r;
            };
            loop = Loop();
            await loop.RunAsync(Stop.Token).WaitAsync(TimeSpan.FromSeconds(30));
            return loop;
        }

        public IEnumerable<double> MinutesOf(string name) => Runs.Where(r => r.Name == name).Select(r => Math.Round((r.At - Start).TotalMinutes, 2));
    }

    [Fact]
    public async Task Each_sync_runs_at_once_and_then_at_its_own_interval()
    {
        var rig = new Rig { Definitions = [Sync("Work", 1), Sync("Home", 5)] };
        await rig.RunUntilAsync(12);
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], rig.MinutesOf("Work"));
        Assert.Equal([0, 5], rig.MinutesOf("Home"));
        Assert.Empty(rig.Log);
    }

    [Fact]
    public async Task A_failing_sync_backs_off_alone_and_resumes_its_interval_after_a_success()
    {
        var rig = new Rig { Definitions = [Sync("Work", 1), Sync("Broken", 1)] };
        var brokenRuns = 0;
        rig.Result = d => d.Name == "Broken" && ++brokenRuns <= 4 ? CycleResult.Failed : CycleResult.Succeeded;
        await rig.RunUntilAsync(30);
        // Broken: fails at 0, retried after 1, 2, 4 and 8 minutes; the success at 15 brings back the 1-minute interval.
        Assert.Equal([0, 1, 3, 7, 15, 16, 17], rig.MinutesOf("Broken").Take(7));
        Assert.Equal(Enumerable.Range(0, 16).Select(i => (double)i), rig.MinutesOf("Work").Take(16)); // never held up
        Assert.Contains(rig.Log, l => l.Contains("'Broken' failed 4 times in a row; next try in 8 min"));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(7, 60)]
    [InlineData(30, 60)]
    public void Backoff_doubles_per_failure_up_to_an_hour(int failures, int minutes) =>
        Assert.Equal(TimeSpan.FromMinutes(minutes), ResidentLoop.Backoff(TimeSpan.FromMinutes(1), failures));

    [Fact]
    public void Backoff_of_a_sync_slower_than_an_hour_is_its_interval() =>
        Assert.Equal(TimeSpan.FromHours(3), ResidentLoop.Backoff(TimeSpan.FromHours(3), 5));

    [Fact]
    public async Task Runs_slower_than_the_intervals_stretch_every_sync_alike_and_say_so_once()
    {
        // Three 1-minute syncs whose runs take 50 s each: one round takes 2.5 minutes.
        var rig = new Rig { Definitions = [Sync("A", 1), Sync("B", 1), Sync("C", 1)], RunTakes = TimeSpan.FromSeconds(50) };
        await rig.RunUntilAsync(30);
        foreach (var name in new[] { "A", "B", "C" })
        {
            var times = rig.MinutesOf(name).ToList();
            Assert.Equal(10, times.Count); // round robin: none starves
            Assert.All(times.Zip(times.Skip(1), (a, b) => b - a), gap => Assert.Equal(2.5, gap, 2));
        }
        Assert.Single(rig.Log, l => l.Contains("need more time than their intervals allow"));
    }

    [Fact]
    public async Task Definitions_are_read_again_so_a_new_sync_starts_and_a_removed_one_stops()
    {
        var rig = new Rig { Definitions = [Sync("Work", 1)] };
        var inner = rig.Result;
        rig.Result = d =>
        {
            if (rig.Runs.Count == 3) rig.Definitions = [Sync("Work", 1), Sync("Added", 1)];
            if (rig.Runs.Count == 8) rig.Definitions = [Sync("Added", 1)];
            return inner(d);
        };
        await rig.RunUntilAsync(12);
        Assert.Equal([0, 1, 2, 3, 4], rig.MinutesOf("Work"));
        Assert.Equal(2, rig.MinutesOf("Added").First());
        Assert.Equal(0, rig.Runs.Skip(8).Count(r => r.Name == "Work"));
    }

    [Fact]
    public async Task A_stop_ends_the_wait_between_runs_at_once()
    {
        // The real clock: the next run is an hour away.
        var runs = 0;
        var stop = new CancellationTokenSource();
        var loop = new ResidentLoop(() => [Sync("Work", 60)], _ => { runs++; return Task.FromResult(CycleResult.Succeeded); }, _ => { });
        var running = loop.RunAsync(stop.Token);
        await Task.Delay(50);
        stop.Cancel();
        await running.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, runs);
    }

    [Fact]
    public async Task With_no_syncs_the_loop_waits_and_picks_up_a_sync_defined_later()
    {
        var rig = new Rig();
        var reads = 0;
        var loop = new ResidentLoop(() => ++reads < 3 ? [] : [Sync("Late", 10)], d =>
        {
            rig.Runs.Add((d.Name, rig.Clock.GetUtcNow()));
            rig.Stop.Cancel();
            return Task.FromResult(CycleResult.Succeeded);
        }, rig.Log.Add, rig.Clock);
        var start = rig.Clock.GetUtcNow();
        await loop.RunAsync(rig.Stop.Token).WaitAsync(TimeSpan.FromSeconds(30));
        var (name, at) = Assert.Single(rig.Runs);
        Assert.Equal("Late", name);
        Assert.Equal(ResidentLoop.RereadEvery * 2, at - start);
    }
}

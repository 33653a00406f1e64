using System.Diagnostics;
using CalSync.Reliability.Tests.Support;
using CalSync.Sandbox;

namespace CalSync.Reliability.Tests.Faults;

/// <summary>
/// A fault storm through the cmdlets: 20% 5xx on both services, bursts of Graph 429 and Bitrix24 QUERY_LIMIT_EXCEEDED,
/// 2-second stalls, dropped connections, an expired Graph delta token, the Bitrix24 OAuth access token expiring in the
/// middle of a run (refreshed by the connector) and the Graph access token expiring in the middle of another (the run
/// stops with SignInRequired, deletes nothing, and continues after Connect-OutlookCalendar). New meetings keep arriving
/// on both sides. Repeated runs converge: every meeting once on each side, links one-to-one, 0 duplicates, 0 lost,
/// and with the faults gone a further run writes nothing.
/// </summary>
public sealed class FaultStormTests : IClassFixture<SandboxFixture>
{
    private readonly SandboxFixture _rig;
    private readonly ITestOutputHelper _output;

    public FaultStormTests(SandboxFixture rig, ITestOutputHelper output)
    {
        _rig = rig;
        _output = output;
    }

    private static void Storm(FaultKnobs knobs, int seed)
    {
        knobs.Reseed(seed);
        knobs.ServerErrorRate = 0.20;
        knobs.StallRate = 0.08;
        knobs.StallDuration = TimeSpan.FromSeconds(2);
        knobs.DropRate = 0.05;
    }

    [Fact]
    public void Repeated_runs_under_a_fault_storm_converge_with_no_duplicate_and_nothing_lost()
    {
        _rig.Reset();
        using var home = new StoreHome();
        var (_, refresh) = _rig.ConnectOAuth();
        _rig.Run("New-CalSync -Name Work | Out-Null").Ok();
        var titles = Meetings.SeedMerge(_rig.Host, 30).ToList();
        Storm(_rig.Host.Graph.Faults, 11);
        Storm(_rig.Host.Bitrix24.Faults, 12);

        // Mid-run events, keyed by the run they happen in.
        var writesInRun = 0;
        var midRunAt = 3;
        Action<RecordedRequest>? midRun = null;
        void OnWrite(RecordedRequest r)
        {
            if (Interlocked.Increment(ref writesInRun) == midRunAt) Interlocked.Exchange(ref midRun, null)?.Invoke(r);
        }
        _rig.Host.Graph.Journal.WriteHandled += OnWrite;
        _rig.Host.Bitrix24.Journal.WriteHandled += OnWrite;
        var outcomes = new List<string>();
        var signIns = 0;
        var clock = Stopwatch.StartNew();
        try
        {
            var converged = false;
            for (var run = 1; run <= 14 && !converged; run++)
            {
                writesInRun = 0;
                // Bursts of throttling at the start of every run.
                _rig.Host.Graph.ThrottleNext(2, 1);
                _rig.Host.Bitrix24.ForceQueryLimit(3);
                switch (run)
                {
                    case 1: midRun = _ => _rig.Host.Bitrix24.ExpireAccessTokens(); break; // OAuth refresh in the middle of the merge
                    case 2:
                        _rig.Host.Graph.ExpireDeltaTokens(); // the stored delta link is gone: a full read again
                        titles.Add("Late O1"); Meetings.Outlook(_rig.Host, "Late O1", Meetings.Start(40));
                        titles.Add("Late B1"); Meetings.Bitrix24(_rig.Host, "Late B1", Meetings.Start(41));
                        midRunAt = 1; // after the first write (Bitrix24 is written first), before the Outlook ones
                        midRun = _ => _rig.Host.Graph.ExpireAccessTokens(); // sign-in lost in the middle of a run
                        break;
                    case 4:
                        titles.Add("Late O2"); Meetings.Outlook(_rig.Host, "Late O2", Meetings.Start(42));
                        titles.Add("Late B2"); Meetings.Bitrix24(_rig.Host, "Late B2", Meetings.Start(43));
                        _rig.Host.Bitrix24.ExpireAccessTokens();
                        break;
                }
                var deletesBefore = Deletes();
                var r = _rig.Run(run == 1 ? "Start-CalSync -Name Work -InitialMerge TwoWay -LockTimeout 0" : "Start-CalSync -Name Work -LockTimeout 0");
                var outcome = r.TerminatingId ?? (r.Output.Count > 0 ? r.First.Outcome.ToString() : "?") + (r.Errors.Count > 0 ? "/" + string.Join(",", r.ErrorIds) : "");
                outcomes.Add(outcome);
                foreach (var message in r.Errors.Select(e => e.ToString()).Append(r.Terminating?.Message).OfType<string>()) _output.WriteLine($"run {run}: {message}");
                Assert.Equal(deletesBefore, Deletes()); // no run under faults deletes anything here (nothing was deleted by a user)
                if (r.ErrorIds.Contains("SignInRequired"))
                {
                    signIns++;
                    var error = r.Errors.First(e => e.FullyQualifiedErrorId.StartsWith("SignInRequired", StringComparison.Ordinal)).ToString();
                    Assert.True(error.Contains("Connect-OutlookCalendar -Name outlook", StringComparison.Ordinal), error);
                    _rig.Run("Connect-OutlookCalendar -Endpoint $graph -AccessToken $token | Out-Null").Ok(); // the new token
                    continue;
                }
                converged = r.Terminating is null && r.Errors.Count == 0 && r.First.Outcome.ToString() == "NoChanges" && run > 4;
            }
            _output.WriteLine($"Runs under the storm: {string.Join(", ", outcomes)} ({clock.Elapsed.TotalSeconds:F0} s).");
            Assert.True(converged, "did not converge: " + string.Join(", ", outcomes));
        }
        finally
        {
            _rig.Host.Graph.Journal.WriteHandled -= OnWrite;
            _rig.Host.Bitrix24.Journal.WriteHandled -= OnWrite;
        }

        Assert.True(signIns >= 1, "the mid-run Graph sign-in expiry was not seen: " + string.Join(", ", outcomes));
        Assert.Empty(Invariants.Check(_rig.Host, home.Root, titles));
        Assert.Empty(Invariants.Leftovers(home.Root));
        // The Bitrix24 OAuth pair was rotated (refreshed mid-run) and the rotated pair was saved: the old refresh token is gone.
        Assert.DoesNotContain(refresh, home.AllText(includeSecrets: true));

        _rig.Host.Graph.Faults.Reset();
        _rig.Host.Bitrix24.Faults.Reset();
        var before = Seed.Writes(_rig.Host);
        var quiet = _rig.Run("Start-CalSync -Name Work").Ok();
        Assert.Equal("NoChanges", quiet.First.Outcome.ToString());
        Assert.Equal(before, Seed.Writes(_rig.Host));
        Assert.Empty(Invariants.Check(_rig.Host, home.Root, titles));
    }

    private long Deletes() =>
        _rig.Host.Graph.Journal.Requests.Count(r => r.Method == "DELETE" || r.Body.Contains("\"DELETE\"", StringComparison.Ordinal))
        + _rig.Host.Bitrix24.Journal.Requests.Count(r => r.PathAndQuery.Contains("calendar.event.delete", StringComparison.Ordinal) || r.Body.Contains("calendar.event.delete", StringComparison.Ordinal));
}

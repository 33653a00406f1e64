using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace CalSync.Engine.Sync;

/// <summary>What one resident run of a sync came to.</summary>
public enum CycleResult
{
    Succeeded,
    Failed,
    /// <summary>Another run (a scheduled one, or Start-CalSync) held the sync's lock: nothing was done.</summary>
    Busy,
}

/// <summary>
/// The resident mode: one process runs many syncs, each at its own interval, one run at a time, earliest due first.
/// When the runs take longer than the intervals allow, every sync's interval stretches by the same wait (earliest due
/// first is round robin), and the loop says so once. A failing sync backs off alone. The definitions are read again
/// before every run, so New-/Set-/Remove-CalSync take effect without a restart. <paramref name="stop"/> of
/// <see cref="RunAsync"/> ends the loop between runs; a run in progress is given its own token by the caller.
/// </summary>
public sealed class ResidentLoop
{
    /// <summary>The longest wait between two reads of the definitions (a sync defined meanwhile starts within it).</summary>
    public static readonly TimeSpan RereadEvery = TimeSpan.FromMinutes(1);

    /// <summary>How often a resident run reads a side's far range (a side that can read part of its window; the rest every run).</summary>
    public static readonly TimeSpan FarReadInterval = TimeSpan.FromMinutes(20);

    /// <summary>The longest back-off of a failing sync.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(1);

    private readonly Func<IReadOnlyList<SyncDefinition>> _definitions;
    private readonly Func<SyncDefinition, Task<CycleResult>> _run;
    private readonly TimeProvider _time;
    private readonly Action<string> _log;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private bool _saidPaced;

    public ResidentLoop(Func<IReadOnlyList<SyncDefinition>> definitions, Func<SyncDefinition, Task<CycleResult>> run, Action<string> log, TimeProvider? time = null)
    {
        _definitions = definitions;
        _run = run;
        _log = log;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Runs completed so far (all syncs).</summary>
    public int Runs { get; private set; }

    /// <summary>The wait before the next try after <paramref name="failures"/> failures in a row: the interval, doubled per further failure, at most an hour (or the interval when longer).</summary>
    public static TimeSpan Backoff(TimeSpan interval, int failures)
    {
        var cap = interval > MaxBackoff ? interval : MaxBackoff;
        var wait = interval;
        for (var i = 1; i < failures && wait < cap; i++) wait += wait;
        return wait < cap ? wait : cap;
    }

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var now = _time.GetUtcNow();
            var definitions = _definitions();
            Refresh(definitions, now);
            var next = _entries.Values.OrderBy(e => e.Due).ThenBy(e => e.Definition.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault();
            var wait = next is null ? RereadEvery : next.Due - now;
            if (wait > TimeSpan.Zero)
            {
                try { await Task.Delay(wait < RereadEvery ? wait : RereadEvery, _time, stop).ConfigureAwait(false); }
                catch (OperationCanceledException) when (stop.IsCancellationRequested) { return; }
                continue;
            }
            await RunOneAsync(next!, now).ConfigureAwait(false);
        }
    }

    private void Refresh(IReadOnlyList<SyncDefinition> definitions, DateTimeOffset now)
    {
        var names = new HashSet<string>(definitions.Select(d => d.Name), StringComparer.OrdinalIgnoreCase);
        foreach (var gone in _entries.Keys.Where(k => !names.Contains(k)).ToList()) _entries.Remove(gone);
        foreach (var d in definitions)
        {
            if (_entries.TryGetValue(d.Name, out var entry))
            {
                // An interval changed meanwhile counts from the last start (a failing sync keeps its back-off).
                if (entry.Failures == 0 && entry.LastStart is { } last) entry.Due = last + d.Interval;
                entry.Definition = d;
            }
            else _entries[d.Name] = new Entry(d, now); // new: due now
        }
    }

    private async Task RunOneAsync(Entry entry, DateTimeOffset now)
    {
        var late = now - entry.Due;
        if (!_saidPaced && entry.LastStart is not null && late > entry.Definition.Interval)
        {
            _saidPaced = true;
            _log($"The syncs need more time than their intervals allow: '{entry.Definition.Name}' ran {Minutes(late)} later than due. Each sync runs in turn, so every interval stretches alike (said once).");
        }
        entry.LastStart = now;
        var result = await _run(entry.Definition).ConfigureAwait(false);
        Runs++;
        var end = _time.GetUtcNow();
        switch (result)
        {
            case CycleResult.Failed:
                entry.Failures++;
                var backoff = Backoff(entry.Definition.Interval, entry.Failures);
                entry.Due = end + backoff;
                if (entry.Failures > 1) _log($"'{entry.Definition.Name}' failed {entry.Failures} times in a row; next try in {Minutes(backoff)}.");
                break;
            default:
                entry.Failures = 0;
                entry.Due = now + entry.Definition.Interval;
                break;
        }
    }

    private static string Minutes(TimeSpan span) => span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0.#} min" : $"{span.TotalSeconds:0} s";

    private sealed class Entry(SyncDefinition definition, DateTimeOffset due)
    {
        public SyncDefinition Definition { get; set; } = definition;
        public DateTimeOffset Due { get; set; } = due;
        public DateTimeOffset? LastStart { get; set; }
        public int Failures { get; set; }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using CalSync.Engine.Model;

namespace CalSync.Engine.Sync;

/// <summary>Two items no link joins that are the same meeting; <see cref="RecoveredOn"/>: the side where an interrupted run made the copy.</summary>
internal readonly record struct Match(SyncItem Outlook, SyncItem Bitrix24, Side? RecoveredOn);

/// <summary>
/// Pairs items no link joins that are the same meeting, one-to-one (docs/scenarios.md, "Identity and duplicates"): first
/// the copies an interrupted run made (through the journal), then Outlook copies by the origin stamp naming their source,
/// then, with avoid-duplicates, equal start, end, all-day and title (the view's match key), in the order given.
/// </summary>
internal sealed class Matcher(IReadOnlyList<JournalEntry> journal, string syncName, bool avoidDuplicates)
{
    private readonly HashSet<string> _takenOutlook = new(StringComparer.Ordinal);
    private readonly HashSet<string> _takenBitrix24 = new(StringComparer.Ordinal);
    private readonly List<Match> _pairs = new();

    public List<Match> Pairs(List<SyncItem> outlook, List<SyncItem> bitrix24)
    {
        var outlookById = outlook.ToDictionary(i => i.Id, StringComparer.Ordinal);
        var bitrix24ById = bitrix24.ToDictionary(i => i.Id, StringComparer.Ordinal);
        var outlookByKey = outlook.ToLookup(i => i.View.MatchKey);
        var bitrix24ByKey = bitrix24.ToLookup(i => i.View.MatchKey);
        var byStamp = outlook.Where(i => i.Event.OriginStamp is not null).ToLookup(i => i.Event.OriginStamp!);

        // A create that was sent just before a crash: find the copy it made.
        foreach (var entry in journal)
        {
            var sources = entry.TargetSide == Side.Outlook ? bitrix24ById : outlookById;
            if (!sources.TryGetValue(entry.SourceId, out var source)) continue;
            var copy = entry.TargetSide == Side.Outlook
                ? byStamp[entry.OriginStamp].FirstOrDefault() ?? outlookByKey[entry.MatchKey].FirstOrDefault(i => !_takenOutlook.Contains(i.Id))
                : bitrix24ByKey[entry.MatchKey].FirstOrDefault(i => !_takenBitrix24.Contains(i.Id));
            if (copy is null) continue;
            if (entry.TargetSide == Side.Outlook) Pair(copy, source, Side.Outlook);
            else Pair(source, copy, Side.Bitrix24);
        }
        // Outlook copies name their source.
        foreach (var a in outlook)
            if (Planner.TryParseStamp(a.Event.OriginStamp, syncName, out var side, out var sourceId) && side == Side.Bitrix24 && bitrix24ById.TryGetValue(sourceId, out var b))
                Pair(a, b, null);
        if (avoidDuplicates)
        {
            var waiting = bitrix24.Where(b => !_takenBitrix24.Contains(b.Id)).GroupBy(b => b.View.MatchKey)
                .ToDictionary(g => g.Key, g => new Queue<SyncItem>(g), StringComparer.Ordinal);
            foreach (var a in outlook.Where(a => !_takenOutlook.Contains(a.Id)))
                if (waiting.TryGetValue(a.View.MatchKey, out var queue))
                    while (queue.Count > 0)
                    {
                        var b = queue.Dequeue();
                        if (_takenBitrix24.Contains(b.Id)) continue;
                        Pair(a, b, null);
                        break;
                    }
        }
        return _pairs;
    }

    private void Pair(SyncItem outlook, SyncItem bitrix24, Side? recoveredOn)
    {
        if (_takenOutlook.Contains(outlook.Id) || _takenBitrix24.Contains(bitrix24.Id)) return;
        _takenOutlook.Add(outlook.Id);
        _takenBitrix24.Add(bitrix24.Id);
        _pairs.Add(new Match(outlook, bitrix24, recoveredOn));
    }
}

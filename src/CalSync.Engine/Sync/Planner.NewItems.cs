using System;
using System.Collections.Generic;
using System.Linq;
using CalSync.Engine.Model;

namespace CalSync.Engine.Sync;

public static partial class Planner
{
    /// <summary>Items no link joins: the matcher pairs them, the rest are copied or kept as a baseline.</summary>
    private sealed partial class Run
    {
        /// <summary>
        /// Items no link joins: a detached item stays out; the matcher pairs the same meeting on both sides (a merge, or
        /// every run with avoid-duplicates, baseline items too: docs/scenarios.md, "Identity and duplicates"); what it does
        /// not pair is copied where the merge copies, else kept as a baseline that syncs once it changes.
        /// </summary>
        private void PlanNewItems()
        {
            var fresh = new Dictionary<Side, List<SyncItem>>();
            // Unchanged items of an earlier baseline: not copied, but still a match for a twin on the other side.
            var baseline = new Dictionary<Side, List<(SyncItem Item, UnlinkedItem Entry)>>();
            var known = _in.State.Unlinked.ToLookup(u => (u.Side, u.Id));
            foreach (var side in BothSides)
            {
                var list = new List<SyncItem>();
                var kept = new List<(SyncItem, UnlinkedItem)>();
                foreach (var item in Items(side).Values)
                {
                    if (Linked(side).Contains(item.Id)) continue;
                    var entry = known[(side, item.Id)].FirstOrDefault();
                    if (entry?.Reason == UnlinkedReason.Detached) _unlinked.Add(entry);
                    else if (entry?.Reason == UnlinkedReason.Baseline && entry.Hash == item.View.Hash) kept.Add((item, entry));
                    else list.Add(item);
                }
                fresh[side] = list.OrderBy(i => i.Event.Start.SortKeyUtc).ThenBy(i => i.Id, StringComparer.Ordinal).ToList();
                baseline[side] = kept;
                foreach (var excluded in Excluded(side).Values.Where(i => !Linked(side).Contains(i.Id)))
                    Outcome(ItemAction.Skip, side.Other(), excluded.Id, null, "matches a filter of the mapping");
            }
            foreach (var (id, owner) in _foreign)
                if (!_linkedOutlook.Contains(id)) Outcome(ItemAction.Skip, Side.Bitrix24, id, null, $"a copy made by the sync '{owner}', which this sync leaves alone");

            // Without avoid-duplicates only a merge matches, and only new items.
            List<SyncItem> Pool(Side side) => _def.AvoidDuplicates ? fresh[side].Concat(baseline[side].Select(b => b.Item)).ToList() : fresh[side];
            var matches = _merge == InitialMerge.None && !_def.AvoidDuplicates
                ? new List<Match>()
                : new Matcher(_in.State.Journal, _def.Name, _def.AvoidDuplicates).Pairs(Pool(Side.Outlook), Pool(Side.Bitrix24));
            // By id, in one pass each: a list removal per pair would be quadratic.
            var matchedA = new HashSet<string>(matches.Select(m => m.Outlook.Id), StringComparer.Ordinal);
            var matchedB = new HashSet<string>(matches.Select(m => m.Bitrix24.Id), StringComparer.Ordinal);
            fresh[Side.Outlook].RemoveAll(i => matchedA.Contains(i.Id));
            fresh[Side.Bitrix24].RemoveAll(i => matchedB.Contains(i.Id));
            foreach (var side in BothSides)
                foreach (var (item, entry) in baseline[side])
                    if (!(side == Side.Outlook ? matchedA : matchedB).Contains(item.Id)) _unlinked.Add(entry);
            foreach (var match in matches) Matched(match);

            if (_merge == InitialMerge.None)
            {
                // Only new data: what exists now is the baseline; it syncs once it changes.
                foreach (var item in fresh.Values.SelectMany(l => l)) _unlinked.Add(new UnlinkedItem(item.Side, item.Id, item.View.Hash, UnlinkedReason.Baseline));
                return;
            }

            foreach (var side in BothSides)
            {
                var copies = Flows(side) && _merge switch
                {
                    InitialMerge.OutlookToBitrix24 => side == Side.Outlook,
                    InitialMerge.Bitrix24ToOutlook => side == Side.Bitrix24,
                    _ => true,
                };
                var reason = $"new on {side}";
                foreach (var item in fresh[side])
                {
                    if (copies) Create(item, null, reason);
                    else if (Flows(side)) _unlinked.Add(new UnlinkedItem(side, item.Id, item.View.Hash, UnlinkedReason.Baseline));
                    // One-way: an item only on the target is never touched.
                }
            }
        }

        /// <summary>
        /// A matched pair is linked as it stands when it agrees (or the run takes only new data: it syncs once either side
        /// changes); else one side's version is written over the other's: a recovered copy's source, the merge's source
        /// side, or the conflict policy's winner.
        /// </summary>
        private void Matched(Match match)
        {
            var (a, b, recoveredOn) = match;
            var recovered = recoveredOn is not null;
            var reason = recovered ? "copy found after an interrupted run" : "the same meeting on both sides";
            // A copy found through the journal, its stamp or the placeholder has its original on the other side; a match
            // of two originals has none.
            var origin = recoveredOn?.Other() ?? InferOrigin(a, b);
            if (_merge == InitialMerge.None || !WouldChange(a, b))
            {
                _links.Add(NewLink(a, b, origin));
                var copy = recoveredOn == Side.Outlook ? a : b;
                Outcome(recovered ? ItemAction.Recover : ItemAction.Link, copy.Side, (copy == a ? b : a).Id, copy.Id, reason);
                return;
            }
            var from = recoveredOn switch
            {
                // A copy made by an interrupted run: its source is the truth (the copy may be half-written).
                Side.Outlook => b,
                Side.Bitrix24 => a,
                _ => _merge switch
                {
                    InitialMerge.OutlookToBitrix24 => a,
                    InitialMerge.Bitrix24ToOutlook => b,
                    _ => ConflictWinner(a, b),
                },
            };
            var to = from == a ? b : a;
            _outcomes.Add(new ItemOutcome
            {
                Action = recovered ? ItemAction.Recover : ItemAction.Link, TargetSide = to.Side, SourceId = from.Id, TargetId = to.Id,
                Reason = reason + $"; they differ, so {from.Side}'s version is written over {to.Side}",
                OutlookBefore = a.View.Fields, Bitrix24Before = b.View.Fields,
            });
            Update(from, to, null, "matched; " + to.Side + " takes " + from.Side + "'s version", origin);
        }
    }
}

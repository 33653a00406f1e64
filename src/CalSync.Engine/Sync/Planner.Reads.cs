using System;
using System.Collections.Generic;
using System.Linq;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;

namespace CalSync.Engine.Sync;

public static partial class Planner
{
    /// <summary>Both reads as the table needs them: items by id, filtered and expanded; links following copies that moved or were made again.</summary>
    private sealed partial class Run
    {
        private void Load(Side side, IReadOnlyList<CalEvent> events)
        {
            var items = Items(side);
            foreach (var e in events)
            {
                if (e.OriginStamp is not null && StampOwner(e.OriginStamp) is { } owner && _otherSyncs.Contains(owner))
                {
                    _foreign[e.Id] = owner;
                    continue;
                }
                if (e.Recurrence is not null && _in.CannotExpress(side.Other(), e) is not null && !LinkedWholeAndUnchanged(side, e))
                {
                    // The other side cannot hold this series: it travels as its occurrences, each on its own
                    // (without the series' origin stamp: an occurrence is not the copy the stamp names).
                    (side == Side.Outlook ? _expandedOutlook : _expandedBitrix24).Add(e.Id);
                    foreach (var o in RecurrenceExpander.Expand(e, _in.Window.StartUtc, _in.Window.EndUtc))
                        Add(side, o.Event with { Id = OccurrenceKey.Make(e.Id, o.OriginalDate), SeriesId = e.Id, OriginalDate = o.OriginalDate, OriginStamp = null, Version = e.Version, LastModified = e.LastModified });
                }
                else Add(side, e);
            }

            void Add(Side s, CalEvent e)
            {
                var item = new SyncItem(s, e, _projector);
                // Filters apply to the source side of each direction.
                if (Flows(s) && !_projector.IsSynced(e, s)) Excluded(s)[e.Id] = item;
                else items[e.Id] = item;
            }
        }

        /// <summary>
        /// A series linked whole to a series on the other side that it has not changed since: it stays whole. Such a pair
        /// arises when the other side wrote it (a Bitrix24 series with a cancelled occurrence becomes an Outlook series with a
        /// cancellation, which Bitrix24's REST API could not write back); nothing needs writing, and travelling as single
        /// events would replace the other side's series. Once it changes, it travels in the shape the other side can store.
        /// </summary>
        private bool LinkedWholeAndUnchanged(Side side, CalEvent series)
        {
            // By id: a search through all links for each series would be quadratic with many series.
            if (_linkByOutlookId is null)
            {
                _linkByOutlookId = new Dictionary<string, Link>(StringComparer.Ordinal);
                _linkByBitrix24Id = new Dictionary<string, Link>(StringComparer.Ordinal);
                // In reverse, so that the first of links sharing an id wins.
                for (var i = _in.State.Links.Count - 1; i >= 0; i--)
                {
                    var l = _in.State.Links[i];
                    _linkByOutlookId[l.OutlookId] = l;
                    _linkByBitrix24Id![l.Bitrix24Id] = l;
                }
            }
            (side == Side.Outlook ? _linkByOutlookId : _linkByBitrix24Id!).TryGetValue(series.Id, out var link);
            if (link is null || OccurrenceKey.TryParse(IdOn(link, side.Other()), out _, out _)) return false;
            var item = new SyncItem(side, series, _projector);
            return side == Side.Outlook
                ? !Changed(item, link.OutlookHash, link.OutlookVersion)
                : !Changed(item, link.Bitrix24Hash, link.Bitrix24Version);
        }

        /// <summary>
        /// An Outlook copy whose id changed still carries its origin stamp: the link follows it. Hash versions
        /// projected under another mapping are forgotten, so every item is projected again.
        /// </summary>
        private IReadOnlyList<Link> FollowMovedCopies(IReadOnlyList<Link> links)
        {
            var linkedIds = new HashSet<string>(links.Select(l => l.OutlookId), StringComparer.Ordinal);
            var byStamp = _outlook.Values.Where(i => i.Event.OriginStamp is not null && !linkedIds.Contains(i.Id))
                .GroupBy(i => i.Event.OriginStamp!).ToDictionary(g => g.Key, g => g.First());
            if (byStamp.Count == 0 && _hashVersionsValid) return links; // nothing moved, nothing to forget
            return links.Select(link =>
            {
                if (!_hashVersionsValid) link = link with { OutlookHashVersion = null, Bitrix24HashVersion = null };
                return !_outlook.ContainsKey(link.OutlookId) && !_excludedOutlook.ContainsKey(link.OutlookId)
                       && byStamp.TryGetValue(OriginStamp(_def.Name, Side.Bitrix24, link.Bitrix24Id), out var moved)
                    ? link with { OutlookId = moved.Id, OutlookHashVersion = null }
                    : link;
            }).ToList();
        }

        /// <summary>
        /// A copy made again for a link (its old copy was deleted) by a run that died before saving: the journal names
        /// its source, and the link follows the unlinked copy it finds (by origin stamp or match key) instead of making a
        /// third one. The copy is then compared like any changed item.
        /// </summary>
        private IReadOnlyList<Link> FollowJournaledCopies(IReadOnlyList<Link> links)
        {
            if (_in.State.Journal.Count == 0) return links;
            var taken = new HashSet<(Side, string)>(links.SelectMany(l => new[] { (Side.Outlook, l.OutlookId), (Side.Bitrix24, l.Bitrix24Id) }));
            return links.Select(link =>
            {
                foreach (var side in BothSides)
                {
                    var id = IdOn(link, side);
                    if (Items(side).ContainsKey(id) || Excluded(side).ContainsKey(id)) continue;
                    var entry = _in.State.Journal.FirstOrDefault(j => j.TargetSide == side && j.SourceId == IdOn(link, side.Other()));
                    if (entry is null) continue;
                    var copy = Items(side).Values.FirstOrDefault(i => !taken.Contains((side, i.Id))
                        && (entry.OriginStamp.Length > 0 && i.Event.OriginStamp == entry.OriginStamp || i.View.MatchKey == entry.MatchKey));
                    if (copy is null) continue;
                    taken.Add((side, copy.Id));
                    return side == Side.Outlook
                        ? link with { OutlookId = copy.Id, OutlookVersion = null, OutlookHashVersion = null }
                        : link with { Bitrix24Id = copy.Id, Bitrix24Version = null, Bitrix24HashVersion = null };
                }
                return link;
            }).ToList();
        }
    }
}

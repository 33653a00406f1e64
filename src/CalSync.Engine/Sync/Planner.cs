using System;
using System.Collections.Generic;
using System.Linq;
using CalSync.Engine.Mapping;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;

namespace CalSync.Engine.Sync;

/// <summary>Everything the planner decides from: both sides as read, the state, the settings.</summary>
public sealed record PlanInput
{
    public SyncDefinition Definition { get; init; } = new();
    public SyncState State { get; init; } = new();
    public Projector Projector { get; init; } = new(MappingLoader.BuiltIn("default"));
    public IReadOnlyList<CalEvent> Outlook { get; init; } = Array.Empty<CalEvent>();
    public IReadOnlyList<CalEvent> Bitrix24 { get; init; } = Array.Empty<CalEvent>();
    public SyncWindow Window { get; init; } = SyncWindow.Around(DateTime.UtcNow, 30, 365);
    /// <summary>The initial merge asked for; null: none asked (the first run then takes only new data).</summary>
    public InitialMerge? Merge { get; init; }
    /// <summary>
    /// Linked items missing from their side's read that still exist but could not be read whole (a series moved out of
    /// the window, an item moved to another calendar): their pair leaves the sync, nothing is deleted.
    /// </summary>
    public IReadOnlyCollection<(Side Side, string Id)> Elsewhere { get; init; } = Array.Empty<(Side, string)>();
    /// <summary>Why a side cannot store a series (null: it can). The series then travels as single events.</summary>
    public Func<Side, CalEvent, string?> CannotExpress { get; init; } = (_, _) => null;
    /// <summary>The other syncs of the store: an Outlook copy stamped by one of them is that sync's, and this run leaves it alone.</summary>
    public IReadOnlyCollection<string> OtherSyncs { get; init; } = Array.Empty<string>();
}

/// <summary>
/// Decides a run: classifies every link as unchanged / changed / deleted on each side, matches new
/// items one-to-one, and turns direction, merge mode, allow-delete and conflict policy into writes.
/// A pure function of its input (ARCHITECTURE.md, "Semantics").
/// </summary>
public static class Planner
{
    private enum Mode { Incremental, None, TwoWay, OutlookToBitrix24, Bitrix24ToOutlook }

    private static readonly Side[] BothSides = { Side.Outlook, Side.Bitrix24 };

    public static SyncDirection EffectiveDirection(SyncDefinition definition, MappingProfile profile)
    {
        if (profile.Direction == FieldDirection.Both) return definition.Direction;
        var profileDirection = profile.Direction == FieldDirection.ToBitrix24 ? SyncDirection.OutlookToBitrix24 : SyncDirection.Bitrix24ToOutlook;
        if (definition.Direction != SyncDirection.TwoWay && definition.Direction != profileDirection)
            throw new InvalidOperationException($"Mapping profile '{profile.Name}' only goes {profileDirection}, but sync '{definition.Name}' is set to {definition.Direction}. Use a two-way profile or set -Direction {profileDirection}.");
        return profileDirection;
    }

    /// <summary>Whether a sync going <paramref name="direction"/> copies meetings from <paramref name="from"/>.</summary>
    public static bool Flows(SyncDirection direction, Side from) =>
        direction == SyncDirection.TwoWay || direction == (from == Side.Outlook ? SyncDirection.OutlookToBitrix24 : SyncDirection.Bitrix24ToOutlook);

    /// <summary>What every origin stamp starts with, whatever the sync (a connector lists its copies by it).</summary>
    public const string OriginStampPrefix = "calsync|";

    public static string OriginStamp(string syncName, Side sourceSide, string sourceId) => $"{OriginStampPrefix}{syncName}|{sourceSide}|{sourceId}";

    internal static bool TryParseStamp(string? stamp, string syncName, out Side side, out string id)
    {
        side = Side.Outlook;
        id = "";
        var parts = stamp?.Split(new[] { '|' }, 4);
        if (parts is not { Length: 4 } || parts[0] != "calsync" || !parts[1].Equals(syncName, StringComparison.OrdinalIgnoreCase)) return false;
        if (!Enum.TryParse(parts[2], out side)) return false;
        id = parts[3];
        return true;
    }

    /// <summary>The sync an origin stamp names (<see cref="OriginStamp"/>), or null when it is none.</summary>
    public static string? StampOwner(string? stamp)
    {
        if (stamp is null || !stamp.StartsWith(OriginStampPrefix, StringComparison.Ordinal)) return null;
        var end = stamp.IndexOf('|', OriginStampPrefix.Length);
        return end < 0 ? null : stamp.Substring(OriginStampPrefix.Length, end - OriginStampPrefix.Length);
    }

    public static Plan Decide(PlanInput input) => new Run(input).Decide();

    private sealed class Run
    {
        private readonly PlanInput _in;
        private readonly SyncDefinition _def;
        private readonly Projector _projector;
        private readonly SyncDirection _direction;
        private readonly Mode _mode;
        // The links' hash versions were projected with this mapping and projection code.
        private readonly bool _hashVersionsValid;
        // Sized up front: every run fills these with every item and link (tens of thousands), and re-sizing a set copies it.
        private readonly Dictionary<string, SyncItem> _outlook;
        private readonly Dictionary<string, SyncItem> _bitrix24;
        private readonly Dictionary<string, SyncItem> _excludedOutlook = new(StringComparer.Ordinal);
        private readonly Dictionary<string, SyncItem> _excludedBitrix24 = new(StringComparer.Ordinal);
        // Outlook copies another sync of the store made (by their stamp), with that sync's name: never this sync's.
        private readonly Dictionary<string, string> _foreign = new(StringComparer.Ordinal);
        private readonly HashSet<string> _otherSyncs;
        // Series ids whose representation differs on the other side this run (expanded now, or whole now).
        private readonly HashSet<string> _expandedOutlook = new(StringComparer.Ordinal);
        private readonly HashSet<string> _expandedBitrix24 = new(StringComparer.Ordinal);
        private readonly List<Link> _links;
        private readonly List<UnlinkedItem> _unlinked = new();
        private readonly List<PlannedWrite> _writes = new();
        private readonly List<ItemOutcome> _events = new();
        private readonly HashSet<string> _linkedOutlook;
        private readonly HashSet<string> _linkedBitrix24;
        // The links by their Outlook and by their Bitrix24 id, made when a series first asks (LinkedWholeAndUnchanged).
        private Dictionary<string, Link>? _linkByOutlookId, _linkByBitrix24Id;

        public Run(PlanInput input)
        {
            _in = input;
            _def = input.Definition;
            _outlook = new Dictionary<string, SyncItem>(input.Outlook.Count, StringComparer.Ordinal);
            _bitrix24 = new Dictionary<string, SyncItem>(input.Bitrix24.Count, StringComparer.Ordinal);
            _links = new List<Link>(input.State.Links.Count);
            _linkedOutlook = new HashSet<string>(StringComparer.Ordinal);
            _linkedBitrix24 = new HashSet<string>(StringComparer.Ordinal);
            _projector = input.Projector;
            _otherSyncs = new HashSet<string>(input.OtherSyncs.Where(n => !n.Equals(input.Definition.Name, StringComparison.OrdinalIgnoreCase)), StringComparer.OrdinalIgnoreCase);
            _direction = EffectiveDirection(_def, _projector.Profile);
            _hashVersionsValid = input.State.ViewFingerprint == _projector.Fingerprint;
            _mode = input.Merge switch
            {
                null => input.State.Initialized ? Mode.Incremental : Mode.None,
                InitialMerge.None => Mode.None,
                InitialMerge.TwoWay => Mode.TwoWay,
                InitialMerge.OutlookToBitrix24 => Mode.OutlookToBitrix24,
                _ => Mode.Bitrix24ToOutlook,
            };
            if ((_mode == Mode.OutlookToBitrix24 && !Flows(Side.Outlook)) || (_mode == Mode.Bitrix24ToOutlook && !Flows(Side.Bitrix24)))
                throw new InvalidOperationException($"-InitialMerge {_mode} contradicts the direction of sync '{_def.Name}' ({_direction}).");
        }

        private bool Flows(Side from) => Planner.Flows(_direction, from);

        private Dictionary<string, SyncItem> Items(Side side) => side == Side.Outlook ? _outlook : _bitrix24;
        private Dictionary<string, SyncItem> Excluded(Side side) => side == Side.Outlook ? _excludedOutlook : _excludedBitrix24;
        private HashSet<string> Linked(Side side) => side == Side.Outlook ? _linkedOutlook : _linkedBitrix24;
        private static string IdOn(Link link, Side side) => side == Side.Outlook ? link.OutlookId : link.Bitrix24Id;

        public Plan Decide()
        {
            Load(Side.Outlook, _in.Outlook);
            Load(Side.Bitrix24, _in.Bitrix24);
            var links = FollowJournaledCopies(FollowMovedCopies(_in.State.Links));
            foreach (var link in links) Classify(link);
            PlanNewItems();
            return new Plan
            {
                Mode = _mode == Mode.Incremental ? "Incremental" : "InitialMerge:" + _mode,
                Writes = _writes,
                Links = _links,
                Unlinked = _unlinked,
                Events = _events,
                SuddenlyEmpty = SuddenlyEmpty(),
                ViewFingerprint = _projector.Fingerprint,
            };
        }

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
            // By id, not by a search through all links for each series (quadratic with many series).
            if (_linkByOutlookId is null)
            {
                _linkByOutlookId = new Dictionary<string, Link>(StringComparer.Ordinal);
                _linkByBitrix24Id = new Dictionary<string, Link>(StringComparer.Ordinal);
                // In reverse, so that the first of links sharing an id wins, as the search found it.
                for (var i = _in.State.Links.Count - 1; i >= 0; i--)
                {
                    var l = _in.State.Links[i];
                    _linkByOutlookId[l.OutlookId] = l;
                    _linkByBitrix24Id![l.Bitrix24Id] = l;
                }
            }
            (side == Side.Outlook ? _linkByOutlookId : _linkByBitrix24Id!).TryGetValue(series.Id, out var link);
            if (link is null || OccurrenceKey.TryParse(IdOn(link, side.Other()), out _, out _)) return false;
            var item = new SyncItem(side, series, _projector.View(series, side));
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

        private void Classify(Link link)
        {
            _linkedOutlook.Add(link.OutlookId);
            _linkedBitrix24.Add(link.Bitrix24Id);
            SyncItem? a = _outlook.TryGetValue(link.OutlookId, out var outlookItem) ? outlookItem : null;
            SyncItem? b = _bitrix24.TryGetValue(link.Bitrix24Id, out var bitrix24Item) ? bitrix24Item : null;
            var aExcluded = _excludedOutlook.ContainsKey(link.OutlookId);
            var bExcluded = _excludedBitrix24.ContainsKey(link.Bitrix24Id);

            if (_foreign.TryGetValue(link.OutlookId, out var owner))
            {
                // Linked before syncs were kept apart: the pair leaves this sync, nothing is deleted, and the Bitrix24
                // item is not copied again (that would be a second copy beside the other sync's).
                if (b is not null) _unlinked.Add(new UnlinkedItem(Side.Bitrix24, b.Id, b.View.Hash, UnlinkedReason.Detached));
                Event(ItemAction.Unlink, Side.Outlook, link.Bitrix24Id, link.OutlookId,
                    $"the Outlook item is a copy made by the sync '{owner}', which this sync leaves alone; nothing is deleted and the pair is no longer synced here");
                return;
            }

            if (a is null && b is null && !aExcluded && !bExcluded)
            {
                // Moved beyond the window's far edge, both: the pair is kept (few such links), so when one comes back its
                // pair is read directly and follows it instead of a second copy being made. The past edge lets go.
                if (link.StartUtc >= _in.Window.EndUtc)
                {
                    _links.Add(_hashVersionsValid ? link : link with { Fingerprint = link.Fingerprint ?? _in.State.ViewFingerprint });
                    return;
                }
                Event(ItemAction.Unlink, Side.Bitrix24, link.OutlookId, link.Bitrix24Id,
                    _in.Window.Overlaps(link.StartUtc, link.EndUtc) ? "gone on both sides" : "left the sync window");
                return;
            }
            // Through the past edge a pair leaves the sync; beyond the far edge one side missing was read directly and is
            // gone, so it is a deletion like any other. A meeting read directly outside the window is never copied again:
            // with its pair gone, the pair leaves the sync.
            if ((a is null || b is null) && (!_in.Window.Overlaps(link.StartUtc, link.EndUtc) && link.StartUtc < _in.Window.EndUtc
                    || (a ?? b) is { } only && !_in.Window.Overlaps(only.Event.Start.SortKeyUtc, only.Event.End.SortKeyUtc)))
            {
                Event(ItemAction.Unlink, Side.Bitrix24, link.OutlookId, link.Bitrix24Id, "left the sync window");
                return;
            }
            if ((a ?? b) is { } stays && _in.Elsewhere.Contains((stays.Side.Other(), IdOn(link, stays.Side.Other()))))
            {
                // It still exists, outside what this sync reads: the pair leaves the sync and the other item stays as it is.
                _unlinked.Add(new UnlinkedItem(stays.Side, stays.Id, stays.View.Hash, UnlinkedReason.Detached));
                Event(ItemAction.Unlink, stays.Side, IdOn(link, stays.Side.Other()), stays.Id,
                    $"its pair on {stays.Side.Other()} left the sync window or calendar; nothing is deleted and this item is no longer synced");
                return;
            }
            if (link.Origin is { } from && !Flows(from))
            {
                // The direction changed (docs/architecture.md, "Changing a sync's settings"): the sync no longer copies from
                // the side holding the original. Its copy is deleted with allow-delete; else it is kept as it is and the pair
                // rests (nothing is written either way) until the direction copies from that side again. The original is never written.
                var copy = ReadItem(from.Other(), IdOn(link, from.Other()));
                var reason = $"it is a copy of a {from} meeting, and the sync no longer copies from {from} to {from.Other()}";
                if (copy is null) Event(ItemAction.Unlink, from.Other(), IdOn(link, from), IdOn(link, from.Other()), reason + "; the copy is gone already");
                else if (_def.AllowDelete) Delete(copy, link, reason);
                // Hashes made under another mapping keep the fingerprint they were made under (the copy is made again when the pair resumes).
                else _links.Add(_hashVersionsValid ? link : link with { Fingerprint = link.Fingerprint ?? _in.State.ViewFingerprint });
                return;
            }
            foreach (var side in BothSides)
            {
                if ((side == Side.Outlook ? a : b) is not null || !Reshaped(side, IdOn(link, side))) continue;
                // The series now travels in another shape (whole, or as single events): replace the copy whatever allow-delete says.
                var copy = side == Side.Outlook ? b : a;
                if (copy is not null) Delete(copy, link, "its source series changed shape (whole series / single occurrences)");
                return;
            }
            if ((aExcluded || bExcluded) && FilteredOut(link, ref a, ref b, aExcluded, bExcluded)) return;

            // An item still at the version its stored hash was projected from is unchanged without projecting it again.
            var aKnown = a is not null && Known(a, link.OutlookHashVersion);
            var bKnown = b is not null && Known(b, link.Bitrix24HashVersion);
            var aChanged = a is not null && !aKnown && Changed(a, link.OutlookHash, link.OutlookVersion);
            var bChanged = b is not null && !bKnown && Changed(b, link.Bitrix24Hash, link.Bitrix24Version);
            // Same version, other projection: the service normalised what CalSync wrote. Learn that form,
            // so a later version bump without a real edit is not taken for a change.
            if (a is not null && !aChanged && !aKnown) link = link with { OutlookHash = a.View.Hash, OutlookHashVersion = a.Event.Version };
            if (b is not null && !bChanged && !bKnown) link = link with { Bitrix24Hash = b.View.Hash, Bitrix24HashVersion = b.Event.Version };
            if (a is not null && b is not null)
            {
                // A copy made under another mapping holds that mapping's content (the placeholder, blanks): it is made
                // again from its original, whatever either side changed, and never written back over the original.
                if ((!_hashVersionsValid || link.Fingerprint is not null && link.Fingerprint != _projector.Fingerprint) && ProjectCopyAgain(a, b, link)) return;
                if (link.Fingerprint is not null) link = link with { Fingerprint = null };
                if (!aChanged && !bChanged)
                {
                    _links.Add(link);
                    return;
                }
                if (aChanged && bChanged)
                {
                    if (!WouldChange(a, b)) { _links.Add(NewLink(a, b, link.Origin)); return; }
                    var winner = Resolve(a, b);
                    _events.Add(new ItemOutcome
                    {
                        Action = ItemAction.Conflict, TargetSide = winner.Side.Other(), SourceId = winner.Id, TargetId = (winner == a ? b : a).Id,
                        Reason = $"changed on both sides; {winner.Side} wins ({Policy()})",
                        OutlookBefore = a.View.Fields, Bitrix24Before = b.View.Fields,
                    });
                    Update(winner, winner == a ? b : a, link, "changed on both sides; " + winner.Side + " wins");
                    return;
                }
                var changed = aChanged ? a : b;
                var other = aChanged ? b : a;
                if (Flows(changed.Side)) Update(changed, other, link, $"changed on {changed.Side}");
                else _links.Add(link); // one-way: the target's own edits are left alone until the source changes
                return;
            }

            var present = (a ?? b)!;
            var presentChanged = a is not null ? aChanged : bChanged;
            var deletedSide = present.Side.Other();
            if (!Flows(deletedSide))
            {
                // One-way and the copy was deleted on the target: recreate it only when the source changes again.
                if (presentChanged) Create(present, link, "the source changed and its copy was deleted");
                else _links.Add(link);
                return;
            }
            if (presentChanged && Flows(present.Side) && ModificationBeatsDeletion(present.Side))
            {
                _events.Add(new ItemOutcome
                {
                    Action = ItemAction.Conflict, TargetSide = deletedSide, SourceId = present.Id, TargetId = IdOn(link, deletedSide),
                    Reason = $"deleted on {deletedSide} but changed on {present.Side}; the change wins ({Policy()})",
                    OutlookBefore = a?.View.Fields, Bitrix24Before = b?.View.Fields,
                });
                Create(present, link, $"changed on {present.Side} after its copy was deleted on {deletedSide}");
                return;
            }
            RemoveFromSync(present, link, $"deleted on {deletedSide}");
        }

        /// <summary>
        /// A linked item matches a filter (a new filter, or an edit): filters judge originals. An excluded original's copy
        /// leaves the sync (deleted with allow-delete, else kept and no longer synced); a copy that matches a filter its
        /// original does not (through a mark or a translated value) stays in the pair (<paramref name="a"/> or <paramref name="b"/>
        /// is then set and false returned); two matched originals are both kept and no longer synced. Nothing deletes an original.
        /// </summary>
        private bool FilteredOut(Link link, ref SyncItem? a, ref SyncItem? b, bool aExcluded, bool bExcluded)
        {
            var outlook = a ?? ReadItem(Side.Outlook, link.OutlookId);
            var bitrix24 = b ?? ReadItem(Side.Bitrix24, link.Bitrix24Id);
            var origin = link.Origin ?? (outlook is not null && bitrix24 is not null ? InferOrigin(outlook, bitrix24) : null);
            if (origin is { } side)
            {
                var copy = side == Side.Outlook ? bitrix24 : outlook;
                if (!(side == Side.Outlook ? aExcluded : bExcluded))
                {
                    if (side == Side.Outlook) b = copy;
                    else a = copy;
                    return false;
                }
                const string reason = "its original now matches a filter of the mapping";
                if (copy is not null) RemoveFromSync(copy, link, reason);
                else Event(ItemAction.Unlink, side.Other(), IdOn(link, side), null, reason);
                return true;
            }
            foreach (var kept in new[] { a, b })
                if (kept is not null && Flows(kept.Side)) _unlinked.Add(new UnlinkedItem(kept.Side, kept.Id, kept.View.Hash, UnlinkedReason.Detached));
            Event(ItemAction.Unlink, aExcluded ? Side.Bitrix24 : Side.Outlook, aExcluded ? link.OutlookId : link.Bitrix24Id, aExcluded ? link.Bitrix24Id : link.OutlookId,
                "it now matches a filter of the mapping; both items are originals (the same meeting found on both sides), so both stay and are no longer synced");
            return true;
        }

        /// <summary>The item as read, whether the mapping's filters let it through or not.</summary>
        private SyncItem? ReadItem(Side side, string id) =>
            Items(side).TryGetValue(id, out var item) || Excluded(side).TryGetValue(id, out item) ? item : null;

        private bool Reshaped(Side side, string id)
        {
            var expanded = side == Side.Outlook ? _expandedOutlook : _expandedBitrix24;
            if (expanded.Contains(id)) return true;
            return OccurrenceKey.TryParse(id, out var seriesId, out _) && Items(side).ContainsKey(seriesId);
        }

        private bool ModificationBeatsDeletion(Side modifiedSide) => _def.ConflictPolicy switch
        {
            ConflictPolicy.OutlookWins => modifiedSide == Side.Outlook,
            ConflictPolicy.Bitrix24Wins => modifiedSide == Side.Bitrix24,
            _ => true,
        };

        private string Policy() => _direction == SyncDirection.TwoWay ? _def.ConflictPolicy.ToString() : _direction.ToString();

        private SyncItem Resolve(SyncItem a, SyncItem b)
        {
            if (!Flows(Side.Bitrix24)) return a;
            if (!Flows(Side.Outlook)) return b;
            return _def.ConflictPolicy switch
            {
                ConflictPolicy.OutlookWins => a,
                ConflictPolicy.Bitrix24Wins => b,
                _ => b.Event.LastModified > a.Event.LastModified ? b : a,
            };
        }

        /// <summary>
        /// The item is at the version whose projection the link's hash is (a single meeting: a series' view also depends on
        /// the window and on its occurrences). Its content cannot have changed without a new version, so its view is the stored hash.
        /// </summary>
        private bool Known(SyncItem item, string? hashVersion) =>
            _hashVersionsValid && hashVersion is not null && item.Event.Version == hashVersion && item.Event.Recurrence is null && item.Event.SeriesId is null;

        private static bool Changed(SyncItem item, string hash, string? version) =>
            item.View.Hash != hash && (item.Event.Version is null || item.Event.Version != version);

        /// <summary>Would writing <paramref name="a"/> over <paramref name="b"/> (or b over a) change anything the other side sees?</summary>
        private bool WouldChange(SyncItem a, SyncItem b)
        {
            if (Flows(Side.Outlook) && _projector.Hash(_projector.Apply(a.Event, Side.Outlook, b.Event), Side.Bitrix24) != b.View.Hash) return true;
            return Flows(Side.Bitrix24) && _projector.Hash(_projector.Apply(b.Event, Side.Bitrix24, a.Event), Side.Outlook) != a.View.Hash;
        }

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
                    Event(ItemAction.Skip, side.Other(), excluded.Id, null, "matches a filter of the mapping");
            }
            foreach (var (id, owner) in _foreign)
                if (!_linkedOutlook.Contains(id)) Event(ItemAction.Skip, Side.Bitrix24, id, null, $"a copy made by the sync '{owner}', which this sync leaves alone");

            // With avoid-duplicates, matching runs on every run and baseline items take part (ARCHITECTURE.md,
            // "Semantics"); without it only a merge matches, and only new items.
            List<SyncItem> Pool(Side side) => _def.AvoidDuplicates ? fresh[side].Concat(baseline[side].Select(b => b.Item)).ToList() : fresh[side];
            var matches = _mode == Mode.None && !_def.AvoidDuplicates ? new() : Match(Pool(Side.Outlook), Pool(Side.Bitrix24));
            // One pass each (List.Remove per pair was quadratic, with a deep record comparison per step).
            var matchedA = new HashSet<string>(matches.Select(m => m.A.Id), StringComparer.Ordinal);
            var matchedB = new HashSet<string>(matches.Select(m => m.B.Id), StringComparer.Ordinal);
            fresh[Side.Outlook].RemoveAll(i => matchedA.Contains(i.Id));
            fresh[Side.Bitrix24].RemoveAll(i => matchedB.Contains(i.Id));
            foreach (var side in BothSides)
                foreach (var (item, entry) in baseline[side])
                    if (!(side == Side.Outlook ? matchedA : matchedB).Contains(item.Id)) _unlinked.Add(entry);
            foreach (var (a, b, recoveredOn) in matches)
            {
                var recovered = recoveredOn is not null;
                var reason = recovered ? "copy found after an interrupted run" : "the same meeting on both sides";
                // Only new data (InitialMerge None): the pair is linked as it stands and syncs once either side changes.
                // A copy found through the journal, its stamp or the placeholder has its original on the other side; a
                // match of two originals has none.
                var origin = recoveredOn?.Other() ?? InferOrigin(a, b);
                if (_mode == Mode.None || !WouldChange(a, b))
                {
                    _links.Add(NewLink(a, b, origin));
                    var copy = recoveredOn == Side.Outlook ? a : b;
                    Event(recovered ? ItemAction.Recover : ItemAction.Link, copy.Side, (copy == a ? b : a).Id, copy.Id, reason);
                    continue;
                }
                var from = recoveredOn switch
                {
                    // A copy made by an interrupted run: its source is the truth (the copy may be half-written).
                    Side.Outlook => b,
                    Side.Bitrix24 => a,
                    _ => _mode switch
                    {
                        Mode.OutlookToBitrix24 => a,
                        Mode.Bitrix24ToOutlook => b,
                        _ => Resolve(a, b),
                    },
                };
                var to = from == a ? b : a;
                _events.Add(new ItemOutcome
                {
                    Action = recovered ? ItemAction.Recover : ItemAction.Link, TargetSide = to.Side, SourceId = from.Id, TargetId = to.Id,
                    Reason = reason + $"; they differ, so {from.Side}'s version is written over {to.Side}",
                    OutlookBefore = a.View.Fields, Bitrix24Before = b.View.Fields,
                });
                Update(from, to, null, "matched; " + to.Side + " takes " + from.Side + "'s version", origin);
            }

            if (_mode == Mode.None)
            {
                // Only new data: what exists now is the baseline; it syncs once it changes.
                foreach (var item in fresh.Values.SelectMany(l => l)) _unlinked.Add(new UnlinkedItem(item.Side, item.Id, item.View.Hash, UnlinkedReason.Baseline));
                return;
            }

            foreach (var side in BothSides)
            {
                var copies = Flows(side) && _mode switch
                {
                    Mode.OutlookToBitrix24 => side == Side.Outlook,
                    Mode.Bitrix24ToOutlook => side == Side.Bitrix24,
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

        /// <summary>Pairs of new items that are the same meeting: copies found through the journal, origin stamps, then equal start, end, all-day and title.</summary>
        private List<(SyncItem A, SyncItem B, Side? RecoveredOn)> Match(List<SyncItem> outlook, List<SyncItem> bitrix24)
        {
            var takenA = new HashSet<string>(StringComparer.Ordinal);
            var takenB = new HashSet<string>(StringComparer.Ordinal);
            var pairs = new List<(SyncItem, SyncItem, Side?)>();
            void Pair(SyncItem a, SyncItem b, Side? recovered)
            {
                if (takenA.Contains(a.Id) || takenB.Contains(b.Id)) return;
                takenA.Add(a.Id);
                takenB.Add(b.Id);
                pairs.Add((a, b, recovered));
            }

            var outlookById = outlook.ToDictionary(i => i.Id, StringComparer.Ordinal);
            var bitrixById = bitrix24.ToDictionary(i => i.Id, StringComparer.Ordinal);
            var byKey = new Dictionary<Side, ILookup<string, SyncItem>>
            {
                [Side.Outlook] = outlook.ToLookup(i => i.View.MatchKey),
                [Side.Bitrix24] = bitrix24.ToLookup(i => i.View.MatchKey),
            };
            var byStamp = outlook.Where(i => i.Event.OriginStamp is not null).ToLookup(i => i.Event.OriginStamp!);

            // A create that was sent just before a crash: find the copy it made.
            foreach (var entry in _in.State.Journal)
            {
                var sources = entry.TargetSide == Side.Outlook ? bitrixById : outlookById;
                if (!sources.TryGetValue(entry.SourceId, out var source)) continue;
                var copy = entry.TargetSide == Side.Outlook
                    ? byStamp[entry.OriginStamp].FirstOrDefault() ?? byKey[Side.Outlook][entry.MatchKey].FirstOrDefault(i => !takenA.Contains(i.Id))
                    : byKey[Side.Bitrix24][entry.MatchKey].FirstOrDefault(i => !takenB.Contains(i.Id));
                if (copy is null) continue;
                if (entry.TargetSide == Side.Outlook) Pair(copy, source, Side.Outlook);
                else Pair(source, copy, Side.Bitrix24);
            }
            // Outlook copies name their source.
            foreach (var a in outlook)
                if (TryParseStamp(a.Event.OriginStamp, _def.Name, out var side, out var sourceId) && side == Side.Bitrix24 && bitrixById.TryGetValue(sourceId, out var b))
                    Pair(a, b, null);
            if (_def.AvoidDuplicates)
            {
                var waiting = bitrix24.Where(b => !takenB.Contains(b.Id)).GroupBy(b => b.View.MatchKey)
                    .ToDictionary(g => g.Key, g => new Queue<SyncItem>(g), StringComparer.Ordinal);
                foreach (var a in outlook.Where(a => !takenA.Contains(a.Id)))
                    if (waiting.TryGetValue(a.View.MatchKey, out var queue))
                        while (queue.Count > 0)
                        {
                            var b = queue.Dequeue();
                            if (takenB.Contains(b.Id)) continue;
                            Pair(a, b, null);
                            break;
                        }
            }
            return pairs;
        }

        private void Create(SyncItem source, Link? previous, string reason)
        {
            var target = source.Side.Other();
            var desired = _projector.Apply(source.Event, source.Side, null);
            if (target == Side.Outlook) desired = desired with { OriginStamp = OriginStamp(_def.Name, source.Side, source.Id) };
            _writes.Add(new PlannedWrite
            {
                OperationId = target + ":create:" + source.Id,
                TargetSide = target,
                Kind = WriteKind.Create,
                Desired = desired,
                Source = source,
                DesiredHash = _projector.Hash(desired, target),
                PreviousLink = previous,
                TransactionId = TransactionId(source),
                Origin = source.Side,
                Reason = reason,
            });
        }

        private void Update(SyncItem source, SyncItem target, Link? previous, string reason, Side? matchedOrigin = null)
        {
            var origin = previous is null ? matchedOrigin : previous.Origin;
            if (target.Event.Invitation is { } invitation)
            {
                // Someone else's meeting: its copy's edits stay on the copy, and the pair stays linked as it is now.
                Event(ItemAction.Skip, target.Side, source.Id, target.Id,
                    $"{reason}; it is an invitation from {invitation.Organizer}, and edits of its copy are not sent back to {target.Side}");
                _links.Add(source.Side == Side.Outlook ? NewLink(source, target, origin) : NewLink(target, source, origin));
                return;
            }
            var original = IsOriginal(target, origin);
            var desired = _projector.Apply(source.Event, source.Side, target.Event, original);
            // A copy's change that makes its original match a filter (a copy marked free, say) is written back, and the
            // pair leaves the sync in the same run, as when the original itself is edited so: the next run has nothing left.
            var leaves = previous is not null && original && !_projector.IsSynced(desired, target.Side);
            _writes.Add(new PlannedWrite
            {
                OperationId = target.Side + ":update:" + target.Id,
                TargetSide = target.Side,
                Kind = WriteKind.Update,
                TargetId = target.Id,
                Desired = desired,
                Existing = target.Event,
                Source = source,
                DesiredHash = _projector.Hash(desired, target.Side),
                PreviousLink = leaves ? null : previous,
                Origin = origin,
                Reason = reason,
                LeavesSync = leaves,
            });
            if (leaves) RemoveFromSync(source, previous!, "its original took this copy's change and now matches a filter of the mapping");
        }

        /// <summary>
        /// The mapping changed (another profile, or its fields): a copy is what its original looks like under the new
        /// mapping, so busy-only turns existing copies into busy blocks and the way back restores their details. Two matched
        /// originals that differ under the new mapping are brought in line by the conflict policy (two-way). True when the
        /// pair is decided here.
        /// </summary>
        private bool ProjectCopyAgain(SyncItem a, SyncItem b, Link link)
        {
            var origin = link.Origin ?? InferOrigin(a, b);
            if (origin is null && _direction == SyncDirection.TwoWay && WouldChange(a, b))
            {
                // Two originals that differ under the new mapping: brought in line as a merge would (the conflict policy).
                var winner = Resolve(a, b);
                Update(winner, winner == a ? b : a, link, "the mapping changed: the pair is brought in line");
                return true;
            }
            if (origin is not { } side || !Flows(side)) return false;
            var (original, copy) = side == Side.Outlook ? (a, b) : (b, a);
            var desired = _projector.Apply(original.Event, side, copy.Event);
            // The view hashes only what the new mapping carries: what it blanks (busy-only) is compared as text.
            if (_projector.Hash(desired, copy.Side) == copy.View.Hash && !Projector.TextDiffers(desired, copy.Event))
                _links.Add(NewLink(a, b, side));
            else
                Update(original, copy, link, "the mapping changed: the copy is made again from its original");
            return true;
        }

        /// <summary>The side of the original when exactly one of the two looks like a copy (<see cref="IsOriginal"/>), else null.</summary>
        private Side? InferOrigin(SyncItem a, SyncItem b)
        {
            var (aOriginal, bOriginal) = (IsOriginal(a, null), IsOriginal(b, null));
            return aOriginal == bOriginal ? null : aOriginal ? Side.Outlook : Side.Bitrix24;
        }

        /// <summary>
        /// Whether <paramref name="target"/> is an original rather than a copy CalSync made. Links without an origin (two
        /// matched originals, or older links): an Outlook item with an origin stamp, or an item titled with the
        /// placeholder, is taken for a copy.
        /// </summary>
        private bool IsOriginal(SyncItem target, Side? origin) =>
            origin is { } side ? side == target.Side
            : target.Event.OriginStamp is null && !(_projector.Profile.Carry == Carry.BusyOnly && target.Event.Title == _projector.Profile.Placeholder);

        /// <summary>
        /// The target goes. An invitation is never deleted (on Bitrix24 that deletes the organizer's meeting for everyone): it
        /// is declined when the sync says so, else left as it is and no longer synced.
        /// </summary>
        private void Delete(SyncItem target, Link link, string reason)
        {
            var invitation = target.Event.Invitation;
            if (invitation is not null && !_def.DeclineInvitations)
            {
                _unlinked.Add(new UnlinkedItem(target.Side, target.Id, target.View.Hash, UnlinkedReason.Detached));
                Event(ItemAction.Unlink, target.Side, IdOn(link, target.Side.Other()), target.Id,
                    $"{reason}; the invitation from {invitation.Organizer} stays as it is and is no longer synced (Set-CalSync -DeclineInvitations declines such invitations instead)");
                return;
            }
            var kind = invitation is null ? WriteKind.Delete : WriteKind.Decline;
            _writes.Add(new PlannedWrite
            {
                OperationId = $"{target.Side}:{kind.ToString().ToLowerInvariant()}:{target.Id}",
                TargetSide = target.Side,
                Kind = kind,
                TargetId = target.Id,
                Existing = target.Event,
                PreviousLink = link,
                Reason = invitation is null ? reason : $"{reason}; the invitation from {invitation.Organizer} is declined",
            });
        }

        /// <summary>The pair leaves the sync: the copy is deleted when allow-delete is on, else left in place and never synced again.</summary>
        private void RemoveFromSync(SyncItem copy, Link link, string reason)
        {
            if (_def.AllowDelete)
            {
                Delete(copy, link, reason);
                return;
            }
            _unlinked.Add(new UnlinkedItem(copy.Side, copy.Id, copy.View.Hash, UnlinkedReason.Detached));
            Event(ItemAction.Unlink, copy.Side, IdOn(link, copy.Side.Other()), copy.Id, reason + "; allow-delete is off, so the copy stays and is no longer synced");
        }

        private void Event(ItemAction action, Side target, string? sourceId, string? targetId, string reason) =>
            _events.Add(new ItemOutcome { Action = action, TargetSide = target, SourceId = sourceId, TargetId = targetId, Reason = reason });

        private Link NewLink(SyncItem a, SyncItem b, Side? origin) =>
            LinkFor(a.Event, b.Event) with
            {
                OutlookId = a.Id, Bitrix24Id = b.Id, Origin = origin,
                OutlookVersion = a.Event.Version, Bitrix24Version = b.Event.Version,
                OutlookHash = a.View.Hash, Bitrix24Hash = b.View.Hash,
                OutlookHashVersion = a.Event.Version, Bitrix24HashVersion = b.Event.Version,
            };

        private Side? SuddenlyEmpty()
        {
            if (!_in.State.Links.Any(l => _in.Window.Overlaps(l.StartUtc, l.EndUtc))) return null;
            if (_in.Outlook.Count == 0) return Side.Outlook;
            if (_in.Bitrix24.Count == 0) return Side.Bitrix24;
            return null;
        }

        private string TransactionId(SyncItem source)
        {
            // Stable for retries of this create, different once the source changes (a later re-create is a new event).
            var bytes = new byte[16];
            Array.Copy(EventView.Sha256(_def.Name + "|" + source.Side.ToString() + "|" + source.Id + "|" + source.View.Hash), bytes, 16);
            return new Guid(bytes).ToString();
        }
    }

    /// <summary>The time range a link covers (a series: from its first start to its last possible end).</summary>
    internal static Link LinkFor(CalEvent a, CalEvent b)
    {
        var start = Min(a.Start.SortKeyUtc, b.Start.SortKeyUtc);
        var end = Max(a.IsSeries ? RecurrenceExpander.LastEndUtc(a) : a.End.SortKeyUtc, b.IsSeries ? RecurrenceExpander.LastEndUtc(b) : b.End.SortKeyUtc);
        return new Link { StartUtc = start, EndUtc = end };
    }

    private static DateTime Min(DateTime x, DateTime y) => x < y ? x : y;
    private static DateTime Max(DateTime x, DateTime y) => x > y ? x : y;
}

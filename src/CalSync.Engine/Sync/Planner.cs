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
    /// <summary>The sync's mapping: the caller loads it, so a bad mapping file stops a run before anything is read.</summary>
    public required Projector Projector { get; init; }
    public IReadOnlyList<CalEvent> Outlook { get; init; } = Array.Empty<CalEvent>();
    public IReadOnlyList<CalEvent> Bitrix24 { get; init; } = Array.Empty<CalEvent>();
    /// <summary>The window both sides were read in: the caller reads the clock, so a plan depends on its input alone.</summary>
    public required SyncWindow Window { get; init; }
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
/// Decides a run, a pure function of its input. Each link goes through the steps that can take it out of the sync
/// before anything is compared (another sync's copy, the window, another calendar, a direction that stopped, a series
/// that changed shape, a filter); then each side's item is Gone, Unchanged or Changed, and the pair of the two states
/// picks the cell of the table in <see cref="Run.Classify"/>, one policy function per cell. Items no link joins go to
/// the <see cref="Matcher"/>; what it does not pair is copied or left as a baseline (docs/scenarios.md).
/// </summary>
public static partial class Planner
{
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

    /// <summary>What a linked item is this run, once the steps before the table have passed its pair on.</summary>
    private enum State { Gone, Unchanged, Changed }

    /// <summary>One link as this run found it: its items as read (null: not read, or left out by a filter).</summary>
    private sealed class Pair(Link link, SyncItem? outlook, SyncItem? bitrix24, bool outlookExcluded, bool bitrix24Excluded)
    {
        public Link Link = link;
        public SyncItem? Outlook = outlook;
        public SyncItem? Bitrix24 = bitrix24;
        /// <summary>Read, but left out by a filter of the mapping.</summary>
        public bool Excluded(Side side) => side == Side.Outlook ? outlookExcluded : bitrix24Excluded;
        public SyncItem? On(Side side) => side == Side.Outlook ? Outlook : Bitrix24;
        public void Set(Side side, SyncItem? item)
        {
            if (side == Side.Outlook) Outlook = item;
            else Bitrix24 = item;
        }
        public string IdOn(Side side) => Run.IdOn(Link, side);
    }

    private sealed partial class Run
    {
        private readonly PlanInput _in;
        private readonly SyncDefinition _def;
        private readonly Projector _projector;
        private readonly SyncDirection _direction;
        /// <summary>The merge this run makes; null: an incremental run.</summary>
        private readonly InitialMerge? _merge;
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
        private readonly List<ItemOutcome> _outcomes = new();
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
            _merge = input.Merge ?? (input.State.Initialized ? null : InitialMerge.None);
            if ((_merge == InitialMerge.OutlookToBitrix24 && !Flows(Side.Outlook)) || (_merge == InitialMerge.Bitrix24ToOutlook && !Flows(Side.Bitrix24)))
                throw new InvalidOperationException($"-InitialMerge {_merge} contradicts the direction of sync '{_def.Name}' ({_direction}).");
        }

        private bool Flows(Side from) => Planner.Flows(_direction, from);

        private Dictionary<string, SyncItem> Items(Side side) => side == Side.Outlook ? _outlook : _bitrix24;
        private Dictionary<string, SyncItem> Excluded(Side side) => side == Side.Outlook ? _excludedOutlook : _excludedBitrix24;
        private HashSet<string> Linked(Side side) => side == Side.Outlook ? _linkedOutlook : _linkedBitrix24;
        internal static string IdOn(Link link, Side side) => side == Side.Outlook ? link.OutlookId : link.Bitrix24Id;

        public Plan Decide()
        {
            Load(Side.Outlook, _in.Outlook);
            Load(Side.Bitrix24, _in.Bitrix24);
            var links = FollowJournaledCopies(FollowMovedCopies(_in.State.Links));
            foreach (var link in links) Classify(link);
            PlanNewItems();
            return new Plan
            {
                Mode = RunMode.Of(_merge),
                Writes = _writes,
                Links = _links,
                Unlinked = _unlinked,
                Outcomes = _outcomes,
                SuddenlyEmpty = SuddenlyEmpty(),
                ViewFingerprint = _projector.Fingerprint,
            };
        }

        /// <summary>
        /// The table. The steps before it, in this order, may each decide the link; a link they pass on has a state per
        /// side and the pair of states picks the cell. (Gone, Gone) never reaches the table: the window step decides it.
        /// </summary>
        private void Classify(Link link)
        {
            _linkedOutlook.Add(link.OutlookId);
            _linkedBitrix24.Add(link.Bitrix24Id);
            var pair = new Pair(link, _outlook.GetValueOrDefault(link.OutlookId), _bitrix24.GetValueOrDefault(link.Bitrix24Id),
                _excludedOutlook.ContainsKey(link.OutlookId), _excludedBitrix24.ContainsKey(link.Bitrix24Id));
            if (CopyOfAnotherSync(pair) || GoneFromBothReads(pair) || LeftTheWindow(pair) || PairElsewhere(pair)
                || DirectionStopped(pair) || SeriesChangedShape(pair) || FilteredOut(pair)) return;
            var outlook = StateOf(pair, Side.Outlook);
            var bitrix24 = StateOf(pair, Side.Bitrix24);
            if (outlook != State.Gone && bitrix24 != State.Gone && MappingChanged(pair)) return;

            var (a, b, l) = (pair.Outlook, pair.Bitrix24, pair.Link);
            switch (outlook, bitrix24)
            {
                case (State.Unchanged, State.Unchanged): _links.Add(l); break; // in sync: the link stays
                case (State.Changed, State.Unchanged): ChangedOnOneSide(a!, b!, l); break;
                case (State.Unchanged, State.Changed): ChangedOnOneSide(b!, a!, l); break;
                case (State.Changed, State.Changed): ChangedOnBothSides(a!, b!, l); break;
                case (State.Unchanged, State.Gone): DeletedOnOneSide(a!, l); break;
                case (State.Gone, State.Unchanged): DeletedOnOneSide(b!, l); break;
                case (State.Changed, State.Gone): ChangedAndDeleted(a!, l); break;
                case (State.Gone, State.Changed): ChangedAndDeleted(b!, l); break;
            }
        }

        // ---- The cells ----

        /// <summary>(Changed, Unchanged): the change is copied over, unless one-way leaves its side alone.</summary>
        private void ChangedOnOneSide(SyncItem changed, SyncItem other, Link link)
        {
            if (OneWayLeavesAlone(changed.Side)) _links.Add(link);
            else Update(changed, other, link, $"changed on {changed.Side}");
        }

        /// <summary>(Changed, Changed): changed alike, the pair is linked as it is; else the conflict policy picks the side written over the other.</summary>
        private void ChangedOnBothSides(SyncItem a, SyncItem b, Link link)
        {
            if (!WouldChange(a, b))
            {
                _links.Add(NewLink(a, b, link.Origin));
                return;
            }
            var winner = ConflictWinner(a, b);
            var loser = winner == a ? b : a;
            _outcomes.Add(new ItemOutcome
            {
                Action = ItemAction.Conflict, TargetSide = loser.Side, SourceId = winner.Id, TargetId = loser.Id,
                Reason = $"changed on both sides; {winner.Side} wins ({PolicyName()})",
                OutlookBefore = a.View.Fields, Bitrix24Before = b.View.Fields,
            });
            Update(winner, loser, link, "changed on both sides; " + winner.Side + " wins");
        }

        /// <summary>(Unchanged, Gone): the deletion is followed (the pair leaves the sync), unless one-way leaves the deleted side alone.</summary>
        private void DeletedOnOneSide(SyncItem present, Link link)
        {
            var deletedSide = present.Side.Other();
            // One-way and the copy was deleted on the target: it is made again only when its source changes.
            if (OneWayLeavesAlone(deletedSide)) _links.Add(link);
            else RemoveFromSync(present, link, $"deleted on {deletedSide}");
        }

        /// <summary>
        /// (Changed, Gone): when one-way leaves the deleted side alone, the copy is made again from its changed source;
        /// else modification beats deletion (the item is copied again) unless the conflict policy names the deleting side
        /// or the changed side is not copied from, and then the pair leaves the sync.
        /// </summary>
        private void ChangedAndDeleted(SyncItem present, Link link)
        {
            var deletedSide = present.Side.Other();
            if (OneWayLeavesAlone(deletedSide))
                Create(present, link, "the source changed and its copy was deleted");
            else if (!OneWayLeavesAlone(present.Side) && ModificationBeatsDeletion(present.Side))
            {
                _outcomes.Add(new ItemOutcome
                {
                    Action = ItemAction.Conflict, TargetSide = deletedSide, SourceId = present.Id, TargetId = IdOn(link, deletedSide),
                    Reason = $"deleted on {deletedSide} but changed on {present.Side}; the change wins ({PolicyName()})",
                    OutlookBefore = present.Side == Side.Outlook ? present.View.Fields : null,
                    Bitrix24Before = present.Side == Side.Bitrix24 ? present.View.Fields : null,
                });
                Create(present, link, $"changed on {present.Side} after its copy was deleted on {deletedSide}");
            }
            else RemoveFromSync(present, link, $"deleted on {deletedSide}");
        }

        // ---- The rules the cells apply ----

        /// <summary>One-way: what happens on the side the sync does not copy from (its edits, its deletions) is never copied.</summary>
        private bool OneWayLeavesAlone(Side side) => !Flows(side);

        /// <summary>The conflict policy: the item whose version is written over the other's.</summary>
        private SyncItem ConflictWinner(SyncItem a, SyncItem b)
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

        /// <summary>Modification beats deletion, unless the conflict policy lets the deleting side win.</summary>
        private bool ModificationBeatsDeletion(Side modifiedSide) => _def.ConflictPolicy switch
        {
            ConflictPolicy.OutlookWins => modifiedSide == Side.Outlook,
            ConflictPolicy.Bitrix24Wins => modifiedSide == Side.Bitrix24,
            _ => true,
        };

        private string PolicyName() => _direction == SyncDirection.TwoWay ? _def.ConflictPolicy.ToString() : _direction.ToString();

        /// <summary>Would writing <paramref name="a"/> over <paramref name="b"/> (or b over a) change anything the other side sees?</summary>
        private bool WouldChange(SyncItem a, SyncItem b)
        {
            if (Flows(Side.Outlook) && _projector.Hash(_projector.Apply(a.Event, Side.Outlook, b.Event), Side.Bitrix24) != b.View.Hash) return true;
            return Flows(Side.Bitrix24) && _projector.Hash(_projector.Apply(b.Event, Side.Bitrix24, a.Event), Side.Outlook) != a.View.Hash;
        }

        private Side? SuddenlyEmpty()
        {
            if (!_in.State.Links.Any(l => _in.Window.Overlaps(l.StartUtc, l.EndUtc))) return null;
            if (_in.Outlook.Count == 0) return Side.Outlook;
            if (_in.Bitrix24.Count == 0) return Side.Bitrix24;
            return null;
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

using System.Linq;
using CalSync.Engine.Mapping;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;

namespace CalSync.Engine.Sync;

public static partial class Planner
{
    /// <summary>The steps before the table, in <see cref="Classify"/>'s order: each decides the link (true) or passes it on; then each side's state.</summary>
    private sealed partial class Run
    {
        /// <summary>
        /// The Outlook item is a copy another sync made (linked before syncs were kept apart): the pair leaves this sync,
        /// nothing is deleted, and the Bitrix24 item is not copied again (that would be a second copy beside the other sync's).
        /// </summary>
        private bool CopyOfAnotherSync(Pair pair)
        {
            if (!_foreign.TryGetValue(pair.Link.OutlookId, out var owner)) return false;
            if (pair.Bitrix24 is { } b) _unlinked.Add(new UnlinkedItem(Side.Bitrix24, b.Id, b.View.Hash, UnlinkedReason.Detached));
            Outcome(ItemAction.Unlink, Side.Outlook, pair.Link.Bitrix24Id, pair.Link.OutlookId,
                $"the Outlook item is a copy made by the sync '{owner}', which this sync leaves alone; nothing is deleted and the pair is no longer synced here");
            return true;
        }

        /// <summary>
        /// Neither side read the pair. Moved beyond the window's far edge, both: the pair is kept (few such links), so when
        /// one comes back its pair is read directly and follows it instead of a second copy being made. Otherwise it is gone
        /// on both sides, or left through the past edge, and lets go.
        /// </summary>
        private bool GoneFromBothReads(Pair pair)
        {
            if (pair.Outlook is not null || pair.Bitrix24 is not null || pair.Excluded(Side.Outlook) || pair.Excluded(Side.Bitrix24)) return false;
            var link = pair.Link;
            if (link.StartUtc >= _in.Window.EndUtc) _links.Add(Resting(link));
            else Outcome(ItemAction.Unlink, Side.Bitrix24, link.OutlookId, link.Bitrix24Id,
                _in.Window.Overlaps(link.StartUtc, link.EndUtc) ? "gone on both sides" : "left the sync window");
            return true;
        }

        /// <summary>
        /// Through the past edge a pair leaves the sync; beyond the far edge one side missing was read directly and is gone,
        /// so it is a deletion like any other. A meeting read directly outside the window is never copied again: with its
        /// pair gone, the pair leaves the sync.
        /// </summary>
        private bool LeftTheWindow(Pair pair)
        {
            if (pair.Outlook is not null && pair.Bitrix24 is not null) return false;
            var link = pair.Link;
            var throughPastEdge = !_in.Window.Overlaps(link.StartUtc, link.EndUtc) && link.StartUtc < _in.Window.EndUtc;
            var onlyOutside = (pair.Outlook ?? pair.Bitrix24) is { } only && !_in.Window.Overlaps(only.Event.Start.SortKeyUtc, only.Event.End.SortKeyUtc);
            if (!throughPastEdge && !onlyOutside) return false;
            Outcome(ItemAction.Unlink, Side.Bitrix24, link.OutlookId, link.Bitrix24Id, "left the sync window");
            return true;
        }

        /// <summary>The missing item still exists, outside what this sync reads: the pair leaves the sync and the other item stays as it is.</summary>
        private bool PairElsewhere(Pair pair)
        {
            if ((pair.Outlook ?? pair.Bitrix24) is not { } stays || !_in.Elsewhere.Contains((stays.Side.Other(), pair.IdOn(stays.Side.Other())))) return false;
            _unlinked.Add(new UnlinkedItem(stays.Side, stays.Id, stays.View.Hash, UnlinkedReason.Detached));
            Outcome(ItemAction.Unlink, stays.Side, pair.IdOn(stays.Side.Other()), stays.Id,
                $"its pair on {stays.Side.Other()} left the sync window or calendar; nothing is deleted and this item is no longer synced");
            return true;
        }

        /// <summary>
        /// The direction changed (docs/architecture.md, "Changing a sync's settings"): the sync no longer copies from the
        /// side holding the original. Its copy is deleted with allow-delete; else it is kept as it is and the pair rests
        /// (nothing is written either way) until the direction copies from that side again. The original is never written.
        /// </summary>
        private bool DirectionStopped(Pair pair)
        {
            var link = pair.Link;
            if (link.Origin is not { } from || Flows(from)) return false;
            var copy = ReadItem(from.Other(), IdOn(link, from.Other()));
            var reason = $"it is a copy of a {from} meeting, and the sync no longer copies from {from} to {from.Other()}";
            if (copy is null) Outcome(ItemAction.Unlink, from.Other(), IdOn(link, from), IdOn(link, from.Other()), reason + "; the copy is gone already");
            else if (_def.AllowDelete) Delete(copy, link, reason);
            else _links.Add(Resting(link));
            return true;
        }

        /// <summary>A resting link keeps, when its hashes were made under another mapping, that mapping's fingerprint: the copy is made again when the pair resumes.</summary>
        private Link Resting(Link link) => _hashVersionsValid ? link : link with { Fingerprint = link.Fingerprint ?? _in.State.ViewFingerprint };

        /// <summary>The series now travels in another shape (whole, or as single events): its copy is replaced whatever allow-delete says.</summary>
        private bool SeriesChangedShape(Pair pair)
        {
            foreach (var side in BothSides)
            {
                if (pair.On(side) is not null || !Reshaped(side, pair.IdOn(side))) continue;
                if (pair.On(side.Other()) is { } copy) Delete(copy, pair.Link, "its source series changed shape (whole series / single occurrences)");
                return true;
            }
            return false;
        }

        private bool Reshaped(Side side, string id)
        {
            var expanded = side == Side.Outlook ? _expandedOutlook : _expandedBitrix24;
            if (expanded.Contains(id)) return true;
            return OccurrenceKey.TryParse(id, out var seriesId, out _) && Items(side).ContainsKey(seriesId);
        }

        /// <summary>
        /// A linked item matches a filter (a new filter, or an edit): filters judge originals. An excluded original's copy
        /// leaves the sync (deleted with allow-delete, else kept and no longer synced); a copy that matches a filter its
        /// original does not (through a mark or a translated value) stays in the pair, which goes on to the table; two
        /// matched originals are both kept and no longer synced. Nothing deletes an original.
        /// </summary>
        private bool FilteredOut(Pair pair)
        {
            var (link, aExcluded) = (pair.Link, pair.Excluded(Side.Outlook));
            if (!aExcluded && !pair.Excluded(Side.Bitrix24)) return false;
            var outlook = pair.Outlook ?? ReadItem(Side.Outlook, link.OutlookId);
            var bitrix24 = pair.Bitrix24 ?? ReadItem(Side.Bitrix24, link.Bitrix24Id);
            var origin = link.Origin ?? (outlook is not null && bitrix24 is not null ? InferOrigin(outlook, bitrix24) : null);
            if (origin is { } side)
            {
                var copy = side == Side.Outlook ? bitrix24 : outlook;
                if (!pair.Excluded(side))
                {
                    pair.Set(side.Other(), copy);
                    return false;
                }
                const string reason = "its original now matches a filter of the mapping";
                if (copy is not null) RemoveFromSync(copy, link, reason);
                else Outcome(ItemAction.Unlink, side.Other(), IdOn(link, side), null, reason);
                return true;
            }
            foreach (var kept in new[] { pair.Outlook, pair.Bitrix24 })
                if (kept is not null && Flows(kept.Side)) _unlinked.Add(new UnlinkedItem(kept.Side, kept.Id, kept.View.Hash, UnlinkedReason.Detached));
            Outcome(ItemAction.Unlink, aExcluded ? Side.Bitrix24 : Side.Outlook, aExcluded ? link.OutlookId : link.Bitrix24Id, aExcluded ? link.Bitrix24Id : link.OutlookId,
                "it now matches a filter of the mapping; both items are originals (the same meeting found on both sides), so both stay and are no longer synced");
            return true;
        }

        /// <summary>The item as read, whether the mapping's filters let it through or not.</summary>
        private SyncItem? ReadItem(Side side, string id) =>
            Items(side).TryGetValue(id, out var item) || Excluded(side).TryGetValue(id, out item) ? item : null;

        /// <summary>
        /// The side's state. An item still at the version its stored hash was projected from is unchanged without projecting
        /// it again. Same version, other projection: the service normalised what CalSync wrote; the link learns that form,
        /// so a later version bump without a real edit is not taken for a change.
        /// </summary>
        private State StateOf(Pair pair, Side side)
        {
            if (pair.On(side) is not { } item) return State.Gone;
            var link = pair.Link;
            var outlook = side == Side.Outlook;
            if (Known(item, outlook ? link.OutlookHashVersion : link.Bitrix24HashVersion)) return State.Unchanged;
            if (outlook ? Changed(item, link.OutlookHash, link.OutlookVersion) : Changed(item, link.Bitrix24Hash, link.Bitrix24Version)) return State.Changed;
            pair.Link = outlook
                ? link with { OutlookHash = item.View.Hash, OutlookHashVersion = item.Event.Version }
                : link with { Bitrix24Hash = item.View.Hash, Bitrix24HashVersion = item.Event.Version };
            return State.Unchanged;
        }

        /// <summary>
        /// The item is at the version whose projection the link's hash is (a single meeting: a series' view also depends on
        /// the window and on its occurrences). Its content cannot have changed without a new version, so its view is the stored hash.
        /// </summary>
        private bool Known(SyncItem item, string? hashVersion) =>
            _hashVersionsValid && hashVersion is not null && item.Event.Version == hashVersion && item.Event.Recurrence is null && item.Event.SeriesId is null;

        private static bool Changed(SyncItem item, string hash, string? version) =>
            item.View.Hash != hash && (item.Event.Version is null || item.Event.Version != version);

        /// <summary>
        /// Both present, and the pair was made under another mapping: a copy made so holds that mapping's content (the
        /// placeholder, blanks); it is made again from its original, whatever either side changed, and never written back
        /// over the original (<see cref="ProjectCopyAgain"/>). A pair it passes on is under this mapping from now on.
        /// </summary>
        private bool MappingChanged(Pair pair)
        {
            var link = pair.Link;
            if ((!_hashVersionsValid || link.Fingerprint is not null && link.Fingerprint != _projector.Fingerprint)
                && ProjectCopyAgain(pair.Outlook!, pair.Bitrix24!, link)) return true;
            if (link.Fingerprint is not null) pair.Link = link with { Fingerprint = null };
            return false;
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
                var winner = ConflictWinner(a, b);
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
    }
}

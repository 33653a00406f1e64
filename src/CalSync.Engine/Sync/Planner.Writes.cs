using System;
using CalSync.Engine.Mapping;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;

namespace CalSync.Engine.Sync;

public static partial class Planner
{
    /// <summary>What the table's cells and steps make: writes, links, unlinked items and outcomes.</summary>
    private sealed partial class Run
    {
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
                Outcome(ItemAction.Skip, target.Side, source.Id, target.Id,
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
        /// The target goes. An invitation is never deleted (on Bitrix24 that deletes the organizer's meeting for everyone): it
        /// is declined when the sync says so, else left as it is and no longer synced.
        /// </summary>
        private void Delete(SyncItem target, Link link, string reason)
        {
            var invitation = target.Event.Invitation;
            if (invitation is not null && !_def.DeclineInvitations)
            {
                _unlinked.Add(new UnlinkedItem(target.Side, target.Id, target.View.Hash, UnlinkedReason.Detached));
                Outcome(ItemAction.Unlink, target.Side, IdOn(link, target.Side.Other()), target.Id,
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
            Outcome(ItemAction.Unlink, copy.Side, IdOn(link, copy.Side.Other()), copy.Id, reason + "; allow-delete is off, so the copy stays and is no longer synced");
        }

        private void Outcome(ItemAction action, Side target, string? sourceId, string? targetId, string reason) =>
            _outcomes.Add(new ItemOutcome { Action = action, TargetSide = target, SourceId = sourceId, TargetId = targetId, Reason = reason });

        private Link NewLink(SyncItem a, SyncItem b, Side? origin) =>
            LinkFor(a.Event, b.Event) with
            {
                OutlookId = a.Id, Bitrix24Id = b.Id, Origin = origin,
                OutlookVersion = a.Event.Version, Bitrix24Version = b.Event.Version,
                OutlookHash = a.View.Hash, Bitrix24Hash = b.View.Hash,
                OutlookHashVersion = a.Event.Version, Bitrix24HashVersion = b.Event.Version,
            };

        private string TransactionId(SyncItem source)
        {
            // Stable for retries of this create, different once the source changes (a later re-create is a new event).
            var bytes = new byte[16];
            Array.Copy(EventView.Sha256(_def.Name + "|" + source.Side.ToString() + "|" + source.Id + "|" + source.View.Hash), bytes, 16);
            return new Guid(bytes).ToString();
        }
    }
}

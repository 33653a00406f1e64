using System;
using System.Collections.Generic;
using System.Linq;
using CalSync.Engine.Mapping;
using CalSync.Engine.Model;

namespace CalSync.Engine.Sync;

/// <summary>What the next run does to the copies a sync made; <see cref="RemovesCopies"/>: some leave the sync (deleted or no longer synced).</summary>
public sealed record SettingsEffect(string Text, bool RemovesCopies);

/// <summary>
/// Set-CalSync's one line: what the next run does to the copies a sync already made once its settings changed, read from
/// the link state and both definitions only (no service is asked), as the planner decides it (docs/architecture.md,
/// "Changing a sync's settings").
/// </summary>
public static class SettingsChange
{
    private static readonly Side[] BothSides = { Side.Outlook, Side.Bitrix24 };

    /// <summary>Null when the change does nothing to existing copies (or the sync has made none yet).</summary>
    public static SettingsEffect? Describe(SyncDefinition before, SyncDefinition after, SyncState state)
    {
        if (!state.Initialized && state.Links.Count == 0) return null;
        var profile = MappingLoader.Resolve(after.Mapping);
        var direction = Planner.EffectiveDirection(after, profile);
        var (oldProfile, oldDirection) = Previous(before);
        var parts = new List<string>();
        var removes = false;

        foreach (var from in BothSides.Where(s => !Planner.Flows(direction, s)))
        {
            // Copies of that side's meetings: deleted with allow-delete, else kept and resting (said once, when it starts).
            var copies = state.Links.Count(l => l.Origin == from);
            if (copies == 0 || !Planner.Flows(oldDirection, from) && (!after.AllowDelete || before.AllowDelete)) continue;
            removes = true;
            parts.Add(after.AllowDelete
                ? $"removes {Copies(copies)} that flowed from {from} to {from.Other()} (the sync no longer copies that way; the {from} originals stay)"
                : $"keeps {Copies(copies)} that flowed from {from} to {from.Other()} as they are but no longer syncs them until the sync copies that way again (allow-delete is off; the {from} originals stay)");
        }

        if (state.ViewFingerprint is { } made && made != new Projector(profile).Fingerprint)
        {
            var remade = BothSides.Select(from => (On: from.Other(), Count: state.Links.Count(l => l.Origin == from && Planner.Flows(direction, from))))
                .Where(c => c.Count > 0).Select(c => $"{Copies(c.Count)} on {c.On}").ToList();
            if (remade.Count > 0)
                parts.Add($"makes {string.Join(" and ", remade)} again under the mapping '{profile.Name}'" +
                          (profile.Carry == Carry.BusyOnly ? $", as busy blocks titled '{profile.Placeholder}' with no details" : ""));
        }

        if (oldProfile is not null && Filters(oldProfile) != Filters(profile))
        {
            removes = true;
            parts.Add("applies the mapping's new filters: the copies of meetings they leave out are " + (after.AllowDelete ? "removed" : "kept but no longer synced (allow-delete is off)") +
                      " and meetings they let through are copied");
        }

        foreach (var from in BothSides.Where(s => Planner.Flows(direction, s) && !Planner.Flows(oldDirection, s)))
        {
            var resting = state.Links.Count(l => l.Origin == from);
            parts.Add((resting > 0 ? $"syncs the {Copies(resting)} kept from {from} meetings again and " : "") +
                      $"starts copying the {from} meetings not linked yet to {from.Other()}" + (after.AvoidDuplicates ? " (the same meeting on both sides is matched, not copied)" : ""));
        }

        return parts.Count == 0 ? null : new SettingsEffect("The next run " + string.Join("; ", parts) + ".", removes);
    }

    private static string Copies(int n) => n == 1 ? "1 copy" : $"{n} copies";

    /// <summary>The profile and direction before the change; the profile is null when it no longer loads (a file since removed).</summary>
    private static (MappingProfile? Profile, SyncDirection Direction) Previous(SyncDefinition before)
    {
        try
        {
            var profile = MappingLoader.Resolve(before.Mapping);
            return (profile, Planner.EffectiveDirection(before, profile));
        }
        catch (Exception e) when (e is MappingException or InvalidOperationException or System.IO.IOException or UnauthorizedAccessException)
        {
            return (null, before.Direction);
        }
    }

    private static string Filters(MappingProfile profile) =>
        string.Join("\n", profile.Exclude.Select(c => "exclude " + Text(c)).Concat(profile.Include.Select(c => "include " + Text(c))));

    private static string Text(Condition c) => $"{c.Field} {c.Operator} {string.Join("\u001f", c.Values)}";
}

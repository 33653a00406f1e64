using CalSync.Engine.Mapping;
using CalSync.Engine.Model;
using CalSync.Engine.Sync;
using CalSync.Engine.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static CalSync.Engine.Tests.Support.SyncHarness;

namespace CalSync.Engine.Tests.Properties;

/// <summary>
/// Issue 15's model test: random sequences of edits on both sides, runs killed after a write, a lost state, mapping
/// switches to and from busy-only and moves across the window edge, under every direction, allow-delete and conflict
/// policy (avoid-duplicates on). After every run that completes: no meeting has
/// two items on a side, no original carries what only a copy has (the placeholder, a blank body), nothing was deleted
/// whose pair still exists, and every pair has converged; a run after it writes nothing.
/// </summary>
public sealed class ModelProperties
{
    public enum OpKind { AddA, AddB, EditA, EditB, DeleteA, DeleteB, MoveOutA, MoveOutB, MoveBackA, MoveBackB, Run, KillA, KillB, LoseState, SwitchMapping }

    public sealed record Op(OpKind Kind, int Target, int Value);

    public sealed record Case(SyncDirection Direction, bool AllowDelete, ConflictPolicy Policy, string Mapping, Op[] Ops)
    {
        public override string ToString() => $"{Direction} allowDelete={AllowDelete} {Policy} {Mapping} :: {string.Join(", ", Ops.Select(o => $"{o.Kind}({o.Target},{o.Value})"))}";
    }

    private static readonly ShowAs[] ShowAsValues = { ShowAs.Busy, ShowAs.Tentative, ShowAs.Oof };
    private const int FarDays = 400; // beyond the window (365 days ahead)

    private static Gen<Case> Cases =>
        from direction in Gen.Elements(SyncDirection.TwoWay, SyncDirection.TwoWay, SyncDirection.TwoWay, SyncDirection.OutlookToBitrix24, SyncDirection.Bitrix24ToOutlook)
        from allowDelete in Gen.Elements(true, false)
        from policy in Gen.Elements(ConflictPolicy.Newest, ConflictPolicy.OutlookWins, ConflictPolicy.Bitrix24Wins)
        from mapping in Gen.Elements("default", "busy-only")
        from ops in (from kind in Gen.Elements(Enum.GetValues<OpKind>())
                     from target in Gen.Choose(0, 30)
                     from value in Gen.Choose(0, 100)
                     select new Op(kind, target, value)).ArrayOf()
        select new Case(direction, allowDelete, policy, mapping, ops.Take(30).ToArray());

    [Property(MaxTest = 200)]
    public Property Random_sequences_keep_every_meeting_once_and_every_original_intact() => Prop.ForAll(Cases.ToArbitrary(), Holds);

    private sealed class Model(SyncHarness h, Case c)
    {
        public SyncHarness H { get; } = h;
        public Case Case { get; } = c;
        public string Mapping { get; set; } = c.Mapping;
        /// <summary>Ids of the meetings the test made (originals), by side.</summary>
        public HashSet<string> OriginalsA { get; } = new(StringComparer.Ordinal);
        public HashSet<string> OriginalsB { get; } = new(StringComparer.Ordinal);
        public int Next { get; set; }
        public bool StateLost { get; set; }
    }

    private static bool Holds(Case c)
    {
        using var h = new SyncHarness(new SyncDefinition { Name = "model", Direction = c.Direction, AllowDelete = c.AllowDelete, ConflictPolicy = c.Policy, Mapping = c.Mapping });
        var m = new Model(h, c);
        Add(m, h.A, m.OriginalsA);
        Add(m, h.B, m.OriginalsB);
        var twin = Add(m, h.A, m.OriginalsA); // the same meeting entered on both sides: matched, not copied
        m.OriginalsB.Add(h.B.Add(twin with { Id = "" }).Id);
        RunAndCheck(m, InitialMerge.TwoWay);
        foreach (var op in c.Ops) Apply(m, op);
        RunAndCheck(m, null);
        return true;
    }

    private static CalEvent Add(Model m, InMemoryCalendar calendar, HashSet<string> originals)
    {
        // One day per meeting, so two items on one day of one side are a duplicate.
        var n = m.Next++;
        var e = calendar.Add(Meeting($"M{n}", day: 3 + n, hour: 9, body: $"secret {n}") with { ShowAs = ShowAsValues[n % ShowAsValues.Length] });
        originals.Add(e.Id);
        return e;
    }

    private static void Apply(Model m, Op op)
    {
        var h = m.H;
        var onA = op.Kind is OpKind.AddA or OpKind.EditA or OpKind.DeleteA or OpKind.MoveOutA or OpKind.MoveBackA or OpKind.KillA;
        var calendar = onA ? h.A : h.B;
        var existing = calendar.Events.OrderBy(e => e.Id, StringComparer.Ordinal).ToArray();
        var target = existing.Length == 0 ? null : existing[op.Target % existing.Length];
        switch (op.Kind)
        {
            case OpKind.AddA or OpKind.AddB:
                Add(m, calendar, onA ? m.OriginalsA : m.OriginalsB);
                break;
            case OpKind.EditA or OpKind.EditB when target is not null:
                calendar.Edit(target.Id, e => (op.Value % 4) switch
                {
                    0 => e with { Title = e.Title.Split(' ')[0] + " v" + op.Value },
                    1 => e with { Location = "Room " + op.Value },
                    2 => e with { Start = At(e.Start, 8 + op.Value % 8), End = At(e.Start, 9 + op.Value % 8) },
                    _ => e with { ShowAs = ShowAsValues[op.Value / 4 % ShowAsValues.Length] },
                });
                break;
            case OpKind.DeleteA or OpKind.DeleteB when target is not null:
                calendar.Remove(target.Id);
                break;
            case OpKind.MoveOutA or OpKind.MoveOutB when target is not null && target.Start.SortKeyUtc < h.Now.UtcDateTime.AddDays(FarDays / 2):
                calendar.Edit(target.Id, e => e with { Start = e.Start.Add(TimeSpan.FromDays(FarDays)), End = e.End.Add(TimeSpan.FromDays(FarDays)) });
                break;
            case OpKind.MoveBackA or OpKind.MoveBackB:
                var far = existing.Where(e => e.Start.SortKeyUtc > h.Now.UtcDateTime.AddDays(FarDays / 2)).ToArray();
                if (far.Length > 0) calendar.Edit(far[op.Target % far.Length].Id, e => e with { Start = e.Start.Add(TimeSpan.FromDays(-FarDays)), End = e.End.Add(TimeSpan.FromDays(-FarDays)) });
                break;
            case OpKind.Run:
                RunAndCheck(m, null);
                break;
            case OpKind.KillA or OpKind.KillB:
                // SIGKILL right after the k-th write this side applies; the next (plain) run must finish the job.
                calendar.KillAfter(1 + op.Value % 4);
                try { h.Run(allowEmptySide: true); }
                catch (InMemoryCalendar.Killed) { }
                finally { calendar.AfterWrite = null; }
                RunAndCheck(m, null);
                break;
            case OpKind.LoseState:
                // The state file is lost after a run, with every meeting in the window, and the user merges again. (A
                // meeting changed while outside the window and the state can be re-paired only through an origin stamp,
                // which Bitrix24 copies do not carry: a known limit, not modelled.)
                RunAndCheck(m, null);
                // One-way pairs differ by design once the target is edited: without the state they pair again only when equal.
                if (m.Case.Direction != SyncDirection.TwoWay) break;
                if (h.A.Events.Concat(h.B.Events).Any(e => e.Start.SortKeyUtc > h.Now.UtcDateTime.AddDays(FarDays / 2))) break;
                File.Delete(h.Store.States.PathOf(h.Definition.Name));
                m.StateLost = true;
                RunAndCheck(m, InitialMerge.TwoWay);
                break;
            // After a lost state a pair's original is inferred (an origin stamp, the placeholder title): a busy block the
            // user renamed before the state was lost passes for an original, and a switch to the default mapping may
            // then bring the real original in line with it. Not modelled.
            case OpKind.SwitchMapping when !m.StateLost:
                m.Mapping = m.Mapping == "default" ? "busy-only" : "default";
                h.Definition = h.Definition with { Mapping = m.Mapping };
                RunAndCheck(m, null);
                break;
        }
    }


    private static EventTime At(EventTime start, int hour) => EventTime.FromLocal(start.Local.Date.AddHours(hour), start.TimeZone);

    private static void RunAndCheck(Model m, InitialMerge? merge)
    {
        var h = m.H;
        var linksBefore = h.State.Links;
        var before = (A: h.A.Events.Select(e => e.Id).ToHashSet(), B: h.B.Events.Select(e => e.Id).ToHashSet());
        var run = h.Run(merge, allowEmptySide: true);
        if (run.Outcome is RunOutcome.Failed or RunOutcome.Aborted) throw new Exception($"run failed: {run.Message}");
        var projector = new Projector(MappingLoader.BuiltIn(m.Mapping));

        // Nothing deleted whose pair still exists.
        foreach (var (calendar, other, ids, side) in new[] { (h.A, h.B, before.A, Side.Outlook), (h.B, h.A, before.B, Side.Bitrix24) })
            foreach (var gone in ids.Where(id => !calendar.Contains(id)))
            {
                var link = linksBefore.FirstOrDefault(l => (side == Side.Outlook ? l.OutlookId : l.Bitrix24Id) == gone)
                    ?? throw new Exception($"{side} item {gone} was deleted but was not linked");
                var pair = side == Side.Outlook ? link.Bitrix24Id : link.OutlookId;
                if (other.Contains(pair)) throw new Exception($"{side} item {gone} was deleted although its pair {pair} still exists");
            }

        // No duplicates: one meeting per day and side.
        foreach (var (calendar, side) in new[] { (h.A, Side.Outlook), (h.B, Side.Bitrix24) })
            foreach (var day in calendar.Events.GroupBy(e => e.Start.Local.Date).Where(g => g.Count() > 1))
                throw new Exception($"duplicate on {side} {day.Key:yyyy-MM-dd}: {string.Join(", ", day.Select(e => $"{e.Id} '{e.Title}'"))}");

        // Originals never carry a copy's placeholder or lose their body.
        foreach (var (calendar, originals, side) in new[] { (h.A, m.OriginalsA, Side.Outlook), (h.B, m.OriginalsB, Side.Bitrix24) })
            foreach (var id in originals.Where(calendar.Contains))
            {
                var e = calendar[id];
                if (e.Title == "Busy" || !e.Description.StartsWith("secret ", StringComparison.Ordinal))
                    throw new Exception($"{side} original {id} was overwritten by a copy: '{e.Title}' / '{e.Description}'");
            }

        // Links one-to-one with live items; two-way pairs in the window converged under the current mapping.
        var state = h.State;
        h.AssertLinksOneToOne();
        bool InWindow(InMemoryCalendar calendar, string id) => calendar.Contains(id) && calendar[id].Start.SortKeyUtc < h.Now.UtcDateTime.AddDays(FarDays / 2);
        if (m.Case.Direction == SyncDirection.TwoWay)
            foreach (var link in state.Links.Where(l => InWindow(h.A, l.OutlookId) && InWindow(h.B, l.Bitrix24Id)))
            {
                var a = projector.View(h.A[link.OutlookId], Side.Outlook);
                var b = projector.View(h.B[link.Bitrix24Id], Side.Bitrix24);
                if (a.Hash != b.Hash) throw new Exception($"pair {link.OutlookId}<->{link.Bitrix24Id} did not converge: {a} vs {b}");
            }
        // Every live item of a sending side in the window is linked, unless a lost state left it as the baseline or it was detached.
        var unlinked = state.Unlinked.Where(u => u.Reason == UnlinkedReason.Detached || m.StateLost).Select(u => u.Id).ToHashSet();
        foreach (var (calendar, side) in new[] { (h.A, Side.Outlook), (h.B, Side.Bitrix24) })
        {
            var sends = m.Case.Direction == SyncDirection.TwoWay || (side == Side.Outlook) == (m.Case.Direction == SyncDirection.OutlookToBitrix24);
            if (!sends) continue;
            var linked = state.Links.Select(l => side == Side.Outlook ? l.OutlookId : l.Bitrix24Id).ToHashSet();
            foreach (var e in calendar.Events.Where(e => e.Start.SortKeyUtc < h.Now.UtcDateTime.AddDays(FarDays / 2)))
                if (!linked.Contains(e.Id) && !unlinked.Contains(e.Id))
                    throw new Exception($"{side} item {e.Id} '{e.Title}' is live but not linked");
        }

        var writes = h.A.Writes + h.B.Writes;
        var quiet = h.Run(null, allowEmptySide: true);
        if (quiet.Writes != 0 || h.A.Writes + h.B.Writes != writes)
            throw new Exception($"a run after a run wrote {quiet.Writes}: {h.LastResult!.Plan}");
    }
}

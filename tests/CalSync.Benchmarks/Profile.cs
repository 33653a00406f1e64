using System.Diagnostics;
using CalSync.Bitrix24;
using CalSync.Engine.Mapping;
using CalSync.Engine.Sides;
using CalSync.Store;
using CalSync.Engine.Sync;
using CalSync.Outlook;

namespace CalSync.Benchmarks;

/// <summary>
/// <c>--profile</c>: the phases of one no-op run (store load, each side's read, plan, store save), each with its CPU,
/// allocations and wall time, through the same public APIs the runner uses. Diagnostics for finding where a run spends.
/// </summary>
public static class Profile
{
    public static async Task RunAsync(Job job, Action<string> log)
    {
        var store = new CalSyncStore(job.StoreRoot);
        foreach (var sync in job.Syncs)
        {
            var definition = store.Definitions.Get(sync.Name)!;
            using var outlook = await OutlookCalendarSide.ConnectAsync(new OutlookConnectionOptions
            {
                Endpoint = job.GraphUrl, AccessToken = job.AccessToken, CalendarId = sync.CalendarId, TokenCacheMode = TokenCacheMode.InMemory,
            });
            using var bitrix24 = new Bitrix24CalendarSide(new Bitrix24ConnectionOptions { WebhookUrl = job.WebhookUrl, SectionId = sync.SectionId });
            for (var round = 0; round < 2; round++)
            {
                log($"-- {sync.Name}, round {round + 1} ({(round == 0 ? "cold" : "warm")})");
                var state = Phase(log, "store: load state", () => store.States.Load(sync.Name));
                var window = SyncWindow.Around(DateTime.UtcNow, definition.WindowPastDays, definition.WindowFutureDays);
                var a = await PhaseAsync(log, "outlook: read", () => outlook.ReadAsync(window, state.CursorOf(Engine.Model.Side.Outlook), default));
                var b = await PhaseAsync(log, "bitrix24: read", () => bitrix24.ReadAsync(window, state.CursorOf(Engine.Model.Side.Bitrix24), default));
                var projector = Phase(log, "mapping: load", () => new Projector(MappingLoader.Resolve(definition.Mapping)));
                var plan = Phase(log, "planner: decide", () => Planner.Decide(new PlanInput
                {
                    Definition = definition, State = state, Projector = projector, Outlook = a.Events, Bitrix24 = b.Events, Window = window,
                    CannotExpress = (side, series) => (side == Engine.Model.Side.Outlook ? (ICalendarSide)outlook : bitrix24).CannotExpress(series.Recurrence!, series),
                }));
                Phase(log, "plan: ToString (log line)", () => plan.ToString().Length);
                Phase(log, "store: save state", () => { store.States.Save(sync.Name, state.WithCursors(a.Cursor, b.Cursor) with { Links = plan.Links, Unlinked = plan.Unlinked }); return 0; });
                log($"   writes planned {plan.Writes.Count}, links {plan.Links.Count}, outlook cursor {a.Cursor?.Text?.Length / 1024} KB text + {a.Cursor?.Data?.Length / 1024} KB data, bitrix24 cursor {b.Cursor?.Text?.Length / 1024} KB");
            }
        }
    }

    private static T Phase<T>(Action<string> log, string name, Func<T> action)
    {
        var (cpu, alloc, watch) = Start();
        var result = action();
        Stop(log, name, cpu, alloc, watch);
        return result;
    }

    private static async Task<T> PhaseAsync<T>(Action<string> log, string name, Func<Task<T>> action)
    {
        var (cpu, alloc, watch) = Start();
        var result = await action();
        Stop(log, name, cpu, alloc, watch);
        return result;
    }

    private static (TimeSpan, long, Stopwatch) Start()
    {
        var p = Process.GetCurrentProcess();
        return (p.TotalProcessorTime, GC.GetTotalAllocatedBytes(true), Stopwatch.StartNew());
    }

    private static void Stop(Action<string> log, string name, TimeSpan cpu0, long alloc0, Stopwatch watch)
    {
        var p = Process.GetCurrentProcess();
        log($"   {name,-28} wall {watch.Elapsed.TotalMilliseconds,8:0} ms  cpu {(p.TotalProcessorTime - cpu0).TotalMilliseconds,8:0} ms  alloc {(GC.GetTotalAllocatedBytes(true) - alloc0) / 1048576.0,8:0.0} MB  heap {GC.GetTotalMemory(false) / 1048576.0,6:0} MB");
    }
}

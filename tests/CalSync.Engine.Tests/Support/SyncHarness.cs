using CalSync.Engine.Mapping;
using CalSync.Engine.Model;
using CalSync.Store;
using CalSync.Engine.Sync;
using Xunit;

namespace CalSync.Engine.Tests.Support;

/// <summary>The real runner and the real file store (in a temp directory) over two in-memory calendars.</summary>
public sealed class SyncHarness : IDisposable
{
    public SyncHarness(SyncDefinition? definition = null)
    {
        Root = Path.Combine(Path.GetTempPath(), "calsync-test-" + Guid.NewGuid().ToString("N"));
        Store = new CalSyncStore(Root);
        Definition = definition ?? new SyncDefinition { Name = "work" };
        A = new InMemoryCalendar(Side.Outlook, () => Now);
        B = new InMemoryCalendar(Side.Bitrix24, () => Now);
    }

    /// <summary>A Monday morning; each run moves the clock a minute on.</summary>
    public DateTimeOffset Now { get; set; } = new(2025, 3, 3, 8, 0, 0, TimeSpan.Zero);
    public string Root { get; }
    public CalSyncStore Store { get; }
    public SyncDefinition Definition { get; set; }
    public InMemoryCalendar A { get; }
    public InMemoryCalendar B { get; }
    public RunResult? LastResult { get; private set; }

    public SyncState State => Store.States.Load(Definition.Name);

    public RunRecord Run(InitialMerge? merge = null, bool allowEmptySide = false, bool whatIf = false, TimeSpan? lockWait = null)
    {
        Now = Now.AddMinutes(1);
        var runner = new SyncRunner(Store, A, B);
        var options = new RunOptions { Merge = merge, AllowEmptySide = allowEmptySide, WhatIf = whatIf, Now = Now, LockWait = lockWait ?? TimeSpan.FromSeconds(5) };
        LastResult = runner.RunAsync(Definition, options, CancellationToken.None).GetAwaiter().GetResult();
        Now = Now.AddMinutes(1);
        return LastResult.Record;
    }

    /// <summary>Runs once more and asserts that nothing was written to either side (every scenario ends with this).</summary>
    public RunRecord AssertQuiet(int times = 1)
    {
        RunRecord record = null!;
        for (var i = 0; i < times; i++)
        {
            var before = (A.Writes, B.Writes);
            record = Run();
            Assert.True(before == (A.Writes, B.Writes), "wrote: " + LastResult!.Plan);
            Assert.Equal(0, record.Writes);
            Assert.True(record.Outcome == RunOutcome.NoChanges, $"expected no changes, got {record.Outcome}: {LastResult!.Plan}");
        }
        return record;
    }

    /// <summary>Every live item on one side is linked exactly once.</summary>
    public void AssertLinksOneToOne()
    {
        var links = State.Links;
        Assert.Equal(links.Count, links.Select(l => l.OutlookId).Distinct().Count());
        Assert.Equal(links.Count, links.Select(l => l.Bitrix24Id).Distinct().Count());
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }

    public static CalEvent Meeting(string title, int day = 3, int hour = 10, int minutes = 60, string zone = "Europe/Berlin", string location = "", string body = "") => new()
    {
        Title = title,
        Location = location,
        Description = body,
        Start = EventTime.FromLocal(new DateTime(2025, 3, day, hour, 0, 0), zone),
        End = EventTime.FromLocal(new DateTime(2025, 3, day, hour, 0, 0).AddMinutes(minutes), zone),
    };

    public static CalEvent AllDay(string title, DateTime date, int days = 1) => new()
    {
        Title = title,
        Start = EventTime.AllDay(date),
        End = EventTime.AllDay(date.AddDays(days)),
    };
}

